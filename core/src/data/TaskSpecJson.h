#pragma once
// Reading a task's dataset keys from a JSON configuration object: shared by the experiment and
// pretraining configurations (a task and a pretraining source name a dataset the same way).
#include <filesystem>

#include "common/JsonReader.h"
#include "mu2net/data/TaskData.h"

namespace mu2net::jsonreader {

/// Reads the dataset keys a task and a pretraining source share: name (non-empty), format, path
/// (relative paths resolve against baseDir) and the optional class subset (at least two distinct
/// indices). Leaves the object's other keys to the caller.
TaskSpec readTaskKeys(ObjectReader& r, const std::filesystem::path& baseDir);

}  // namespace mu2net::jsonreader
