#pragma once
// The limits that keep the mu2net-layout helper from harming the machine whatever it is given:
// it is a separate process, so it limits itself with the operating system's means (an address-
// space limit, an alarm, a large stack for Graphviz's deep recursion, a crash handler that still
// answers with one line of JSON), reads stdin with a size bound and refuses stdin that is closed
// or not readable as text. No Graphviz, Qt or core here.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace mu2net::layout {

/// Limits the process's address space to `megabytes` (setrlimit RLIMIT_AS): an allocation beyond
/// it fails instead of growing until the machine swaps. Returns an error message, or "".
std::string limitAddressSpace(unsigned megabytes);

/// Reads all of file descriptor `fd` (stdin). Fails, with a message for a person, when it is
/// closed, a folder, unreadable, or holds more than `maxBytes` bytes (then it stops reading at
/// maxBytes + 1: an endless stream such as /dev/zero cannot grow the process).
struct InputText {
  std::optional<std::string> text;
  std::string error;
};
InputText readBoundedInput(int fd, std::size_t maxBytes);

/// Runs `work` on a thread with a stack of `stackBytes` and waits for it: Graphviz recurses once
/// per rank or chain link, which overflows the default 8 MiB stack on long chains. Falls back to
/// the calling thread when no such thread can be created.
void runWithStack(std::size_t stackBytes, const std::function<void()>& work);

/// On SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT (a crash inside Graphviz, e.g. after an
/// allocation failed under the memory limit) writes {"error": message} as one line on stdout and
/// the message on stderr, then exits with `exitCode`. Runs on its own signal stack, so a stack
/// overflow is caught too.
void answerOnCrash(const std::string& message, int exitCode);

}  // namespace mu2net::layout
