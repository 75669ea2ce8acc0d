#pragma once
// Command-line options of the mu2net-layout helper and their parser. Kept apart from main() so the
// accepted syntax is stated in one place; no Graphviz or Qt here.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mu2net::layout {

/// The layout engines the helper accepts for `--engine`, all shipped with every Graphviz build.
inline constexpr std::string_view kEngines[] = {"dot", "neato", "fdp", "sfdp", "circo", "twopi"};

/// What the command line asked for.
struct LayoutOptions {
  /// Graphviz layout engine, one of kEngines. Default "dot" (layered, what the GUI uses).
  std::string engine = "dot";
  /// Whole-run time limit in seconds (reading input, layout, output); default 60. When it
  /// passes, the helper prints {"error": "layout timed out"} and exits with code 3.
  unsigned timeoutSeconds = 60;
  /// Address-space limit of the helper in MiB (setrlimit RLIMIT_AS); default 2048. A layout that
  /// needs more fails with {"error": ...} and exit code 1 instead of taking the machine's memory.
  unsigned memoryMegabytes = 2048;
  /// Largest accepted input in bytes; default 4 MiB (the workbench's graphs are a few KB).
  std::size_t maxInputBytes = std::size_t{4} << 20;
  /// `--help` / `-h` was given: print usage and exit 0, ignoring the other options.
  bool help = false;
  /// `--version` was given: print the version, commit, Graphviz version and licence, exit 0.
  bool version = false;
};

/// Result of parsing: either options, or a one-line message saying what is wrong (exit code 2).
struct ParsedOptions {
  std::optional<LayoutOptions> options;
  std::string error;
};

/// Parses the arguments after the program name. Accepts `--engine NAME`, `--timeout-seconds N`
/// (N a whole number 1..86400), `--memory-mb N` (64..1048576), `--max-input-bytes N`
/// (1..1073741824), each also as `--name=value`, and `--help`, `-h`, `--version`.
/// Anything else (unknown options, positional arguments, missing or invalid values) is an error.
ParsedOptions parseOptions(const std::vector<std::string>& args);

/// The text `--help` prints, program name included.
std::string usageText(std::string_view programName);

}  // namespace mu2net::layout
