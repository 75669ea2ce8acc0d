#pragma once
// The arguments shared by `mu2net run` and `mu2net pretrain`: CONFIG --out PATH [--threads N].
#include <ostream>
#include <string>
#include <vector>

namespace mu2net::cli {

struct ConfigOutArgs {
  std::string config;  ///< the configuration file
  std::string out;     ///< --out
  int threads = 0;     ///< --threads, 0 when not given
  /// `mu2net run` only: --store is another name for --out (a directory or a database URL), and
  /// --report FILE says where report.json goes.
  bool storeOptions = false;
  std::string report;  ///< --report
};

/// Parses `args` into `parsed`. Returns -1 when the command should go on; otherwise the exit code:
/// 0 after --help (usage printed to `out`), 2 for bad usage (a message and the usage on `err`).
int parseConfigOutArgs(const std::vector<std::string>& args, ConfigOutArgs& parsed,
                       std::ostream& out, std::ostream& err, int (*usage)(std::ostream&));

}  // namespace mu2net::cli
