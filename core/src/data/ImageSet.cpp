#include "mu2net/data/ImageSet.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace mu2net {

bool ImageSet::valid() const {
  if (count < 0 || height < 0 || width < 0 || channels < 0) return false;
  if (count > 0 && (height == 0 || width == 0 || channels == 0)) return false;
  return pixels.size() == static_cast<std::size_t>(count * imageBytes()) &&
         labels.size() == static_cast<std::size_t>(count);
}

ImageSet ImageSet::subset(std::span<const std::int64_t> indices) const {
  ImageSet out;
  out.count = static_cast<std::int64_t>(indices.size());
  out.height = height;
  out.width = width;
  out.channels = channels;
  const auto bytes = static_cast<std::size_t>(imageBytes());
  // One allocation for the whole subset; each sample is a single contiguous copy.
  out.pixels.resize(bytes * indices.size());
  out.labels.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::int64_t i = indices[k];
    if (i < 0 || i >= count)
      throw std::out_of_range("ImageSet::subset: index " + std::to_string(i) + " outside [0, " +
                              std::to_string(count) + ")");
    std::memcpy(out.pixels.data() + k * bytes, image(i), bytes);
    out.labels[k] = labels[static_cast<std::size_t>(i)];
  }
  return out;
}

std::pair<std::int32_t, std::int32_t> ImageSet::labelRange() const {
  if (labels.empty()) return {0, -1};
  const auto [lo, hi] = std::minmax_element(labels.begin(), labels.end());
  return {*lo, *hi};
}

std::int64_t ImageSet::distinctLabels() const {
  const auto [lo, hi] = labelRange();
  if (hi < lo || lo < 0) {
    // Empty, or negative labels (not produced by the readers): count by sorting a copy.
    std::vector<std::int32_t> copy(labels);
    std::sort(copy.begin(), copy.end());
    return std::unique(copy.begin(), copy.end()) - copy.begin();
  }
  std::vector<bool> seen(static_cast<std::size_t>(hi) + 1, false);
  std::int64_t distinct = 0;
  for (auto l : labels) {
    if (!seen[static_cast<std::size_t>(l)]) {
      seen[static_cast<std::size_t>(l)] = true;
      ++distinct;
    }
  }
  return distinct;
}

}  // namespace mu2net
