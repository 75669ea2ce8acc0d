#pragma once
// Writing an output file so that a failure is reported and never leaves a partial file behind.
//
// Every file the tools write for the user (exports, reports, roots) goes through here: the bytes
// go to a temporary file beside the target, which is flushed to disk, checked and renamed over
// the target, so the target holds either the old contents or all of the new ones. A target that
// exists and is not a regular file (a device such as /dev/stdout or /dev/full, a FIFO) is written
// in place, never replaced, and every write error is still reported.
#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace mu2net {

/// An output that could not be written completely (disk full, no permission, read-only file
/// system, a directory in the way). The message names the file and the system's reason.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes `bytes` to `file` as described above. Throws OutputError; on failure the temporary
/// file is removed and a regular target is left as it was.
void writeOutputFile(const std::filesystem::path& file, std::string_view bytes);

}  // namespace mu2net
