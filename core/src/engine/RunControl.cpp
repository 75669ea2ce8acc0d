#include "engine/RunControl.h"

namespace mu2net {

void RunControl::pause() {
  std::lock_guard lock(mutex_);
  pauseRequested_ = true;
}

void RunControl::resume() {
  {
    std::lock_guard lock(mutex_);
    pauseRequested_ = false;
  }
  resumed_.notify_all();
}

void RunControl::stop() {
  stopRequested_ = true;
  resumed_.notify_all();
}

bool RunControl::isPaused() const {
  std::lock_guard lock(mutex_);
  return pauseRequested_;
}

void RunControl::addTask(const TaskSpec& task) {
  std::lock_guard lock(mutex_);
  pendingTasks_.push_back(task);
}

std::vector<TaskSpec> RunControl::takePendingTasks() {
  std::vector<TaskSpec> pending;
  std::lock_guard lock(mutex_);
  pending.swap(pendingTasks_);
  return pending;
}

void RunControl::safePoint() {
  if (stopRequested_.load()) throw StopRequested{};
  std::unique_lock lock(mutex_);
  if (!pauseRequested_) return;
  const bool first = pausedTrainers_++ == 0;
  lock.unlock();
  if (first) events_.emit(PausedEvent{true});
  lock.lock();
  resumed_.wait(lock, [&] { return !pauseRequested_ || stopRequested_.load(); });
  const bool last = --pausedTrainers_ == 0;
  lock.unlock();
  if (last) events_.emit(PausedEvent{false});
  if (stopRequested_.load()) throw StopRequested{};
}

}  // namespace mu2net
