#pragma once
// The limits that keep a hostile or broken input from taking the machine's memory: every reader
// checks the sizes a file declares (an IDX header, a PNG or JPEG header, a configuration's length)
// against these limits and against the file's real size before it allocates anything. README,
// "Limits", documents them.
//
// Two of them can be changed with environment variables (read on every call, so a test or a user
// can set them at any time): MU2NET_MAX_SPLIT_BYTES and MU2NET_MAX_IMAGE_PIXELS. A value is a
// whole number, optionally with a binary suffix K, M, G or T (e.g. "8G"). Torch-free, Qt-free.
#include <cstdint>
#include <string>

namespace mu2net {

struct InputLimits {
  /// Pixel bytes one split of a dataset (train, validation or test) may hold in memory: 4 GiB by
  /// default (MNIST's training split is 47 MB, CIFAR-10's 150 MB). MU2NET_MAX_SPLIT_BYTES.
  std::int64_t maxSplitBytes = std::int64_t{4} << 30;
  /// Pixels of one PNG or JPEG image (width × height), checked from the header before decoding:
  /// 2^24 (16.8 million, e.g. 4096 × 4096) by default. MU2NET_MAX_IMAGE_PIXELS.
  std::int64_t maxImagePixels = std::int64_t{1} << 24;
  /// Bytes of one PNG or JPEG file: 8 bytes per allowed pixel (128 MiB by default).
  std::int64_t maxImageFileBytes() const { return 8 * maxImagePixels; }
  /// Bytes of a configuration file (experiment or pretraining JSON): 16 MiB, not configurable
  /// (a configuration with thousands of tasks is a few hundred KB).
  static constexpr std::int64_t kMaxConfigBytes = std::int64_t{16} << 20;
  /// Bytes of a class-name file (batches.meta.txt): 1 MiB; a class name: at most 200 bytes.
  static constexpr std::int64_t kMaxClassNameFileBytes = std::int64_t{1} << 20;
  static constexpr std::size_t kMaxClassNameBytes = 200;
};

/// The limits in force now: the defaults above, overridden by the environment variables. Throws
/// ConfigError naming the variable when one holds something other than a positive size.
InputLimits inputLimits();

/// Parses a size such as "4096", "64M" or "8G" (binary suffixes K, M, G, T); returns -1 when the
/// text is not a positive whole number with an optional suffix, or overflows.
std::int64_t parseByteSize(const std::string& text);

/// "47 MB", "4.0 GiB": a byte count for messages.
std::string describeBytes(std::int64_t bytes);

/// Text from a file or from another program (a class name, a key, a file name) made safe to show
/// on a terminal: valid UTF-8 without control characters is kept; every other byte is written as
/// \xNN, and a text longer than `maxBytes` is cut with "...".
std::string printable(const std::string& text, std::size_t maxBytes = 200);

/// True when `text` is valid UTF-8 without control characters (what printable() keeps as is).
bool isPrintableUtf8(const std::string& text);

}  // namespace mu2net
