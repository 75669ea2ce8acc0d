#pragma once
// An ArchitectureConfig as the JSON object of a configuration's `root` keys ("architecture",
// "stem", "image_size", "patch_size", "width", "heads", "mlp_dim", "depth"): read by the
// experiment configuration, root metadata and pretraining configurations, written into each.
// The public entry points, architectureToJson() and parseArchitectureJson(), are declared in
// mu2net/model/Architecture.h.
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/JsonReader.h"
#include "mu2net/model/Architecture.h"

namespace mu2net {

/// Reads the architecture keys of an object (a `root` object or a root's metadata) into `a`,
/// leaving the object's other keys to the caller, and records in `given` which keys were present.
/// Throws ConfigError naming the key on a wrong type or a value out of range.
void readArchitectureKeys(jsonreader::ObjectReader& r, ArchitectureConfig& a,
                          std::set<std::string>& given);

/// Every architecture key of `a` as a JSON object.
nlohmann::json architectureJson(const ArchitectureConfig& a);

}  // namespace mu2net
