#include "model/SafetensorsTensor.h"

#include <ATen/Functions.h>

#include <bit>
#include <fstream>
#include <stdexcept>

namespace mu2net {

// The format stores little-endian values; the bytes are copied into tensors as they are.
static_assert(std::endian::native == std::endian::little,
              "the safetensors reader assumes a little-endian host");

namespace {

at::ScalarType scalarType(SafetensorsDType dtype) {
  switch (dtype) {
    case SafetensorsDType::F16:
      return at::kHalf;
    case SafetensorsDType::BF16:
      return at::kBFloat16;
    case SafetensorsDType::F32:
      return at::kFloat;
    case SafetensorsDType::F64:
      return at::kDouble;
  }
  throw std::logic_error("unknown SafetensorsDType");
}

}  // namespace

at::Tensor readSafetensorsTensor(const SafetensorsHeader& header, const SafetensorsEntry& entry) {
  const auto where = [&] {
    return "safetensors file " + header.file.string() + ", tensor '" + entry.name + "'";
  };
  const std::uint64_t bytes = entry.end - entry.begin;
  // The header checks guarantee this, but the entry may have been built by hand.
  if (entry.end < entry.begin || bytes != entry.numel() * dtypeSize(entry.dtype) ||
      header.dataStart + entry.end > header.fileSize)
    throw std::runtime_error(where() + ": the entry does not describe a valid byte range");
  at::Tensor raw = at::empty(entry.shape, at::TensorOptions().dtype(scalarType(entry.dtype)));
  if (bytes > 0) {
    std::ifstream in(header.file, std::ios::binary);
    if (!in) throw std::runtime_error(where() + ": cannot open the file");
    in.seekg(static_cast<std::streamoff>(header.dataStart + entry.begin));
    in.read(static_cast<char*>(raw.data_ptr()), static_cast<std::streamsize>(bytes));
    if (!in || static_cast<std::uint64_t>(in.gcount()) != bytes)
      throw std::runtime_error(where() + ": cannot read its " + std::to_string(bytes) +
                               " bytes (file truncated since its header was read?)");
  }
  return entry.dtype == SafetensorsDType::F32 ? raw : raw.to(at::kFloat).contiguous();
}

std::vector<std::pair<std::string, at::Tensor>> readSafetensors(const std::filesystem::path& file) {
  const SafetensorsHeader header = readSafetensorsHeader(file);
  std::vector<std::pair<std::string, at::Tensor>> out;
  out.reserve(header.entries.size());
  for (const auto& entry : header.entries)
    out.emplace_back(entry.name, readSafetensorsTensor(header, entry));
  return out;
}

}  // namespace mu2net
