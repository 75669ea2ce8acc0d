// The laptop multitask benchmark (issue 6): μ2Net against three baselines on MNIST,
// Fashion-MNIST, CMATERdb Bangla and the Omniglot subset (idx28, 242 classes), introduced one
// after another. Not run by CTest; writes a report.
//
// Every method is a configuration of the same Engine, from the same root, with the same number of
// training examples per task (children × validations × examples). Each engine method runs once
// per root of --roots: `builtin` (the built-in pretrained root, kDefaultRootName), a built-in
// root's name, or `random` (the configured architecture, randomly initialised from the seed);
// rows are labelled "METHOD" for the first root and "METHOD, ROOT root" for the others:
//   mu2net       parent_policy evolve, clone_policy mu: the algorithm, 2 task iterations of
//                C children per task (the laptop defaults' structure)
//   independent  parent_policy isolated, clone_policy all: every task from the random root,
//                1 iteration of 2C children
//   finetune     parent_policy previous_task, clone_policy all: each task starts from the previous
//                task's model and fine-tunes every layer, 1 iteration of 2C children
//   frozen       parent_policy first_task, clone_policy freeze_bottom (stem + first k blocks of
//                the first task's model shared frozen, the rest trained), 1 iteration of 2C
//   plain-cnn    not the engine: what a user would write instead, one small CNN per task trained
//                from scratch in PyTorch (plain_cnn.py, run with Debian's python3-torch) for the
//                wall time μ2Net spent on that task (the time between the task's
//                TaskIterationStarted and TaskIterationEnded events, summed over its iterations),
//                or --plain-seconds S per task; always run after the engine's methods. Each task
//                keeps its own model: BWT 0, parameters = the sum of the per-task models.
//
// Forgetting. The engine never trains a locked layer, so each method's retained models keep their
// accuracy; its test accuracy right after training (R_jj, from the TestEvaluated events) and at
// the end (R_Tj, re-evaluated) are both reported and must agree. Sequential fine-tuning, as
// usually deployed, keeps ONE trunk that moves on to each new task plus one head per task: its
// final accuracy on task j is measured with the last task's layers below the head and task j's own
// head (Engine::evaluateTestWithTrunk), which is exactly what training the trunk in place would
// have left. Its parameters are counted the same way: one backbone plus every task's head.
// Backward transfer BWT = mean over j < T of (R_Tj − R_jj); negative means forgetting.
//
// plain-cnn gets, per task, the wall time the first root's μ2Net leg spent on it.
//
// Output in --out DIR: quality.md (tables), quality.csv (one row per method, root and task),
// <method>-<root>-report.json (the engine's report), mu2net-graph.dot (the first root's μ2Net
// system) and, when Graphviz's `dot` is on PATH, mu2net-graph.svg.
//
// Usage: bench_quality --out DIR [--config EXPERIMENT.json] [--children C=4]
//          [--generation-size G=4] [--validations V=2] [--examples N=2048] [--validation-max 1024]
//          [--test-max 0]
//          [--freeze-blocks K=2] [--threads T=1] [--seed S=1] [--arch vit|cnn] [--crop on|off]
//          [--methods mu2net,independent,finetune,frozen,plain-cnn] [--plain-seconds S]
//          [--roots builtin,random]
// --config takes the seed, root, training settings, generation size, children per task iteration
// and search-space overrides from an experiment file (its tasks are ignored; the benchmark's four
// are used); options given on the command line override it, wherever they stand.
// --crop on|off sets the default of ds_crop (still mutable) for every method; without it the
// search space's default applies (off: README, "Deviations from the paper").
//
// Longer than 500 lines: one program for every method and root, so that all share one harness.
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "TestConfigs.h"
#include "TestData.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/evolution/GraphDot.h"
#include "mu2net/model/RootCatalog.h"

using namespace mu2net;

namespace {

struct Options {
  std::filesystem::path out;
  std::filesystem::path configFile;
  ExperimentConfig base;  // from --config, else the engine's defaults
  int children = 4;
  int generationSize = 4;
  int validations = 2;
  int64_t examples = 2048;
  int64_t validationMax = 1024;
  int64_t testMax = 0;
  int freezeBlocks = 2;
  int threads = 1;
  std::uint64_t seed = 1;
  ArchitectureKind arch = ArchitectureKind::Vit;
  std::optional<bool> crop;  // --crop: the default of ds_crop; unset: the search space's
  std::vector<std::string> methods = {"mu2net", "independent", "finetune", "frozen", "plain-cnn"};
  std::vector<std::string> roots = {"builtin", "random"};
  double plainSeconds = 0;  // plain-cnn's budget per task; 0 = what μ2Net's leg spent on it
};

using testdata::idxTask;

// The root of a leg: a built-in root by name ("builtin": the default one), or "random": the
// configured architecture (--arch), randomly initialised.
RootOptions rootFor(const std::string& root, const Options& o) {
  RootOptions r;
  r.architecture = o.base.root.architecture;
  if (root == "random") {
    if (r.architecture.kind != o.arch) r.architecture = ArchitectureConfig{};
    r.architecture.kind = o.arch;
    return r;
  }
  r.pretrained = root == "builtin" ? std::string(kDefaultRootName) : root;
  const RootInfo info = findBuiltinRoot(r.pretrained);
  r.checkpoint = info.file;
  r.architecture = info.architecture;
  return r;
}

std::string rootLabel(const std::string& root) {
  return root == "builtin" ? std::string(kDefaultRootName) : root;
}

ExperimentConfig configFor(const std::string& method, const std::string& root, const Options& o) {
  ExperimentConfig c = o.base;
  c.seed = o.seed;
  c.root = rootFor(root, o);
  c.tasks = {
      idxTask("mnist", testdata::mnistDir()), idxTask("fashion-mnist", testdata::fashionMnistDir()),
      idxTask("bangla", testdata::banglaIdxDir()), idxTask("omniglot", testdata::omniglot28Dir())};
  c.evolution.generationSize = o.generationSize;
  c.training.validationsPerChild = o.validations;
  c.training.trainExamplesBetweenValidations = o.examples;
  c.training.validationExamplesMax = o.validationMax;
  c.training.testExamplesMax = o.testMax;
  c.training.threads = o.threads;
  if (o.crop) c.searchSpace["ds_crop"] = {{1.0, 0.0}, *o.crop ? 1.0 : 0.0};
  // Same examples per task for every method: μ2Net spreads them over two round-robin passes.
  if (method == "mu2net") {
    c.evolution.taskIterations = 2;
    c.evolution.childrenPerTaskIteration = o.children;
  } else {
    c.evolution.taskIterations = 1;
    c.evolution.childrenPerTaskIteration = 2 * o.children;
    c.evolution.clonePolicy = ClonePolicy::All;
  }
  if (method == "independent") c.evolution.parentPolicy = ParentPolicy::Isolated;
  if (method == "finetune") c.evolution.parentPolicy = ParentPolicy::PreviousTask;
  if (method == "frozen") {
    c.evolution.parentPolicy = ParentPolicy::FirstTask;
    c.evolution.clonePolicy = ClonePolicy::FreezeBottom;
    c.evolution.freezeBlocks = o.freezeBlocks;
  }
  return c;
}

// What the run tells as it goes.
class Recorder : public EventSink {
 public:
  std::map<std::string, double> testAfterTraining;  // last TestEvaluated per task (R_jj)
  std::map<std::string, double> addedParams;        // system growth in the task's first pass
  std::map<std::string, double> taskSeconds;        // wall time in the task's iterations, summed
  double lastSystemSize = 0;
  int children = 0;
  void handle(const Event& e) override {
    const auto now = std::chrono::steady_clock::now();
    if (const auto* t = std::get_if<TestEvaluatedEvent>(&e)) {
      testAfterTraining[t->task] = t->testQuality;
    } else if (std::holds_alternative<TaskIterationStartedEvent>(e)) {
      iterationStart_ = now;
    } else if (const auto* t2 = std::get_if<TaskIterationEndedEvent>(&e)) {
      if (t2->iteration == 1) addedParams[t2->task] = t2->systemSize - lastSystemSize;
      lastSystemSize = t2->systemSize;
      taskSeconds[t2->task] += std::chrono::duration<double>(now - iterationStart_).count();
    } else if (std::holds_alternative<ChildFinishedEvent>(e)) {
      ++children;
      std::fprintf(stderr, "\r  children trained: %d", children);
    }
  }

 private:
  std::chrono::steady_clock::time_point iterationStart_;
};

struct TaskRow {
  std::string task;
  int classes = 0;
  double afterTraining = 0;  // R_jj
  double final = 0;          // R_Tj
  int64_t activated = 0;
  double added = 0;
  double reused = 0;
  double seconds = 0;  // wall time the method spent on the task (plain-cnn: its budget)
};

struct MethodResult {
  std::string method;  // the row's label: the method, and its root unless it is the first
  std::string root;
  std::vector<TaskRow> rows;
  double systemParams = 0;
  double wallSeconds = 0;
  double averageFinal = 0;
  double bwt = 0;
  GraphSnapshot graph;
};

MethodResult runMethod(const std::string& method, const std::string& root, const Options& o) {
  const ExperimentConfig c = configFor(method, root, o);
  Recorder rec;
  const std::string label =
      root == o.roots.front() ? method : method + ", " + rootLabel(root) + " root";
  std::fprintf(stderr, "%s:\n", label.c_str());
  const auto t0 = std::chrono::steady_clock::now();
  Engine engine(c, &rec);
  const RunReport report = engine.run();
  std::fprintf(stderr, "\n");
  MethodResult m;
  m.method = label;
  m.root = rootLabel(root);
  m.graph = report.graph;
  m.systemParams = report.systemSize;
  const std::string last = report.tasks.back().name;
  const int64_t width = c.root.architecture.width;
  for (const auto& t : report.tasks) {
    TaskRow row;
    row.task = t.name;
    row.classes = t.numClasses;
    row.afterTraining = rec.testAfterTraining.at(t.name);
    row.final = method == "finetune" ? engine.evaluateTestWithTrunk(t.name, last)
                                     : engine.evaluateTest(t.name);
    row.activated = t.activatedParams;
    row.added = rec.addedParams.at(t.name);
    row.reused = t.reusedShare;
    row.seconds = rec.taskSeconds[t.name];
    m.rows.push_back(row);
  }
  if (method == "finetune") {
    // One trunk (the last task's route below its head) plus every task's head.
    m.systemParams = static_cast<double>(report.tasks.back().activatedParams);
    for (std::size_t j = 0; j < m.rows.size(); ++j) {
      const double head = static_cast<double>(m.rows[j].classes * (width + 1));
      if (j + 1 < m.rows.size()) m.systemParams += head;
      m.rows[j].added = j == 0 ? static_cast<double>(m.rows[0].activated) : head;
    }
  }
  m.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double sum = 0, bwt = 0;
  for (std::size_t j = 0; j < m.rows.size(); ++j) {
    sum += m.rows[j].final;
    if (j + 1 < m.rows.size()) bwt += m.rows[j].final - m.rows[j].afterTraining;
  }
  m.averageFinal = sum / static_cast<double>(m.rows.size());
  m.bwt = m.rows.size() > 1 ? bwt / static_cast<double>(m.rows.size() - 1) : 0.0;
  std::ofstream(o.out / (method + "-" + rootLabel(root) + "-report.json"))
      << runReportToJson(report, c);
  return m;
}

std::string shellQuoted(const std::string& s) {
  std::string q = "'";
  for (const char ch : s)
    q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

std::string plainCnnCommand() {
  return shellQuoted(MU2NET_PYTHON) + " " + shellQuoted(MU2NET_PLAIN_CNN_SCRIPT);
}

// Runs `command` (the plain CNN script with its arguments) and returns its standard output; throws
// a message saying what to install or fix when it cannot be run or fails.
std::string runPlainCnnScript(const std::string& command) {
  const std::string hint = std::string("; plain-cnn needs ") + MU2NET_PYTHON +
                           " with Debian's python3-torch (apt-get install python3-torch) and " +
                           MU2NET_PLAIN_CNN_SCRIPT;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("plain-cnn: cannot start " + command + hint);
  std::string out;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe))
    out += buf.data();
  const int status = pclose(pipe);
  if (status != 0) {
    const std::string why = status > 0 && WIFEXITED(status)
                                ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                : "did not finish";
    throw std::runtime_error("plain-cnn: " + command + " " + why + hint);
  }
  return out;
}

// Checks before the long engine legs that the script runs (python3, torch and the script exist).
void checkPlainCnn() {
  runPlainCnnScript(plainCnnCommand() + " --help >/dev/null");
}

// The plain per-task CNN: plain_cnn.py on each task for seconds[task] of training on o.threads
// torch threads. classes: each task's class count where an engine method has reported it.
MethodResult runPlainCnn(const Options& o, const std::map<std::string, double>& seconds,
                         const std::map<std::string, int>& classes) {
  std::fprintf(stderr, "plain-cnn:\n");
  MethodResult m;
  m.method = "plain-cnn";
  for (const TaskSpec& t : configFor("plain-cnn", "random", o).tasks) {
    const double budget = seconds.at(t.name);
    std::ostringstream cmd;
    cmd << plainCnnCommand() << " --format " << formatName(t.format) << " --path "
        << shellQuoted(t.path.string()) << " --task " << shellQuoted(t.name) << " --seconds "
        << budget << " --threads " << o.threads << " --seed " << o.seed;
    if (!t.classes.empty()) {
      cmd << " --classes ";
      for (std::size_t i = 0; i < t.classes.size(); ++i)
        cmd << (i ? "," : "") << t.classes[i];
    }
    if (o.testMax > 0) cmd << " --test-max " << o.testMax;
    const std::string out = runPlainCnnScript(cmd.str());
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(out.substr(out.find('{')));
    } catch (const std::exception&) {
      throw std::runtime_error("plain-cnn: " + cmd.str() + " printed no JSON line: " + out);
    }
    TaskRow row;
    row.task = t.name;
    const auto known = classes.find(t.name);
    row.classes = known != classes.end() ? known->second : loadTask(t, o.seed).numClasses;
    row.afterTraining = row.final = j.at("test_accuracy").get<double>();
    row.activated = j.at("params").get<int64_t>();
    row.added = static_cast<double>(row.activated);
    row.seconds = budget;
    std::fprintf(stderr, "  %s: %.1f%% after %.0f s (%lld steps)\n", t.name.c_str(),
                 100.0 * row.final, budget, static_cast<long long>(j.at("steps").get<int64_t>()));
    m.systemParams += row.added;
    m.wallSeconds += budget;
    m.averageFinal += row.final;
    m.rows.push_back(row);
  }
  m.averageFinal /= static_cast<double>(m.rows.size());
  return m;
}

std::string pct(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", 100.0 * x);
  return b;
}

std::string signedPct(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f", 100.0 * x);
  return b;
}

std::string thousands(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1fk", x / 1000.0);
  return b;
}

std::string readFirstLine(const char* file, const char* key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  return "?";
}

void writeReport(const std::vector<MethodResult>& results, const Options& o, double wall) {
  std::ofstream csv(o.out / "quality.csv");
  csv << "method,root,task,classes,test_after_training,test_final,forgetting,activated_params,"
         "added_params,reused_share,system_params,method_wall_seconds,task_seconds\n";
  for (const auto& m : results)
    for (const auto& r : m.rows)
      csv << m.method << ',' << m.root << ',' << r.task << ',' << r.classes << ','
          << r.afterTraining << ',' << r.final << ',' << (r.final - r.afterTraining) << ','
          << r.activated << ',' << r.added << ',' << r.reused << ',' << m.systemParams << ','
          << m.wallSeconds << ',' << r.seconds << '\n';

  std::ofstream md(o.out / "quality.md");
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
  std::ifstream loadavg("/proc/loadavg");
  std::string l1, l5, l15;
  loadavg >> l1 >> l5 >> l15;
  md << "# Laptop multitask benchmark\n\n"
     << "Generated by `bench_quality` on " << date
     << "; CPU: " << readFirstLine("/proc/cpuinfo", "model name")
     << "; load average at the end: " << l1 << ' ' << l5 << ' ' << l15 << "; total wall time "
     << static_cast<int>(wall) << " s.\n\n"
     << "Tasks in order: MNIST, Fashion-MNIST, CMATERdb Bangla, Omniglot (idx28, 242 classes). "
     << (o.configFile.empty() ? std::string()
                              : "Settings from `" + o.configFile.filename().string() +
                                    "` (root, training, search-space overrides), then the "
                                    "command line's options. ")
     << "Roots: ";
  for (std::size_t i = 0; i < o.roots.size(); ++i) {
    const RootOptions r = rootFor(o.roots[i], o);
    const auto& a = r.architecture;
    md << (i ? "; " : "") << rootLabel(o.roots[i]) << " ("
       << (r.trained() ? "pretrained, built in" : "random, seed " + std::to_string(o.seed)) << ", "
       << toString(a.kind)
       << (a.kind == ArchitectureKind::Vit ? " with a " + toString(a.stem) + " stem" : "")
       << ", width " << a.width << ", " << a.depth << " blocks)"
       << (i == 0 ? "" : ": rows \"METHOD, " + rootLabel(o.roots[i]) + " root\"");
  }
  md << ". Budget per task for every method: " << 2 * o.children << " children x " << o.validations
     << " validations x " << o.examples
     << " examples = " << 2 * o.children * o.validations * o.examples
     << " training examples (mu2net: 2 task iterations of " << o.children
     << " children; baselines: 1 iteration of " << 2 * o.children << "), generation size "
     << o.generationSize << ", " << o.threads << " thread(s), ds_crop default "
     << (o.crop ? (*o.crop ? "on (--crop on)" : "off (--crop off)")
                : "off (the search space's default)")
     << ". Frozen-bottom transfer freezes "
     << "the stem and the first " << o.freezeBlocks << " blocks.\n\n";
  for (const auto& m : results)
    if (m.method == "plain-cnn") {
      md << "plain-cnn is not the engine but what a user would write instead: one small CNN per "
            "task (3x3 convolutions of 32, 64 and 128 channels, global average pooling, a linear "
            "head) trained from scratch in PyTorch with Adam (lr 1e-3), batch 64, no "
            "augmentation, on the whole training split (`tests/benchmarks/plain_cnn.py`), for "
         << (o.plainSeconds > 0 ? "the wall time given by --plain-seconds"
                                : "the wall time mu2net spent on the task")
         << ", on " << o.threads << " thread(s). Seconds per task:";
      for (std::size_t j = 0; j < m.rows.size(); ++j)
        md << (j ? ", " : " ") << m.rows[j].task << ' '
           << static_cast<int>(m.rows[j].seconds + 0.5);
      md << ". Its wall time below is the sum of these budgets.\n\n";
    }
  md << "## Summary\n\n"
     << "| method | average test accuracy (%) | BWT (pp) | system parameters | wall time (s) |\n"
     << "|---|---|---|---|---|\n";
  for (const auto& m : results)
    md << "| " << m.method << " | " << pct(m.averageFinal) << " | " << signedPct(m.bwt) << " | "
       << thousands(m.systemParams) << " | " << static_cast<int>(m.wallSeconds) << " |\n";
  md << "\n## Test accuracy per task (%), at the end of the run\n\n| method |";
  for (const auto& r : results.front().rows)
    md << ' ' << r.task << " |";
  md << "\n|---|";
  for (std::size_t i = 0; i < results.front().rows.size(); ++i)
    md << "---|";
  md << '\n';
  for (const auto& m : results) {
    md << "| " << m.method << " |";
    for (const auto& r : m.rows)
      md << ' ' << pct(r.final) << " (" << signedPct(r.final - r.afterTraining) << ") |";
    md << '\n';
  }
  md << "\nIn brackets: change since the task was trained (negative = forgotten).\n";
  for (const auto& m : results)
    if (m.method == "plain-cnn")
      md << "plain-cnn trains a separate model per task: nothing is shared, so nothing is "
            "forgotten (BWT 0 by construction).\n";
  md << "\n## Parameters per task\n\n"
     << "| method | task | activated | added to the system | reused from other tasks |\n"
     << "|---|---|---|---|---|\n";
  for (const auto& m : results)
    for (const auto& r : m.rows)
      md << "| " << m.method << " | " << r.task << " | "
         << thousands(static_cast<double>(r.activated)) << " | " << thousands(r.added) << " | "
         << pct(r.reused) << "% |\n";
  md << "\nFine-tuning keeps one trunk: its added parameters are the first task's model, then "
        "one head per task.\n";
  for (const auto& m : results)
    if (m.method == "mu2net")
      md << "\n## The mu2Net system\n\n`mu2net-graph.dot`"
         << (std::filesystem::exists(o.out / "mu2net-graph.svg")
                 ? ", rendered: ![graph](mu2net-graph.svg)"
                 : "")
         << "\n";
}

}  // namespace

// Options default to the experiment file's settings when --config is given.
bool applyConfigFile(Options& o, const std::filesystem::path& file) {
  try {
    o.base = loadExperimentConfig(file);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return false;
  }
  o.configFile = file;
  o.children = o.base.evolution.childrenPerTaskIteration;
  o.generationSize = o.base.evolution.generationSize;
  o.validations = o.base.training.validationsPerChild;
  o.examples = o.base.training.trainExamplesBetweenValidations;
  o.validationMax = o.base.training.validationExamplesMax;
  o.testMax = o.base.training.testExamplesMax;
  o.threads = o.base.training.threads;
  o.seed = o.base.seed;
  o.arch = o.base.root.architecture.kind;
  return true;
}

constexpr const char* kUsage =
    "usage: bench_quality --out DIR [--config EXPERIMENT.json] [--children C=4]\n"
    "         [--generation-size G=4] [--validations V=2] [--examples N=2048]\n"
    "         [--validation-max 1024] [--test-max 0] [--freeze-blocks K=2] [--threads T=1]\n"
    "         [--seed S=1] [--arch vit|cnn] [--crop on|off]\n"
    "         [--methods mu2net,independent,finetune,frozen,plain-cnn] [--plain-seconds S]\n"
    "         [--roots builtin,random]\n"
    "Runs the laptop multitask benchmark and writes quality.md, quality.csv and the engine's\n"
    "reports to DIR; the comment at the top of bench_quality.cpp explains every option.\n";

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--config" && !applyConfigFile(o, argv[i + 1])) return 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!v) {
      std::fprintf(stderr, "missing value for %s\n%s", a.c_str(), kUsage);
      return 2;
    }
    ++i;
    if (a == "--out") {
      o.out = v;
    } else if (a == "--config") {
      // read before the other options
    } else if (a == "--children") {
      o.children = std::max(1, std::atoi(v));
    } else if (a == "--generation-size") {
      o.generationSize = std::max(1, std::atoi(v));
    } else if (a == "--validations") {
      o.validations = std::max(1, std::atoi(v));
    } else if (a == "--examples") {
      o.examples = std::max<int64_t>(1, std::atoll(v));
    } else if (a == "--validation-max") {
      o.validationMax = std::max<int64_t>(1, std::atoll(v));
    } else if (a == "--test-max") {
      o.testMax = std::max<int64_t>(0, std::atoll(v));
    } else if (a == "--freeze-blocks") {
      o.freezeBlocks = std::max(0, std::atoi(v));
    } else if (a == "--threads") {
      o.threads = std::max(1, std::atoi(v));
    } else if (a == "--seed") {
      o.seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--arch") {
      if (std::string(v) != "vit" && std::string(v) != "cnn") {
        std::fprintf(stderr, "--arch: expected vit or cnn, got %s\n", v);
        return 2;
      }
      o.arch = std::string(v) == "cnn" ? ArchitectureKind::Cnn : ArchitectureKind::Vit;
    } else if (a == "--crop") {
      if (std::string(v) != "on" && std::string(v) != "off") {
        std::fprintf(stderr, "--crop: expected on or off, got %s\n", v);
        return 2;
      }
      o.crop = std::string(v) == "on";
    } else if (a == "--plain-seconds") {
      o.plainSeconds = std::atof(v);
      if (!(o.plainSeconds > 0)) {
        std::fprintf(stderr, "--plain-seconds: expected a positive number, got %s\n", v);
        return 2;
      }
    } else if (a == "--roots") {
      o.roots.clear();
      std::stringstream ss(v);
      for (std::string s; std::getline(ss, s, ',');)
        o.roots.push_back(s);
    } else if (a == "--methods") {
      o.methods.clear();
      std::stringstream ss(v);
      for (std::string s; std::getline(ss, s, ',');)
        o.methods.push_back(s);
    } else {
      std::fprintf(stderr, "unknown option %s\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (o.out.empty() || o.methods.empty() || o.roots.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  for (const auto& m : o.methods)
    if (m != "mu2net" && m != "independent" && m != "finetune" && m != "frozen" &&
        m != "plain-cnn") {
      std::fprintf(stderr, "unknown method %s\n", m.c_str());
      return 2;
    }
  for (const auto& r : o.roots) {
    try {
      rootFor(r, o);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "--roots: %s: %s\n", r.c_str(), e.what());
      return 2;
    }
  }
  // plain-cnn needs μ2Net's time per task, so it runs after the engine's methods.
  std::stable_partition(o.methods.begin(), o.methods.end(),
                        [](const std::string& m) { return m != "plain-cnn"; });
  const bool plain = o.methods.back() == "plain-cnn";
  if (plain && o.plainSeconds <= 0 &&
      std::find(o.methods.begin(), o.methods.end(), "mu2net") == o.methods.end()) {
    std::fprintf(stderr,
                 "plain-cnn gets the wall time mu2net spent on each task: run mu2net too "
                 "or give --plain-seconds S\n");
    return 2;
  }
  if (plain) {
    try {
      checkPlainCnn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  std::filesystem::create_directories(o.out);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<MethodResult> results;
  std::map<std::string, double> plainSeconds;  // per task: mu2net's time, or --plain-seconds
  std::map<std::string, int> classes;
  int status = 0;
  const auto report = [](const MethodResult& m) {
    std::printf("%-28s average %5s%%  BWT %6s pp  system %9s params  %5.0f s\n", m.method.c_str(),
                pct(m.averageFinal).c_str(), signedPct(m.bwt).c_str(),
                thousands(m.systemParams).c_str(), m.wallSeconds);
    std::fflush(stdout);
  };
  for (const auto& method : o.methods) {
    if (method == "plain-cnn") {
      for (const auto& t : configFor(method, "random", o).tasks)
        if (o.plainSeconds > 0) plainSeconds[t.name] = o.plainSeconds;
      try {
        results.push_back(runPlainCnn(o, plainSeconds, classes));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        status = 1;
        continue;
      }
      report(results.back());
      continue;
    }
    for (const auto& root : o.roots) {
      results.push_back(runMethod(method, root, o));
      report(results.back());
      const bool first = root == o.roots.front();
      for (const auto& r : results.back().rows) {
        classes[r.task] = r.classes;
        if (method == "mu2net" && first && o.plainSeconds <= 0) plainSeconds[r.task] = r.seconds;
      }
      if (method == "mu2net" && first) {
        std::ofstream(o.out / "mu2net-graph.dot") << toDot(results.back().graph);
        if (std::system("command -v dot >/dev/null 2>&1") == 0) {
          const std::string cmd = "dot -Tsvg '" + (o.out / "mu2net-graph.dot").string() + "' -o '" +
                                  (o.out / "mu2net-graph.svg").string() + "'";
          if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "dot failed\n");
        }
      }
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (results.empty()) return status;
  writeReport(results, o, wall);
  std::printf("report: %s\n", (o.out / "quality.md").c_str());
  return status;
}
