#pragma once
// Training a generation's children (ALGORITHM.md §5) and evaluating routes.
//
// Every child of a generation trains on the same batch stream and the same augmentation draws,
// for validations_per_child validations; its final parameters are those of its best validation,
// and the retention rule (§3.2) decides whether it improved.
//
// Generation-level compute (issue 16): the children advance in lock-step, one mini-batch at a
// time. Each batch is assembled once; the children whose routes begin with the same frozen
// components (the same component objects) compute those components' activations once per batch
// (a tree of shared prefixes: the longest prefix common to each group of children, computed from
// the next shorter one), and each child continues from its group's activations through the rest
// of its route. The work is a set of tasks, "prepare batch s" (in order, at most kLookahead
// batches ahead of the slowest child) and "child i takes step s", run by one thread or by a pool
// of workers (training.parallel_children), each with its share of LibTorch's intra-op threads.
// Validations and test evaluations reuse frozen-prefix activations on the fixed evaluation
// subsets from an ActivationCache. A split pass equals the whole pass bit for bit
// (forwardSlots), so a child's result is the same with sharing and caching on or off, and
// whichever thread runs it.
//
// The header is torch-free; GenerationTrainer.cpp holds the engine's training loop on tensors.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/ActivationCache.h"
#include "engine/Child.h"
#include "engine/EventRelay.h"
#include "engine/RunControl.h"
#include "engine/TaskState.h"
#include "mu2net/evolution/ExperimentConfig.h"

namespace mu2net {

/// A route to evaluate: its components, and the ids of its leading frozen components (those in
/// the system, immutable; their activations may be cached). A retained path lists every id.
struct EvalRoute {
  std::vector<std::shared_ptr<ComponentTensors>> tensors;
  std::vector<int64_t> frozenIds;
};

/// Fixed examples of one split of a task, never augmented. `name` tells subsets apart in the
/// activation cache (e.g. "fashion/test"); the indices themselves are part of the key too.
struct EvalSubset {
  const ImageSet& set;
  const std::vector<int64_t>& indices;
  std::string name;
};

/// Frozen-prefix work, in component passes over one image: what running every child and every
/// evaluation on its own would have computed, and what was computed (the rest was shared within
/// a generation or taken from the activation cache).
struct FrozenWork {
  int64_t needed = 0;
  int64_t computed = 0;
};

class GenerationTrainer {
 public:
  /// Takes the architecture, training budget, scoring and seed of `config`. Training reports
  /// through `events` and stops at `control`'s safe points; both must outlive the trainer.
  GenerationTrainer(const ExperimentConfig& config, RunControl& control, EventRelay& events);

  /// Trains `children` of `generation` for `task` with the generation's data hyperparameters
  /// `dataHParams`. Throws StopRequested when a stop was requested (the generation's results are
  /// then incomplete), or the first error of any child.
  void train(std::vector<Child>& children, const TaskState& task, int64_t generation,
             const HParams& dataHParams);

  /// Accuracy of `route` on the examples of `subset`, prepared as `ds` says (no augmentation);
  /// 0 for no examples.
  double evaluate(const EvalRoute& route, const EvalSubset& subset, const DataHParams& ds) const;

  /// counts[t][p]: how many of the examples of `subset` of class t `route` predicts as class p
  /// (numClasses × numClasses), prepared as evaluate() prepares them.
  std::vector<std::vector<int64_t>> confusion(const EvalRoute& route, const EvalSubset& subset,
                                              const DataHParams& ds, int numClasses) const;

  /// The activation cache's counters, and the frozen-prefix work shared or cached so far.
  ActivationCacheStats cacheStats() const;
  FrozenWork frozenWork() const;
  /// The arithmetic of forward passes (training.precision with Auto resolved for this CPU).
  Precision precision() const { return precision_; }

  /// Gives the calling thread training.threads LibTorch intra-op threads (a per-thread setting).
  void useAllThreads() const;

 private:
  struct ChildRun;
  struct PrefixNode;
  struct StepData;
  struct Schedule;
  // The shared prefixes of `runs` (empty when sharing is off); sets each run's start node.
  std::vector<PrefixNode> planPrefixes(std::vector<ChildRun>& runs) const;
  // Assembles batch `step` and computes the shared prefixes' activations for it.
  StepData prepare(Schedule& schedule, int64_t step) const;
  // Child `run` takes one step on `data`, and validates or finishes when its time has come;
  // true when it is done (finished or diverged). Runs without the schedule's lock.
  bool advance(Schedule& schedule, ChildRun& run, const StepData& data);
  void validate(Schedule& schedule, ChildRun& run);
  // The child's final parameters (those of its best validation) and verdict.
  void finish(ChildRun& run) const;
  // A worker: takes tasks of `schedule` until every child is done, a stop or a failure.
  void work(Schedule& schedule);
  // Predicted classes for each evaluation batch of `subset` (with its labels), reusing cached
  // frozen-prefix activations.
  void forEachPrediction(
      const EvalRoute& route, const EvalSubset& subset, const DataHParams& ds,
      const std::function<void(const at::Tensor& predicted, const at::Tensor& labels)>& f) const;
  // Score of §5: quality × s^(accounted / P_ref).
  double scoreOf(double quality, double accountedParams) const;
  // How many children train at once.
  int childParallelism() const;
  // control.safePoint(), and a stop of the whole generation once one of its children failed.
  void safePoint();

  ArchitectureConfig arch_;
  TrainingOptions training_;
  EvolutionOptions evolution_;
  std::uint64_t seed_ = 0;
  Precision precision_ = Precision::Float32;
  RunControl& control_;
  EventRelay& events_;
  // Set when a child trained in parallel failed: the others stop at their next safe point.
  std::atomic<bool> generationFailed_{false};
  std::unique_ptr<ActivationCache> cache_;  // null when training.activation_cache_mib is 0
  mutable std::atomic<int64_t> frozenNeeded_{0};
  mutable std::atomic<int64_t> frozenComputed_{0};
};

}  // namespace mu2net
