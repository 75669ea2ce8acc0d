#include "engine/EventRelay.h"

#include <utility>

namespace mu2net {

void EventRelay::emit(Event event) {
  std::lock_guard lock(mutex_);
  if (auto stored = toStoredEvent(event)) stored_.push_back(std::move(*stored));
  if (sink_) sink_->handle(event);
}

std::vector<StoredEvent> EventRelay::takeStored() {
  std::lock_guard lock(mutex_);
  std::vector<StoredEvent> out;
  out.swap(stored_);
  return out;
}

}  // namespace mu2net
