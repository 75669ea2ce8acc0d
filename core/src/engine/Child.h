#pragma once
// One child of a generation on its way through the engine: sampled (its ChildPlan), built (its
// tensors, RouteBuilder), trained (its results, GenerationTrainer), then added to the system if
// it improved. Torch-free: the tensors are only held here.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "evolution/ChildSampler.h"
#include "mu2net/evolution/Events.h"
#include "mu2net/evolution/System.h"

namespace mu2net {

struct Child {
  ChildPlan plan;
  /// One per slot, in route order. A shared slot holds the ancestor's tensors (never written);
  /// a cloned or new slot holds the child's own, after training those of its best validation.
  std::vector<std::shared_ptr<ComponentTensors>> tensors;
  std::vector<bool> trainable;      ///< per slot: cloned or new
  std::vector<int64_t> slotParams;  ///< per slot: number of parameters
  int64_t trainableParams = 0;      ///< Σ slotParams over trainable slots
  int64_t totalParams = 0;          ///< Σ slotParams
  double accountedParams = 0;       ///< §5: shared slots divided among the tasks using them
  // What training made of it (§3.2, §5).
  double bestQuality = -1;  ///< validation accuracy at its best validation
  double bestScore = -std::numeric_limits<double>::infinity();
  bool improved = false;        ///< passed the retention rule
  int64_t divergedAtStep = 0;   ///< > 0: the step whose loss (or weights) became NaN or infinite
  std::vector<double> history;  ///< validation accuracy after each validation
  /// Training time attributed to the child: its own steps and validations, plus its share of
  /// preparing the generation's batches (assembly and the shared frozen prefixes).
  double seconds = 0;
};

/// Adds an improved child to the system: its cloned and new components (created in
/// `generation` by `task`), then its path; records the new component ids in child.plan.origins.
/// Returns the path's id.
int64_t addChildToSystem(System& system, Child& child, const std::string& task, int64_t generation);

/// The event announcing that the child starts training for `totalSteps` steps.
ChildStartedEvent childStartedEvent(const Child& child, const std::string& task, int64_t generation,
                                    int64_t totalSteps);
/// The event (and store record) of a trained child; `pathId` is its path, -1 if not kept.
ChildFinishedEvent childFinishedEvent(const Child& child, const std::string& task,
                                      int64_t generation, int64_t pathId);

}  // namespace mu2net
