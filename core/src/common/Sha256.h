#pragma once
// SHA-256 (FIPS 180-4), streaming, torch-free. Used to fingerprint component tensors so that the
// immutability of locked components can be verified rather than assumed.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mu2net {

/// Incremental SHA-256. update() any number of times, then digest() once; after digest() the
/// object must not be updated again (create a new one).
class Sha256 {
 public:
  Sha256();
  /// Appends size bytes starting at data.
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  /// Appends an unsigned 64-bit integer as 8 little-endian bytes (platform independent).
  void updateU64(std::uint64_t value);
  /// Finishes the hash and returns the 32-byte digest.
  std::array<std::uint8_t, 32> digest();
  /// Finishes the hash and returns the digest as 64 lowercase hex characters.
  std::string hexDigest();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t totalBytes_ = 0;
};

/// SHA-256 of a byte string, as 64 lowercase hex characters.
std::string sha256Hex(std::string_view bytes);

}  // namespace mu2net
