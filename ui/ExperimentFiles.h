#pragma once
// Where the workbench finds and keeps experiments: the folder of new experiment directories, the
// name of a new one, what a stored experiment shows before it runs, and saving a configuration.
#include <QString>
#include <optional>

#include "MetaTypes.h"

namespace mu2net {
class ExperimentStore;
}

namespace mu2net::ui {

/// Where new experiment directories go: MU2NET_RUNS_DIR, else ~/mu2net-runs.
QString runsRoot();
/// A new experiment directory under runsRoot() for the configuration from `source` (a file, or
/// a resource path ":…" for the built-in default): "<file stem>-<yyyyMMdd-HHmmss>".
QString newExperimentDirectory(const QString& source);
/// What `store` holds as the views show a run's start: its tasks, `config`'s task iterations, the
/// graph of its last commit and every child trained so far (history); nothing before a first
/// commit. Reads no tensor. Throws StoreError.
std::optional<RunStartedEvent> storedRun(const ExperimentStore& store,
                                         const ExperimentConfig& config);
/// Writes `config` as JSON to `path`; returns why it could not (empty when written).
QString saveExperimentConfig(const QString& path, const ExperimentConfig& config);

}  // namespace mu2net::ui
