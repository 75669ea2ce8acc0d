// Continuing a stored experiment with a configuration: what may change on resume, and the hash
// that identifies a configuration.
#include <algorithm>

#include "common/Sha256.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {

std::string configHash(const ExperimentConfig& config) {
  return sha256Hex(experimentConfigToJson(config));
}

ExperimentConfig mergeResumeConfig(const ExperimentConfig& stored,
                                   const ExperimentConfig& requested) {
  if (stored.seed != requested.seed)
    throw ConfigError("config key 'seed': the experiment was run with seed " +
                      std::to_string(stored.seed) + "; another seed (" +
                      std::to_string(requested.seed) + ") cannot continue it");
  if (!(stored.root.architecture == requested.root.architecture))
    throw ConfigError(
        "config key 'root': the root architecture differs from the one the experiment was run "
        "with; it cannot be continued with another root");
  if (stored.root.pretrained != requested.root.pretrained)
    throw ConfigError(
        "config key 'root.pretrained': differs from the experiment's ('" +
        (stored.root.pretrained.empty() ? std::string("none") : stored.root.pretrained) +
        "'); it cannot be continued with another root");
  // A built-in root is compared by name: its file's location depends on the installation.
  if (stored.root.pretrained.empty() &&
      normalPath(stored.root.checkpoint) != normalPath(requested.root.checkpoint))
    throw ConfigError("config key 'root.checkpoint': differs from the experiment's ('" +
                      stored.root.checkpoint.string() + "')");
  const auto searchSpaceJson = [](const ExperimentConfig& c) {
    ExperimentConfig only;
    only.searchSpace = c.searchSpace;
    return experimentConfigToJson(only);
  };
  if (searchSpaceJson(stored) != searchSpaceJson(requested) ||
      stored.imageSizes != requested.imageSizes)
    throw ConfigError(
        "config key 'search_space': differs from the experiment's; the search space cannot "
        "change on resume");
  ExperimentConfig merged = stored;
  merged.evolution = requested.evolution;
  merged.training = requested.training;
  for (const auto& t : requested.tasks) {
    const auto known = std::find_if(merged.tasks.begin(), merged.tasks.end(),
                                    [&](const TaskSpec& s) { return s.name == t.name; });
    if (known == merged.tasks.end()) {
      merged.tasks.push_back(t);
      continue;
    }
    // Paths compare as written after normalisation ("a/../b" is "b"), not by following links.
    if (known->format != t.format || normalPath(known->path) != normalPath(t.path) ||
        known->classes != t.classes || known->validationFraction != t.validationFraction)
      throw ConfigError("config key 'tasks': task '" + t.name +
                        "' is defined differently from the experiment's (format, path, classes "
                        "or validation_fraction changed)");
  }
  return merged;
}

}  // namespace mu2net
