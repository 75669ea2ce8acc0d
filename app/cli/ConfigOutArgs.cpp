#include "ConfigOutArgs.h"

namespace mu2net::cli {

int parseConfigOutArgs(const std::vector<std::string>& args, ConfigOutArgs& parsed,
                       std::ostream& out, std::ostream& err, int (*usage)(std::ostream&)) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool storeOption = parsed.storeOptions && args[i] == "--store";
    if ((args[i] == "--out" || storeOption) && i + 1 < args.size() && parsed.out.empty()) {
      parsed.out = args[++i];
    } else if (parsed.storeOptions && args[i] == "--report" && i + 1 < args.size() &&
               parsed.report.empty()) {
      parsed.report = args[++i];
    } else if (args[i] == "--threads" && i + 1 < args.size()) {
      try {
        parsed.threads = std::stoi(args[++i]);
      } catch (const std::exception&) {
        parsed.threads = -1;
      }
      if (parsed.threads < 1 || parsed.threads > 256) {
        err << "error: --threads takes a whole number from 1 to 256\n";
        return 2;
      }
    } else if (args[i] == "--help" || args[i] == "-h") {
      usage(out);
      return 0;
    } else if (!args[i].empty() && args[i][0] != '-' && parsed.config.empty()) {
      parsed.config = args[i];
    } else {
      err << "error: unexpected argument '" << args[i] << "'\n";
      return usage(err);
    }
  }
  if (parsed.config.empty() || parsed.out.empty()) return usage(err);
  return -1;
}

}  // namespace mu2net::cli
