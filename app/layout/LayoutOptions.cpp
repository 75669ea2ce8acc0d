#include "LayoutOptions.h"

#include <algorithm>
#include <charconv>

namespace mu2net::layout {
namespace {

// A day is far beyond any useful layout; the bound keeps alarm() well inside its range.
constexpr unsigned kMaxTimeoutSeconds = 86400;
// Graphviz and its plugins map about 100 MiB before laying anything out.
constexpr unsigned long long kMinMemoryMegabytes = 64;
constexpr unsigned long long kMaxMemoryMegabytes = 1 << 20;
constexpr unsigned long long kMaxInputBytesLimit = 1ULL << 30;

bool isEngine(std::string_view name) {
  return std::find(std::begin(kEngines), std::end(kEngines), name) != std::end(kEngines);
}

std::string engineList() {
  std::string list;
  for (auto engine : kEngines)
    list += (list.empty() ? "" : ", ") + std::string(engine);
  return list;
}

// Splits "--name=value" so both spellings share one code path.
std::pair<std::string_view, std::optional<std::string_view>> splitInline(std::string_view arg) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos || !arg.starts_with("--")) return {arg, std::nullopt};
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

}  // namespace

ParsedOptions parseOptions(const std::vector<std::string>& args) {
  LayoutOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto [name, inlineValue] = splitInline(args[i]);
    if (name == "--help" || name == "-h") {
      if (inlineValue) return {std::nullopt, "option " + std::string(name) + " takes no value"};
      options.help = true;
      continue;
    }
    if (name == "--version") {
      if (inlineValue) return {std::nullopt, "option --version takes no value"};
      options.version = true;
      continue;
    }
    if (name != "--engine" && name != "--timeout-seconds" && name != "--memory-mb" &&
        name != "--max-input-bytes") {
      if (!name.starts_with("-"))
        return {std::nullopt, "unexpected argument '" + args[i] + "' (DOT is read from stdin)"};
      return {std::nullopt, "unknown option '" + std::string(name) + "'"};
    }
    std::string value;
    if (inlineValue) {
      value = std::string(*inlineValue);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return {std::nullopt, "option " + std::string(name) + " needs a value"};
    }
    if (name == "--engine") {
      if (!isEngine(value))
        return {std::nullopt,
                "unknown engine '" + value + "' (expected one of: " + engineList() + ")"};
      options.engine = value;
    } else {
      const bool timeout = name == "--timeout-seconds", memory = name == "--memory-mb";
      const unsigned long long lo = timeout ? 1 : memory ? kMinMemoryMegabytes : 1;
      const unsigned long long hi = timeout  ? kMaxTimeoutSeconds
                                    : memory ? kMaxMemoryMegabytes
                                             : kMaxInputBytesLimit;
      unsigned long long number = 0;
      const auto* end = value.data() + value.size();
      const auto [ptr, ec] = std::from_chars(value.data(), end, number);
      if (value.empty() || ec != std::errc() || ptr != end || number < lo || number > hi)
        return {std::nullopt, std::string(name) + " needs a whole number from " +
                                  std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
                                  value + "'"};
      if (timeout)
        options.timeoutSeconds = static_cast<unsigned>(number);
      else if (memory)
        options.memoryMegabytes = static_cast<unsigned>(number);
      else
        options.maxInputBytes = static_cast<std::size_t>(number);
    }
  }
  return {options, {}};
}

std::string usageText(std::string_view programName) {
  return "Usage: " + std::string(programName) +
         " [--engine NAME] [--timeout-seconds N] [--memory-mb N] [--max-input-bytes N]\n"
         "\n"
         "Reads one Graphviz DOT graph from stdin, lays it out and writes the positions of its\n"
         "nodes and the spline control points of its edges as one line of JSON on stdout.\n"
         "\n"
         "Options:\n"
         "  --engine NAME          layout engine: " +
         engineList() +
         " (default dot)\n"
         "  --timeout-seconds N    give up after N seconds with {\"error\": \"layout timed out\"}\n"
         "                         (default 60)\n"
         "  --memory-mb N          limit the helper's address space to N MiB (default 2048)\n"
         "  --max-input-bytes N    refuse more than N bytes of DOT (default 4194304); graphs with\n"
         "                         more than 50000 nodes or 200000 edges are refused too\n"
         "  -h, --help             show this text\n"
         "  --version              show the version, commit, Graphviz version and licence\n"
         "\n"
         "Exit codes: 0 layout written; 1 bad input or layout failure ({\"error\": ...} on\n"
         "stdout, details on stderr); 2 bad command line; 3 timed out.\n";
}

}  // namespace mu2net::layout
