#pragma once
// What `mu2net run` and `mu2net agent` print: a line per event of the run (ConsoleSink), the
// final table and what generation-level compute saved.
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "mu2net/engine/Engine.h"
#include "mu2net/evolution/GenerationProgress.h"

namespace mu2net::cli {

inline std::string slotList(const std::vector<SlotOrigin>& slots, SlotOrigin::Kind kind) {
  std::string out;
  for (const auto& s : slots)
    if (s.kind == kind) out += (out.empty() ? "" : ",") + s.slot;
  return out.empty() ? "-" : out;
}

inline std::string formatParams(double p) {
  std::ostringstream os;
  if (p >= 1e6)
    os << std::fixed << std::setprecision(2) << p / 1e6 << "M";
  else if (p >= 1e3)
    os << std::fixed << std::setprecision(1) << p / 1e3 << "k";
  else
    os << std::fixed << std::setprecision(0) << p;
  return os.str();
}

inline std::string fixed(double x, int digits) {
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

inline void printTable(const RunReport& r, std::ostream& out) {
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
inline void printSavings(const ComputeSavings& s, std::ostream& out) {
  if (s.frozenNeeded == 0) return;
  out << "frozen layers: " << std::fixed << std::setprecision(0) << 100.0 * s.savedFraction()
      << "% of their forward work shared within generations or taken from the activation cache ("
      << s.cacheHits << " hits, " << s.cacheMisses << " misses, "
      << static_cast<double>(s.cacheBytes) / (1 << 20) << " MiB held)\n"
      << std::defaultfloat;
}

/// The store's side of a run: how many commits, how long they took, what they wrote.
inline void printCommitStats(const CommitStats& s, std::ostream& out) {
  if (s.commits == 0) return;
  out << "store: " << s.commits << " commits, " << std::fixed << std::setprecision(1)
      << 1000.0 * s.seconds / static_cast<double>(s.commits) << " ms each on average (longest "
      << 1000.0 * s.maxSeconds << " ms), " << s.components << " components ("
      << static_cast<double>(s.componentBytes) / (1 << 20) << " MiB) written\n"
      << std::defaultfloat;
}

}  // namespace mu2net::cli
