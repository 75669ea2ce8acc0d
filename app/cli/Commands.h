#pragma once
// Sub-commands of the `mu2net` command-line tool. Each takes the arguments after its own name,
// writes results to `out` and messages to `err`, and returns the process exit code
// (0 success, 1 failure of the work itself, 2 bad usage).
#include <ostream>
#include <string>
#include <vector>

namespace mu2net::cli {

int runDatasetsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runRunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runStatusCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runVerifyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runPretrainCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runRootsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runAgentCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runAgentsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runStoreCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runExportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mu2net::cli
