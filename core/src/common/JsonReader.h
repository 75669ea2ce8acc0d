#pragma once
// Strict reading of JSON configuration objects: every key must be known, every value of the
// expected type and range; errors are ConfigError messages naming the key as a dotted path
// (`training.batch_size`, `tasks[1].classes[3]`). Shared by the experiment and pretraining
// configurations.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "common/BoundedFile.h"
#include "common/StrictJson.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/InputLimits.h"

namespace mu2net::jsonreader {

using json = nlohmann::json;

inline std::string typeName(const json& j) {
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer() || j.is_number_unsigned()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "null";
}

// Keys and values come from the file: bytes a terminal cannot show are escaped (\xNN).
[[noreturn]] inline void fail(const std::string& key, const std::string& problem) {
  throw ConfigError(printable("config key '" + key + "': " + problem, 4096));
}

// A JSON object being read: every key must be consumed, so unknown keys are reported by name.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail(pathOrRoot(), "expected an object, found " + typeName(j_));
  }

  std::string key(const std::string& name) const {
    return path_.empty() ? name : path_ + "." + name;
  }

  const json* find(const std::string& name) {
    known_.insert(name);
    const auto it = j_.find(name);
    return it == j_.end() ? nullptr : &*it;
  }

  const json& require(const std::string& name) {
    const json* v = find(name);
    if (!v) fail(key(name), "is required");
    return *v;
  }

  template <typename T>
  void integer(const std::string& name, T& out, long long lo, long long hi) {
    if (const json* v = find(name)) out = static_cast<T>(asInteger(*v, key(name), lo, hi));
  }

  void number(const std::string& name, double& out, double lo, double hi, bool openLow = false) {
    if (const json* v = find(name)) out = asNumber(*v, key(name), lo, hi, openLow);
  }

  void boolean(const std::string& name, bool& out) {
    if (const json* v = find(name)) {
      if (!v->is_boolean()) fail(key(name), "expected a boolean, found " + typeName(*v));
      out = v->get<bool>();
    }
  }

  void string(const std::string& name, std::string& out) {
    if (const json* v = find(name)) out = asString(*v, key(name));
  }

  // Call after reading every known key.
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (!known_.count(it.key())) {
        std::string valid;
        for (const auto& k : known_)
          valid += (valid.empty() ? "" : ", ") + k;
        fail(key(it.key()), "unknown key (valid keys here: " + valid + ")");
      }
    }
  }

  static long long asInteger(const json& v, const std::string& key, long long lo, long long hi) {
    if (!(v.is_number_integer() || v.is_number_unsigned()))
      fail(key, "expected an integer, found " + typeName(v));
    // An unsigned value above the signed range (e.g. 2^64 - 1) must not wrap around to -1.
    if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(hi))
      fail(key, "value " + std::to_string(v.get<unsigned long long>()) + " is outside [" +
                    std::to_string(lo) + ", " + std::to_string(hi) + "]");
    const long long x = v.get<long long>();
    if (x < lo || x > hi)
      fail(key, "value " + std::to_string(x) + " is outside [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
    return x;
  }

  static double asNumber(const json& v, const std::string& key, double lo, double hi,
                         bool openLow) {
    if (!v.is_number()) fail(key, "expected a number, found " + typeName(v));
    const double x = v.get<double>();
    if (x < lo || x > hi || (openLow && x == lo)) {
      std::ostringstream os;
      os << "value " << x << " is outside " << (openLow ? "(" : "[") << lo << ", " << hi << "]";
      fail(key, os.str());
    }
    return x;
  }

  static std::string asString(const json& v, const std::string& key) {
    if (!v.is_string()) fail(key, "expected a string, found " + typeName(v));
    return v.get<std::string>();
  }

 private:
  std::string pathOrRoot() const { return path_.empty() ? "(top level)" : path_; }

  const json& j_;
  std::string path_;
  std::set<std::string> known_;
};

/// Parses configuration text; throws ConfigError saying where the JSON is malformed.
/// A key repeated in one object is refused with the key named.
inline json parseConfigJson(const std::string& text) {
  try {
    return parseStrictJson(text);
  } catch (const StrictJsonError& e) {
    if (!e.key().empty()) fail(e.key(), "appears twice in one object (remove one of them)");
    throw ConfigError(std::string("configuration is not valid JSON: ") + e.what());
  }
}

/// A path written in a configuration: an absolute path as it is, a relative one against `base`
/// (the configuration file's folder; empty: the path as it is).
inline std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() || base.empty() ? path : base / path;
}

/// The text of a configuration file; throws ConfigError naming the file when it is missing, not a
/// regular file (a folder, a FIFO, a device such as /dev/zero), larger than
/// InputLimits::kMaxConfigBytes, or cannot be read.
inline std::string readConfigFile(const std::filesystem::path& file) {
  return readBoundedTextFile(file, "configuration file", InputLimits::kMaxConfigBytes);
}

/// Parses a configuration file with `parse(text, folder of the file)`; errors name the file.
template <typename Parse>
auto loadConfigFile(const std::filesystem::path& file, Parse parse) {
  const std::string text = readConfigFile(file);
  try {
    return parse(text, file.parent_path());
  } catch (const ConfigError& e) {
    throw ConfigError(printable(file.string() + ": " + e.what(), 4096));
  }
}

}  // namespace mu2net::jsonreader
