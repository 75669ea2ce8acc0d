#include "mu2net/common/ErrorText.h"

#include <atomic>
#include <filesystem>
#include <new>
#include <sstream>

#include <c10/util/Exception.h>

#include "mu2net/common/InputLimits.h"

namespace mu2net {
namespace {

std::atomic<bool> gVerbose{false};

// "[json.exception.parse_error.101] parse error at ..." -> "parse error at ..."
std::string withoutJsonTags(std::string text) {
  static const std::string kTag = "[json.exception.";
  for (std::size_t at = text.find(kTag); at != std::string::npos; at = text.find(kTag, at)) {
    const std::size_t close = text.find(']', at);
    if (close == std::string::npos) break;
    std::size_t end = close + 1;
    if (end < text.size() && text[end] == ' ') ++end;
    text.erase(at, end - at);
  }
  return text;
}

// LibTorch appends "Exception raised from f at file:line (most recent call first):" and one
// "frame #N: ..." line per frame; a message that embeds such a what() carries them along.
std::string withoutStackTrace(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  bool inTrace = false;
  while (std::getline(in, line)) {
    if (line.rfind("Exception raised from ", 0) == 0 || line.rfind("frame #", 0) == 0 ||
        line.find("(most recent call first)") != std::string::npos) {
      inTrace = true;
      continue;
    }
    if (inTrace && (line.empty() || line[0] == ' ' || line[0] == '\t')) continue;
    inTrace = false;
    if (!out.empty()) out += '\n';
    out += line;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

std::string printableLines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (!out.empty() || start > 0) out += '\n';
    out += printable(text.substr(start, end - start), 4096);
    start = end + 1;
  }
  return out;
}

// libstdc++: "filesystem error: <what>: <reason> [path1] [path2]".
std::string filesystemText(const std::filesystem::filesystem_error& e) {
  std::string what = e.what();
  static const std::string kPrefix = "filesystem error: ";
  if (what.rfind(kPrefix, 0) == 0) what.erase(0, kPrefix.size());
  for (const auto* p : {&e.path2(), &e.path1()}) {
    if (p->empty()) continue;
    const std::string suffix = " [" + p->string() + "]";
    if (what.size() >= suffix.size() &&
        what.compare(what.size() - suffix.size(), suffix.size(), suffix) == 0)
      what.erase(what.size() - suffix.size());
  }
  std::string out = e.path1().empty() ? what : e.path1().string() + ": " + what;
  if (!e.path2().empty()) out += " (and " + e.path2().string() + ")";
  return out;
}

}  // namespace

void setVerboseErrors(bool verbose) {
  gVerbose = verbose;
}

bool verboseErrors() {
  return gVerbose;
}

std::string cleanErrorText(const std::string& message) {
  std::string text = withoutJsonTags(message);
  if (!gVerbose) text = withoutStackTrace(text);
  // "filesystem error: " embedded in another message (e.g. "cannot open store: filesystem ...").
  static const std::string kFilesystem = "filesystem error: ";
  for (std::size_t at = text.find(kFilesystem); at != std::string::npos;
       at = text.find(kFilesystem, at))
    text.erase(at, kFilesystem.size());
  return printableLines(text);
}

std::string errorText(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e))
    return cleanErrorText(gVerbose ? c10->what() : c10->what_without_backtrace());
  if (const auto* fs = dynamic_cast<const std::filesystem::filesystem_error*>(&e))
    return cleanErrorText(filesystemText(*fs));
  if (dynamic_cast<const std::bad_alloc*>(&e))
    return "out of memory: the input needs more memory than is free (free some memory, or check "
           "that the input is what you meant)";
  return cleanErrorText(e.what());
}

}  // namespace mu2net
