#pragma once
// Training a generation's children (ALGORITHM.md §5) and evaluating routes.
//
// Every child of a generation trains on the same batch stream and the same augmentation draws,
// for validations_per_child validations; its final parameters are those of its best validation,
// and the retention rule (§3.2) decides whether it improved. Children train one after another, or
// several at once on a pool of worker threads (training.parallel_children), each worker with its
// share of LibTorch's intra-op threads: the trainer starts the workers for a generation and joins
// them before it returns. A child's result does not depend on which thread trains it.
//
// The header is torch-free; GenerationTrainer.cpp holds the engine's training loop on tensors.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engine/Child.h"
#include "engine/EventRelay.h"
#include "engine/RunControl.h"
#include "engine/TaskState.h"
#include "mu2net/evolution/ExperimentConfig.h"

namespace mu2net {

class GenerationTrainer {
 public:
  /// Takes the architecture, training budget, scoring and seed of `config`. Training reports
  /// through `events` and stops at `control`'s safe points; both must outlive the trainer.
  GenerationTrainer(const ExperimentConfig& config, RunControl& control, EventRelay& events);

  /// Trains `children` of `generation` for `task` with the generation's data hyperparameters
  /// `dataHParams`. Calls `betweenChildren` after each child when they train one after another,
  /// after all of them otherwise. Throws StopRequested when a stop was requested (the
  /// generation's results are then incomplete), or the first error of any child.
  void train(std::vector<Child>& children, const TaskState& task, int64_t generation,
             const HParams& dataHParams, const std::function<void()>& betweenChildren);

  /// Accuracy of `route` on the examples `indices` of `set`, prepared as `ds` says (no
  /// augmentation); 0 for no examples.
  double evaluate(const std::vector<std::shared_ptr<ComponentTensors>>& route, const ImageSet& set,
                  const std::vector<int64_t>& indices, const DataHParams& ds) const;

  /// counts[t][p]: how many of the examples `indices` of `set` of class t `route` predicts as
  /// class p (numClasses × numClasses), prepared as evaluate() prepares them.
  std::vector<std::vector<int64_t>> confusion(
      const std::vector<std::shared_ptr<ComponentTensors>>& route, const ImageSet& set,
      const std::vector<int64_t>& indices, const DataHParams& ds, int numClasses) const;

  /// Gives the calling thread training.threads LibTorch intra-op threads (a per-thread setting).
  void useAllThreads() const;

 private:
  void trainChild(Child& child, const TaskState& task, int64_t generation,
                  const HParams& dataHParams);
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
  RunControl& control_;
  EventRelay& events_;
  // Set when a child trained in parallel failed: the others stop at their next safe point.
  std::atomic<bool> generationFailed_{false};
};

}  // namespace mu2net
