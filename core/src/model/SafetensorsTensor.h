#pragma once
// The values of a `.safetensors` file as float32 tensors (the torch half of Safetensors.h).
#include <torch/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "model/Safetensors.h"

namespace mu2net {

/// The values of `entry` (an entry of `header`), read from header.file with std::ifstream, as a
/// fresh contiguous float32 CPU tensor of entry.shape. F16, BF16 and F64 are converted (F64 is
/// rounded to nearest). Values are returned as stored: NaN and infinities are not checked here.
/// Throws std::runtime_error naming the file and the tensor when the bytes cannot be read (for
/// instance a file that shrank since its header was read).
at::Tensor readSafetensorsTensor(const SafetensorsHeader& header, const SafetensorsEntry& entry);

/// Every tensor of `file` (readSafetensorsHeader, then readSafetensorsTensor), in header order.
std::vector<std::pair<std::string, at::Tensor>> readSafetensors(const std::filesystem::path& file);

}  // namespace mu2net
