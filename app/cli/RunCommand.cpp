// `mu2net run CONFIG.json --out DIR [--threads N]`: runs (or continues) an experiment in the
// foreground, committing it to the store in DIR, printing a line per child and a final table, and
// writes DIR/report.json.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <thread>

#include "Commands.h"
#include "ConfigOutArgs.h"
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

std::atomic<bool> gInterrupted{false};

extern "C" void onInterrupt(int) {
  gInterrupted = true;
}

std::string slotList(const std::vector<SlotOrigin>& slots, SlotOrigin::Kind kind) {
  std::string out;
  for (const auto& s : slots)
    if (s.kind == kind) out += (out.empty() ? "" : ",") + s.slot;
  return out.empty() ? "-" : out;
}

std::string formatParams(double p) {
  std::ostringstream os;
  if (p >= 1e6)
    os << std::fixed << std::setprecision(2) << p / 1e6 << "M";
  else if (p >= 1e3)
    os << std::fixed << std::setprecision(1) << p / 1e3 << "k";
  else
    os << std::fixed << std::setprecision(0) << p;
  return os.str();
}

std::string fixed(double x, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << x;
  return os.str();
}

// Prints the engine's events as a plain log; a live progress line goes to a terminal only.
class ConsoleSink : public EventSink {
 public:
  ConsoleSink(std::ostream& out, bool liveProgress) : out_(out), live_(liveProgress) {}

  void handle(const Event& event) override {
    std::visit([this](const auto& e) { on(e); }, event);
  }

 private:
  void clearProgress() {
    if (live_ && progressShown_) {
      std::fprintf(stderr, "\r\033[K");
      progressShown_ = false;
    }
  }

  void on(const RunStartedEvent& e) {
    out_ << "run: " << e.tasks.size() << " tasks, " << e.taskIterations << " task iterations, "
         << e.childrenPerTaskIteration << " children per task iteration (" << e.totalChildren
         << " children in all)\n";
    total_ = e.totalChildren;
  }
  void on(const TaskIterationStartedEvent& e) {
    clearProgress();
    out_ << "== task " << e.task << ", iteration " << e.iteration << "\n" << std::flush;
  }
  void on(const GenerationStartedEvent& e) {
    generation_.clear();
    out_ << "  generation " << e.generation << ": image size "
         << static_cast<int>(e.dataHParams.at("ds_image_size"));
    for (const auto& m : e.dataMutations)
      out_ << ", " << describe(m);
    out_ << "\n" << std::flush;
  }
  void on(const ChildStartedEvent& e) { generation_.start(e.childIndex); }
  // Children of a generation may train at the same time: the line shows each one's step and
  // their summed speed.
  void on(const TrainingProgressEvent& e) {
    generation_.update(e);
    if (!live_) return;
    std::string children;
    for (const auto& p : generation_.training())
      children += " child " + std::to_string(p.childIndex) + " step " + std::to_string(p.step) +
                  "/" + std::to_string(p.totalSteps) + " loss " + fixed(p.loss, 3) + ";";
    const std::string speed = generation_.onlyValidating()  // every child has run its steps
                                  ? "validating"
                                  : fixed(generation_.samplesPerSecond(), 0) + " samples/s";
    std::fprintf(stderr, "\r\033[K  [%lld/%lld children] %s:%s %s", static_cast<long long>(done_),
                 static_cast<long long>(total_), e.task.c_str(), children.c_str(), speed.c_str());
    progressShown_ = true;
  }
  void on(const ValidationEvent&) {}
  void on(const ChildFinishedEvent& e) {
    clearProgress();
    generation_.finish(e.childIndex);
    ++done_;
    out_ << "  [" << done_ << "/" << total_ << "] " << e.task << " gen " << e.generation
         << " child " << e.childIndex << ": parent " << e.parentId << " (" << e.parentTask
         << "), val " << std::fixed << std::setprecision(4) << e.quality
         << (e.improved ? "  improved" : "  not improved")
         << (e.divergedAtStep ? " (the loss became NaN or infinite at step " +
                                    std::to_string(e.divergedAtStep) + ": stopped)"
                              : "")
         << ", trainable " << formatParams(static_cast<double>(e.trainableParams)) << "/"
         << formatParams(static_cast<double>(e.totalParams)) << ", " << std::setprecision(1)
         << e.seconds << " s\n      mutations:";
    if (e.mutations.empty()) out_ << " none";
    for (const auto& m : e.mutations)
      out_ << " " << describe(m) << ";";
    out_ << " cloned " << slotList(e.slots, SlotOrigin::Kind::Cloned) << "; shared "
         << slotList(e.slots, SlotOrigin::Kind::Shared) << "; new "
         << slotList(e.slots, SlotOrigin::Kind::New) << "\n"
         << std::defaultfloat << std::flush;
  }
  void on(const TaskIterationEndedEvent& e) {
    out_ << "  retained path " << e.retainedPathId << " for " << e.task << ": val " << std::fixed
         << std::setprecision(4) << e.validationQuality << ", system size "
         << formatParams(e.systemSize) << "\n"
         << std::defaultfloat << std::flush;
  }
  void on(const TestEvaluatedEvent& e) {
    out_ << "  test " << e.task << " (path " << e.pathId << "): " << std::fixed
         << std::setprecision(4) << e.testQuality << " on " << e.examples << " examples\n"
         << std::defaultfloat << std::flush;
  }
  void on(const TaskAddedEvent& e) { out_ << "task added: " << e.task << "\n" << std::flush; }
  void on(const RunFinishedEvent& e) {
    clearProgress();
    out_ << (e.stopped ? "run stopped" : "run finished") << " after " << std::fixed
         << std::setprecision(1) << e.wallSeconds << " s\n"
         << std::defaultfloat;
  }
  void on(const PausedEvent& e) { out_ << (e.paused ? "paused\n" : "resumed\n") << std::flush; }
  void on(const ErrorEvent& e) {
    clearProgress();
    out_ << "error: " << e.message << "\n" << std::flush;
  }

  std::ostream& out_;
  bool live_;
  bool progressShown_ = false;
  int64_t done_ = 0;
  int64_t total_ = 0;
  GenerationProgress generation_;  // the children of the generation in training
};

void printTable(const RunReport& r, std::ostream& out) {
  out << "\n"
      << std::left << std::setw(24) << "task" << std::right << std::setw(9) << "val acc"
      << std::setw(10) << "test acc" << std::setw(12) << "activated" << std::setw(12) << "accounted"
      << std::setw(9) << "reused" << std::setw(10) << "children"
      << "\n";
  for (const auto& t : r.tasks) {
    std::ostringstream test;
    if (t.testQuality)
      test << std::fixed << std::setprecision(4) << *t.testQuality;
    else
      test << "-";
    std::ostringstream reused;
    reused << std::fixed << std::setprecision(0) << 100.0 * t.reusedShare << "%";
    out << std::left << std::setw(24) << t.name << std::right << std::fixed << std::setprecision(4)
        << std::setw(9) << t.validationQuality << std::setw(10) << test.str() << std::setw(12)
        << formatParams(static_cast<double>(t.activatedParams)) << std::setw(12)
        << formatParams(t.accountedParams) << std::setw(9) << reused.str() << std::setw(10)
        << (std::to_string(t.childrenImproved) + "/" + std::to_string(t.childrenTried)) << "\n";
  }
  out << "system size " << formatParams(r.systemSize) << " parameters in " << r.numComponents
      << " components; " << r.generations << " generations; " << std::setprecision(1)
      << r.wallSeconds << " s wall time on " << r.threads << " thread(s), " << toString(r.precision)
      << " arithmetic\n"
      << std::defaultfloat;
}

// What generation-level compute saved in this run (issue 16).
void printSavings(const ComputeSavings& s, std::ostream& out) {
  if (s.frozenNeeded == 0) return;
  out << "frozen layers: " << std::fixed << std::setprecision(0) << 100.0 * s.savedFraction()
      << "% of their forward work shared within generations or taken from the activation cache ("
      << s.cacheHits << " hits, " << s.cacheMisses << " misses, "
      << static_cast<double>(s.cacheBytes) / (1 << 20) << " MiB held)\n"
      << std::defaultfloat;
}

int usage(std::ostream& err) {
  err << "usage: mu2net run CONFIG.json --out DIR [--threads N]\n";
  return 2;
}

}  // namespace

int runRunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConfigOutArgs a;
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
    if (prepared.resumed)
      out << "resuming the experiment in " << dir.string() << "\n";
    else if (prepared.restarted)
      out << "restarting the experiment in " << dir.string()
          << ": it holds no committed generation yet\n";
    Engine& engine = *prepared.engine;

    // Ctrl-C stops at the next safe point and still writes the report.
    gInterrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
      while (!done) {
        if (gInterrupted.exchange(false)) engine.stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
    RunReport report;
    try {
      report = engine.run();
    } catch (...) {
      done = true;
      watcher.join();
      std::signal(SIGINT, previous);
      throw;
    }
    done = true;
    watcher.join();
    std::signal(SIGINT, previous);

    printTable(report, out);
    printSavings(engine.computeSavings(), out);
    const auto reportPath = dir / "report.json";
    writeRunReport(reportPath, report, engine.config());
    out << "report: " << reportPath.string() << "\n";
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
