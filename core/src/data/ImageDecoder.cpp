#include "data/ImageDecoder.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <jpeglib.h>
#include <png.h>

#include "mu2net/data/DataError.h"

namespace mu2net {
namespace {

std::vector<std::uint8_t> readWholeFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file, "cannot open image file");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0, std::ios::beg);
  std::vector<std::uint8_t> bytes(size);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<long>(size)))
    throw DataError(file, "cannot read image file");
  return bytes;
}

DecodedImage decodePng(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes) {
  // The simplified libpng API does its own error recovery (no setjmp needed here) and handles
  // every bit depth, palettes and alpha.
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    throw DataError(file, std::string("undecodable PNG image: ") + image.message);
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

// Returns false and fills manager.message on failure; out is owned by the caller.
bool decodeJpegInto(const std::uint8_t* data, std::size_t size, DecodedImage* out,
                    JpegErrorManager* manager) {
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
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
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

DecodedImage decodeJpeg(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes) {
  DecodedImage out;
  JpegErrorManager manager;
  if (!decodeJpegInto(bytes.data(), bytes.size(), &out, &manager))
    throw DataError(file, std::string("undecodable JPEG image: ") + manager.message);
  if (manager.base.num_warnings > 0)
    throw DataError(file, std::string("corrupt JPEG data: ") + manager.warning);
  if (out.channels != 1 && out.channels != 3)
    throw DataError(file, "unsupported JPEG colour layout (" + std::to_string(out.channels) +
                              " components; expected grey or RGB)");
  return out;
}

}  // namespace

DecodedImage decodeImageFile(const std::filesystem::path& file) {
  const auto bytes = readWholeFile(file);
  static constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngSignature, 8) == 0)
    return decodePng(file, bytes);
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
    return decodeJpeg(file, bytes);
  throw DataError(file, bytes.empty() ? "undecodable image: the file is empty"
                                      : "undecodable image: neither a PNG nor a JPEG signature");
}

}  // namespace mu2net
