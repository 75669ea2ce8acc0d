#pragma once
// Where the workbench finds and keeps experiments: the folder of new experiment directories, the
// name of a new one, what a stored experiment shows before it runs (its history, each task's
// status, its progress, whether anything is left to run), where export dialogs start, and saving
// a configuration.
#include <QString>
#include <optional>
#include <utility>
#include <vector>

#include "MetaTypes.h"

namespace mu2net {
class ExperimentStore;
struct StoreState;
}  // namespace mu2net

namespace mu2net::ui {

/// Where new experiment directories go: MU2NET_RUNS_DIR, else ~/mu2net-runs.
QString runsRoot();
/// True when `location` names a database store (a postgresql:// or postgres:// URL), not a
/// directory: it is never looked up, created or removed on the filesystem.
bool isDatabaseLocation(const QString& location);
/// `location` as the window shows it (title, log, status bar, recent experiments): a database
/// URL without its password ("postgresql://user:secret@host/db" loses ":secret", a "password="
/// parameter its value); a directory as it is.
QString displayLocation(const QString& location);
/// The short name of a store: a directory's folder name, a database URL's database name.
QString storeName(const QString& location);
/// A new experiment directory under runsRoot() for the configuration from `source` (a file, or
/// a resource path ":…" for the built-in default): "<file stem>-<yyyyMMdd-HHmmss>", with "-2",
/// "-3", ... appended when that exists already (two starts within one second).
QString newExperimentDirectory(const QString& source);
/// What a stored experiment shows before it runs: the store's numbers, as `mu2net status` prints
/// them.
struct StoredExperiment {
  /// Its tasks, `config`'s task iterations, the graph of its last commit (each task's retained
  /// path) and every child trained so far (history).
  RunStartedEvent run;
  /// (task, status) in task order: "done (iteration k)", "interrupted in iteration k" (the run
  /// stopped or crashed in it) or "waiting".
  std::vector<std::pair<QString, QString>> taskStatus;
  qint64 childrenTrained = 0;
  qint64 childrenPlanned = 0;
  bool finished = false;  ///< every task ran all its iterations
  /// Why Start has nothing to run (every task finished its iterations), and how to go on; empty
  /// when something is left.
  QString nothingLeft;
};
/// Children a run of `config` over `tasks` tasks trains in all (whole generations per task
/// iteration).
qint64 childrenPlanned(const ExperimentConfig& config, std::size_t tasks);
/// What `store` holds; nothing before a first commit. Reads no tensor. Throws StoreError.
std::optional<StoredExperiment> storedExperiment(const ExperimentStore& store,
                                                 const ExperimentConfig& config);
/// Why a run of `requested` on a store whose last commit is `state` would train no child (every
/// task known to the store has done `requested`'s task iterations and `requested` adds no task),
/// with how to go on; empty when it would train some.
QString nothingLeftToRun(const StoreState& state, const ExperimentConfig& requested);
/// The same for the store in `dir`: empty when `dir` holds no committed store or `requested`
/// cannot continue it (mergeResumeConfig refuses it: the run reports that). Throws StoreError.
QString nothingLeftToRun(const QString& dir, const ExperimentConfig& requested);
/// Why `config`'s dataset folders cannot be read, from their names (taskFolderProblems: each
/// names the task and its key), joined by "; "; empty when they fit.
QString dataProblems(const ExperimentConfig& config);
/// Where a save dialog for `fileName` starts: in `experimentDir` when there is one, else (no
/// experiment directory, or a database store: nothing is written next to it) in the home folder.
QString exportStartPath(const QString& experimentDir, const QString& fileName);
/// Writes `config` as JSON to `path`; returns why it could not (empty when written).
QString saveExperimentConfig(const QString& path, const ExperimentConfig& config);

}  // namespace mu2net::ui
