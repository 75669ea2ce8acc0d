#pragma once
// Sampling a generation's children (ALGORITHM.md §3.1, §4): the generation's data
// hyperparameters, then for each child its parent, its mutated hyperparameters and where each slot
// of its route comes from.
//
// Torch-free: a child comes out as a plan (ChildPlan). Whether an ancestor's component fits a slot
// is asked of a caller-supplied predicate (SlotFits), and the engine turns the plan into tensors
// (RouteBuilder), so the search can be tested on a hand-built System.
#include <cstdint>
#include <string>
#include <vector>

#include "mu2net/common/Rng.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/LayerCloning.h"
#include "mu2net/evolution/SearchSpace.h"
#include "mu2net/evolution/System.h"

namespace mu2net {

/// One child as sampled, before any tensor exists.
struct ChildPlan {
  int index = 0;           ///< position within its generation, from 0
  int64_t parentId = -1;   ///< the path it descends from (§3.1)
  std::string parentTask;  ///< the parent's task (System::kRootTask for the root path)
  double parentScore = 0;  ///< the parent's score: the bar of the retention rule (§3.2)
  /// The parent's hyperparameters mutated (§4.2), with the generation's ds_* values overlaid.
  HParams hparams;
  std::vector<Mutation> mutations;  ///< the per-child changes, μ first
  int imageSize = 0;                ///< the generation's ds_image_size, pixels
  std::vector<std::string> slots;   ///< routeSlots(architecture, num_layers), forward order
  std::vector<SlotOrigin> origins;  ///< one per slot (§4.1, planLayers)
};

class ChildSampler {
 public:
  /// `space` must outlive the sampler (the engine's search space, overrides applied). The
  /// architecture, the evolution options and whether the root is trained are taken from `config`.
  ChildSampler(const SearchSpace& space, const ExperimentConfig& config);

  /// The generation's data-pipeline hyperparameters (§4.2): those of the task's current best
  /// path (max score, ties → newest id; the defaults when it has none), each mutated with the
  /// default μ. Appends the changes to `mutations` (if non-null).
  HParams sampleGeneration(const System& system, const std::string& task, Rng& rng,
                           std::vector<Mutation>* mutations) const;

  /// Child `index` of `task` in a generation with data hyperparameters `generation`:
  ///   1. selects its parent (§3.1) and counts the offspring on the parent (hence `system` is
  ///      written: System::recordOffspring);
  ///   2. mutates the parent's hyperparameters (§4.2) and overlays the generation's;
  ///   3. plans its layers for num_layers blocks (§4.1), asking `fits` which ancestor components
  ///      can fill a slot at this task's class count and the generation's image size.
  /// Draws from `rng` in that order. Throws std::logic_error when the task has no parent
  /// candidate at all (no population, no seed pool).
  ChildPlan sample(System& system, const std::string& task, const HParams& generation,
                   const SlotFits& fits, Rng& rng, int index) const;

  const SearchSpace& space() const { return space_; }

 private:
  const SearchSpace& space_;
  ArchitectureConfig architecture_;
  EvolutionOptions evolution_;
  bool rootTrained_ = false;
};

}  // namespace mu2net
