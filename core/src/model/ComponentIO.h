#pragma once
// Torch-free access to a component's tensors, for code that must not include torch (the store).
// Implemented in ComponentFile.cpp.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mu2net {

struct ComponentTensors;

/// Bytes of a component file: torch::pickle_save of a dict {"param/<name>": tensor,
/// "momentum/<name>": tensor} in parameter order; `torch.load` in Python reads it.
std::vector<char> serializeComponent(const ComponentTensors& component);
/// Inverse of serializeComponent. Throws std::runtime_error mentioning `where` when the bytes are
/// not such a dict (truncated or corrupt file).
std::shared_ptr<ComponentTensors> deserializeComponent(const std::vector<char>& bytes,
                                                       const std::string& where);
/// ComponentTensors::sha256Hex.
std::string componentSha256(const ComponentTensors& component);
/// ComponentTensors::shapes.
std::vector<std::vector<int64_t>> componentShapesOf(const ComponentTensors& component);

}  // namespace mu2net
