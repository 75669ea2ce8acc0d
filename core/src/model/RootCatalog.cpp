#include "mu2net/model/RootCatalog.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mu2net/common/ConfigError.h"

namespace mu2net {
namespace {

using json = nlohmann::json;

constexpr std::uintmax_t kMaxMetadataBytes = 1 << 20;

std::filesystem::path executableFolder() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

std::string readSmallFile(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw ConfigError(file.string() + ": not a regular file");
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxMetadataBytes)
    throw ConfigError(file.string() + ": larger than " + std::to_string(kMaxMetadataBytes) +
                      " bytes; not root metadata");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string() + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<std::filesystem::path> rootSearchPath() {
  std::vector<std::filesystem::path> out;
  if (const char* env = std::getenv("MU2NET_ROOTS_PATH"); env && *env) {
    std::stringstream ss(env);
    std::string part;
    while (std::getline(ss, part, ':'))
      if (!part.empty()) out.emplace_back(part);
  }
  const auto exe = executableFolder();
  if (!exe.empty()) out.push_back((exe.parent_path() / "share" / "mu2net" / "roots"));
  out.emplace_back(MU2NET_SOURCE_ROOTS_DIR);
  return out;
}

RootInfo readRootMetadata(const std::filesystem::path& metadataFile) {
  const std::string where = metadataFile.string();
  json j;
  try {
    j = json::parse(readSmallFile(metadataFile));
  } catch (const json::exception& e) {
    throw ConfigError(where + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  const auto field = [&](const char* key) -> const json& {
    if (!j.is_object() || !j.contains(key))
      throw ConfigError(where + ": the key '" + std::string(key) + "' is missing");
    return j.at(key);
  };
  try {
    if (field("format") != "mu2net-root")
      throw ConfigError(where + ": 'format' is not \"mu2net-root\"");
    RootInfo info;
    info.metadata = metadataFile;
    info.name = field("name").get<std::string>();
    info.architecture =
        parseArchitectureJson(field("architecture").dump(), where + " key 'architecture'");
    info.parameters = field("parameters").get<std::int64_t>();
    info.sha256 = field("sha256").get<std::string>();
    const std::string checkpoint = field("checkpoint").get<std::string>();
    const std::filesystem::path file(checkpoint);
    if (file.is_absolute() || file.has_parent_path())
      throw ConfigError(where + ": 'checkpoint' must be a file name beside the metadata");
    info.file = metadataFile.parent_path() / file;
    const json& pre = field("pretraining");
    info.source = pre.value("source", std::string());
    info.pretrainAccuracy = pre.value("accuracy", 0.0);
    info.steps = pre.value("steps", std::int64_t{0});
    info.seconds = pre.value("seconds", 0.0);
    return info;
  } catch (const json::exception& e) {
    throw ConfigError(where + ": a key has the wrong type (" + std::string(e.what()) + ")");
  }
}

std::vector<RootInfo> listBuiltinRoots() {
  std::map<std::string, RootInfo> found;
  for (const auto& dir : rootSearchPath()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".json") continue;
      try {
        RootInfo info = readRootMetadata(entry.path());
        if (info.name == entry.path().stem().string()) found.emplace(info.name, std::move(info));
      } catch (const ConfigError&) {
        // Not a root's metadata (e.g. a pretraining configuration beside it).
      }
    }
  }
  std::vector<RootInfo> out;
  for (auto& [name, info] : found)
    out.push_back(std::move(info));
  return out;
}

RootInfo findBuiltinRoot(const std::string& name) {
  const std::string key = "config key 'root.pretrained': ";
  if (name.empty() || name.find('/') != std::string::npos || name.front() == '.')
    throw ConfigError(key + "'" + name + "' is not a root name");
  for (const auto& dir : rootSearchPath()) {
    const auto metadata = dir / (name + ".json");
    std::error_code ec;
    if (!std::filesystem::exists(metadata, ec)) continue;
    RootInfo info = readRootMetadata(metadata);
    if (!std::filesystem::is_regular_file(info.file, ec))
      throw ConfigError(key + "the built-in root '" + name + "' has no tensor file " +
                        info.file.string());
    return info;
  }
  std::string known, searched;
  for (const auto& r : listBuiltinRoots())
    known += (known.empty() ? "" : ", ") + r.name;
  for (const auto& dir : rootSearchPath())
    searched += (searched.empty() ? "" : ", ") + dir.string();
  throw ConfigError(key + "no built-in root is named '" + name +
                    "' (known: " + (known.empty() ? std::string("none") : known) + "; searched " +
                    searched + "; see 'mu2net roots')");
}

std::optional<RootInfo> describeRootCheckpoint(const std::filesystem::path& checkpoint) {
  std::filesystem::path metadata = checkpoint;
  metadata.replace_extension(".json");
  std::error_code ec;
  if (metadata == checkpoint || !std::filesystem::exists(metadata, ec)) return std::nullopt;
  RootInfo info = readRootMetadata(metadata);
  if (info.file.filename() != checkpoint.filename()) return std::nullopt;
  return info;
}

}  // namespace mu2net
