#pragma once
// Private to core: reading small text files (configurations, metadata) with a size bound, and
// saying precisely why a path is not a readable regular file (missing, a folder, a FIFO, a
// device), so that a folder or a FIFO is never reported as "missing".
#include <cstdint>
#include <filesystem>
#include <string>

namespace mu2net {

/// Why `path` cannot be read as a regular file: "" when it is one, else e.g. "does not exist",
/// "is a folder, not a file", "is a FIFO (named pipe), not a file", "is a device, not a file",
/// "cannot be accessed (Permission denied)".
std::string notARegularFile(const std::filesystem::path& path);

/// The whole text of `file`, refusing (ConfigError "<file>: <problem>; <what> ...") a path that
/// is not a regular file and a file larger than `maxBytes` (checked before reading, and again
/// while reading, so a file that grows cannot exceed it). `what` names the file's role in
/// messages, e.g. "configuration file".
std::string readBoundedTextFile(const std::filesystem::path& file, const std::string& what,
                                std::int64_t maxBytes = std::int64_t{16} << 20);

}  // namespace mu2net
