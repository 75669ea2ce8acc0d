#pragma once
// gzip (RFC 1952) compression of test inputs built in memory: the .gz forms of the files that
// hostile-input tests and fuzzers feed the readers.
#include <zlib.h>

#include <cstdint>
#include <vector>

namespace mu2net::testdata {

/// `raw` compressed as one gzip member.
inline std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& raw) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::vector<std::uint8_t> out(deflateBound(&z, raw.size()) + 32);
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace mu2net::testdata
