#pragma once
// Turns signals (Ctrl-C's SIGINT, a scheduler's SIGTERM) into a call of `stop` on a watcher
// thread, for as long as the object lives; the previous handlers come back when it ends. The
// handler itself only sets a flag: `stop` (Engine::stop, say) runs outside the signal context.
#include <atomic>
#include <functional>
#include <initializer_list>
#include <thread>
#include <utility>
#include <vector>

namespace mu2net::cli {

class StopOnSignal {
 public:
  StopOnSignal(std::initializer_list<int> signals, std::function<void()> stop);
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::vector<std::pair<int, void (*)(int)>> previous_;
  std::thread watcher_;
};

}  // namespace mu2net::cli
