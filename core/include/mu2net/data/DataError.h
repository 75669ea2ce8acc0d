#pragma once
// The one exception type of the data layer: bad input (a missing or truncated file, a wrong magic
// number, a label out of range, an undecodable image, a bad task specification).
//
// Invariant: what() always names the file or folder concerned (or the task, for specification
// errors) and the problem found, so that a person can fix the input from the message alone.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "mu2net/common/InputLimits.h"

namespace mu2net {

class DataError : public std::runtime_error {
 public:
  /// A fully formed message (use when the subject is not a single path, e.g. a task name).
  explicit DataError(const std::string& message) : std::runtime_error(message) {}
  /// Message "<where>: <problem>"; bytes of the path that a terminal cannot show are escaped.
  DataError(const std::filesystem::path& where, std::string_view problem)
      : std::runtime_error(printable(where.string(), 4096) + ": " + std::string(problem)) {}
};

}  // namespace mu2net
