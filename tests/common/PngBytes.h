#pragma once
// Bytes of hand-made binary test inputs: big-endian integers (IDX headers, PNG chunks) and PNG
// chunks with their CRC, for the PNGs that hostile-input tests and fuzzers build chunk by chunk.
#include <zlib.h>

#include <cstdint>
#include <vector>

namespace mu2net::testdata {

/// Appends `v` as 4 big-endian bytes.
inline void putBe32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(v >> shift));
}

/// Appends one PNG chunk: length, 4-letter `type`, `data` and the CRC of type and data.
inline void appendPngChunk(std::vector<std::uint8_t>& out, const char* type,
                           const std::vector<std::uint8_t>& data) {
  putBe32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  putBe32(out, static_cast<std::uint32_t>(
                   crc32(0, out.data() + start, static_cast<uInt>(out.size() - start))));
}

}  // namespace mu2net::testdata
