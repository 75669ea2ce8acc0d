// Throughput of RouteTrainer::step (samples per second) for the default ViT (28x28, patch 4,
// width 64, 4 heads, MLP 128, 4 blocks) and the default CNN (width 64, 4 blocks) at batch 64,
// with 1 and 2 intra-op threads, all components trainable and all but the head frozen.
// Usage: bench_train_step [seconds-per-case (default 3)]. Not run by CTest.
#include <ATen/Parallel.h>
#include <torch/types.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/common/Rng.h"
#include "mu2net/model/Architecture.h"

using namespace mu2net;

namespace {

constexpr int64_t kBatch = 64;
constexpr int kClasses = 10;

double samplesPerSecond(const ArchitectureConfig& arch, bool onlyHead, double seconds) {
  Rng rng(1);
  std::vector<std::shared_ptr<ComponentTensors>> route;
  for (const auto& slot : routeSlots(arch, arch.depth))
    route.push_back(initComponent(arch, slot, kClasses, arch.imageSize, rng));
  std::vector<bool> trainable(route.size(), !onlyHead);
  trainable.back() = true;
  RouteTrainer trainer(arch, route, trainable, OptimizerHParams{0.01, 0.9, false, 0.05, 1000000});

  // A fixed pool of random batches, so that data generation is not measured.
  std::vector<torch::Tensor> images, labels;
  for (int i = 0; i < 8; ++i) {
    torch::Tensor x = torch::empty({kBatch, 3, arch.imageSize, arch.imageSize});
    float* px = x.data_ptr<float>();
    for (int64_t j = 0; j < x.numel(); ++j)
      px[j] = static_cast<float>(rng.uniform(-1, 1));
    torch::Tensor y = torch::empty({kBatch}, torch::kLong);
    for (int64_t j = 0; j < kBatch; ++j)
      y.data_ptr<int64_t>()[j] = rng.below(kClasses);
    images.push_back(x);
    labels.push_back(y);
  }
  for (int i = 0; i < 5; ++i)
    trainer.step(images[i % 8], labels[i % 8]);  // warm-up
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  int64_t steps = 0;
  double elapsed = 0;
  do {
    trainer.step(images[steps % 8], labels[steps % 8]);
    ++steps;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(steps * kBatch) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  ArchitectureConfig vit;
  ArchitectureConfig cnn;
  cnn.kind = ArchitectureKind::Cnn;
  std::printf("%-4s %-8s %-12s %12s\n", "arch", "threads", "trainable", "samples/s");
  for (const auto* arch : {&vit, &cnn})
    for (int threads : {1, 2})
      for (bool onlyHead : {false, true}) {
        at::set_num_threads(threads);
        const double rate = samplesPerSecond(*arch, onlyHead, seconds);
        std::printf("%-4s %-8d %-12s %12.0f\n", toString(arch->kind).c_str(), threads,
                    onlyHead ? "head-only" : "all", rate);
        std::fflush(stdout);
      }
  return 0;
}
