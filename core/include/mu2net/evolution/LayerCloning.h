#pragma once
// Layer cloning (ALGORITHM.md §4.1): for each slot of a child's architecture, decide which
// ancestor component it inherits and whether it clones (trainable copy) or shares it (frozen).
//
// Torch-free: shape compatibility is asked of a caller-supplied predicate, so the rule is
// testable on a hand-built System. The engine turns the plan into tensors.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mu2net/common/Rng.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/System.h"

namespace mu2net {

/// Where one slot of a child comes from.
struct SlotOrigin {
  enum class Kind {
    Shared,  ///< the ancestor's component itself, frozen
    Cloned,  ///< a trainable deep copy of sourceComponentId
    New      ///< freshly initialised (no ancestor could fill the slot)
  };
  std::string slot;
  /// The child's component in this slot once it is in the system: the shared component's id, or
  /// the id a cloned/new component received; -1 while unknown (children not kept have none).
  int64_t componentId = -1;
  int64_t sourceComponentId = -1;  ///< the ancestor component inherited; -1 for New
  Kind kind = Kind::New;
  /// Cloned from the root's position embedding re-interpolated to the child's image size,
  /// because no ancestor had one for this patch grid.
  bool reinterpolated = false;
};

/// The switches that decide clone vs share.
struct CloneRules {
  double mu = 0.2;                 ///< the child's μ: probability of cloning a frozen layer
  bool cloneUntrainedRoot = true;  ///< always clone components of a random (untrained) root
  bool rootTrained = false;        ///< the root was loaded from a checkpoint
  /// How the other inherited layers are decided (μ2Net: ClonePolicy::Mu; others are baselines).
  ClonePolicy policy = ClonePolicy::Mu;
  int freezeBlocks = 0;  ///< for ClonePolicy::FreezeBottom: blocks shared below the cloned ones
};

/// True when `component` can fill `slot` of the child (shapes match its task and image size).
using SlotFits = std::function<bool(const Component& component, const std::string& slot)>;

/// Plans the child of `parentId` for `task` with the given slots (forward order). For each slot,
/// walks the ancestors nearest first (parent, its parent, …, the root) and takes the first
/// component in that slot that fits; a `head` is only taken from an ancestor of the same task.
/// The found component is cloned if it is trainable, if the slot is `norm`, or if it belongs to an
/// untrained root and rules.cloneUntrainedRoot; otherwise rules.policy decides: Mu clones with
/// probability rules.mu, All always clones, FreezeBottom shares the stem (embedding, cls,
/// posembed) and blocks below rules.freezeBlocks and clones the rest; what is not cloned is shared.
/// A `posembed` no ancestor can fill is re-interpolated from the root's (Cloned, reinterpolated);
/// any other unfilled slot (head, blocks beyond every ancestor's depth) is New.
/// Draws from `rng` only for the μ coin (policy Mu), in slot order.
std::vector<SlotOrigin> planLayers(const System& system, int64_t parentId, const std::string& task,
                                   const std::vector<std::string>& slots, const SlotFits& fits,
                                   const CloneRules& rules, Rng& rng);

}  // namespace mu2net
