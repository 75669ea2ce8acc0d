#pragma once
// Private to core: decodes one PNG or JPEG file into 8-bit grey or RGB pixels.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace mu2net {

/// A decoded image: height × width × channels bytes, row-major, channels 1 (grey) or 3 (RGB).
struct DecodedImage {
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 0;
  std::vector<std::uint8_t> pixels;
};

/// Decodes a PNG or JPEG file, recognised by its signature bytes (not its name). Grey images stay
/// 1 channel, everything else becomes RGB (alpha composited on black). Throws DataError naming
/// the file on any failure (unreadable, unknown format, corrupt data).
DecodedImage decodeImageFile(const std::filesystem::path& file);

}  // namespace mu2net
