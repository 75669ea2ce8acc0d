#pragma once
// The update rules a route can be trained with. A model-layer type: the search space's opt_type
// (SearchSpace.h) stores its value as a code, the route trainer (core/src/model/Network.h) and
// pretraining (Pretrain.h) run it.

namespace mu2net {

/// The optimiser a child trains with (the value of opt_type).
enum class OptimizerKind {
  Sgd = 0,    ///< SGD with momentum (the paper's setting; opt_momentum, opt_nesterov)
  AdamW = 1,  ///< AdamW (β1 = opt_momentum, β2 = 0.999): learns small images much faster
};

}  // namespace mu2net
