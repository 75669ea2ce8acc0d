// `mu2net pretrain CONFIG.json --out ROOT.pt [--threads N]`: trains a root (Pretrain.h) and
// writes ROOT.pt with its metadata ROOT.json; Ctrl-C saves the state, and running the same
// command again continues it. `mu2net roots`: lists the built-in roots (RootCatalog.h).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "Commands.h"
#include "ConfigOutArgs.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/data/DataError.h"
#include "mu2net/engine/Pretrain.h"
#include "mu2net/model/RootCatalog.h"

namespace mu2net::cli {
namespace {

std::atomic<bool> gStop{false};

extern "C" void onPretrainInterrupt(int) {
  gStop = true;
}

std::string duration(double seconds) {
  std::ostringstream os;
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600)
    os << s / 3600 << " h " << (s % 3600) / 60 << " min";
  else if (s >= 60)
    os << s / 60 << " min " << s % 60 << " s";
  else
    os << s << " s";
  return os.str();
}

std::string parameters(std::int64_t n) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << static_cast<double>(n) / 1e3 << "k";
  return os.str();
}

std::string architecture(const ArchitectureConfig& a) {
  std::ostringstream os;
  if (a.kind == ArchitectureKind::Vit)
    os << "vit (" << toString(a.stem) << " stem, patch " << a.patchSize << ", width " << a.width
       << ", " << a.depth << " blocks, " << a.heads << " heads, mlp " << a.mlpDim << ")";
  else
    os << "cnn (width " << a.width << ", " << a.depth << " blocks)";
  return os.str();
}

int pretrainUsage(std::ostream& os) {
  os << "usage: mu2net pretrain CONFIG.json --out ROOT.pt [--threads N]\n"
        "Trains a root on the configuration's sources (synthetic glyphs and/or datasets) and\n"
        "writes ROOT.pt (use it as root.checkpoint) and its metadata ROOT.json. Ctrl-C saves the\n"
        "state (ROOT.pt.partial); the same command continues it.\n";
  return 2;
}

}  // namespace

int runPretrainCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConfigOutArgs a;
  if (const int code = parseConfigOutArgs(args, a, out, err, &pretrainUsage); code >= 0)
    return code;
  const std::string& configPath = a.config;
  const std::string& outPath = a.out;
  const int threads = a.threads;
  const std::filesystem::path output(outPath);
  if (output.extension() != ".pt") {
    err << "error: --out must name a .pt file (its metadata goes beside it as .json)\n";
    return 2;
  }
  try {
    PretrainConfig config = loadPretrainConfig(configPath);
    if (threads > 0) config.threads = threads;
    if (!output.parent_path().empty() && !std::filesystem::is_directory(output.parent_path()))
      throw std::runtime_error("the folder of --out, " + output.parent_path().string() +
                               ", does not exist");
    std::ostringstream command;
    command << "mu2net pretrain " << configPath << " --out " << outPath << " --threads "
            << config.threads;
    const bool live = isatty(STDERR_FILENO) == 1;
    double lastAccuracy = -1;
    const auto report = [&](const PretrainProgress& p) {
      std::ostringstream line;
      line << "step " << p.step << "/" << p.steps << "  loss " << std::fixed << std::setprecision(3)
           << p.loss << "  " << std::setprecision(0) << p.imagesPerSecond << " images/s";
      if (lastAccuracy >= 0) line << "  held-out accuracy " << std::setprecision(3) << lastAccuracy;
      if (p.evaluationAccuracy) {
        lastAccuracy = *p.evaluationAccuracy;
        out << "step " << p.step << "/" << p.steps << ": held-out accuracy " << std::fixed
            << std::setprecision(3) << lastAccuracy << ", loss " << p.loss << "\n"
            << std::defaultfloat;
        out.flush();
      } else if (live) {
        std::fprintf(stderr, "\r\033[K%s", line.str().c_str());
        std::fflush(stderr);
      }
    };
    gStop = false;
    auto previous = std::signal(SIGINT, onPretrainInterrupt);
    auto previousTerm = std::signal(SIGTERM, onPretrainInterrupt);
    PretrainResult result;
    try {
      result = pretrainRoot(config, output, report, &gStop, command.str());
    } catch (...) {
      std::signal(SIGINT, previous);
      std::signal(SIGTERM, previousTerm);
      throw;
    }
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previousTerm);
    if (live) std::fprintf(stderr, "\r\033[K");
    if (result.interrupted) {
      out << "interrupted at step " << result.step << "/" << config.steps
          << "; the state is saved in " << outPath
          << ".partial: run the same command again to continue\n";
      return 130;
    }
    if (result.resumedFrom >= 0) out << "(continued from step " << result.resumedFrom << ")\n";
    out << "root: " << outPath << " (" << parameters(result.root.parameters) << " parameters, "
        << architecture(result.root.architecture) << ")\n"
        << "held-out accuracy " << std::fixed << std::setprecision(3) << result.accuracy
        << " after " << result.step << " steps, " << duration(result.seconds) << "\n"
        << "metadata: " << result.root.metadata.string() << "\n"
        << "sha256: " << result.root.sha256 << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

int runRootsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      out << "usage: mu2net roots\nLists the built-in roots a configuration can name as "
             "\"root\": {\"pretrained\": \"NAME\"}.\n";
      return 0;
    }
    err << "error: unexpected argument '" << a << "'\nusage: mu2net roots\n";
    return 2;
  }
  const auto roots = listBuiltinRoots();
  if (roots.empty()) {
    out << "no built-in roots found; searched:";
    for (const auto& dir : rootSearchPath())
      out << " " << dir.string();
    out << "\n";
    return 0;
  }
  for (const auto& r : roots) {
    out << r.name << (r.name == kDefaultRootName ? "  (default)" : "") << "\n"
        << "  architecture  " << architecture(r.architecture) << "\n"
        << "  image size    " << r.architecture.imageSize << " x " << r.architecture.imageSize
        << "\n"
        << "  parameters    " << parameters(r.parameters) << "\n"
        << "  source        " << r.source << "\n"
        << "  pretraining   " << r.steps << " steps, " << duration(r.seconds)
        << ", held-out accuracy " << std::fixed << std::setprecision(3) << r.pretrainAccuracy
        << std::defaultfloat << "\n"
        << "  file          " << r.file.string() << "\n";
  }
  return 0;
}

}  // namespace mu2net::cli
