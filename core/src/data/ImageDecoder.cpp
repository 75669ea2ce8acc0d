#include "data/ImageDecoder.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <jpeglib.h>
#include <png.h>

#include "mu2net/common/InputLimits.h"
#include "mu2net/data/DataError.h"

namespace mu2net {
namespace {

// Refuses an image whose header declares more pixels than the limit, before it is decoded.
void checkImageSize(const std::filesystem::path& file, std::int64_t width, std::int64_t height,
                    const InputLimits& limits) {
  if (width * height > limits.maxImagePixels)
    throw DataError(file, "the header declares an image of " + std::to_string(width) + "x" +
                              std::to_string(height) + " pixels, more than the limit of " +
                              std::to_string(limits.maxImagePixels) +
                              " pixels per image (set MU2NET_MAX_IMAGE_PIXELS to allow more)");
}

std::vector<std::uint8_t> readWholeFile(const std::filesystem::path& file,
                                        const InputLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw DataError(file, "not a regular file");
  const auto fileSize = std::filesystem::file_size(file, ec);
  if (ec) throw DataError(file, "cannot determine the image file's size");
  if (fileSize > static_cast<std::uintmax_t>(limits.maxImageFileBytes()))
    throw DataError(file, "image file of " + describeBytes(static_cast<std::int64_t>(fileSize)) +
                              " is larger than the limit of " +
                              describeBytes(limits.maxImageFileBytes()) +
                              " (8 bytes per pixel of MU2NET_MAX_IMAGE_PIXELS)");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file, "cannot open image file");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0, std::ios::beg);
  if (size > static_cast<std::size_t>(limits.maxImageFileBytes()))
    throw DataError(file, "the image file grew while it was read");
  std::vector<std::uint8_t> bytes(size);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<long>(size)))
    throw DataError(file, "cannot read image file");
  return bytes;
}

DecodedImage decodePng(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes,
                       const InputLimits& limits) {
  // The simplified libpng API does its own error recovery (no setjmp needed here) and handles
  // every bit depth, palettes and alpha.
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    throw DataError(file, std::string("undecodable PNG image: ") + image.message);
  try {
    checkImageSize(file, image.width, image.height, limits);
  } catch (...) {
    png_image_free(&image);
    throw;
  }
  const bool colour = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  image.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  DecodedImage out;
  out.height = image.height;
  out.width = image.width;
  out.channels = colour ? 3 : 1;
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) {
    const std::string message = image.message;
    png_image_free(&image);
    throw DataError(file, "undecodable PNG image: " + message);
  }
  return out;
}

// libjpeg reports fatal errors through error_exit, which must not return. Throwing a C++
// exception through libjpeg's C frames is not safe, so error_exit longjmps back to
// decodeJpegInto(); that function keeps no objects with destructors between setjmp and any
// libjpeg call, so the jump skips nothing that needs cleaning up.
struct JpegErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  char warning[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr info) {
  auto* manager = reinterpret_cast<JpegErrorManager*>(info->err);
  (*info->err->format_message)(info, manager->message);
  std::longjmp(manager->jump, 1);
}

// libjpeg treats corrupt or truncated data as a warning and fills the rest with grey; the data
// layer refuses such files instead, so the first warning is kept and reported.
void jpegEmitMessage(j_common_ptr info, int level) {
  if (level >= 0) return;  // trace messages
  auto* manager = reinterpret_cast<JpegErrorManager*>(info->err);
  if (info->err->num_warnings++ == 0) (*info->err->format_message)(info, manager->warning);
}

// A progressive JPEG may hold any number of scans, each a pass over the whole image: a small file
// with thousands of them takes minutes to decode. Real files have about ten.
constexpr int kMaxJpegScans = 256;

void jpegProgress(j_common_ptr info) {
  auto* decompress = reinterpret_cast<j_decompress_ptr>(info);
  if (decompress->input_scan_number > kMaxJpegScans) {
    auto* manager = reinterpret_cast<JpegErrorManager*>(info->err);
    std::snprintf(manager->message, sizeof manager->message,
                  "more than %d progressive scans (a real image has about ten)", kMaxJpegScans);
    std::longjmp(manager->jump, 1);
  }
}

// Returns false and fills manager.message on failure, or sets *tooLarge (with out's height and
// width from the header) when the image has more than maxPixels pixels.
bool decodeJpegInto(const std::uint8_t* data, std::size_t size, DecodedImage* out,
                    JpegErrorManager* manager, std::int64_t maxPixels, bool* tooLarge) {
  jpeg_decompress_struct info;
  info.err = jpeg_std_error(&manager->base);
  manager->base.error_exit = jpegErrorExit;
  manager->base.emit_message = jpegEmitMessage;
  manager->message[0] = '\0';
  manager->warning[0] = '\0';
  if (setjmp(manager->jump)) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_progress_mgr progress{};
  progress.progress_monitor = jpegProgress;
  info.progress = &progress;
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  // The header's size, checked before jpeg_start_decompress allocates anything for it.
  if (static_cast<std::int64_t>(info.image_width) * info.image_height > maxPixels) {
    out->width = info.image_width;
    out->height = info.image_height;
    *tooLarge = true;
    jpeg_destroy_decompress(&info);
    return true;
  }
  const bool grey = info.num_components == 1;
  info.out_color_space = grey ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  out->height = info.output_height;
  out->width = info.output_width;
  out->channels = info.output_components;
  out->pixels.resize(static_cast<std::size_t>(out->height * out->width * out->channels));
  const auto stride = static_cast<std::size_t>(out->width * out->channels);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out->pixels.data() + info.output_scanline * stride;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

DecodedImage decodeJpeg(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes,
                        const InputLimits& limits) {
  DecodedImage out;
  JpegErrorManager manager;
  bool tooLarge = false;
  if (!decodeJpegInto(bytes.data(), bytes.size(), &out, &manager, limits.maxImagePixels, &tooLarge))
    throw DataError(file, std::string("undecodable JPEG image: ") + manager.message);
  if (tooLarge) checkImageSize(file, out.width, out.height, limits);
  if (manager.base.num_warnings > 0)
    throw DataError(file, std::string("corrupt JPEG data: ") + manager.warning);
  if (out.channels != 1 && out.channels != 3)
    throw DataError(file, "unsupported JPEG colour layout (" + std::to_string(out.channels) +
                              " components; expected grey or RGB)");
  return out;
}

}  // namespace

DecodedImage decodeImageFile(const std::filesystem::path& file) {
  const InputLimits limits = inputLimits();
  const auto bytes = readWholeFile(file, limits);
  static constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngSignature, 8) == 0)
    return decodePng(file, bytes, limits);
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
    return decodeJpeg(file, bytes, limits);
  throw DataError(file, bytes.empty() ? "undecodable image: the file is empty"
                                      : "undecodable image: neither a PNG nor a JPEG signature");
}

}  // namespace mu2net
