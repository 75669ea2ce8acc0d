#pragma once
// The μ2Net engine: grows one multitask system by evolving each task's model in turn
// (ALGORITHM.md §3), reporting through an EventSink and honouring control requests.
//
// Threading: run() blocks the calling thread (the GUI runs it in a worker thread). pause(),
// resume(), stop() and addTask() may be called from any thread; the engine honours them at safe
// points: pause and stop between mini-batches, add-task between children. A stopped run leaves
// the system consistent: the interrupted child is discarded, finished tasks keep their models.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mu2net/engine/RunReport.h"
#include "mu2net/evolution/Events.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/GraphSnapshot.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {

class ExperimentStore;
struct ComponentTensors;

/// A task's retained model: everything needed to run it outside the engine.
struct RetainedModel {
  std::string task;
  ArchitectureConfig architecture;
  int imageSize = 0;  ///< input side length in pixels (the path's ds_image_size)
  int numClasses = 0;
  std::vector<std::string> classNames;
  std::vector<std::string> slots;  ///< route slots in forward order
  std::vector<int64_t> componentIds;
  std::vector<std::shared_ptr<ComponentTensors>> tensors;  ///< shared, never modified
};

/// What generation-level compute saved so far in this engine (issue 16).
struct ComputeSavings {
  /// Frozen-prefix work in component passes over one image: what every child and evaluation
  /// would have computed on its own, and what was computed (shared prefixes within a generation,
  /// activations taken from the cache).
  int64_t frozenNeeded = 0;
  int64_t frozenComputed = 0;
  /// The activation cache of validation and test subsets.
  int64_t cacheHits = 0;
  int64_t cacheMisses = 0;
  int64_t cacheEvicted = 0;
  int64_t cacheEntries = 0;
  int64_t cacheBytes = 0;
  /// Fraction of the frozen-prefix work saved (0 when none was needed).
  double savedFraction() const {
    return frozenNeeded > 0
               ? 1.0 - static_cast<double>(frozenComputed) / static_cast<double>(frozenNeeded)
               : 0.0;
  }
};

/// How a task's retained model classifies its test split: counts[t][p] is the number of test
/// examples of class t predicted as class p.
struct ConfusionMatrix {
  std::string task;
  std::vector<std::string> classNames;
  std::vector<std::vector<int64_t>> counts;  ///< [true class][predicted class]

  /// Test examples of class `c` (row sum).
  int64_t examplesOf(std::size_t c) const {
    int64_t n = 0;
    for (int64_t v : counts.at(c))
      n += v;
    return n;
  }
  /// Test examples (all rows).
  int64_t total() const {
    int64_t n = 0;
    for (std::size_t c = 0; c < counts.size(); ++c)
      n += examplesOf(c);
    return n;
  }
  /// Test examples predicted correctly (the diagonal).
  int64_t correct() const {
    int64_t n = 0;
    for (std::size_t c = 0; c < counts.size(); ++c)
      n += counts[c][c];
    return n;
  }
  /// Accuracy on class `c`'s test examples; 0 when it has none.
  double classAccuracy(std::size_t c) const {
    const int64_t n = examplesOf(c);
    return n > 0 ? static_cast<double>(counts[c][c]) / static_cast<double>(n) : 0.0;
  }
};

/// How an agent (Engine::runAgent) names itself and holds its tasks.
struct AgentOptions {
  std::vector<std::string> tasks;  ///< the tasks it evolves, each held through a lease
  AgentIdentity identity;          ///< unique id, host and process id
  /// A lease its agent has not renewed for this long lets another agent take the task over.
  double leaseSeconds = 30;
  /// A task another live agent holds: wait until it is free (else fail with TaskHeldError).
  bool wait = false;
};

/// A task that another live agent holds (Engine::runAgent without AgentOptions::wait).
class TaskHeldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Engine {
 public:
  /// Validates the configuration (every search-space value against the root included), loads
  /// every task's data and the root, and with a store its state (every component file checked);
  /// throws ConfigError, DataError or StoreError. The constructor writes nothing: a refused
  /// configuration leaves the store as it was. With a store: a store that holds a committed
  /// state is continued from it exactly (the configuration must be the store's, merged with
  /// mergeResumeConfig); an empty one receives the new system with the first generation's
  /// commit. Every generation and every task iteration is committed to it, and when run() ends
  /// the component files no commit references are removed. A read-only store can be inspected
  /// (snapshot, evaluateTest) but not run. The store must outlive the engine.
  explicit Engine(ExperimentConfig config, EventSink* sink = nullptr,
                  ExperimentStore* store = nullptr);
  /// An engine for an agent that evolves `ownTasks` (runAgent with the same tasks): only their
  /// data is read; the other tasks are known by their names and the store's counters.
  Engine(ExperimentConfig config, EventSink* sink, ExperimentStore* store,
         const std::vector<std::string>& ownTasks);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Runs the whole experiment (or until stop()). Returns the report. Exceptions from inside
  /// the run are reported as ErrorEvent and rethrown.
  RunReport run();
  /// Evolves `options.tasks` as one of several agents sharing a database store (opened with
  /// ExperimentStore::openForAgent): each task is claimed through a lease that a background thread
  /// renews; the tasks' iterations run round-robin as in run(), each generation reading the
  /// latest committed system (other agents' models join the seed pool as soon as they are
  /// committed) and committed in one transaction; a task taken over from a dead agent continues
  /// from its last committed generation. One agent with every task gives run()'s result exactly;
  /// with several, the result depends on their timing. Throws TaskHeldError, ConfigError (a task
  /// not in the configuration) or StoreError; the leases end with the state it reached.
  RunReport runAgent(const AgentOptions& options);

  void pause();
  void resume();
  void stop();
  bool isPaused() const;
  /// Queues a task; it joins the round-robin at the next safe point. Its data is loaded then;
  /// a load error is reported as an ErrorEvent and the task is skipped.
  void addTask(const TaskSpec& task);

  const ExperimentConfig& config() const;
  /// Snapshot of the current system graph (thread-safe).
  GraphSnapshot snapshot() const;
  /// Test accuracy of a task's retained path, recomputed now (for immutability checks).
  double evaluateTest(const std::string& task);
  /// Per-class test predictions of a task's retained path (the examples and preparation of
  /// evaluateTest: correct() / total() equals its accuracy). Throws std::out_of_range when the
  /// task has no retained model.
  ConfusionMatrix evaluateConfusion(const std::string& task);
  /// The task's retained model; throws std::out_of_range when it has none.
  RetainedModel retainedModel(const std::string& task) const;
  /// Test accuracy of `task` through the retained path of `trunkTask` with `task`'s own head in
  /// place of trunkTask's: every layer below the head as trunkTask left it, images prepared at
  /// trunkTask's ds_image_size. Under sequential fine-tuning (parent_policy previous_task,
  /// clone_policy all) trunkTask's layers descend from task's, so this measures what task would
  /// have forgotten had its layers been trained in place. Equals evaluateTest(task) when
  /// trunkTask == task. Throws std::out_of_range when either task has no retained model.
  double evaluateTestWithTrunk(const std::string& task, const std::string& trunkTask);
  /// Work shared and cached so far (thread-safe).
  ComputeSavings computeSavings() const;
  /// The arithmetic forward passes use: training.precision with "auto" resolved for this CPU.
  Precision precision() const;
  /// SHA-256 of every locked component's tensors, by component id.
  std::vector<std::pair<int64_t, std::string>> lockedComponentHashes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mu2net
