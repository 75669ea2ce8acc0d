#include "store/ComponentCheck.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/Sha256.h"
#include "model/ComponentIO.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {

std::string bytesSha256(const std::vector<char>& bytes) {
  return sha256Hex(std::string_view(bytes.data(), bytes.size()));
}

std::string componentHash(const std::vector<char>& bytes, const std::filesystem::path& file,
                          int schemaVersion) {
  if (schemaVersion >= 2) return bytesSha256(bytes);
  try {
    return legacyComponentSha256(*deserializeComponent(bytes, "component file " + file.string()));
  } catch (const std::exception& e) {
    throw StoreError(e.what());
  }
}

void checkComponentHash(int64_t id, const std::filesystem::path& file,
                        const std::vector<char>& bytes, const std::string& recorded,
                        int schemaVersion) {
  const std::string now = componentHash(bytes, file, schemaVersion);
  if (now != recorded)
    throw StoreError("component " + std::to_string(id) + ": " + file.string() +
                     " was modified after it was written (its SHA-256 is " + now.substr(0, 12) +
                     "…, the store recorded " + recorded.substr(0, 12) +
                     "…); restore it from a backup");
}

std::shared_ptr<ComponentTensors> loadCheckedComponent(int64_t id, const std::vector<char>& bytes,
                                                       const std::filesystem::path& file,
                                                       const std::string& shapesJson,
                                                       const std::string& recorded,
                                                       int schemaVersion) {
  try {
    if (schemaVersion >= 2) checkComponentHash(id, file, bytes, recorded, schemaVersion);
    const auto shapes = nlohmann::json::parse(shapesJson).get<std::vector<std::vector<int64_t>>>();
    auto tensors = deserializeComponent(bytes, "component file " + file.string(), &shapes);
    if (schemaVersion < 2) checkComponentHash(id, file, bytes, recorded, schemaVersion);
    return tensors;
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw StoreError(std::string(e.what()) + " (component " + std::to_string(id) + ")");
  }
}

}  // namespace mu2net
