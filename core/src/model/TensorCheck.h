#pragma once
// Checks on a tensor read from disk (a component file, a checkpoint, an imported model) before
// any of its values is touched. A file can declare a shape larger than the storage it carries:
// copying, hashing or exporting such a tensor reads memory outside the storage (a crash, or heap
// contents leaked into the output). Every reader of tensors calls checkStoredTensor first.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mu2net {

/// Throws std::runtime_error "<what>: <problem>" unless `t` is a defined, dense (strided) CPU
/// float32 tensor whose sizes, strides and storage offset are non-negative and address only
/// elements inside its storage. `what` names the file and the tensor.
void checkStoredTensor(const at::Tensor& t, const std::string& what);

/// Throws std::runtime_error "<what>: ..." unless t's sizes are `shape`.
void checkTensorShape(const at::Tensor& t, const std::vector<int64_t>& shape,
                      const std::string& what);

/// Throws std::runtime_error "<what>: holds NaN or infinite values" unless every value is finite.
/// Call it on a tensor that passed checkStoredTensor.
void checkTensorFinite(const at::Tensor& t, const std::string& what);

}  // namespace mu2net
