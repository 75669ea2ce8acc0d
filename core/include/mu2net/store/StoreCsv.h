#pragma once
// An experiment store as CSV tables for spreadsheets and notebooks: what `mu2net export DIR --csv
// OUTDIR` and the workbench's Export > Store as CSV write.
//
//   children.csv    one row per child trained (kept or not): task, generation, parent, metrics,
//                   parameters, mutations and the slots it cloned, shared or created
//   curves.csv      each child's validation accuracies, one row per validation
//   paths.csv       every path the last commit holds, the retained ones marked
//   components.csv  every live component: slot, creator, parameters, locks, SHA-256
//
// Reads no tensor.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace mu2net {

class ExperimentStore;

/// The four tables of `store`'s last commit: (file name, CSV text) in the order above. Throws
/// StoreError when the store holds no commit or cannot be read.
std::vector<std::pair<std::string, std::string>> storeCsvTables(const ExperimentStore& store);

/// Writes storeCsvTables(store) into `dir` (created if missing), each file whole or not at all;
/// returns the file names written. Throws StoreError, OutputError or std::runtime_error (the
/// directory cannot be created), each naming the file or directory.
std::vector<std::string> writeStoreCsv(const ExperimentStore& store,
                                       const std::filesystem::path& dir);

}  // namespace mu2net
