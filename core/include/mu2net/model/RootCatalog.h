#pragma once
// Trained roots: the built-in ones shipped with the project, and the metadata that describes a
// root checkpoint (what `mu2net pretrain` writes beside it).
//
// A root is a pair of files: NAME.pt (the tensors, the format root.checkpoint reads: a dict
// {"<slot>/<param>": tensor}) and NAME.json (its metadata: architecture, parameters, SHA-256 of
// NAME.pt, how it was pretrained, versions). Built-in roots are found, in this order, in
//   1. the folders of the environment variable MU2NET_ROOTS_PATH (separated by ':'),
//   2. share/mu2net/roots beside the running program's folder (an installation: bin/../share/...),
//   3. resources/roots of the source tree the program was built from (development builds).
// The first folder holding NAME.json wins. Torch-free.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mu2net/model/Architecture.h"

namespace mu2net {

/// The root a configuration without a `root` key starts from.
inline constexpr const char* kDefaultRootName = "glyphs-vit";

/// One trained root as its metadata describes it.
struct RootInfo {
  std::string name;
  std::filesystem::path file;      ///< the tensors (NAME.pt)
  std::filesystem::path metadata;  ///< NAME.json
  ArchitectureConfig architecture;
  std::int64_t parameters = 0;  ///< parameter scalars of the root (no head)
  std::string sha256;           ///< of the whole tensor file's bytes, lowercase hex
  std::string source;           ///< the pretraining data, in words
  double pretrainAccuracy = 0;  ///< accuracy on held-out pretraining examples, in [0, 1]
  std::int64_t steps = 0;       ///< optimiser steps of pretraining
  double seconds = 0;           ///< wall time of pretraining
};

/// The folders searched for built-in roots, in order (existing or not).
std::vector<std::filesystem::path> rootSearchPath();

/// Every built-in root found on the search path, sorted by name (a name found twice: the first).
/// Unreadable metadata files are skipped.
std::vector<RootInfo> listBuiltinRoots();

/// The built-in root `name`. Throws ConfigError naming `root.pretrained`, the known names and the
/// folders searched when there is none, or when its metadata or tensor file is unusable.
RootInfo findBuiltinRoot(const std::string& name);

/// Reads a root's metadata file. Throws ConfigError naming the file and the key on bad content.
RootInfo readRootMetadata(const std::filesystem::path& metadataFile);

/// The metadata beside a checkpoint (FILE with its extension replaced by .json), when there is
/// one; std::nullopt otherwise. Throws ConfigError when it exists but is unusable.
std::optional<RootInfo> describeRootCheckpoint(const std::filesystem::path& checkpoint);

}  // namespace mu2net
