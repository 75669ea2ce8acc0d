// `mu2net run CONFIG.json --out STORE [--threads N] [--report FILE]`: runs (or continues) an
// experiment in the foreground, committing it to the store (a directory, or a database URL),
// printing a line per child and a final table, and writes report.json (DIR/report.json for a
// directory store, FILE when --report is given).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "Commands.h"
#include "ConfigOutArgs.h"
#include "RunOutput.h"
#include "StopOnSignal.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetFolderCheck.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/engine/ExperimentRun.h"
#include "mu2net/evolution/GenerationProgress.h"
#include "mu2net/model/RuntimeInfo.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::cli {
namespace {

int usage(std::ostream& err) {
  err << "usage: mu2net run CONFIG.json --out STORE [--threads N] [--report FILE]\n"
         "  STORE: an experiment directory, or a PostgreSQL database as a URL\n"
         "         (postgresql://[user@]host[:port]/database); --store STORE is the same\n"
         "  --report FILE: where report.json goes (default: STORE/report.json for a directory;\n"
         "         a database store's report is written only when asked)\n";
  return 2;
}

}  // namespace

int runRunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConfigOutArgs a;
  a.storeOptions = true;
  if (const int code = parseConfigOutArgs(args, a, out, err, &usage); code >= 0) return code;
  const std::string& configPath = a.config;
  const std::string& outDir = a.out;
  const int threads = a.threads;

  try {
    ExperimentConfig config = loadExperimentConfig(configPath);
    if (threads > 0) config.training.threads = threads;
    // Dataset folders by name first, so that the error names the task and its key.
    if (const auto problems = taskFolderProblems(config.tasks); !problems.empty()) {
      std::string text = configPath;
      for (const auto& p : problems)
        text += (text == configPath ? ": " : "; ") + p;
      throw DataError(text);
    }
    const std::filesystem::path dir(outDir);
    RunMetadata meta;
    meta.projectVersion = MU2NET_VERSION;
    meta.torchVersion = runtimeInfo().torchVersion;
    ConsoleSink sink(out, isatty(STDERR_FILENO) == 1);
    // Validates everything (data, root, stored components) before it writes anything to DIR.
    PreparedRun prepared = prepareRun(config, dir, &sink, meta);
    const std::string where = prepared.store->directory().string();  // no password in it
    if (prepared.resumed)
      out << "resuming the experiment in " << where << "\n";
    else if (prepared.restarted)
      out << "restarting the experiment in " << where << ": it holds no committed generation yet\n";
    Engine& engine = *prepared.engine;

    // Ctrl-C stops at the next safe point and still writes the report.
    RunReport report;
    {
      StopOnSignal interrupt({SIGINT}, [&] { engine.stop(); });
      report = engine.run();
    }

    printTable(report, out);
    printSavings(engine.computeSavings(), out);
    printCommitStats(prepared.store->commitStats(), out);
    if (!a.report.empty() || !prepared.store->isRemote()) {
      const auto reportPath =
          a.report.empty() ? dir / "report.json" : std::filesystem::path(a.report);
      writeRunReport(reportPath, report, engine.config());
      out << "report: " << reportPath.string() << "\n";
    }
    return report.stopped ? 130 : 0;
  } catch (const ConfigError& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  } catch (const DataError& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  } catch (const StoreError& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

}  // namespace mu2net::cli
