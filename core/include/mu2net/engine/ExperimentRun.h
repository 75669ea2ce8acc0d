#pragma once
// Preparing a run in an experiment directory, shared by `mu2net run` and the workbench, in an
// order that keeps a refused configuration from changing the directory: everything is validated
// first (the configuration, every task's data, the root, the stored state with every component
// file), and only then is anything written.
#include <filesystem>
#include <memory>

#include "mu2net/engine/Engine.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {

struct PreparedRun {
  std::unique_ptr<ExperimentStore> store;  ///< declared first: the engine refers to it
  std::unique_ptr<Engine> engine;
  bool resumed = false;    ///< the directory held a committed state, which the engine continues
  bool restarted = false;  ///< the directory held a store without a committed state
};

/// Opens or creates the experiment store in `dir` and builds the engine that runs `config` in it:
/// - a store with a committed state is continued: the configuration is merged with the stored
///   one (mergeResumeConfig) and experiment.json is replaced only once the engine has loaded
///   everything, new tasks' data included;
/// - a store without a committed state (its first run was refused or interrupted before its
///   first generation) takes `config` as if it were new, once the engine has loaded everything;
/// - a new or empty directory receives a new store, removed again when the engine refuses the
///   configuration; any other existing path is refused;
/// - a database URL (isStoreUrl) is a store when its database holds one, else a new store's
///   tables are created there (and dropped again when the engine refuses the configuration).
/// `metadata` gives the versions; its threads and configuration hash are set from `config`.
/// Throws ConfigError, DataError or StoreError; the directory is then as it was.
PreparedRun prepareRun(ExperimentConfig config, const std::filesystem::path& dir, EventSink* sink,
                       RunMetadata metadata);

}  // namespace mu2net
