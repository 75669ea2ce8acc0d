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
/// Inverse of serializeComponent. Every tensor is checked before its values are touched
/// (TensorCheck.h: float32, dense, inside its storage); with `expectedShapes` the parameters must
/// have exactly those shapes, in order. Throws std::runtime_error mentioning `where` and the tensor
/// when the bytes are not such a dict (truncated, corrupt or crafted file).
std::shared_ptr<ComponentTensors> deserializeComponent(
    const std::vector<char>& bytes, const std::string& where,
    const std::vector<std::vector<int64_t>>* expectedShapes = nullptr);
/// A component's SHA-256 (64 lowercase hex digits): the SHA-256 of its file's bytes,
/// serializeComponent(component), which is what `sha256sum DIR/components/<id>.pt` prints. The
/// store records it, `verify` and every load check it, the graph and the workbench show it.
std::string componentSha256(const ComponentTensors& component);
/// The hash that stores of schema version 1 recorded: ComponentTensors::sha256Hex (parameter
/// values only, momentum not covered). Used to check and migrate such stores.
std::string legacyComponentSha256(const ComponentTensors& component);
/// ComponentTensors::shapes.
std::vector<std::vector<int64_t>> componentShapesOf(const ComponentTensors& component);

}  // namespace mu2net
