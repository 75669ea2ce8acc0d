#include "HelperLimits.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

namespace mu2net::layout {
namespace {

// Prepared before any crash: the handler may only write bytes that already exist.
std::string gCrashJson, gCrashMessage;
int gCrashExit = 1;

// A JSON string literal for a message of plain text (quotes and backslashes escaped).
std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void writeAll(int fd, const char* text) {
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = write(fd, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Only async-signal-safe calls: the crash may be anywhere, even inside malloc.
extern "C" void onCrash(int) {
  writeAll(STDOUT_FILENO, gCrashJson.c_str());
  writeAll(STDERR_FILENO, gCrashMessage.c_str());
  _exit(gCrashExit);
}

struct ThreadWork {
  const std::function<void()>* work;
  std::exception_ptr failure;
};

// The crash handler needs a stack of its own, per thread: a stack overflow leaves none.
void installAlternateStack() {
  thread_local std::vector<char> alternate(1 << 16);
  stack_t stack{};
  stack.ss_sp = alternate.data();
  stack.ss_size = alternate.size();
  sigaltstack(&stack, nullptr);
}

extern "C" void* runWork(void* argument) {
  installAlternateStack();
  auto* w = static_cast<ThreadWork*>(argument);
  try {
    (*w->work)();
  } catch (...) {
    w->failure = std::current_exception();
  }
  return nullptr;
}

}  // namespace

std::string limitAddressSpace(unsigned megabytes) {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0) return std::string("getrlimit: ") + std::strerror(errno);
  const rlim_t wanted = static_cast<rlim_t>(megabytes) << 20;
  // Never raise a limit the caller already set lower.
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur <= wanted) return "";
  limit.rlim_cur = wanted;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_AS, &limit) != 0) return std::string("setrlimit: ") + std::strerror(errno);
  return "";
}

InputText readBoundedInput(int fd, std::size_t maxBytes) {
  struct stat info {};
  if (fstat(fd, &info) != 0)
    return {std::nullopt, errno == EBADF
                              ? "stdin is closed; give the DOT graph on stdin"
                              : std::string("cannot read stdin: ") + std::strerror(errno)};
  if (S_ISDIR(info.st_mode))
    return {std::nullopt, "stdin is a folder, not DOT text; give the DOT graph on stdin"};
  if (S_ISREG(info.st_mode) && static_cast<std::size_t>(info.st_size) > maxBytes)
    return {std::nullopt, "the input has " + std::to_string(info.st_size) +
                              " bytes, more than the limit of " + std::to_string(maxBytes) +
                              " (--max-input-bytes)"};
  std::string text;
  std::vector<char> buffer(1 << 16);
  for (;;) {
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return {std::nullopt, std::string("cannot read stdin: ") + std::strerror(errno)};
    }
    text.append(buffer.data(), static_cast<std::size_t>(n));
    if (text.size() > maxBytes)
      return {std::nullopt, "the input has more than " + std::to_string(maxBytes) +
                                " bytes, the limit (--max-input-bytes)"};
  }
  return {std::move(text), {}};
}

void runWithStack(std::size_t stackBytes, const std::function<void()>& work) {
  ThreadWork w{&work, nullptr};
  pthread_attr_t attributes;
  pthread_t thread;
  bool started = false;
  if (pthread_attr_init(&attributes) == 0) {
    started = pthread_attr_setstacksize(&attributes, stackBytes) == 0 &&
              pthread_create(&thread, &attributes, runWork, &w) == 0;
    pthread_attr_destroy(&attributes);
  }
  if (!started) {
    work();
    return;
  }
  pthread_join(thread, nullptr);
  if (w.failure) std::rethrow_exception(w.failure);
}

void answerOnCrash(const std::string& message, int exitCode) {
  gCrashJson = "{\"error\":" + jsonString(message) + "}\n";
  gCrashMessage = "mu2net-layout: " + message + "\n";
  gCrashExit = exitCode;
  installAlternateStack();
  struct sigaction action {};
  action.sa_handler = onCrash;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
    sigaction(signal, &action, nullptr);
}

}  // namespace mu2net::layout
