#include "common/BoundedFile.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "mu2net/common/ConfigError.h"
#include "mu2net/common/InputLimits.h"

namespace mu2net {

std::string notARegularFile(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return "does not exist";
  if (ec) return "cannot be accessed (" + ec.message() + ")";
  switch (status.type()) {
    case fs::file_type::regular:
      return "";
    case fs::file_type::directory:
      return "is a folder, not a file";
    case fs::file_type::fifo:
      return "is a FIFO (named pipe), not a file";
    case fs::file_type::character:
    case fs::file_type::block:
      return "is a device, not a file";
    case fs::file_type::socket:
      return "is a socket, not a file";
    default:
      return "is not a regular file";
  }
}

std::string readBoundedTextFile(const std::filesystem::path& file, const std::string& what,
                                std::int64_t maxBytes) {
  const std::string where = printable(file.string(), 4096);
  if (const std::string problem = notARegularFile(file); !problem.empty())
    throw ConfigError(where + ": " + problem + "; give the " + what + " as a file");
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  const auto tooLarge = [&](std::int64_t bytes) {
    return ConfigError(where + ": " + describeBytes(bytes) + ", larger than the limit of " +
                       describeBytes(maxBytes) + " for a " + what);
  };
  if (!ec && size > static_cast<std::uintmax_t>(maxBytes))
    throw tooLarge(static_cast<std::int64_t>(size));
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw ConfigError(where + ": cannot open the " + what + " (" + std::strerror(errno) + ")");
  std::string text;
  char buffer[65536];
  while (in) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (static_cast<std::int64_t>(text.size()) > maxBytes)
      throw tooLarge(static_cast<std::int64_t>(text.size()));
  }
  if (in.bad()) throw ConfigError(where + ": cannot read the " + what + " (read error)");
  return text;
}

}  // namespace mu2net
