#pragma once
// The engine's state and its parts, shared by the loop (Engine.cpp: ALGORITHM.md §3, the
// commits) and the queries of a run or a finished system (EngineQueries.cpp: snapshots, test
// evaluations, retained models, hashes, the report).
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/EventRelay.h"
#include "engine/GenerationTrainer.h"
#include "engine/RouteBuilder.h"
#include "engine/RunControl.h"
#include "engine/TaskState.h"
#include "evolution/ChildSampler.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {

struct Engine::Impl {
  ExperimentConfig config;
  SearchSpace space;
  EventRelay events;
  RunControl control;
  ChildSampler sampler;
  RouteBuilder routes;
  GenerationTrainer trainer;
  ExperimentStore* store = nullptr;
  System system;
  std::deque<TaskState> tasks;  // a deque: references stay valid while tasks are added
  StoreProgress progress;
  int64_t generationCounter = 0;
  int64_t totalChildren = 0;
  std::vector<ChildRecord> history;  // children committed before this engine was created
  mutable std::map<int64_t, std::string> hashCache;  // component id -> SHA-256 of its tensors
  // Guards `system` structure for snapshot() from other threads.
  mutable std::mutex systemMutex;

  // ---- the loop (Engine.cpp) -----------------------------------------------------------------

  /// Checks the search space against the root, loads every task's data; continues the store's
  /// state or creates the root (committed with the first generation: the constructor writes
  /// nothing).
  Impl(ExperimentConfig config, EventSink* sink, ExperimentStore* store);
  void restore();
  /// Commits the current state (between generations only).
  void persist(const std::vector<ChildRecord>& children, const GenerationRecord* generation);
  int64_t generationsPerIteration() const;
  int64_t childrenPerIteration() const;
  /// Tasks added during the run join the round-robin here, between children.
  void applyPendingTasks();
  void runTaskIteration(TaskState& task);
  void runGeneration(TaskState& task, int iteration, int64_t g);
  void evaluateMissingTests();

  // ---- queries (EngineQueries.cpp) -----------------------------------------------------------

  TaskState& task(const std::string& name);
  /// The path's components, all frozen (every one is in the system).
  EvalRoute evalRoute(int64_t pathId) const;
  /// Test accuracy of a path on its task's test subset.
  double testPath(int64_t pathId);
  /// The system's snapshot with every component's SHA-256.
  GraphSnapshot snapshotLocked() const;
  RunReport makeReport(double wallSeconds, bool stopped) const;
};

}  // namespace mu2net
