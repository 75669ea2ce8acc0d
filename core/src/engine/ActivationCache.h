#pragma once
// A bounded cache of frozen-prefix activations on fixed evaluation subsets (issue 16).
//
// A frozen component never changes (its SHA-256 is fixed once it is in the system), and the
// validation and test subsets are fixed and never augmented. So the output of a route's frozen
// prefix on such a subset is the same for every child, every generation and every test
// evaluation that runs that prefix: it is computed once and kept here, keyed by the prefix's
// component ids, the image size, the subset and the arithmetic. Entries are evicted least recently
// used first when the byte limit would be exceeded; an entry larger than the limit is not kept.
//
// Thread-safe. getOrCompute() computes each missing key once: a second thread asking for a key
// being computed waits for it instead of computing it again. Torch-free header (the values are
// lists of tensors, one per evaluation batch).
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace mu2net {

struct ActivationKey {
  std::vector<int64_t> componentIds;  ///< the prefix, in route order
  int imageSize = 0;
  std::string subset;  ///< which examples: task, split and a digest of their indices
  int precision = 0;   ///< Precision of the pass
  auto operator<=>(const ActivationKey&) const = default;
};

struct ActivationCacheStats {
  int64_t hits = 0;     ///< lookups answered from the cache
  int64_t misses = 0;   ///< lookups that computed their entry
  int64_t evicted = 0;  ///< entries dropped to make room
  std::size_t entries = 0;
  std::size_t bytes = 0;     ///< held now
  std::size_t maxBytes = 0;  ///< the limit
};

class ActivationCache {
 public:
  using Batches = std::vector<at::Tensor>;

  explicit ActivationCache(std::size_t maxBytes);
  ~ActivationCache();
  ActivationCache(const ActivationCache&) = delete;
  ActivationCache& operator=(const ActivationCache&) = delete;

  /// The cached batches of `key` (a shared, read-only list), or null.
  std::shared_ptr<const Batches> find(const ActivationKey& key);
  /// The cached batches of `key`, computed by `compute` when missing (once, whatever the number
  /// of threads asking; an exception from `compute` reaches the thread that ran it, and a waiting
  /// thread then computes it itself).
  std::shared_ptr<const Batches> getOrCompute(const ActivationKey& key,
                                              const std::function<Batches()>& compute);
  ActivationCacheStats stats() const;
  /// Drops everything.
  void clear();

 private:
  struct Entry;
  void insertLocked(const ActivationKey& key, std::shared_ptr<const Batches> value);

  std::size_t maxBytes_;
  mutable std::mutex mutex_;
  std::condition_variable computed_;
  std::list<ActivationKey> lru_;  // most recently used first
  std::map<ActivationKey, std::unique_ptr<Entry>> entries_;
  std::set<ActivationKey> inFlight_;
  ActivationCacheStats stats_;
};

}  // namespace mu2net
