#pragma once
// The tensors of one component (one slot of an architecture: embedding, a block, the head, ...).
//
// Torch-free headers refer to this type only through the forward declaration
// `struct mu2net::ComponentTensors;`; the component's identity, locks and bookkeeping live there.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mu2net {

/// Named parameter tensors of one component, with their SGD momentum buffers.
///
/// Invariants: names.size() == params.size() == momentum.size(); momentum[i] has the shape of
/// params[i]; all tensors are float32, contiguous, on the CPU. Momentum is all zeros until the
/// component is trained. The parameter order is the order in which Network.cpp consumes them
/// (see componentShapes()). requires_grad on params is managed by RouteTrainer; a tensor shared by
/// a frozen component is never written.
struct ComponentTensors {
  /// Parameter names within the component, e.g. "weight", "bias", "ln1.weight", "qkv.weight".
  std::vector<std::string> names;
  /// Parameter values.
  std::vector<torch::Tensor> params;
  /// SGD momentum buffers (same size and shapes as params); zeros until trained.
  std::vector<torch::Tensor> momentum;

  /// Builds a component from names and values, with zero momentum. Values are taken as they are
  /// (no copy); throws std::invalid_argument if the sizes differ.
  static std::shared_ptr<ComponentTensors> create(std::vector<std::string> names,
                                                  std::vector<torch::Tensor> params);

  /// Deep copy of params and momentum into fresh storage (requires_grad false on the copy).
  /// A missing momentum buffer is copied as zeros.
  std::shared_ptr<ComponentTensors> clone() const;
  /// Total number of parameter scalars (momentum not counted).
  int64_t numel() const;
  /// The shape of each parameter, in order.
  std::vector<std::vector<int64_t>> shapes() const;
  /// SHA-256 (64 lowercase hex characters) over, for each parameter in order: the name's length
  /// as u64 and its bytes, the rank as u64 and each dimension as u64, the payload length in bytes
  /// as u64 and the raw little-endian float32 bytes of the contiguous values (u64s little-endian).
  /// Momentum is not hashed: it is an optimiser state, not part of the model. This fingerprint of
  /// the values is not what the store calls a component's SHA-256 (componentSha256 in
  /// ComponentIO.h: the file's bytes, momentum included); stores of schema 1 recorded it.
  std::string sha256Hex() const;
};

}  // namespace mu2net
