#pragma once
// Whether every value a search space offers can be used with the root: a run must not die
// half-way (and refuse to be resumed) because a generation drew a value the root cannot take.
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/SearchSpace.h"

namespace mu2net {

/// Throws ConfigError naming the key (`image_sizes` or `search_space.ds_image_size`) and the value
/// when `space`, built from `config`, offers a value the root `config.root.architecture` cannot
/// use: a ViT needs every ds_image_size to be a multiple of its patch size.
void checkSearchSpaceFitsRoot(const SearchSpace& space, const ExperimentConfig& config);

}  // namespace mu2net
