#include "mu2net/data/InputPipeline.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace mu2net {
namespace {

// A crop rectangle in source pixel units (integer-valued).
struct CropBox {
  std::int64_t x0, y0, width, height;
};

// Inception-style random resized crop, as tf.image.sample_distorted_bounding_box and
// torchvision's RandomResizedCrop draw it; the fallback is the whole image (ALGORITHM.md).
CropBox sampleCrop(std::int64_t height, std::int64_t width, const DataHParams& hp, Rng& rng) {
  const double area = static_cast<double>(height * width);
  const double logMin = std::log(hp.aspectRatioRangeMin);
  const double logMax = -logMin;
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double targetArea = area * rng.uniform(hp.areaRangeMin, 1.0);
    const double aspect = std::exp(rng.uniform(logMin, logMax));
    const auto w = static_cast<std::int64_t>(std::lround(std::sqrt(targetArea * aspect)));
    const auto h = static_cast<std::int64_t>(std::lround(std::sqrt(targetArea / aspect)));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      const auto x0 =
          static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(width - w + 1)));
      const auto y0 =
          static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(height - h + 1)));
      return {x0, y0, w, h};
    }
  }
  return {0, 0, width, height};
}

// Source sample positions of each output coordinate along one axis: the two neighbouring source
// pixels and the weight of the second. Computed once per sample and axis into a per-batch buffer.
struct AxisTaps {
  std::vector<std::int64_t> first, second;
  std::vector<float> weight;
  explicit AxisTaps(int size)
      : first(static_cast<std::size_t>(size)),
        second(static_cast<std::size_t>(size)),
        weight(static_cast<std::size_t>(size)) {}

  void compute(std::int64_t start, std::int64_t length) {
    const auto size = static_cast<std::int64_t>(first.size());
    const double scale = static_cast<double>(length) / static_cast<double>(size);
    const auto last = static_cast<double>(start + length - 1);
    for (std::int64_t o = 0; o < size; ++o) {
      // Pixel-centre alignment: output centre o + 0.5 maps to source centre; at scale 1 this is
      // exactly start + o, so native-size images pass through unchanged.
      double s = static_cast<double>(start) + (static_cast<double>(o) + 0.5) * scale - 0.5;
      s = std::clamp(s, static_cast<double>(start), last);
      const auto i0 = static_cast<std::int64_t>(std::floor(s));
      const auto k = static_cast<std::size_t>(o);
      first[k] = i0;
      second[k] = std::min(i0 + 1, start + length - 1);
      weight[k] = static_cast<float>(s - static_cast<double>(i0));
    }
  }
};

}  // namespace

void validateDataHParams(const DataHParams& hp) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("DataHParams: " + what); };
  if (hp.imageSize <= 0) fail("imageSize " + std::to_string(hp.imageSize) + " must be > 0");
  if (!(hp.areaRangeMin > 0.0 && hp.areaRangeMin <= 1.0))
    fail("areaRangeMin " + std::to_string(hp.areaRangeMin) + " must be in (0, 1]");
  if (!(hp.aspectRatioRangeMin > 0.0 && hp.aspectRatioRangeMin <= 1.0))
    fail("aspectRatioRangeMin " + std::to_string(hp.aspectRatioRangeMin) + " must be in (0, 1]");
  if (!(hp.brightnessDelta >= 0.0 && hp.brightnessDelta <= 1.0))
    fail("brightnessDelta " + std::to_string(hp.brightnessDelta) + " must be in [0, 1]");
  if (!(hp.contrastDelta >= 0.0 && hp.contrastDelta <= 1.0))
    fail("contrastDelta " + std::to_string(hp.contrastDelta) + " must be in [0, 1]");
}

void assembleBatch(const ImageSet& set, std::span<const std::int64_t> indices,
                   const DataHParams& hp, bool training, Rng& rng, float* images,
                   std::int64_t* labels) {
  validateDataHParams(hp);
  if (set.channels != 1 && set.channels != 3 && !indices.empty())
    throw std::invalid_argument("assembleBatch: images have " + std::to_string(set.channels) +
                                " channels; 1 or 3 are supported");
  if (!set.valid()) throw std::invalid_argument("assembleBatch: ImageSet violates its invariants");

  const int size = hp.imageSize;
  const std::int64_t plane = static_cast<std::int64_t>(size) * size;
  const std::int64_t channels = set.channels;
  AxisTaps xs(size), ys(size);  // per batch, reused for every sample
  constexpr float kToUnit = 1.0f / 255.0f;

  for (std::size_t n = 0; n < indices.size(); ++n) {
    const std::int64_t index = indices[n];
    if (index < 0 || index >= set.count)
      throw std::out_of_range("assembleBatch: sample index " + std::to_string(index) +
                              " outside [0, " + std::to_string(set.count) + ")");
    labels[n] = set.labels[static_cast<std::size_t>(index)];

    CropBox box{0, 0, set.width, set.height};
    bool flip = false;
    float brightness = 0.0f;
    float contrast = 1.0f;
    if (training) {
      if (hp.crop) box = sampleCrop(set.height, set.width, hp, rng);
      if (hp.flipLeftRight) flip = rng.bernoulli(0.5);
      if (hp.brightnessDelta > 0.0)
        brightness = static_cast<float>(rng.uniform(-hp.brightnessDelta, hp.brightnessDelta));
      if (hp.contrastDelta > 0.0)
        contrast = static_cast<float>(rng.uniform(1.0 - hp.contrastDelta, 1.0 + hp.contrastDelta));
    }
    xs.compute(box.x0, box.width);
    ys.compute(box.y0, box.height);

    // Resize straight into the output planes, values in [0, 1]. Grey images fill plane 0 only
    // and are replicated at the end.
    float* out = images + static_cast<std::int64_t>(n) * 3 * plane;
    const std::uint8_t* src = set.image(index);
    const std::int64_t rowStride = set.width * channels;
    for (std::int64_t c = 0; c < channels; ++c) {
      float* dst = out + c * plane;
      for (int oy = 0; oy < size; ++oy) {
        const auto ky = static_cast<std::size_t>(oy);
        const std::uint8_t* row0 = src + ys.first[ky] * rowStride + c;
        const std::uint8_t* row1 = src + ys.second[ky] * rowStride + c;
        const float wy = ys.weight[ky];
        float* dstRow = dst + static_cast<std::int64_t>(oy) * size;
        for (int ox = 0; ox < size; ++ox) {
          const auto kx = static_cast<std::size_t>(ox);
          const std::int64_t a = xs.first[kx] * channels, b = xs.second[kx] * channels;
          const float wx = xs.weight[kx];
          const float top =
              static_cast<float>(row0[a]) + wx * static_cast<float>(row0[b] - row0[a]);
          const float bottom =
              static_cast<float>(row1[a]) + wx * static_cast<float>(row1[b] - row1[a]);
          dstRow[flip ? size - 1 - ox : ox] = (top + wy * (bottom - top)) * kToUnit;
        }
      }
      // Brightness, then contrast around the channel's mean (tf.image.adjust_contrast), then
      // clamp and map [0, 1] → [-1, 1].
      if (brightness != 0.0f)
        for (std::int64_t p = 0; p < plane; ++p)
          dst[p] += brightness;
      if (contrast != 1.0f) {
        double sum = 0.0;
        for (std::int64_t p = 0; p < plane; ++p)
          sum += dst[p];
        const auto mean = static_cast<float>(sum / static_cast<double>(plane));
        for (std::int64_t p = 0; p < plane; ++p)
          dst[p] = (dst[p] - mean) * contrast + mean;
      }
      for (std::int64_t p = 0; p < plane; ++p)
        dst[p] = std::clamp(dst[p], 0.0f, 1.0f) * 2.0f - 1.0f;
    }
    if (channels == 1) {
      std::memcpy(out + plane, out, static_cast<std::size_t>(plane) * sizeof(float));
      std::memcpy(out + 2 * plane, out, static_cast<std::size_t>(plane) * sizeof(float));
    }
  }
}

}  // namespace mu2net
