#pragma once
// The tensors of routes: the root's components when a system is created, and each sampled
// child's (ALGORITHM.md §4.1: shared slots keep the ancestor's tensors, cloned ones copy them,
// position embeddings are re-interpolated, new slots are initialised).
//
// The header is torch-free; RouteBuilder.cpp is the torch side of sampling.
#include <cstdint>
#include <string>

#include "engine/Child.h"
#include "mu2net/common/Rng.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/LayerCloning.h"
#include "mu2net/evolution/System.h"

namespace mu2net {

class RouteBuilder {
 public:
  explicit RouteBuilder(const ArchitectureConfig& architecture) : arch_(architecture) {}

  /// Adds the root path to an empty `system` and makes it the root: the slots of the root
  /// architecture without a head, with `hparams`, each component read from root.checkpoint when
  /// given (ConfigError naming the file and slot when one is missing or of another shape), else
  /// initialised from `seed`. Returns the root path's id.
  int64_t createRoot(System& system, const RootOptions& root, const HParams& hparams,
                     std::uint64_t seed) const;

  /// Whether a component fits a slot of a route for `numClasses` classes at `imageSize` pixels.
  SlotFits fits(int numClasses, int imageSize) const;

  /// The child of `plan` for `task` (numClasses classes): its tensors slot by slot, in order
  /// (new slots draw their values from `rng`), and its parameter counts.
  Child build(ChildPlan plan, const System& system, const std::string& task, int numClasses,
              Rng& rng) const;

 private:
  ArchitectureConfig arch_;
};

}  // namespace mu2net
