// mu2net: the command-line tool. Dispatches `mu2net <command> ...` to the sub-commands declared
// in Commands.h. To add a command, add one row to kCommands.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "BuildInfo.h"
#include "Commands.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/common/InputLimits.h"

namespace {

using CommandFunction = int (*)(const std::vector<std::string>&, std::ostream&, std::ostream&);

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFunction run;
};

// The dispatch table.
constexpr Command kCommands[] = {
    {"run", "run or continue an experiment: mu2net run CONFIG.json --out STORE [--threads N]",
     &mu2net::cli::runRunCommand},
    {"status", "show an experiment's tasks and system: mu2net status STORE [--json]",
     &mu2net::cli::runStatusCommand},
    {"verify", "check an experiment's component hashes and test accuracies: mu2net verify STORE",
     &mu2net::cli::runVerifyCommand},
    {"export", "export DOT, CSV or a task's TorchScript model: mu2net export STORE ...",
     &mu2net::cli::runExportCommand},
    {"agent", "evolve tasks as one of several agents: mu2net agent --store URL --task NAME ...",
     &mu2net::cli::runAgentCommand},
    {"agents", "run N local agents: mu2net agents --store URL --processes N CONFIG.json",
     &mu2net::cli::runAgentsCommand},
    {"store", "copy a store (directory or database): mu2net store copy SOURCE DESTINATION",
     &mu2net::cli::runStoreCommand},
    {"pretrain", "train a root: mu2net pretrain CONFIG.json --out ROOT.pt [--threads N]",
     &mu2net::cli::runPretrainCommand},
    {"roots", "list the built-in pretrained roots: mu2net roots", &mu2net::cli::runRootsCommand},
    {"datasets", "check a dataset folder: mu2net datasets check PATH --format FORMAT",
     &mu2net::cli::runDatasetsCommand},
};

void printUsage(std::ostream& out) {
  out << "usage: mu2net <command> [arguments]\n"
         "       mu2net --help | --version\n"
         "       mu2net --verbose <command> [arguments]   (errors keep LibTorch's stack trace)\n"
         "\n"
         "commands:\n";
  for (const auto& command : kCommands)
    out << "  " << command.name
        << std::string(12 - std::min<std::size_t>(command.name.size(), 11), ' ') << command.summary
        << "\n";
  out << "\n'mu2net <command> --help' describes a command.\n";
}

// A command's output that could not be written (stdout on a full disk, /dev/full, a closed
// pipe) is a failure: the exit code says so.
int finish(int code) {
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
  if (!failed) return code;
  std::cerr << "error: cannot write to standard output (" << std::strerror(errno) << ")\n";
  return code == 0 ? 1 : code;
}

int run(int argc, char** argv) {
  // `mu2net --verbose COMMAND ...`: errors keep LibTorch's C++ stack trace (for a bug report).
  int first = 1;
  while (first < argc && std::string_view(argv[first]) == "--verbose") {
    mu2net::setVerboseErrors(true);
    ++first;
  }
  const std::vector<std::string> words(argv + first, argv + argc);
  if (words.empty()) {
    printUsage(std::cerr);
    return 2;
  }
  const std::string_view name = words.front();
  if (name == "--help" || name == "-h" || name == "help") {
    printUsage(std::cout);
    return 0;
  }
  if (name == "--version") {
    std::cout << mu2net::buildinfo::cliVersionText();
    return 0;
  }
  for (const auto& command : kCommands) {
    if (command.name != name) continue;
    const std::vector<std::string> args(words.begin() + 1, words.end());
    // Sub-commands report their own expected errors; anything else escaping is a bug or an
    // environment failure (e.g. out of memory), reported rather than aborting with a core dump.
    try {
      return command.run(args, std::cout, std::cerr);
    } catch (const std::exception& e) {
      std::cerr << "error: " << mu2net::errorText(e) << "\n";
      return 1;
    }
  }
  std::cerr << "error: unknown command '" << mu2net::printable(std::string(name)) << "'\n";
  printUsage(std::cerr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  return finish(run(argc, argv));
}
