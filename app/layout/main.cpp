// mu2net-layout: the Graphviz helper process of the workbench (see DESIGN.md).
//
// Reads one DOT graph from stdin, lays it out and writes one line of JSON on stdout (format in
// GraphvizLayout.h). Every failure also writes one line of JSON, {"error": "..."}, on stdout and
// a message on stderr, so the GUI can always parse what it gets. Exit codes: 0 success, 1 bad
// input or layout failure, 2 bad command line, 3 --timeout-seconds passed.
//
// Links Graphviz and nlohmann_json only: no Qt, no torch, no core library.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "BuildInfo.h"
#include "GraphvizLayout.h"
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

std::string readAll(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

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

  std::ios::sync_with_stdio(false);
  const std::string dot = readAll(std::cin);
  if (std::cin.bad()) return fail(kExitBadInput, "could not read stdin");

  try {
    LayoutResult result = layoutDot(dot, options.engine);
    // Cancel the alarm first: a timeout halfway through the answer would leave two JSON texts.
    alarm(0);
    if (!result.warnings.empty()) writeLine(stderr, result.warnings);
    writeLine(stdout, dumpJson(result.json));
    gAnswered = true;
    return 0;
  } catch (const LayoutError& e) {
    alarm(0);
    return fail(kExitBadInput, e.what());
  } catch (const std::exception& e) {
    alarm(0);
    return fail(kExitBadInput, std::string("unexpected failure: ") + e.what());
  }
}
