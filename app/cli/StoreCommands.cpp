// `mu2net status`, `mu2net verify`, `mu2net export` and `mu2net store copy`: reading an
// experiment store (a directory or a database URL) and copying one.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "Commands.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/common/OutputFile.h"
#include "mu2net/data/DataError.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/engine/ModelExport.h"
#include "mu2net/evolution/GraphDot.h"
#include "mu2net/store/ExperimentStore.h"
#include "mu2net/store/StoreCsv.h"

namespace mu2net::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Parses "STORE [flags...]": the first non-flag argument is the store (a directory or a database
// URL); flags with a value are listed in `valued`.
struct Args {
  std::string dir;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  bool help = false;  // --help or -h: print the usage to stdout and exit 0
};

bool parseArgs(const std::vector<std::string>& args, const std::set<std::string>& valued,
               const std::set<std::string>& boolean, Args& out, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
      return false;
    }
    if (valued.count(a)) {
      if (i + 1 >= args.size()) {
        err << "error: " << a << " needs a value\n";
        return false;
      }
      out.values[a] = args[++i];
    } else if (boolean.count(a)) {
      out.flags.insert(a);
    } else if (!a.empty() && a[0] != '-' && out.dir.empty()) {
      out.dir = a;
    } else {
      err << "error: unexpected argument '" << a << "'\n";
      return false;
    }
  }
  if (out.dir.empty()) {
    err << "error: the experiment store (a directory or a postgresql:// URL) is missing\n";
    return false;
  }
  return true;
}

std::string joinIds(const std::vector<int64_t>& ids, const char* sep = " ") {
  std::string out;
  for (int64_t id : ids)
    out += (out.empty() ? "" : sep) + std::to_string(id);
  return out;
}

constexpr const char* kStoreWords =
    "  STORE: an experiment directory, or a PostgreSQL database as a URL\n"
    "         (postgresql://[user@]host[:port]/database)\n";

// The facts `status` prints, from the store's metadata alone (no tensor is read).
json statusJson(const ExperimentStore& store) {
  const StoreState st = store.loadMetadata();
  const ExperimentConfig config = store.config();
  const System system(st.system);
  json tasks = json::array();
  for (const auto& t : st.tasks) {
    json jt = {{"name", t.spec.name},
               {"classes", t.numClasses},
               {"iterations_done", t.iterationsDone},
               {"children_tried", t.childrenTried},
               {"children_improved", t.childrenImproved}};
    const int64_t id = system.retainedPath(t.spec.name);
    jt["path_id"] = id;
    if (id >= 0) {
      const Path& p = system.path(id);
      jt["route"] = p.componentIds;
      jt["validation_accuracy"] = p.metrics.validationQuality;
      jt["test_accuracy"] = p.metrics.testQuality ? json(*p.metrics.testQuality) : json(nullptr);
      jt["activated_params"] = system.activatedParams(id);
      jt["accounted_params"] = system.accountedParams(id);
    }
    tasks.push_back(jt);
  }
  const int64_t perIteration =
      (config.evolution.childrenPerTaskIteration + config.evolution.generationSize - 1) /
      config.evolution.generationSize * config.evolution.generationSize;
  int64_t done = 0;
  for (const auto& t : st.tasks)
    done += t.childrenTried;
  const int64_t total =
      perIteration * config.evolution.taskIterations * static_cast<int64_t>(st.tasks.size());
  json agents = json::array();
  for (const auto& l : store.taskLeases())
    agents.push_back({{"task", l.task},
                      {"agent", l.agent},
                      {"host", l.host},
                      {"pid", l.pid},
                      {"state", l.expired() ? std::string("lost") : l.state},
                      {"message", l.message},
                      {"seconds_since_heartbeat", l.secondsSinceHeartbeat}});
  return {{"directory", store.directory().string()},
          {"tasks", tasks},
          {"agents", agents},
          {"system_parameters", system.systemSize()},
          {"components", system.componentIds().size()},
          {"generations", st.progress.generationCounter},
          {"children_trained", done},
          {"children_planned", total},
          {"finished", st.progress.finished}};
}

int usageStatus(std::ostream& err) {
  err << "usage: mu2net status STORE [--json]\n" << kStoreWords;
  return 2;
}

// The usage after a failed parse: on stdout with exit 0 when it was asked for.
int usageOr(const Args& a, std::ostream& out, std::ostream& err, int (*usage)(std::ostream&)) {
  if (a.help) {
    usage(out);
    return 0;
  }
  return usage(err);
}

int usageVerify(std::ostream& err) {
  err << "usage: mu2net verify STORE\n" << kStoreWords;
  return 2;
}

// A generation number given on the command line: digits only, at least 1.
std::optional<int64_t> parseGeneration(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const int64_t n = std::stoll(text);
  return n >= 1 ? std::optional<int64_t>(n) : std::nullopt;
}

int usageExport(std::ostream& err) {
  err << "usage: mu2net export STORE --dot FILE [--at-generation N]\n"
         "       mu2net export STORE --csv OUTDIR\n"
         "       mu2net export STORE --task NAME --torchscript FILE\n"
         "  --at-generation N: the graph as it was after generation N (from the store's history)\n"
      << kStoreWords;
  return 2;
}

}  // namespace

int runStatusCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Args a;
  if (!parseArgs(args, {}, {"--json"}, a, err)) return usageOr(a, out, err, usageStatus);
  try {
    const auto store = ExperimentStore::open(a.dir, ExperimentStore::Mode::ReadOnly);
    if (!store->hasState()) {
      err << "error: " << store->directory().string() << " holds no committed generation yet\n";
      return 1;
    }
    const json s = statusJson(*store);
    if (a.flags.count("--json")) {
      out << s.dump(2) << "\n";
      return 0;
    }
    out << "experiment " << store->directory().string() << ": "
        << (s["finished"].get<bool>() ? "finished" : "not finished") << ", "
        << s["children_trained"] << "/" << s["children_planned"] << " children, "
        << s["generations"] << " generations\n";
    out << std::left << std::setw(24) << "task" << std::right << std::setw(9) << "val acc"
        << std::setw(10) << "test acc" << std::setw(11) << "activated" << std::setw(12)
        << "accounted"
        << "  route (component ids)\n";
    for (const auto& t : s["tasks"]) {
      out << std::left << std::setw(24) << t["name"].get<std::string>() << std::right;
      if (t["path_id"].get<int64_t>() < 0) {
        out << "  (no model yet)\n";
        continue;
      }
      std::ostringstream test;
      if (t["test_accuracy"].is_null())
        test << "-";
      else
        test << std::fixed << std::setprecision(4) << t["test_accuracy"].get<double>();
      out << std::fixed << std::setprecision(4) << std::setw(9)
          << t["validation_accuracy"].get<double>() << std::setw(10) << test.str() << std::setw(11)
          << t["activated_params"].get<int64_t>() << std::setw(12) << std::setprecision(0)
          << t["accounted_params"].get<double>() << "  "
          << joinIds(t["route"].get<std::vector<int64_t>>()) << "\n";
    }
    out << "system size " << std::setprecision(0) << s["system_parameters"].get<double>()
        << " parameters in " << s["components"] << " components\n";
    if (!s["agents"].empty()) {
      out << "agents:\n";
      for (const auto& agent : s["agents"])
        out << "  " << std::left << std::setw(22) << agent["task"].get<std::string>() << std::right
            << " " << agent["state"].get<std::string>() << ", " << agent["agent"].get<std::string>()
            << ", last heartbeat " << std::setprecision(0)
            << agent["seconds_since_heartbeat"].get<double>() << " s ago"
            << (agent["message"].get<std::string>().empty()
                    ? ""
                    : ": " + agent["message"].get<std::string>())
            << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

int runVerifyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Args a;
  if (!parseArgs(args, {}, {}, a, err)) return usageOr(a, out, err, usageVerify);
  try {
    const auto store = ExperimentStore::open(a.dir, ExperimentStore::Mode::ReadOnly);
    if (!store->hasState()) {
      err << "error: " << store->directory().string() << " holds no committed generation yet\n";
      return 1;
    }
    int problems = 0;
    int checked = 0;
    for (const auto& [id, stored] : store->storedHashes()) {
      ++checked;
      try {
        const std::string now = store->componentFileHash(id);
        if (now != stored) {
          ++problems;
          out << "component " << id << ": SHA-256 differs (stored " << stored.substr(0, 12)
              << "…, now " << now.substr(0, 12) << "…): " << store->componentFile(id).string()
              << " was modified\n";
        }
      } catch (const StoreError& e) {
        ++problems;
        out << "component " << id << ": " << errorText(e) << "\n";
      }
    }
    out << "checked the SHA-256 of " << checked << " components\n";
    if (problems > 0) {
      out << "verify: " << problems << " problem(s); retained paths were not re-evaluated\n";
      return 1;
    }
    // Re-evaluate every retained path on its test split: the result must equal the stored one.
    const StoreState meta = store->loadMetadata();
    const System system(meta.system);
    Engine engine(store->config(), nullptr, store.get());
    for (const auto& t : meta.tasks) {
      const int64_t id = system.retainedPath(t.spec.name);
      if (id < 0 || !system.path(id).metrics.testQuality) continue;
      const double stored = *system.path(id).metrics.testQuality;
      const double now = engine.evaluateTest(t.spec.name);
      if (now != stored) {
        ++problems;
        out << "task " << t.spec.name << ": test accuracy " << std::setprecision(17) << now
            << " differs from the stored " << stored << "\n";
      } else {
        out << "task " << t.spec.name << ": test accuracy " << std::fixed << std::setprecision(4)
            << now << " reproduced\n"
            << std::defaultfloat;
      }
    }
    if (problems > 0) {
      out << "verify: " << problems << " problem(s)\n";
      return 1;
    }
    out << "verify: OK\n";
    return 0;
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

int runExportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Args a;
  if (!parseArgs(args, {"--dot", "--csv", "--task", "--torchscript", "--at-generation"}, {}, a,
                 err))
    return usageOr(a, out, err, usageExport);
  const int modes = static_cast<int>(a.values.count("--dot") + a.values.count("--csv") +
                                     a.values.count("--torchscript"));
  if (modes != 1 || a.values.count("--task") != a.values.count("--torchscript") ||
      a.values.count("--at-generation") > a.values.count("--dot"))
    return usageExport(err);
  std::optional<int64_t> atGeneration;
  if (a.values.count("--at-generation")) {
    atGeneration = parseGeneration(a.values["--at-generation"]);
    if (!atGeneration) {
      err << "error: --at-generation needs a generation number (1, 2, ...), not '"
          << a.values["--at-generation"] << "'\n";
      return 2;
    }
  }
  try {
    const auto store = ExperimentStore::open(a.dir, ExperimentStore::Mode::ReadOnly);
    if (!store->hasState()) {
      err << "error: " << store->directory().string() << " holds no committed generation yet\n";
      return 1;
    }
    const StoreState st = store->loadMetadata();
    const System system(st.system);
    if (a.values.count("--dot")) {
      const GraphSnapshot graph = atGeneration
                                      ? requireHistoryAtGeneration(*store, *atGeneration).graph
                                      : system.snapshot();
      writeOutputFile(a.values["--dot"], toDot(graph));
      out << "wrote " << a.values["--dot"] << "\n";
      return 0;
    }
    if (a.values.count("--torchscript")) {
      const std::string task = a.values["--task"];
      Engine engine(store->config(), nullptr, store.get());
      exportTorchScript(engine, task, a.values["--torchscript"]);
      out << "wrote " << a.values["--torchscript"] << " (task " << task << ")\n";
      return 0;
    }
    const fs::path dir = a.values["--csv"];
    writeStoreCsv(*store, dir);
    out << "wrote children.csv, curves.csv, paths.csv, components.csv to " << dir.string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

int usageStoreCopy(std::ostream& err) {
  err << "usage: mu2net store copy SOURCE DESTINATION\n"
         "  copies an experiment store: a directory into a PostgreSQL database, a database into a\n"
         "  new directory, or either into another of its kind. DESTINATION must be a new or empty\n"
         "  directory, or a database without a store. The source is only read; it must not be\n"
         "  being written. Every component's SHA-256 is checked on the way.\n"
      << kStoreWords;
  return 2;
}

int runStoreCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) return usageStoreCopy(out), 0;
  if (args.size() != 3 || args[0] != "copy") return usageStoreCopy(err);
  const std::string& source = args[1];
  const std::string& destination = args[2];
  try {
    if (!isStoreUrl(destination)) {
      std::error_code ec;
      if (fs::exists(destination, ec) &&
          !(fs::is_directory(destination, ec) && fs::is_empty(destination, ec)))
        throw StoreError(destination + " exists and is not empty; choose a new or empty directory");
    }
    const auto store = ExperimentStore::open(source, ExperimentStore::Mode::ReadOnly);
    if (ExperimentStore::isBeingWritten(source))
      throw StoreError(store->directory().string() +
                       " is being written; copy it when its run has stopped");
    if (!store->hasState())
      throw StoreError(store->directory().string() + " holds no committed generation yet");
    ExperimentStore::copy(*store, destination);
    const auto copy = ExperimentStore::open(destination, ExperimentStore::Mode::ReadOnly);
    out << "copied " << store->directory().string() << " to " << copy->directory().string() << ": "
        << copy->storedHashes().size() << " components, " << copy->children().size()
        << " children, " << copy->generations().size() << " generations\n";
    return 0;
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

}  // namespace mu2net::cli
