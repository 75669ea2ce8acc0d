#pragma once
// Run control: the requests other threads make of a running engine (pause, resume, stop, add a
// task) and the safe points at which the engine honours them.
//
// Requests may come from any thread. The training threads call safePoint() between mini-batches:
// it blocks while a pause is requested and throws StopRequested once a stop is. New tasks wait in
// a queue until the engine takes them between children (takePendingTasks()).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "engine/EventRelay.h"
#include "mu2net/data/TaskData.h"

namespace mu2net {

/// Thrown at a safe point when stop() was requested; caught by the engine, never leaves it.
struct StopRequested {};

class RunControl {
 public:
  /// Pauses and resumptions are announced through `events` (PausedEvent).
  explicit RunControl(EventRelay& events) : events_(events) {}

  void pause();
  void resume();
  void stop();
  bool isPaused() const;
  bool stopRequested() const { return stopRequested_.load(); }
  /// Queues a task for the engine's next takePendingTasks().
  void addTask(const TaskSpec& task);
  /// The tasks queued since the last call, in order.
  std::vector<TaskSpec> takePendingTasks();

  /// Called between mini-batches: throws StopRequested on stop; blocks while paused. With
  /// children training in parallel, the first to wait announces the pause and the last to leave
  /// announces the resumption.
  void safePoint();

 private:
  EventRelay& events_;
  mutable std::mutex mutex_;
  std::condition_variable resumed_;
  bool pauseRequested_ = false;
  int pausedTrainers_ = 0;  // trainers waiting at a safe point while paused
  std::atomic<bool> stopRequested_{false};
  std::vector<TaskSpec> pendingTasks_;
};

}  // namespace mu2net
