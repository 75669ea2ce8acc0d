#include "model/TensorCheck.h"

#include <ATen/Functions.h>
#include <c10/core/ScalarType.h>

#include <stdexcept>

namespace mu2net {
namespace {

std::string shapeText(at::IntArrayRef sizes) {
  std::string out = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i)
    out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + "]";
}

[[noreturn]] void refuse(const std::string& what, const std::string& problem) {
  throw std::runtime_error(what + ": " + problem);
}

}  // namespace

void checkStoredTensor(const at::Tensor& t, const std::string& what) {
  if (!t.defined()) refuse(what, "is not a tensor");
  if (t.layout() != at::kStrided || t.is_quantized())
    refuse(what, "is not a dense tensor (sparse, quantized or another layout)");
  if (!t.device().is_cpu()) refuse(what, "is not stored for the CPU");
  if (t.scalar_type() != at::kFloat)
    refuse(what, std::string("holds ") + c10::toString(t.scalar_type()) + " values, not float32");
  if (!t.has_storage()) refuse(what, "has no storage");
  // The last element the declared sizes and strides address must lie inside the storage.
  const at::IntArrayRef sizes = t.sizes();
  const at::IntArrayRef strides = t.strides();
  const int64_t offset = t.storage_offset();
  if (offset < 0) refuse(what, "has a negative storage offset");
  bool empty = false;
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] < 0 || strides[d] < 0) refuse(what, "has a negative size or stride");
    empty = empty || sizes[d] == 0;
  }
  if (empty) return;
  std::uint64_t last = static_cast<std::uint64_t>(offset);
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    std::uint64_t extent = 0;
    if (__builtin_mul_overflow(static_cast<std::uint64_t>(sizes[d] - 1),
                               static_cast<std::uint64_t>(strides[d]), &extent) ||
        __builtin_add_overflow(last, extent, &last))
      refuse(what, "declares a shape " + shapeText(sizes) + " too large to address");
  }
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(last + 1, std::uint64_t{sizeof(float)}, &bytes) ||
      bytes > t.storage().nbytes())
    refuse(what, "declares the shape " + shapeText(sizes) + ", which needs more values than its " +
                     std::to_string(t.storage().nbytes() / sizeof(float)) +
                     " stored ones (the file is corrupt or crafted)");
  if (t.storage().nbytes() > 0 && t.storage().data_ptr().get() == nullptr)
    refuse(what, "has no data");
}

void checkTensorShape(const at::Tensor& t, const std::vector<int64_t>& shape,
                      const std::string& what) {
  if (t.sizes() != at::IntArrayRef(shape))
    refuse(what, "has the shape " + shapeText(t.sizes()) + ", expected " + shapeText(shape));
}

void checkTensorFinite(const at::Tensor& t, const std::string& what) {
  if (t.numel() > 0 && !at::isfinite(t).all().item<bool>())
    refuse(what, "holds NaN or infinite values");
}

}  // namespace mu2net
