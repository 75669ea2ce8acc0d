// Measures the data layer's two hot paths on real MNIST: reading the 60,000 training images
// (best of 3) and assembling one epoch of augmented training batches. Prints, asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "TestData.h"
#include "mu2net/data/DatasetReader.h"
#include "mu2net/data/InputPipeline.h"

using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int main() {
  const auto dir = mu2net::testdata::mnistDir();
  double best = 1e9;
  mu2net::ImageSet train;
  for (int round = 0; round < 3; ++round) {
    const auto start = Clock::now();
    train = mu2net::readIdx(dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz");
    best = std::min(best, secondsSince(start));
  }
  std::printf("read MNIST train (%lld images, gzip): best of 3 = %.3f s\n",
              static_cast<long long>(train.count), best);

  for (const bool augment : {false, true}) {
    mu2net::DataHParams hp;
    hp.imageSize = 28;
    hp.crop = augment;
    hp.flipLeftRight = augment;
    hp.brightnessDelta = augment ? 0.1 : 0.0;
    hp.contrastDelta = augment ? 0.1 : 0.0;
    const std::int64_t batch = 64;
    mu2net::BatchStream stream(train.count, batch, 1);
    mu2net::Rng rng(2);
    std::vector<float> images(static_cast<std::size_t>(batch * 3 * hp.imageSize * hp.imageSize));
    std::vector<std::int64_t> labels(batch);
    std::vector<std::int64_t> indices;
    const std::int64_t steps = (train.count + batch - 1) / batch;
    const auto start = Clock::now();
    for (std::int64_t s = 0; s < steps; ++s) {
      stream.next(indices);
      mu2net::assembleBatch(train, indices, hp, true, rng, images.data(), labels.data());
    }
    std::printf("assemble one epoch (%lld batches of %lld, 28x28x3, %s): %.3f s\n",
                static_cast<long long>(steps), static_cast<long long>(batch),
                augment ? "crop+flip+brightness+contrast" : "no augmentation", secondsSince(start));
  }
  return 0;
}
