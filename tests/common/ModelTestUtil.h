#pragma once
// Helpers for tests of the torch model layer: small architectures, freshly initialised routes
// and a synthetic, separable image problem. Include only from tst_*torch*.cpp files.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/common/Rng.h"
#include "mu2net/model/Architecture.h"

namespace mu2net::testutil {

/// A ViT small enough for unit tests: 16x16 images, 4x4 patches (4x4 grid), width 16, 2 heads.
inline ArchitectureConfig tinyVit() {
  ArchitectureConfig a;
  a.kind = ArchitectureKind::Vit;
  a.imageSize = 16;
  a.patchSize = 4;
  a.width = 16;
  a.heads = 2;
  a.mlpDim = 32;
  a.depth = 2;
  return a;
}

/// A CNN small enough for unit tests: 8 channels, 2 residual blocks, 16x16 images.
inline ArchitectureConfig tinyCnn() {
  ArchitectureConfig a;
  a.kind = ArchitectureKind::Cnn;
  a.imageSize = 16;
  a.width = 8;
  a.depth = 2;
  return a;
}

using Route = std::vector<std::shared_ptr<ComponentTensors>>;

/// Freshly initialised route of numBlocks blocks for imageSize, all draws from Rng(seed).
inline Route makeRoute(const ArchitectureConfig& arch, int numBlocks, int numClasses, int imageSize,
                       std::uint64_t seed) {
  Rng rng(seed);
  Route route;
  for (const auto& slot : routeSlots(arch, numBlocks))
    route.push_back(initComponent(arch, slot, numClasses, imageSize, rng));
  return route;
}

inline std::vector<const ComponentTensors*> raw(const Route& route) {
  std::vector<const ComponentTensors*> out;
  for (const auto& c : route)
    out.push_back(c.get());
  return out;
}

/// n images [n,3,size,size] in [-1,1] and labels [n] in [0,4): dark noise everywhere, and the
/// quadrant named by the label (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right) bright.
inline std::pair<torch::Tensor, torch::Tensor> quadrantProblem(int64_t n, int64_t size,
                                                               std::uint64_t seed) {
  Rng rng(seed);
  torch::Tensor images = torch::empty({n, 3, size, size}, torch::kFloat);
  torch::Tensor labels = torch::empty({n}, torch::kLong);
  float* px = images.data_ptr<float>();
  int64_t* lab = labels.data_ptr<int64_t>();
  const int64_t half = size / 2;
  for (int64_t i = 0; i < n; ++i) {
    const auto label = static_cast<int64_t>(rng.below(4));
    lab[i] = label;
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t y = 0; y < size; ++y)
        for (int64_t x = 0; x < size; ++x) {
          const int64_t quadrant = (y >= half ? 2 : 0) + (x >= half ? 1 : 0);
          const double base = quadrant == label ? 0.3 : -1.0;
          *px++ = static_cast<float>(base + 0.7 * rng.uniform());
        }
  }
  return {images, labels};
}

}  // namespace mu2net::testutil
