#pragma once
// The experiment store: a crash-safe, resumable record of one growing multitask system. It is
// a directory (the embedded default, below) or a PostgreSQL database named by a libpq URL
// (postgresql://[user[:password]@]host[:port]/database[?options], the same tables, the
// configuration in the meta row "experiment_json", component bytes in the table component_data,
// one writer at a time by an advisory lock that ends with its connection). Every function taking
// a location takes either.
//
//   DIR/experiment.json     the configuration as first run (canonical JSON)
//   DIR/system.sqlite       SQLite in WAL mode: run metadata, tasks, components, paths, every
//                           child's metrics and mutations, generations (with their RNG states),
//                           events, the engine's progress, and the history: the graph and the
//                           task counters at every commit (schema 3)
//   DIR/components/<id>.pt  one file per component: parameters and momentum buffers, written once
//   DIR/writer.lock         flock'ed by the one process that writes the store
//
// Commits are atomic: component files are written to a temporary name, flushed and renamed
// before the transaction whose rows reference them commits, so a crash at any moment leaves the
// last committed generation intact. Files no row references are removed at the end of a run
// (removeUnreferencedFiles). Opening a store changes nothing in it; a store opened read-only
// never writes anything (a second process can watch a run that is being written), and one in a
// directory this process cannot write (another user's, a read-only mount) is read as immutable.
// A component's SHA-256 is the SHA-256 of its file (what `sha256sum` prints); it is checked
// whenever the file is loaded. Every error names the directory or file and the problem, and
// nothing in the store is modified or deleted because of it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "mu2net/data/TaskData.h"
#include "mu2net/evolution/Events.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/System.h"

namespace mu2net {

/// A store that cannot be opened or read: missing, corrupt, newer version, tampered.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where the engine's loop stands, committed with each generation (ALGORITHM.md §3 loop).
struct StoreProgress {
  int iteration = 1;              ///< current round-robin pass over the tasks, 1-based
  int64_t taskIndex = 0;          ///< index into the task list within the pass
  bool taskStarted = false;       ///< start_task was applied to the current task
  int64_t nextGeneration = 0;     ///< generations of the current task iteration already done
  int64_t generationCounter = 0;  ///< global generation counter
  bool finished = false;          ///< the whole experiment ran to its end
  bool operator==(const StoreProgress&) const = default;
};

/// A task as the store knows it.
struct StoreTask {
  TaskSpec spec;
  int numClasses = 0;
  int64_t childrenTried = 0;
  int64_t childrenImproved = 0;
  int iterationsDone = 0;  ///< task iterations completed (end_task applied)
};

/// One trained child, kept or not: what the curves and the child inspector show.
using ChildRecord = ChildFinishedEvent;

/// One generation's boundary: its data hyperparameters and the state of its random generator.
struct GenerationRecord {
  int64_t generation = 0;
  std::string task;
  int iteration = 0;
  HParams dataHParams;
  std::vector<Mutation> dataMutations;
  RngState rng;
};

/// An event as stored: a kind ("task_iteration_ended", …) and a JSON payload. Only events that
/// matter after the fact are kept (not training progress).
struct StoredEvent {
  std::string kind;
  std::string json;
};
/// The stored form of an event, or nullopt for kinds that are not stored.
std::optional<StoredEvent> toStoredEvent(const Event& event);

/// One recorded point of the system's history (schema 3): the state committed after a generation
/// or at the end of a task iteration, without its graph (see HistoryPoint).
struct HistoryPointInfo {
  enum class Kind { Generation, TaskIterationEnd };
  int64_t id = 0;          ///< the row's id: increasing in commit order; key of historyPoint()
  int64_t generation = 0;  ///< the global generation counter at that commit
  std::string task;        ///< the task of that generation / whose iteration ended
  int iteration = 0;       ///< that task's iteration (1-based)
  Kind kind = Kind::Generation;
  int64_t children = 0;  ///< children recorded up to that point (ids of children() rows 1..n)
};

/// A task's counters at a history point.
struct HistoryTask {
  std::string name;
  int64_t childrenTried = 0;
  int64_t childrenImproved = 0;
  int iterationsDone = 0;
  bool operator==(const HistoryTask&) const = default;
};

/// A history point with its graph: the GraphSnapshot of the committed system (System::snapshot();
/// components' sha256 is not recorded, to keep the rows small: always empty) and every task's
/// counters then.
struct HistoryPoint {
  HistoryPointInfo info;
  GraphSnapshot graph;
  std::vector<HistoryTask> tasks;
};

/// Facts about the software that wrote a run.
struct RunMetadata {
  std::string projectVersion;
  std::string torchVersion;
  int threads = 1;
  std::string configHash;  ///< SHA-256 of the canonical configuration JSON
};

/// Everything needed to continue a run exactly where its last commit left it.
struct StoreState {
  SystemState system;  ///< with every live component's tensors loaded
  StoreProgress progress;
  std::vector<StoreTask> tasks;
};

/// An agent as it names itself in a database store.
struct AgentIdentity {
  std::string id;    ///< unique among agents: host, process id and a random part
  std::string host;  ///< the machine it runs on
  int64_t pid = 0;
};

/// A task's lease in a database store: which agent evolves the task, and its own loop position.
struct TaskLease {
  std::string task;
  std::string agent;
  std::string host;
  int64_t pid = 0;
  std::string state;                 ///< "running", "finished", "stopped" or "failed"
  std::string message;               ///< why it failed or stopped; empty otherwise
  double secondsSinceHeartbeat = 0;  ///< by the database server's clock
  double secondsLeft = 0;            ///< until the lease expires; negative once it has
  std::string progressJson;          ///< the task's loop position, as the agent saved it
  /// A lease whose agent stopped renewing it: free for another agent.
  bool expired() const { return state == "running" && secondsLeft < 0; }
};

/// What claiming a task gave.
struct TaskClaim {
  bool claimed = false;   ///< the caller holds the lease now
  bool tookOver = false;  ///< from an agent whose lease had expired (it died or hung)
  TaskLease lease;        ///< the lease now: the caller's, or (not claimed) its live holder's
};

/// One commit of an agent (see ExperimentStore::commitAgent).
struct AgentCommit {
  SystemState system;
  StoreProgress progress;
  std::vector<StoreTask> tasks;
  std::vector<ChildRecord> children;
  std::vector<StoredEvent> events;
  std::optional<GenerationRecord> generation;
  std::map<std::string, std::string> taskProgress;  ///< the agent's tasks' loop positions (JSON)
};

/// What this connection's commits cost (ExperimentStore::commitStats): for the store's overhead
/// per generation.
struct CommitStats {
  int64_t commits = 0;
  double seconds = 0;          ///< wall time inside commits, waiting for the lock included
  double maxSeconds = 0;       ///< the longest commit
  int64_t componentBytes = 0;  ///< component bytes written (files or database rows)
  int64_t components = 0;      ///< components written
};

/// True when `location` names a database store (postgresql:// or postgres://), not a directory.
bool isStoreUrl(const std::string& location);

class ExperimentStore {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  /// Current schema version written by this build. Older stores are migrated by their next
  /// commit (never by opening them); newer ones are refused. 2: components.sha256 is the SHA-256
  /// of the component file's bytes (1: ComponentTensors::sha256Hex of the parameters). 3: the
  /// append-only history table (one row per commit of a generation or a task iteration's end).
  static constexpr int kSchemaVersion = 3;

  /// True when `dir` looks like a store (has system.sqlite).
  static bool isStore(const std::filesystem::path& dir);
  /// True while another process has the store open for writing (a running experiment). Only one
  /// process may write a store: a second read-write open is refused with a StoreError.
  static bool isBeingWritten(const std::filesystem::path& dir);
  /// Creates a new store in `dir` (created if missing; must not already hold a store).
  static std::unique_ptr<ExperimentStore> create(const std::filesystem::path& dir,
                                                 const ExperimentConfig& config,
                                                 const RunMetadata& metadata);
  /// Opens an existing store. Throws StoreError when `dir` is not a store, the database is
  /// corrupt, or it was written by a newer version.
  static std::unique_ptr<ExperimentStore> open(const std::filesystem::path& dir, Mode mode);

  ~ExperimentStore();
  ExperimentStore(const ExperimentStore&) = delete;
  ExperimentStore& operator=(const ExperimentStore&) = delete;

  /// Creates a store at `destination` (a new directory or an empty database) holding exactly
  /// what `source` holds: its configuration, metadata, every row and every component's bytes
  /// (each checked against its recorded SHA-256 on the way), in one transaction. A store written
  /// by an older version is refused (continue it once first). Throws StoreError.
  static void copy(const ExperimentStore& source, const std::filesystem::path& destination);
  /// Removes a database store that holds no committed state (after a refused first run); throws
  /// StoreError for one that does, or for a directory.
  static void removeNew(const std::filesystem::path& location);

  // ---- agents (database stores only) -------------------------------------------------------
  // Several agents write one database store at once, each evolving its own tasks (each task
  // owned through a lease that its agent renews). Agent commits are serialized by a lock row; a
  // `mu2net run` (one exclusive writer) and agents exclude each other.

  /// Opens a database store as one of its agents. Throws StoreError for a directory, a store
  /// that is being written by `mu2net run`, or one that does not exist.
  static std::unique_ptr<ExperimentStore> openForAgent(const std::filesystem::path& url);
  /// Creates a database store for agents from `config` unless the database holds one (agents
  /// starting together create it once); takes no writer's lock. Returns true when it created it.
  static bool createForAgents(const std::filesystem::path& url, const ExperimentConfig& config,
                              const RunMetadata& metadata);
  /// Another connection to the same store as an agent (for a thread that renews leases).
  std::unique_ptr<ExperimentStore> anotherAgentConnection() const;
  /// Takes `task`'s lease for `agent` for `leaseSeconds` when it is free: never claimed, held by
  /// `agent` already, expired, or its agent ended (finished, stopped, failed). A takeover keeps
  /// the task's saved loop position and frees what the previous agent had in use.
  TaskClaim claimTask(const std::string& task, const AgentIdentity& agent, double leaseSeconds);
  /// Extends the running leases `agent` holds; returns the tasks it still holds (a lease taken
  /// over by another agent after it expired is lost).
  std::vector<std::string> renewLeases(const std::string& agent, double leaseSeconds);
  /// Ends `agent`'s lease of `task` with `state` ("finished", "stopped", "failed") and a message.
  void releaseTask(const std::string& task, const std::string& agent, const std::string& state,
                   const std::string& message);
  /// Every task's lease (empty for a directory store and before any agent ran).
  std::vector<TaskLease> taskLeases() const;
  /// The next global generation number (at least `atLeast` + 1), reserved for one agent.
  int64_t allocateGeneration(int64_t atLeast);
  /// Records the components `agent`'s running children use without owning them: no commit
  /// removes them until `agent`'s next commit (which clears the record) or until its lease is
  /// taken over.
  void markComponentsInUse(const std::string& agent, const std::vector<int64_t>& ids);
  /// The latest committed state when another agent committed since this connection's last
  /// sync or commit (nullopt otherwise); tensors of components in `known` are reused, others read
  /// and checked.
  std::optional<StoreState> syncAgent(const SystemState& known);
  /// Commits one step of an agent, serialized with every other agent's: `build(latest, inUse)`
  /// gets the latest committed state when another agent committed since this connection's last
  /// sync or commit (null otherwise; tensors of components in `known` reused) and the components
  /// other agents' running children use, and returns what to commit. Clears `agent`'s in-use
  /// record. One transaction: all of it or nothing.
  void commitAgent(const std::string& agent, const SystemState& known,
                   const std::function<AgentCommit(const StoreState* latest,
                                                   const std::set<int64_t>& inUse)>& build);

  /// The commits made through this object so far (commit() and commitAgent()).
  CommitStats commitStats() const;

  /// The directory, or for a database store its URL without the password.
  const std::filesystem::path& directory() const;
  /// True for a database store.
  bool isRemote() const;
  Mode mode() const;
  /// The configuration stored at creation (experiment.json), paths as they were given.
  ExperimentConfig config() const;
  RunMetadata metadata() const;
  /// True once a first commit was made.
  bool hasState() const;
  /// The last committed state, component tensors included. Every component file is checked
  /// before use: its SHA-256 against the recorded one, then every tensor (float32, inside its
  /// storage, the recorded shapes). Throws StoreError naming the component and its file when one
  /// is missing, truncated, modified or unreadable.
  StoreState load() const;
  /// The last committed state without reading any tensor (Component::tensors are null): for
  /// status, export and the GUI.
  StoreState loadMetadata() const;

  /// Commits one consistent state in one transaction: writes the files of components not yet
  /// stored, then the rows. `children` and `events` are appended. Read-write stores only.
  void commit(const SystemState& system, const StoreProgress& progress,
              const std::vector<StoreTask>& tasks, const std::vector<ChildRecord>& children,
              const std::vector<StoredEvent>& events, const GenerationRecord* generation);
  /// Replaces experiment.json (atomically), e.g. with tasks introduced on resume or during a
  /// run, or larger budgets. Use mergeResumeConfig() first to check the change is allowed.
  void replaceConfig(const ExperimentConfig& config);
  /// For a store without a committed state (its first run was refused or interrupted before its
  /// first generation): replaces experiment.json and the run metadata with another
  /// configuration's. Throws StoreError when the store holds a state.
  void restartConfig(const ExperimentConfig& config, const RunMetadata& metadata);
  /// Removes the component files (and temporary files) that no row references: the components
  /// of children that were not kept, and leftovers of a crash. Read-write stores only; a reader
  /// that loaded the state before may then miss a file, so the engine calls it when a run ends.
  void removeUnreferencedFiles();

  /// Every child trained so far, in order.
  std::vector<ChildRecord> children() const;
  /// Every committed generation, in order.
  std::vector<GenerationRecord> generations() const;
  /// Every stored event, in order.
  std::vector<StoredEvent> events() const;
  /// Every recorded history point, in commit order, without graphs (light). Empty for a store
  /// written before schema 3 and not committed to since.
  std::vector<HistoryPointInfo> history() const;
  /// The point with this id (HistoryPointInfo::id), graph and task counters included. Throws
  /// StoreError naming the id when there is none or its row is corrupt.
  HistoryPoint historyPoint(int64_t id) const;
  /// The state after generation `generation`: the last point recorded with that generation
  /// number (the end of its task iteration when that generation closed one); nullopt if none.
  std::optional<HistoryPointInfo> historyAtGeneration(int64_t generation) const;
  /// Empty when the history is complete; otherwise a sentence for the user saying that this
  /// store was written by an older version and its history starts at generation K, or that no
  /// history is recorded.
  std::string historyNote() const;
  /// (component id, stored SHA-256) of every live component.
  std::vector<std::pair<int64_t, std::string>> storedHashes() const;
  /// Path of a component's file (for a database store: where in the database its bytes are).
  std::filesystem::path componentFile(int64_t id) const;
  /// The SHA-256 of a component's file now, by the store's definition (for comparison with
  /// storedHashes()). Throws StoreError when the file is missing or unreadable.
  std::string componentFileHash(int64_t id) const;

 private:
  struct Impl;
  explicit ExperimentStore(std::unique_ptr<Impl> impl);
  static void copyRows(const Impl& source, Impl& destination, const ExperimentConfig& config);
  std::unique_ptr<Impl> impl_;
};

/// The configuration a resumed run uses: `stored` with the budgets (evolution, training) of
/// `requested` and its tasks that the store does not hold yet appended. Throws ConfigError naming
/// a change that would invalidate the system: another seed, root architecture or checkpoint,
/// search space, or a known task whose definition (format, path, classes, validation fraction)
/// differs.
ExperimentConfig mergeResumeConfig(const ExperimentConfig& stored,
                                   const ExperimentConfig& requested);

/// The state after generation `generation` (ExperimentStore::historyAtGeneration), graph
/// included, for `--at-generation N`. Throws StoreError naming the store, N and the generations
/// the history holds (and ExperimentStore::historyNote() when it is incomplete) when N is not
/// recorded.
HistoryPoint requireHistoryAtGeneration(const ExperimentStore& store, int64_t generation);

/// SHA-256 (hex) of the canonical configuration JSON.
std::string configHash(const ExperimentConfig& config);

/// SHA-256 (hex) of a file's bytes: a component's SHA-256 as the store records it (schema 2), the
/// value `sha256sum` prints. Throws StoreError when the file cannot be read.
std::string hashComponentFile(const std::filesystem::path& file);

}  // namespace mu2net
