#include "evolution/SearchSpaceFit.h"

#include <cmath>
#include <string>

#include "mu2net/common/ConfigError.h"

namespace mu2net {

void checkSearchSpaceFitsRoot(const SearchSpace& space, const ExperimentConfig& config) {
  const ArchitectureConfig& root = config.root.architecture;
  if (root.kind != ArchitectureKind::Vit) return;  // the CNN pools: any size works
  const std::string key =
      config.searchSpace.count("ds_image_size") ? "search_space.ds_image_size" : "image_sizes";
  for (const double v : space.spec("ds_image_size").values) {
    const auto size = static_cast<long long>(std::llround(v));
    if (size <= 0 || size % root.patchSize != 0)
      throw ConfigError("config key '" + key + "': image size " + std::to_string(size) +
                        " is not a multiple of the root's patch size " +
                        std::to_string(root.patchSize) +
                        " (the ViT cuts images into patches); offer only multiples of it");
  }
}

}  // namespace mu2net
