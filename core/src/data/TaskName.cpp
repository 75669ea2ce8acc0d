// Task names: validated once, where a configuration or an added task names them.
#include <cstdint>
#include <cstdio>
#include <string>

#include "mu2net/common/ConfigError.h"
#include "mu2net/data/TaskData.h"

namespace mu2net {
namespace {

// The code point starting at name[i] (advancing i), or -1 for invalid UTF-8 (a stray
// continuation byte, a truncated or overlong sequence, a surrogate, beyond U+10FFFF).
long nextCodePoint(const std::string& name, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(name[k]); };
  const unsigned char b0 = byte(i);
  int length = 0;
  long cp = 0;
  long minimum = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    length = 2, cp = b0 & 0x1F, minimum = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, cp = b0 & 0x0F, minimum = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, cp = b0 & 0x07, minimum = 0x10000;
  } else {
    return -1;
  }
  if (i + static_cast<std::size_t>(length) > name.size()) return -1;
  for (int k = 1; k < length; ++k) {
    const unsigned char b = byte(i + static_cast<std::size_t>(k));
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += static_cast<std::size_t>(length);
  return cp;
}

bool unprintable(long cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||  // C0, DEL, C1 controls
         cp == 0x2028 || cp == 0x2029 ||                           // line, paragraph separators
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||  // bidi overrides
         cp == 0xFEFF;                                                        // byte order mark
}

std::string codePointText(long cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04lX", static_cast<unsigned long>(cp));
  return buffer;
}

}  // namespace

void checkTaskName(const std::string& name, const std::string& key) {
  const std::string where = "config key '" + key + "': ";
  if (name.empty()) throw ConfigError(where + "a task name must not be empty");
  if (name.size() > kMaxTaskNameBytes)
    throw ConfigError(where + "the task name is " + std::to_string(name.size()) +
                      " bytes long; at most " + std::to_string(kMaxTaskNameBytes) + " are allowed");
  if (name.front() == ' ' || name.back() == ' ')
    throw ConfigError(where + "the task name '" + name + "' begins or ends with a space");
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t at = i;
    const long cp = nextCodePoint(name, i);
    if (cp < 0)
      throw ConfigError(where + "the task name is not valid UTF-8 (at byte " + std::to_string(at) +
                        ")");
    if (unprintable(cp))
      throw ConfigError(where + "the task name holds the unprintable character " +
                        codePointText(cp) + " (at byte " + std::to_string(at) +
                        "); use letters, digits, spaces and punctuation");
  }
}

}  // namespace mu2net
