#pragma once
// The header of a `.safetensors` file (Hugging Face's tensor file format), torch-free, so that
// configuration code can read tensor names, dtypes and shapes without loading any values.
//
// Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON (possibly padded with spaces)
//   { "<tensor name>": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]},
//     ...,
//     "__metadata__": {"<key>": "<string value>", ...} }          (optional)
// then the data area: every tensor's bytes, little-endian, row-major, at [begin, end) counted from
// the first byte after the JSON. The values themselves are read by SafetensorsTensor.h (torch).
//
// Files are treated as hostile: readSafetensorsHeader() checks everything that a later read
// relies on, so that no header, however crafted, leads to an out-of-range read, an overflow or an
// unbounded allocation.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mu2net {

/// Element types this reader accepts (the floating-point types of the format).
enum class SafetensorsDType {
  F16,   ///< IEEE 754 binary16
  BF16,  ///< bfloat16 (the top half of a binary32)
  F32,   ///< IEEE 754 binary32
  F64,   ///< IEEE 754 binary64
};

/// The format's spelling of a dtype: "F16", "BF16", "F32" or "F64".
std::string toString(SafetensorsDType dtype);
/// Bytes per element: 2, 2, 4 or 8.
std::size_t dtypeSize(SafetensorsDType dtype);

/// One tensor of the file, as its header describes it.
/// Invariants (checked on reading): the element count (1 for shape []) times dtypeSize(dtype)
/// equals end - begin; begin <= end <= the size of the data area; no two entries' byte ranges
/// overlap; every dimension fits in int64.
struct SafetensorsEntry {
  /// The tensor's name, e.g. "blocks.0.attn.qkv.weight"; never empty, never "__metadata__".
  std::string name;
  SafetensorsDType dtype = SafetensorsDType::F32;
  /// Dimensions, outermost first; empty for a scalar.
  std::vector<int64_t> shape;
  /// Byte range [begin, end) within the data area.
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  /// Number of elements (the product of shape; 1 for a scalar).
  std::uint64_t numel() const;
};

/// The parsed, validated header of one file.
struct SafetensorsHeader {
  /// The file it was read from (used in error messages and to read values).
  std::filesystem::path file;
  /// Size of the whole file in bytes.
  std::uint64_t fileSize = 0;
  /// Offset in the file of the first byte of the data area (8 + the JSON length).
  std::uint64_t dataStart = 0;
  /// The tensors, in the order in which the JSON lists them.
  std::vector<SafetensorsEntry> entries;
  /// "__metadata__" (string keys to string values); empty when the file has none.
  std::map<std::string, std::string> metadata;

  /// The entry named `name`, or nullptr.
  const SafetensorsEntry* find(std::string_view name) const;
};

/// Upper bound on the JSON header length (bytes). Real headers are a few hundred kilobytes at
/// most; the bound keeps a crafted length from causing a huge allocation.
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

/// Reads and validates the header of `file` (std::ifstream, no mapping). Throws
/// std::runtime_error naming the file and, where it applies, the tensor or key: when the file
/// cannot be opened, is shorter than 8 bytes, its header length exceeds the file or
/// kMaxSafetensorsHeaderBytes, the JSON is malformed or not an object, an entry is not
/// {"dtype", "shape", "data_offsets"} with a known dtype, non-negative integer dimensions and
/// offsets, its byte range does not match shape and dtype, lies outside the data area or overlaps
/// another entry's, or "__metadata__" is not an object of strings.
SafetensorsHeader readSafetensorsHeader(const std::filesystem::path& file);

/// As readSafetensorsHeader, for a JSON header already in memory: `json` is the N header bytes,
/// `dataSize` the length of the data area that follows them. `file` is used in messages and
/// stored in the result; fileSize and dataStart are set as if the bytes came from such a file.
SafetensorsHeader parseSafetensorsHeader(std::string_view json, std::uint64_t dataSize,
                                         const std::filesystem::path& file);

}  // namespace mu2net
