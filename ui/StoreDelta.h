#pragma once
// What an experiment store that another process writes gained since it was last read: its new
// generations, children and stored events, as the engine events a local run sends (so that the
// views follow a live directory through the signals they follow a run with), and where the next
// read starts. Reads no tensor; a store's graph is read (metadata only) when a task iteration
// ended or the writer finished. A database store's agents (their task leases) are read with
// every delta.
#include <QString>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ExperimentFiles.h"
#include "mu2net/evolution/Events.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

/// How far a store has been read: the rows already shown.
struct StoreCursor {
  std::size_t children = 0;
  std::size_t events = 0;
  /// Generations already read, by number: agents of a database store commit theirs in any
  /// order, so a generation numbered below one already read may still arrive.
  std::set<int64_t> generations;
  std::string task;            ///< the task iteration of the last generation read ("" before any)
  int iteration = 0;           ///< its number
  bool startReported = false;  ///< the iteration in progress was reported as started
};

struct StoreDelta {
  /// The new rows as engine events, in the order a run sends them: task iteration started,
  /// generation started, children finished, then task iterations ended, tests evaluated, tasks
  /// added and errors as stored. A RunFinishedEvent closes them when the writer has finished.
  std::vector<Event> events;
  StoreCursor cursor;  ///< where the next read starts
  qint64 childrenTrained = 0;
  qint64 childrenPlanned = 0;
  /// No process wrote the store when this read began: nothing more will come. Then `final`
  /// holds what opening the store shows.
  bool writerDone = false;
  std::optional<StoredExperiment> final;
  /// A database store's task leases (ExperimentStore::taskLeases(): which agent evolves each
  /// task) as this read found them; nullopt for a directory store.
  std::optional<std::vector<TaskLease>> leases;
  QString error;  ///< why the store could not be read (then nothing else is set)
};

/// The cursor after the rows `store` holds now, of which `childrenShown` children are shown.
/// Throws StoreError.
StoreCursor storeCursor(const ExperimentStore& store, std::size_t childrenShown);
/// What the store in `dir` (a directory or a database URL) gained after `from`. Never throws:
/// errors are in StoreDelta::error.
StoreDelta readStoreDelta(const QString& dir, const StoreCursor& from);

}  // namespace mu2net::ui
