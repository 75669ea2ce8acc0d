#include "mu2net/common/InputLimits.h"

#include <cstdio>
#include <cstdlib>
#include <limits>

#include "mu2net/common/ConfigError.h"

namespace mu2net {
namespace {

std::int64_t fromEnvironment(const char* name, std::int64_t fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  const std::int64_t parsed = parseByteSize(value);
  if (parsed <= 0)
    throw ConfigError(std::string("environment variable ") + name + ": expected a positive " +
                      "whole number, optionally with a suffix K, M, G or T (e.g. 8G), found '" +
                      printable(value, 40) + "'");
  return parsed;
}

// Length of the UTF-8 sequence starting at text[i] when it is valid and printable, else 0.
std::size_t printableSequence(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return (c >= 0x20 && c != 0x7f) || c == '\t' ? 1 : 0;
  std::size_t n = 0;
  std::uint32_t code = 0;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    code = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    code = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3f);
  }
  // Overlong forms, surrogates, values beyond Unicode and the C1 control characters.
  static constexpr std::uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[n] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ||
      (code >= 0x80 && code < 0xa0))
    return 0;
  return n;
}

}  // namespace

InputLimits inputLimits() {
  InputLimits limits;
  limits.maxSplitBytes = fromEnvironment("MU2NET_MAX_SPLIT_BYTES", limits.maxSplitBytes);
  limits.maxImagePixels = fromEnvironment("MU2NET_MAX_IMAGE_PIXELS", limits.maxImagePixels);
  // 8 bytes per pixel must not overflow.
  if (limits.maxImagePixels > (std::int64_t{1} << 40))
    limits.maxImagePixels = std::int64_t{1} << 40;
  return limits;
}

std::int64_t parseByteSize(const std::string& text) {
  if (text.empty()) return -1;
  std::size_t i = 0;
  std::int64_t value = 0;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    const int digit = text[i] - '0';
    if (value > (kMax - digit) / 10) return -1;
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return -1;
  int shift = 0;
  if (i < text.size()) {
    switch (text[i]) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      case 'T':
      case 't':
        shift = 40;
        break;
      default:
        return -1;
    }
    ++i;
  }
  if (i != text.size()) return -1;
  if (value > (kMax >> shift)) return -1;
  return value << shift;
}

std::string describeBytes(std::int64_t bytes) {
  char text[64];
  if (bytes < 1024)
    std::snprintf(text, sizeof text, "%lld bytes", static_cast<long long>(bytes));
  else if (bytes < (std::int64_t{1} << 20))
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  else if (bytes < (std::int64_t{1} << 30))
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / 1048576.0);
  else
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / 1073741824.0);
  return text;
}

bool isPrintableUtf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = printableSequence(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string printable(const std::string& text, std::size_t maxBytes) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (out.size() >= maxBytes) {
      out += "...";
      break;
    }
    const std::size_t n = printableSequence(text, i);
    if (n > 0) {
      out.append(text, i, n);
      i += n;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", static_cast<unsigned char>(text[i]));
      out += escaped;
      ++i;
    }
  }
  return out;
}

}  // namespace mu2net
