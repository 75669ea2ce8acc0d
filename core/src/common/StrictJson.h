#pragma once
// Private to core: JSON parsing for files people write (configurations) and files the project
// reads back (metadata). Stricter than nlohmann::json::parse: a key repeated in one object is an
// error (the library silently keeps the last one), nesting is bounded (a hostile file of a
// million brackets must not exhaust the stack of code that walks the result), and messages carry
// neither the library's "[json.exception...]" tags nor raw bytes of the input.
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace mu2net {

/// Deepest nesting of arrays and objects accepted (a configuration needs 4).
inline constexpr int kMaxJsonDepth = 64;

/// Why a text is refused: a syntax error, a repeated key or too deep a nesting. what() is a
/// sentence for a person; key() is the dotted path of a repeated key (e.g. "training.batch_size",
/// "tasks[1].name"), empty for other errors.
class StrictJsonError : public std::runtime_error {
 public:
  StrictJsonError(const std::string& message, std::string key)
      : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// Parses `text`; throws StrictJsonError.
nlohmann::json parseStrictJson(const std::string& text);

}  // namespace mu2net
