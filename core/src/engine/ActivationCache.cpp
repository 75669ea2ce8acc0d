#include "engine/ActivationCache.h"

#include <torch/types.h>

#include <utility>

namespace mu2net {

struct ActivationCache::Entry {
  std::shared_ptr<const Batches> value;
  std::size_t bytes = 0;
  std::list<ActivationKey>::iterator position;
};

namespace {

std::size_t bytesOf(const ActivationCache::Batches& batches) {
  std::size_t n = 0;
  for (const auto& t : batches)
    n += static_cast<std::size_t>(t.numel()) * t.element_size();
  return n;
}

}  // namespace

ActivationCache::ActivationCache(std::size_t maxBytes) : maxBytes_(maxBytes) {
  stats_.maxBytes = maxBytes;
}

ActivationCache::~ActivationCache() = default;

std::shared_ptr<const ActivationCache::Batches> ActivationCache::find(const ActivationKey& key) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second->position);
  return it->second->value;
}

std::shared_ptr<const ActivationCache::Batches> ActivationCache::getOrCompute(
    const ActivationKey& key, const std::function<Batches()>& compute) {
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      const auto it = entries_.find(key);
      if (it != entries_.end()) {
        ++stats_.hits;
        lru_.splice(lru_.begin(), lru_, it->second->position);
        return it->second->value;
      }
      if (!inFlight_.contains(key)) break;
      computed_.wait(lock);
    }
    inFlight_.insert(key);
    ++stats_.misses;
  }
  std::shared_ptr<const Batches> value;
  try {
    value = std::make_shared<const Batches>(compute());
  } catch (...) {
    std::lock_guard lock(mutex_);
    inFlight_.erase(key);
    computed_.notify_all();
    throw;
  }
  std::lock_guard lock(mutex_);
  inFlight_.erase(key);
  insertLocked(key, value);
  computed_.notify_all();
  return value;
}

void ActivationCache::insertLocked(const ActivationKey& key, std::shared_ptr<const Batches> value) {
  const std::size_t bytes = bytesOf(*value);
  if (bytes > maxBytes_ || entries_.contains(key)) return;
  while (stats_.bytes + bytes > maxBytes_ && !lru_.empty()) {
    const auto victim = entries_.find(lru_.back());
    stats_.bytes -= victim->second->bytes;
    entries_.erase(victim);
    lru_.pop_back();
    ++stats_.evicted;
  }
  lru_.push_front(key);
  auto entry = std::make_unique<Entry>();
  entry->value = std::move(value);
  entry->bytes = bytes;
  entry->position = lru_.begin();
  entries_.emplace(key, std::move(entry));
  stats_.bytes += bytes;
}

ActivationCacheStats ActivationCache::stats() const {
  std::lock_guard lock(mutex_);
  ActivationCacheStats s = stats_;
  s.entries = entries_.size();
  return s;
}

void ActivationCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  lru_.clear();
  stats_.bytes = 0;
}

}  // namespace mu2net
