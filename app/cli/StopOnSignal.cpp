#include "StopOnSignal.h"

#include <chrono>
#include <csignal>

namespace mu2net::cli {
namespace {

std::atomic<bool> gSignalled{false};

extern "C" void onStopSignal(int) {
  gSignalled = true;
}

}  // namespace

StopOnSignal::StopOnSignal(std::initializer_list<int> signals, std::function<void()> stop) {
  gSignalled = false;
  for (const int s : signals)
    previous_.emplace_back(s, std::signal(s, onStopSignal));
  watcher_ = std::thread([this, stop = std::move(stop)] {
    while (!done_) {
      if (gSignalled.exchange(false)) stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

StopOnSignal::~StopOnSignal() {
  done_ = true;
  watcher_.join();
  for (const auto& [s, handler] : previous_)
    std::signal(s, handler);
}

}  // namespace mu2net::cli
