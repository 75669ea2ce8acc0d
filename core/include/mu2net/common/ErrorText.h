#pragma once
// What a person sees of an exception: the message without the library's own wording. Every
// program of the project (mu2net, the workbench) prints errors through errorText(), so no
// LibTorch C++ stack trace, no "[json.exception.parse_error.101]" tag, no "filesystem error:"
// prefix and no raw control bytes reach a terminal, unless verbose errors were asked for
// (`mu2net --verbose`), which keeps LibTorch's stack trace for a bug report.
// Torch-free and Qt-free header.
#include <exception>
#include <string>

namespace mu2net {

/// The message of `e` as it should be shown: c10::Error without its backtrace (unless verbose),
/// a filesystem error as "<path>: <what failed>: <reason>", std::bad_alloc as "out of memory",
/// JSON library tags removed, stack-trace lines removed (unless verbose), other bytes a terminal
/// cannot show escaped as \xNN.
std::string errorText(const std::exception& e);

/// The same cleaning for a message that is already text (e.g. one that embeds another
/// exception's what()).
std::string cleanErrorText(const std::string& message);

/// Whether errorText() keeps stack traces (`mu2net --verbose`). Off by default.
void setVerboseErrors(bool verbose);
bool verboseErrors();

}  // namespace mu2net
