// mu2net-layout: the Graphviz helper process of the workbench (see DESIGN.md).
//
// Reads one DOT graph from stdin, lays it out and writes one line of JSON on stdout (format in
// GraphvizLayout.h). Every failure also writes one line of JSON, {"error": "..."}, on stdout and
// a message on stderr, so the GUI can always parse what it gets. Exit codes: 0 success, 1 bad
// input or layout failure, 2 bad command line, 3 --timeout-seconds passed.
//
// Limits (see HelperLimits.h; README "Limits"): 60 s of wall time and 2 GiB of address space by
// default, at most 4 MiB of input, 50,000 nodes and 200,000 edges; Graphviz runs on a 512 MiB
// stack, and a crash inside it still answers with one line of JSON and exit code 1.
//
// Links Graphviz and nlohmann_json only: no Qt, no torch, no core library.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "BuildInfo.h"
#include "GraphvizLayout.h"
#include "HelperLimits.h"
#include "LayoutOptions.h"

namespace {

constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTimeout = 3;

// Set once the one line of JSON (or the usage text) has gone out. Some Graphviz code paths still
// call exit() on internal errors; the atexit hook below then emits the JSON error that the GUI
// expects instead of leaving stdout empty.
bool gAnswered = false;

void writeLine(std::FILE* stream, const std::string& line) {
  std::fputs(line.c_str(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
}

// error_handler_t::replace: labels in another encoding must not turn into a crash of the dumper.
std::string dumpJson(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int fail(int exitCode, const std::string& message) {
  writeLine(stdout, dumpJson({{"error", message}}));
  writeLine(stderr, "mu2net-layout: " + message);
  gAnswered = true;
  return exitCode;
}

void answerIfGraphvizExited() {
  if (gAnswered) return;
  writeLine(stdout, dumpJson({{"error", "Graphviz stopped the layout with an internal error"}}));
  writeLine(stderr, "mu2net-layout: Graphviz called exit() during layout");
}

// Only async-signal-safe calls here: the alarm can interrupt Graphviz anywhere, even inside
// malloc, so the message is a constant written with write(2) and the process leaves with _exit.
extern "C" void onTimeout(int) {
  static constexpr std::string_view kJson = "{\"error\":\"layout timed out\"}\n";
  static constexpr std::string_view kMessage = "mu2net-layout: layout timed out\n";
  [[maybe_unused]] auto a = write(STDOUT_FILENO, kJson.data(), kJson.size());
  [[maybe_unused]] auto b = write(STDERR_FILENO, kMessage.data(), kMessage.size());
  _exit(kExitTimeout);
}

// Graphviz recurses about once per node of a long chain; 512 MiB holds millions of levels.
constexpr std::size_t kLayoutStackBytes = std::size_t{512} << 20;

}  // namespace

int main(int argc, char** argv) {
  using namespace mu2net::layout;
  std::atexit(answerIfGraphvizExited);

  const std::vector<std::string> args(argv + 1, argv + argc);
  const ParsedOptions parsed = parseOptions(args);
  if (!parsed.options) {
    const int code = fail(kExitUsage, parsed.error);
    writeLine(stderr, "Try 'mu2net-layout --help'.");
    return code;
  }
  const LayoutOptions& options = *parsed.options;
  if (options.help) {
    std::fputs(usageText("mu2net-layout").c_str(), stdout);
    gAnswered = true;
    return 0;
  }
  if (options.version) {
    // The workbench's About dialog reads the "Graphviz" line: the library really loaded here.
    const std::string text = std::string("mu2net-layout ") + mu2net::buildinfo::version() +
                             "\ncommit   " + mu2net::buildinfo::gitCommit() + "\nGraphviz " +
                             graphvizVersion() + "\n" +
                             mu2net::buildinfo::licenceText("mu2net-layout");
    std::fputs(text.c_str(), stdout);
    gAnswered = true;
    return 0;
  }

  if (options.timeoutSeconds > 0) {
    std::signal(SIGALRM, onTimeout);
    alarm(options.timeoutSeconds);
  }
  // Graphviz reports "out of memory" on stderr and then crashes on the null pointer, so a crash
  // is most often the memory limit.
  answerOnCrash("Graphviz crashed while laying out the graph: out of memory (the limit is " +
                    std::to_string(options.memoryMegabytes) +
                    " MiB, --memory-mb), or too large or too deep a graph",
                kExitBadInput);
  if (const std::string problem = limitAddressSpace(options.memoryMegabytes); !problem.empty())
    writeLine(stderr, "mu2net-layout: cannot limit memory: " + problem);

  const InputText input = readBoundedInput(STDIN_FILENO, options.maxInputBytes);
  if (!input.text) {
    alarm(0);
    return fail(kExitBadInput, input.error);
  }
  const std::string& dot = *input.text;

  try {
    LayoutResult result;
    runWithStack(kLayoutStackBytes, [&] { result = layoutDot(dot, options.engine); });
    // Cancel the alarm first: a timeout halfway through the answer would leave two JSON texts.
    alarm(0);
    if (!result.warnings.empty()) writeLine(stderr, result.warnings);
    writeLine(stdout, dumpJson(result.json));
    gAnswered = true;
    return 0;
  } catch (const LayoutError& e) {
    alarm(0);
    return fail(kExitBadInput, e.what());
  } catch (const std::bad_alloc&) {
    alarm(0);
    return fail(kExitBadInput, "the layout needs more memory than the limit of " +
                                   std::to_string(options.memoryMegabytes) + " MiB (--memory-mb)");
  } catch (const std::exception& e) {
    alarm(0);
    return fail(kExitBadInput, std::string("unexpected failure: ") + e.what());
  }
}
