#pragma once
// A set of equally sized 8-bit images with integer class labels, as read from disk.
//
// Layout: pixels are NHWC, row-major: sample i, row y, column x, channel c is at
// ((i * height + y) * width + x) * channels + c. Values are the file's own 0..255 intensities
// (no normalisation; the input pipeline scales them). Images stay uint8 so that MNIST's 60,000
// training images take 47 MB, not 188 MB.
//
// Invariants (checked by valid()): pixels.size() == count * height * width * channels,
// labels.size() == count, and height, width, channels > 0 whenever count > 0. Labels are class
// indices >= 0; the number of classes is held by whoever owns the set (DatasetSource, TaskData).
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace mu2net {

struct ImageSet {
  std::int64_t count = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 0;
  std::vector<std::uint8_t> pixels;  ///< NHWC, count * height * width * channels bytes
  std::vector<std::int32_t> labels;  ///< one class index per sample

  /// Bytes per image (height * width * channels).
  std::int64_t imageBytes() const { return height * width * channels; }
  bool empty() const { return count == 0; }

  /// Start of image i (no bounds check; i in [0, count)).
  const std::uint8_t* image(std::int64_t i) const { return pixels.data() + i * imageBytes(); }
  std::uint8_t* image(std::int64_t i) { return pixels.data() + i * imageBytes(); }

  /// Intensity of sample i at row y, column x, channel c (no bounds check).
  std::uint8_t pixel(std::int64_t i, std::int64_t y, std::int64_t x, std::int64_t c = 0) const {
    return pixels[static_cast<std::size_t>(((i * height + y) * width + x) * channels + c)];
  }

  /// True when the layout invariants above hold.
  bool valid() const;

  /// Copies the selected samples, in the order given (an index may repeat). Throws
  /// std::out_of_range for an index outside [0, count).
  ImageSet subset(std::span<const std::int64_t> indices) const;

  /// Smallest and largest label, {0, -1} for an empty set.
  std::pair<std::int32_t, std::int32_t> labelRange() const;
  /// Number of distinct labels present.
  std::int64_t distinctLabels() const;
};

}  // namespace mu2net
