#pragma once
// Files of named component tensors: a root checkpoint, or one task's model.
//
// Format: torch::pickle_save of a dict { "<slot>/<param>": tensor }, loadable from Python with
// `torch.load(path)` (a dict of tensors). Momentum buffers are not stored: a file holds a model,
// not an optimiser state.
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/ComponentTensors.h"

namespace mu2net {

using SlotTensors = std::vector<std::pair<std::string, std::shared_ptr<ComponentTensors>>>;

/// Writes the components (slot name, tensors) to `file` atomically (temporary name, then rename).
/// Throws std::runtime_error naming the file on an I/O failure.
void saveComponentFile(const std::filesystem::path& file, const SlotTensors& components);

/// Reads a file written by saveComponentFile (or by Python's torch.save of such a dict).
/// Components come back in the file's order with zero momentum. Throws std::runtime_error naming
/// the file when it is missing, unreadable or not a dict of float tensors keyed "slot/param".
SlotTensors loadComponentFile(const std::filesystem::path& file);

}  // namespace mu2net
