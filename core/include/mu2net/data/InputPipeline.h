#pragma once
// The input pipeline of ALGORITHM.md §4.3 and §5: turns samples of an ImageSet into a float batch
// for the model, with the per-generation data-augmentation hyperparameters (ds_*).
//
// Output layout: NCHW float32, always 3 channels (grey images replicated), imageSize × imageSize,
// values in [-1, 1] (0 ↦ -1, 255 ↦ +1). Torch-free: the caller wraps the buffer in a tensor.
#include <cstdint>
#include <span>

#include "mu2net/common/Rng.h"
#include "mu2net/data/BatchStream.h"
#include "mu2net/data/ImageSet.h"

namespace mu2net {

/// The data-pipeline hyperparameters of one generation (the ds_* entries of ALGORITHM.md §4.3).
struct DataHParams {
  int imageSize = 28;  ///< output height and width in pixels, > 0
  /// Random resized crop (training only): Inception-style crop whose area fraction is uniform in
  /// [areaRangeMin, 1] and whose aspect ratio (width / height) is log-uniform in
  /// [aspectRatioRangeMin, 1 / aspectRatioRangeMin]; up to 10 attempts, else the whole image.
  bool crop = true;
  double areaRangeMin = 0.05;         ///< in (0, 1]
  double aspectRatioRangeMin = 0.75;  ///< in (0, 1]
  bool flipLeftRight = false;         ///< training only: mirror with probability 0.5
  /// Training only: add uniform(-d, d) to every value, in [0, 1] intensity units; d in [0, 1].
  double brightnessDelta = 0.0;
  /// Training only: scale each channel around its mean by uniform(1 - d, 1 + d); d in [0, 1].
  double contrastDelta = 0.0;
};

/// Throws std::invalid_argument naming the field when a value is outside its documented range.
void validateDataHParams(const DataHParams& hp);

/// Writes indices.size() samples of `set` to `images` (indices.size() × 3 × imageSize × imageSize
/// floats, NCHW) and their labels to `labels` (indices.size() values).
///
/// Training: random resized crop (if hp.crop) → bilinear resize to imageSize → optional flip →
/// brightness → contrast → clamp to [0, 1] → map to [-1, 1]. Draws from `rng` per sample in that
/// order (a draw is skipped when its augmentation is off), so equal Rng states give equal output.
/// Evaluation (training == false): bilinear resize of the whole image and scaling only; `rng` is
/// not touched. Bilinear sampling uses pixel centres (half-pixel offsets), so an image already
/// imageSize × imageSize is copied exactly. No heap allocation per sample.
///
/// Requirements: set.channels is 1 or 3; every index in [0, set.count) (else
/// std::out_of_range); hp valid (else std::invalid_argument).
void assembleBatch(const ImageSet& set, std::span<const std::int64_t> indices,
                   const DataHParams& hp, bool training, Rng& rng, float* images,
                   std::int64_t* labels);

}  // namespace mu2net
