#pragma once
// A component file checked against what its row records before its tensors are used: its SHA-256
// by the store's schema version (2: of the file's bytes, what `sha256sum` prints; 1:
// ComponentTensors::sha256Hex of the parameter values) and the shapes of its tensors. Errors are
// StoreErrors naming the component and its file.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace mu2net {

struct ComponentTensors;

/// SHA-256 (hex) of a file's bytes: a component's SHA-256 from schema version 2 on.
std::string bytesSha256(const std::vector<char>& bytes);

/// The SHA-256 of the component file `file`, whose bytes are `bytes`, by the definition of a
/// store of schema version `schemaVersion`.
std::string componentHash(const std::vector<char>& bytes, const std::filesystem::path& file,
                          int schemaVersion);

/// Refuses (StoreError) the file of component `id` when componentHash of its bytes is not
/// `recorded`: the file was modified after it was written.
void checkComponentHash(int64_t id, const std::filesystem::path& file,
                        const std::vector<char>& bytes, const std::string& recorded,
                        int schemaVersion);

/// The tensors of component `id` decoded from `bytes`, read from `file` (a file of a store
/// directory, or where a database holds them), checked against the SHA-256 `recorded` and the
/// shapes `shapesJson` (a JSON list of shapes) its row records. A schema-1 hash covers the
/// parameter values, so it is checked once they are read; a schema-2 hash before.
std::shared_ptr<ComponentTensors> loadCheckedComponent(int64_t id, const std::vector<char>& bytes,
                                                       const std::filesystem::path& file,
                                                       const std::string& shapesJson,
                                                       const std::string& recorded,
                                                       int schemaVersion);

}  // namespace mu2net
