#pragma once
// Runs a piece of code in a forked child under an address-space ceiling and a time limit, and
// reports how it ended: the hostile-input tests use it so that a reader that allocates what a
// header declares, or reads an endless stream, fails the test (std::bad_alloc, timeout) instead of
// taking the machine's memory or hanging the suite.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <new>
#include <string>
#include <typeinfo>

namespace mu2net::testdata {

/// How `run` ended: "ok", "<type>: <message>" for an exception (type as given by `name`),
/// "bad_alloc", "timeout", or "signal <name>".
inline std::string runBounded(const std::function<void()>& run,
                              const std::function<std::string(const std::exception&)>& name,
                              long long extraBytes = 512LL << 20, int seconds = 60) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    long long sizeKb = 0;
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmSize:", 0) == 0) sizeKb = std::atoll(line.c_str() + 7);
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(sizeKb * 1024 + extraBytes);
    setrlimit(RLIMIT_AS, &limit);
    alarm(static_cast<unsigned>(seconds));
    std::string result;
    try {
      run();
      result = "ok";
    } catch (const std::bad_alloc&) {
      result = "bad_alloc";
    } catch (const std::exception& e) {
      result = name(e) + ": " + e.what();
    } catch (...) {
      result = "unknown exception";
    }
    const char* p = result.data();
    std::size_t left = result.size();
    while (left > 0) {
      const ssize_t n = write(fds[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string result;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0)
    result.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return WTERMSIG(status) == SIGALRM ? "timeout"
                                       : std::string("signal ") + strsignal(WTERMSIG(status));
  return result;
}

}  // namespace mu2net::testdata
