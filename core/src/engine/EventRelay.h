#pragma once
// The engine's one way out for events: every event goes to the sink, one at a time, and the kinds
// the store keeps (toStoredEvent) wait here until the next commit takes them.
//
// Children of a generation may train on several threads; emit() may be called from any of them.
#include <mutex>
#include <vector>

#include "mu2net/evolution/Events.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {

class EventRelay {
 public:
  /// `sink` may be null (events are then only kept for the store); it must outlive the relay.
  explicit EventRelay(EventSink* sink) : sink_(sink) {}

  /// Hands `event` to the sink (serialised with every other emit) and keeps its stored form.
  void emit(Event event);
  /// The stored forms of the events emitted since the last call, in order.
  std::vector<StoredEvent> takeStored();

 private:
  EventSink* sink_;
  std::mutex mutex_;
  std::vector<StoredEvent> stored_;
};

}  // namespace mu2net
