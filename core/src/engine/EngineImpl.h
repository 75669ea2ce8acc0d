#pragma once
// The engine's state and its parts, shared by the loop (Engine.cpp: ALGORITHM.md §3, the
// commits) and the queries of a run or a finished system (EngineQueries.cpp: snapshots, test
// evaluations, retained models, hashes, the report).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
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

struct Child;

/// Where an agent's task stands in its own loop, saved with the task's lease at every commit so
/// that an agent taking the task over continues from there.
struct AgentTaskPosition {
  bool started = false;           ///< start_task was applied to the current iteration
  int64_t nextGeneration = 0;     ///< generations of the current iteration done
  std::vector<int64_t> seedPool;  ///< the task's seed pool, in its current order
};

/// An engine running as an agent (Engine::runAgent): its tasks, their positions, what it drew
/// since its last commit, and the thread that renews its leases.
struct AgentRun {
  AgentOptions options;
  std::set<std::string> owned;
  std::map<std::string, AgentTaskPosition> positions;
  std::string currentTask;                      ///< the task whose iteration runs now
  std::vector<int64_t> pendingOffspring;        ///< parents drawn since the last commit
  StoreProgress storeProgress;                  ///< the store's loop position, as last read
  std::unique_ptr<ExperimentStore> leaseStore;  ///< the heartbeat thread's own connection
  std::thread heartbeat;
  std::mutex heartbeatMutex;
  std::condition_variable heartbeatWake;
  bool heartbeatStop = false;
  std::atomic<bool> leaseLost{false};
  std::string leaseLostMessage;  ///< set before leaseLost
};

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
  std::unique_ptr<AgentRun> agent;  // set while runAgent runs

  // ---- the loop (Engine.cpp) -----------------------------------------------------------------

  /// Checks the search space against the root, loads every task's data; continues the store's
  /// state or creates the root (committed with the first generation: the constructor writes
  /// nothing).
  Impl(ExperimentConfig config, EventSink* sink, ExperimentStore* store,
       const std::vector<std::string>* ownTasks);
  void restore();
  /// Commits the current state (between generations only).
  void persist(const std::vector<ChildRecord>& children, const GenerationRecord* generation);
  int64_t generationsPerIteration() const;
  int64_t childrenPerIteration() const;
  /// Tasks added during the run join the round-robin here, between children.
  void applyPendingTasks();
  void runTaskIteration(TaskState& task);
  void runGeneration(TaskState& task, int iteration, int64_t g);
  /// Test accuracies of the retained paths that have none (an agent: of its own tasks only).
  std::vector<TestEvaluatedEvent> testMissing();
  /// Records them in the system and reports them.
  void applyTests(const std::vector<TestEvaluatedEvent>& results);
  void evaluateMissingTests() { applyTests(testMissing()); }
  /// `task`'s counters (and, for a task whose data was not read, its number of classes) from
  /// its row in `stored`.
  static void takeCounters(TaskState& task, const std::vector<StoreTask>& stored);
  /// The store's task rows: every task's counters.
  std::vector<StoreTask> storedTasks() const;
  /// The round-robin of ALGORITHM.md §3 over the tasks this engine evolves (all, or an agent's).
  RunReport runLoop();

  // ---- agents (Agent.cpp) --------------------------------------------------------------------

  bool owns(const std::string& task) const { return !agent || agent->owned.count(task) != 0; }
  /// Claims every task of the agent (waiting when asked), reads their positions, starts the
  /// heartbeat thread.
  void startAgent(const AgentOptions& options);
  /// Ends the leases with the state the run reached; stops the heartbeat thread.
  void endAgent(const std::string& state, const std::string& message);
  /// Before a task iteration runs: the loop position the task's lease holds.
  void enterAgentTask(const TaskState& task);
  /// The latest committed system, when another agent committed since this one last looked.
  void syncAgent();
  /// Records the components `children` share without owning them, for no commit to remove.
  void markInUse(const std::vector<Child>& children);
  /// Runs `op` on the latest committed system (other agents' commits taken in first) and commits
  /// the result with `generation`, serialized with every other agent's commit.
  void agentCommit(const std::function<void(std::vector<ChildRecord>&)>& op,
                   const GenerationRecord* generation);
  /// Whether a kept child can join the latest system: every component it shares is still there
  /// (re-pointing its parent to the nearest live ancestor when another agent removed it).
  bool agentCanKeep(Child& child);
  /// Replaces the system by `latest`, keeping this agent's seed pool (and, with `refreshPool`,
  /// adding other tasks' retained paths committed since) and the parents it drew since its last
  /// commit.
  void rebaseOnto(const StoreState& latest, bool refreshPool);

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
