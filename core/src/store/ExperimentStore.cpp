// The experiment store, in one of two places:
// - a directory: SQLite for metadata (store/StoreRows.h maps its rows), one write-once file per
//   component (store/DurableFile.h), one writer at a time (flock on writer.lock);
// - a PostgreSQL database (a postgresql:// URL): the same tables, the configuration in a meta
//   row, component bytes in the component_data table (so that one server is the whole shared
//   state), one writer at a time (an advisory lock held by its connection, released when it
//   ends, however the process ends).
// Component bytes are checked against their row when read (store/ComponentCheck.h). Torch-free:
// tensors go through ComponentIO.h.
#include "mu2net/store/ExperimentStore.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "model/ComponentIO.h"
#include "store/ComponentCheck.h"
#include "store/DurableFile.h"
#include "store/HistoryRows.h"
#include "store/Sql.h"
#include "store/StoreRows.h"

namespace mu2net {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using sql::Row;
using sql::Statement;
using namespace storerows;

constexpr const char* kDatabase = "system.sqlite";
constexpr const char* kConfigFile = "experiment.json";
constexpr const char* kComponents = "components";
// A database store's own table: the bytes of each component (a directory store's files).
constexpr const char* kComponentDataSchema =
    "CREATE TABLE component_data(id INTEGER PRIMARY KEY, bytes BLOB NOT NULL);";
// A database store's tables for its agents: the task leases (with each task's loop position),
// the components agents' running children use, and the row that serializes agent commits
// (its version counts them) and hands out generation numbers. PostgreSQL's own types: only a
// database store has agents.
constexpr const char* kAgentSchema = R"sql(
CREATE TABLE IF NOT EXISTS agent_tasks(task TEXT PRIMARY KEY, agent TEXT NOT NULL,
  host TEXT NOT NULL, pid BIGINT NOT NULL, state TEXT NOT NULL, message TEXT NOT NULL,
  heartbeat DOUBLE PRECISION NOT NULL, lease_until DOUBLE PRECISION NOT NULL,
  progress TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS components_in_use(agent TEXT NOT NULL, component BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS agent_sync(id BIGINT PRIMARY KEY, version BIGINT NOT NULL,
  generation BIGINT NOT NULL);
INSERT INTO agent_sync(id, version, generation) VALUES (1, 0, 0) ON CONFLICT(id) DO NOTHING;
)sql";
// The database server's clock, in seconds: leases never depend on the agents' clocks.
const std::string kNow = "extract(epoch from clock_timestamp())::float8";
// The advisory lock of a database store's writers: `mu2net run` takes it exclusively, agents
// share it.
constexpr const char* kWriterLockKey = "hashtext('mu2net writer ' || current_schema())";
const std::string kLeaseColumns = "task, agent, host, pid, state, message, " + kNow +
                                  " - heartbeat, lease_until - " + kNow + ", progress";

TaskLease readLease(Row& row) {
  TaskLease l;
  row.read(l.task, l.agent, l.host, l.pid, l.state, l.message, l.secondsSinceHeartbeat,
           l.secondsLeft, l.progressJson);
  return l;
}

// The meta row of a database store holding its configuration (a directory's experiment.json).
constexpr const char* kConfigKey = "experiment_json";
// The tables a store copy carries over, in an order that keeps every reference valid, each with
// the column its rows are ordered by.
const std::vector<std::pair<std::string, std::string>> kCopiedTables = {
    {"meta", "key"},  {"tasks", "position"}, {"components", "id"},
    {"paths", "id"},  {"children", "id"},    {"generations", "generation"},
    {"events", "id"}, {"history", "id"},     {"state", "id"}};
// A database store's tables that a copy leaves out: its agents' runtime state.
constexpr const char* kAgentTables = "agent_tasks, components_in_use, agent_sync";

// The meta rows that describe a run (besides the schema version).
std::vector<std::pair<std::string, std::string>> runMetaRows(const ExperimentConfig& config,
                                                             const RunMetadata& metadata) {
  return {{"project_version", metadata.projectVersion},
          {"torch_version", metadata.torchVersion},
          {"threads", std::to_string(metadata.threads)},
          {"config_hash", metadata.configHash},
          {"seed", std::to_string(config.seed)}};
}

// Every meta row of a new store: the schema version, the run's rows, and for a database store its
// configuration.
std::vector<std::pair<std::string, std::string>> newStoreMetaRows(const ExperimentConfig& config,
                                                                  const RunMetadata& metadata,
                                                                  bool database) {
  auto rows = runMetaRows(config, metadata);
  rows.insert(rows.begin(), {"schema_version", std::to_string(ExperimentStore::kSchemaVersion)});
  if (database) rows.emplace_back(kConfigKey, experimentConfigToJson(config) + "\n");
  return rows;
}

// INSERT of a row that replaces the one with the same `key`, in the syntax both databases take.
std::string upsertInto(const std::string& table, const std::string& columns,
                       const std::string& key) {
  std::string set;
  std::stringstream names(columns);
  for (std::string c; std::getline(names, c, ',');) {
    c.erase(0, c.find_first_not_of(' '));
    if (c != key) set += (set.empty() ? "" : ", ") + c + " = excluded." + c;
  }
  return insertInto(table, columns) + " ON CONFLICT(" + key + ") DO UPDATE SET " + set;
}

void setMeta(sql::Database& db, const std::string& key, const std::string& value) {
  db.prepare(upsertInto("meta", "key, value", "key")).bindRow(key, value).run();
}

}  // namespace

bool isStoreUrl(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

struct ExperimentStore::Impl {
  fs::path dir;         // the directory, or the database's URL without its password (for messages)
  bool remote = false;  // a PostgreSQL store
  std::string url;      // a database store's URL as given (password included), for more connections
  int64_t agentVersion = -1;  // agent commits seen by this connection (agent_sync.version)
  CommitStats stats;
  // Adds one commit that began at `start` and wrote `bytes` of `count` components.
  void countCommit(std::chrono::steady_clock::time_point start, int64_t bytes, int64_t count) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++stats.commits;
    stats.seconds += s;
    stats.maxSeconds = std::max(stats.maxSeconds, s);
    stats.componentBytes += bytes;
    stats.components += count;
  }
  Mode mode = Mode::ReadOnly;
  std::unique_ptr<sql::Database> db;
  int lockFd = -1;  // exclusive writer lock (flock on DIR/writer.lock), held while open for writing
  // Components with a row (and hence bytes), with their locks as the row holds them: a commit
  // updates only the locks that changed.
  std::map<int64_t, std::string> storedComponents;
  // Schema 1 recorded ComponentTensors::sha256Hex; 2 records the SHA-256 of the file's bytes.
  // A schema-1 store is migrated by its next commit, never by opening it.
  int schemaVersion = kSchemaVersion;

  ~Impl() {
    if (lockFd >= 0) ::close(lockFd);  // releases the flock
  }

  // One writer at a time: two processes committing to one store would interleave states.
  void lockForWriting() {
    if (remote) {
      if (!tryRemoteLock(*db))
        throw StoreError(dir.string() +
                         " is being written by another process; open it read-only to watch it");
      return;
    }
    const fs::path file = dir / "writer.lock";
    lockFd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lockFd < 0)
      throw StoreError("cannot open " + file.string() + " for writing (" + std::strerror(errno) +
                       "); a store that cannot be written can only be read (status, verify, "
                       "export)");
    if (::flock(lockFd, LOCK_EX | LOCK_NB) != 0)
      throw StoreError(dir.string() +
                       " is being written by another process; open it read-only to watch it");
  }

  // The writer's lock of a database store: a session-level advisory lock, per schema.
  static bool tryRemoteLock(sql::Database& db) {
    Statement s = db.prepare(std::string("SELECT pg_try_advisory_lock(") + kWriterLockKey + ")");
    return s.step() && s.text(0) == "t";
  }

  int64_t agentSyncVersion(bool forUpdate) const {
    Statement s = db->prepare(std::string("SELECT version FROM agent_sync WHERE id = 1") +
                              (forUpdate ? " FOR UPDATE" : ""));
    return s.step() ? s.integer(0) : 0;
  }

  std::string dbName() const { return db->name(); }

  std::string metaValue(const std::string& key) const {
    Statement s = db->prepare("SELECT value FROM meta WHERE key = ?");
    s.bind(1, key);
    return s.step() ? s.text(0) : std::string();
  }

  void openDatabase(bool create) {
    bool immutable = false;
    if (mode == Mode::ReadOnly && ::access(dir.c_str(), W_OK) != 0) {
      // A store in a directory this process cannot write (another user's, a read-only mount):
      // SQLite cannot create the WAL index beside the database. Without a write-ahead log
      // nothing can be pending, so the file is opened as immutable; a non-empty log (a writer
      // was killed) needs its index, which exists only if that writer created it.
      std::error_code ec;
      const fs::path wal = dir / (std::string(kDatabase) + "-wal");
      const bool pendingLog = fs::exists(wal, ec) && fs::file_size(wal, ec) > 0 && !ec;
      immutable = !pendingLog;
    }
    db = sql::openSqlite((dir / kDatabase).string(), mode == Mode::ReadOnly, create, immutable);
  }

  // Settings of a writing connection, applied once the database is known to be an experiment's
  // (switching the journal mode writes to the file).
  void prepareForWriting() {
    if (remote) return;
    db->exec("PRAGMA journal_mode=WAL");
    db->exec("PRAGMA synchronous=FULL");
  }

  void checkSchema() {
    int version = 0;
    try {
      const std::string v = metaValue("schema_version");
      version = v.empty() ? 0 : std::stoi(v);
    } catch (const std::exception&) {
      throw StoreError(dbName() + " is not an experiment database (no schema version)");
    }
    if (version > kSchemaVersion)
      throw StoreError(dir.string() + " was written by a newer version of mu2net (schema " +
                       std::to_string(version) + "; this build reads up to " +
                       std::to_string(kSchemaVersion) + ")");
    if (version < 1)
      throw StoreError(dbName() + " has an unknown schema version " + std::to_string(version));
    // Version 2 changed only the meaning of components.sha256 (the file's bytes instead of the
    // parameter values); commit() migrates a version-1 store, so that opening changes nothing.
    schemaVersion = version;
  }

  // Every component's id and recorded SHA-256, in id order.
  std::vector<std::pair<int64_t, std::string>> recordedHashes() const {
    return db->select<std::pair<int64_t, std::string>>(
        "SELECT id, sha256 FROM components ORDER BY id", [](Row& row) {
          std::pair<int64_t, std::string> hash;
          row.read(hash.first, hash.second);
          return hash;
        });
  }

  // ---- component bytes: files of a directory, rows of component_data in a database ---------

  // Where a component's bytes are, for messages (a directory store's: its file).
  fs::path componentFile(int64_t id) const {
    if (remote) return dir.string() + " (component_data row " + std::to_string(id) + ")";
    return dir / kComponents / (std::to_string(id) + ".pt");
  }
  std::string componentFileColumn(int64_t id) const {
    return remote ? "component_data/" + std::to_string(id)
                  : std::string(kComponents) + "/" + std::to_string(id) + ".pt";
  }
  std::vector<char> componentBytes(int64_t id) const {
    if (!remote) return readComponentBytes(componentFile(id));
    Statement s = db->prepare("SELECT bytes FROM component_data WHERE id = ?");
    s.bind(1, id);
    if (!s.step())
      throw StoreError("component " + std::to_string(id) + ": " + componentFile(id).string() +
                       " is missing");
    return s.blob(0);
  }
  // A directory store writes the file before the transaction that refers to it; a database
  // store writes the row inside it (writeComponentRows).
  void writeComponentFile(int64_t id, const std::vector<char>& bytes) const {
    writeFileDurably(componentFile(id), bytes.data(), bytes.size(), true);
  }
  // The components of `system` that have no row yet, serialized: their bytes and SHA-256.
  struct NewComponents {
    std::map<int64_t, std::vector<char>> bytes;
    std::map<int64_t, std::string> hashes;
    int64_t size = 0;  ///< bytes in all
  };
  NewComponents serializeNew(const SystemState& system) const {
    NewComponents fresh;
    for (const auto& [id, c] : system.components) {
      if (storedComponents.count(id)) continue;
      if (!c.tensors)
        throw StoreError("component " + std::to_string(id) + " has no tensors to store");
      std::vector<char>& bytes = fresh.bytes[id] = serializeComponent(*c.tensors);
      fresh.hashes[id] = bytesSha256(bytes);
      fresh.size += static_cast<int64_t>(bytes.size());
    }
    return fresh;
  }
  void writeComponentRows(const std::map<int64_t, std::vector<char>>& bytes) const {
    Statement ins = db->prepare("INSERT INTO component_data(id, bytes) VALUES (?, ?)");
    for (const auto& [id, b] : bytes)
      ins.bindRow(id, sql::Blob{b}).run();
  }

  // Version 1 to 2: every recorded hash becomes the file's SHA-256, once the file is shown to be
  // the one recorded. Inside commit()'s transaction.
  void migrateHashes() {
    Statement upd = db->prepare("UPDATE components SET sha256 = ? WHERE id = ?");
    for (const auto& [id, stored] : recordedHashes()) {
      const std::vector<char> bytes = componentBytes(id);
      checkComponentHash(id, componentFile(id), bytes, stored, schemaVersion);
      upd.bindRow(bytesSha256(bytes), id).run();
    }
  }

  // Brings an older store to kSchemaVersion, inside commit()'s transaction: 1 to 2 rewrites the
  // hashes; 2 to 3 adds the history table, which then starts at this commit's generation.
  void migrate(int64_t generation) {
    if (schemaVersion < 2) migrateHashes();
    if (!db->hasTable("history")) {
      // A store with a committed state had a history this version did not record.
      Statement state = db->prepare("SELECT count(*) FROM state");
      const bool before = state.step() && state.integer(0) > 0;
      db->createTables(kHistorySchema);
      if (before) setMeta(*db, kHistorySinceKey, std::to_string(generation));
    }
    Statement meta = db->prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'");
    meta.bindRow(std::to_string(kSchemaVersion)).run();
  }

  // Step 3 of a commit, inside its transaction: the history point of a generation's commit or of
  // a task iteration's end (named by its stored task_iteration_ended event). Other commits (the
  // run's end) change nothing drawn and record none.
  void recordHistory(const SystemState& system, const StoreProgress& progress,
                     const std::vector<StoreTask>& tasks, const std::vector<StoredEvent>& events,
                     const GenerationRecord* generation) {
    HistoryPointInfo info;
    info.generation = progress.generationCounter;
    if (generation) {
      info.generation = generation->generation;
      info.task = generation->task;
      info.iteration = generation->iteration;
    } else {
      const auto ended = std::find_if(events.begin(), events.end(), [](const StoredEvent& e) {
        return e.kind == "task_iteration_ended";
      });
      if (ended == events.end()) return;
      const json payload = json::parse(ended->json);
      info.kind = HistoryPointInfo::Kind::TaskIterationEnd;
      info.task = payload.at("task");
      info.iteration = payload.at("iteration");
    }
    Statement children = db->prepare("SELECT count(*) FROM children");
    info.children = children.step() ? children.integer(0) : 0;
    writeHistory(*db, info, System(system).snapshot(), tasks);
  }

  void loadStoredIds() {
    storedComponents.clear();
    for (auto& [id, locks] : db->select<std::pair<int64_t, std::string>>(
             "SELECT id, locks FROM components", [](Row& row) {
               std::pair<int64_t, std::string> stored;
               row.read(stored.first, stored.second);
               return stored;
             }))
      storedComponents[id] = std::move(locks);
  }

  // What the component rows hold once `system` is committed.
  static std::map<int64_t, std::string> rowsOf(const SystemState& system) {
    std::map<int64_t, std::string> rows;
    for (const auto& [id, c] : system.components)
      rows[id] = locksJson(c);
    return rows;
  }

  // Removes component bytes that no row references: components of children that were not kept,
  // and (a directory's) leftovers of a crash between a file's rename and its transaction's commit.
  void removeOrphans() {
    if (remote) {
      db->exec("DELETE FROM component_data WHERE id NOT IN (SELECT id FROM components)");
      return;
    }
    const fs::path comps = dir / kComponents;
    if (!fs::is_directory(comps)) return;
    for (const auto& entry : fs::directory_iterator(comps)) {
      const std::string name = entry.path().filename().string();
      bool referenced = false;
      if (name.size() > 3 && name.ends_with(".pt")) {
        try {
          referenced = storedComponents.count(std::stoll(name.substr(0, name.size() - 3))) != 0;
        } catch (const std::exception&) {
          referenced = false;
        }
      }
      if (!referenced && (name.ends_with(".pt") || name.ends_with(".pt.tmp"))) {
        std::error_code ec;
        fs::remove(entry.path(), ec);
      }
    }
  }

  void writeConfig(const ExperimentConfig& config) {
    const std::string text = experimentConfigToJson(config) + "\n";
    if (remote)
      setMeta(*db, kConfigKey, text);
    else
      writeFileDurably(dir / kConfigFile, text.data(), text.size());
  }

  StoreState loadState(bool withTensors) const {
    // One consistent state, even while a writer commits.
    return sql::inReadTransaction(*db, [&] { return readState(withTensors, nullptr); });
  }

  // The committed state; with tensors, those of components in `known` are reused (a component's
  // tensors never change once committed), the others read and checked.
  StoreState readState(bool withTensors, const SystemState* known) const {
    StoreState st;
    Statement state = db->prepare("SELECT system, progress FROM state WHERE id = 1");
    if (!state.step()) throw StoreError(dir.string() + ": the store holds no committed state yet");
    try {
      st.progress = readProgressJson(state.text(1));
      readSystemStateJson(state.text(0), st.system);
    } catch (const json::exception& e) {
      throw StoreError(dbName() + ": the committed state is corrupt (" + e.what() + ")");
    }
    for (auto& row : db->select<ComponentRow>(
             "SELECT " + kComponentColumns + " FROM components ORDER BY id", readComponent)) {
      Component& c = row.component;
      std::shared_ptr<ComponentTensors> reused;
      if (known) {
        const auto it = known->components.find(c.id);
        if (it != known->components.end()) reused = it->second.tensors;
      }
      if (withTensors)
        c.tensors = reused ? reused
                           : loadCheckedComponent(c.id, componentBytes(c.id), componentFile(c.id),
                                                  row.shapesJson, row.sha256, schemaVersion);
      st.system.components[c.id] = std::move(c);
    }
    for (auto& p : db->select<Path>("SELECT " + kPathColumns + " FROM paths ORDER BY id", readPath))
      st.system.paths[p.id] = std::move(p);
    st.tasks =
        db->select<StoreTask>("SELECT " + kTaskColumns + " FROM tasks ORDER BY position", readTask);
    return st;
  }

  // Step 2 of a commit, inside its transaction: every row of the state.
  void writeRows(const SystemState& system, const StoreProgress& progress,
                 const std::vector<StoreTask>& tasks, const std::vector<ChildRecord>& children,
                 const std::vector<StoredEvent>& events, const GenerationRecord* generation,
                 const std::map<int64_t, std::string>& newHashes) {
    // Components: rows of removed components go (their bytes become orphans, removed when the
    // run ends: removeUnreferencedFiles); new rows are added; locks that changed are updated.
    {
      Statement del = db->prepare("DELETE FROM components WHERE id = ?");
      for (const auto& [id, locks] : storedComponents)
        if (!system.components.count(id)) del.bind(1, id).run();
    }
    {
      Statement ins = db->prepare(insertInto("components", kComponentColumns));
      Statement upd = db->prepare("UPDATE components SET locks = ? WHERE id = ?");
      for (const auto& [id, c] : system.components) {
        const auto hash = newHashes.find(id);
        if (hash != newHashes.end()) {
          writeComponent(ins, {c, json(componentShapesOf(*c.tensors)).dump(), hash->second,
                               componentFileColumn(id)});
          continue;
        }
        const std::string locks = locksJson(c);
        const auto stored = storedComponents.find(id);
        if (stored == storedComponents.end() || stored->second != locks)
          upd.bindRow(locks, id).run();
      }
    }
    db->exec("DELETE FROM paths");
    {
      std::set<int64_t> retained;
      for (const auto& [task, id] : system.retained)
        retained.insert(id);
      Statement ins = db->prepare(insertInto("paths", kPathColumns));
      for (const auto& [id, p] : system.paths)
        writePath(ins, p, retained.count(id) != 0);
    }
    db->exec("DELETE FROM tasks");
    {
      Statement ins = db->prepare(insertInto("tasks", kTaskColumns));
      int64_t position = 0;
      for (const auto& t : tasks)
        writeTask(ins, position++, t);
    }
    {
      Statement ins = db->prepare(insertInto("children", kChildColumns));
      for (const auto& c : children)
        writeChild(ins, c);
    }
    if (generation) {
      Statement ins = db->prepare(upsertInto("generations", kGenerationColumns, "generation"));
      writeGeneration(ins, *generation);
    }
    {
      Statement ins = db->prepare("INSERT INTO events(kind, payload) VALUES (?, ?)");
      for (const auto& e : events)
        ins.bindRow(e.kind, e.json).run();
    }
    Statement ins = db->prepare(upsertInto("state", "id, system, progress", "id"));
    ins.bindRow(int64_t{1}, systemStateJson(system), progressJson(progress)).run();
  }

  // An Impl for `location`; connected to the server for a database store, nothing opened for a
  // directory.
  static std::unique_ptr<Impl> make(const fs::path& location, Mode mode) {
    auto impl = std::make_unique<Impl>();
    impl->mode = mode;
    impl->dir = location;
    impl->remote = isStoreUrl(location.string());
    if (impl->remote) {
      impl->url = location.string();
      impl->db = sql::connectPostgres(location.string());
      impl->dir = impl->db->name();
    }
    return impl;
  }

  // A new store's tables and meta rows, in one transaction; false (nothing written) when a
  // database store appeared meanwhile (several agents starting together create it once).
  bool createSchema(const std::vector<std::pair<std::string, std::string>>& metaRows) {
    bool created = true;
    sql::inWriteTransaction(*db, [&] {
      if (remote) {
        db->exec("SELECT pg_advisory_xact_lock(hashtext('mu2net create ' || current_schema()))");
        if (db->hasTable("meta")) {
          created = false;
          return;
        }
      }
      db->createTables(kSchema);
      db->createTables(kHistorySchema);
      if (remote) db->createTables(kComponentDataSchema);
      Statement s = db->prepare("INSERT INTO meta(key, value) VALUES (?, ?)");
      for (const auto& [k, v] : metaRows)
        s.bindRow(k, v).run();
    });
    return created;
  }
};

namespace {

// Every table of a database store (after a refused first run).
void dropRemoteTables(sql::Database& db) {
  std::string tables = std::string("component_data, ") + kAgentTables;
  for (const auto& [table, key] : kCopiedTables)
    tables += ", " + table;
  db.exec("DROP TABLE IF EXISTS " + tables);
}

}  // namespace

ExperimentStore::ExperimentStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExperimentStore::~ExperimentStore() = default;

bool ExperimentStore::isStore(const fs::path& location) {
  if (!isStoreUrl(location.string())) return fs::is_regular_file(location / kDatabase);
  try {
    return sql::connectPostgres(location.string())->hasTable("meta");
  } catch (const StoreError&) {
    return false;
  }
}

bool ExperimentStore::isBeingWritten(const fs::path& location) {
  if (isStoreUrl(location.string())) {
    // Whether any session holds the writers' advisory lock (a run, or agents), read from
    // pg_locks without taking it: a writer starting now is never refused because of this look.
    try {
      const auto db = sql::connectPostgres(location.string());
      Statement s = db->prepare(
          std::string("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                      "granted AND database = (SELECT oid FROM pg_database WHERE datname = "
                      "current_database()) AND objsubid = 1 AND ((classid::bigint << 32) | "
                      "objid::bigint) = ") +
          kWriterLockKey + "::bigint");
      return s.step() && s.integer(0) > 0;
    } catch (const StoreError&) {
      return false;
    }
  }
  const int fd = ::open((location / "writer.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return locked;
}

std::unique_ptr<ExperimentStore> ExperimentStore::create(const fs::path& location,
                                                         const ExperimentConfig& config,
                                                         const RunMetadata& metadata) {
  if (isStoreUrl(location.string())) {
    auto impl = Impl::make(location, Mode::ReadWrite);
    if (impl->db->hasTable("meta"))
      throw StoreError(impl->dir.string() + " already holds an experiment store");
    impl->lockForWriting();
    if (!impl->createSchema(newStoreMetaRows(config, metadata, true)))
      throw StoreError(impl->dir.string() + " already holds an experiment store");
    return std::unique_ptr<ExperimentStore>(new ExperimentStore(std::move(impl)));
  }
  const fs::path& dir = location;
  if (isStore(dir)) throw StoreError(dir.string() + " already holds an experiment store");
  std::error_code ec;
  fs::create_directories(dir / kComponents, ec);
  if (ec) throw StoreError("cannot create " + (dir / kComponents).string() + ": " + ec.message());
  auto impl = Impl::make(dir, Mode::ReadWrite);
  impl->lockForWriting();
  impl->writeConfig(config);
  impl->openDatabase(true);
  impl->prepareForWriting();
  impl->createSchema(newStoreMetaRows(config, metadata, false));
  syncDirectory(dir);
  return std::unique_ptr<ExperimentStore>(new ExperimentStore(std::move(impl)));
}

std::unique_ptr<ExperimentStore> ExperimentStore::open(const fs::path& location, Mode mode) {
  if (isStoreUrl(location.string())) {
    auto impl = Impl::make(location, mode);
    if (!impl->db->hasTable("meta"))
      throw StoreError(impl->dir.string() +
                       " is not an experiment store (its database has no mu2net tables)");
    if (mode == Mode::ReadWrite) impl->lockForWriting();
    impl->checkSchema();
    impl->loadStoredIds();
    return std::unique_ptr<ExperimentStore>(new ExperimentStore(std::move(impl)));
  }
  const fs::path& dir = location;
  if (!fs::is_directory(dir)) throw StoreError(dir.string() + " is not a directory");
  if (!isStore(dir))
    throw StoreError(dir.string() + " is not an experiment store (it has no " + kDatabase + ")");
  if (!fs::is_regular_file(dir / kConfigFile))
    throw StoreError(dir.string() + " is not a complete experiment store (" + kConfigFile +
                     " is missing)");
  // SQLite would take an empty file for an empty database and write a new one into it; refused
  // before anything (the writer's lock file) is created.
  std::error_code ec;
  if (fs::file_size(dir / kDatabase, ec) == 0 && !ec)
    throw StoreError((dir / kDatabase).string() +
                     " is empty (0 bytes): it is not an experiment database");
  auto impl = Impl::make(dir, mode);
  if (mode == Mode::ReadWrite) impl->lockForWriting();
  impl->openDatabase(false);
  impl->checkSchema();
  impl->loadStoredIds();
  if (mode == Mode::ReadWrite) impl->prepareForWriting();
  return std::unique_ptr<ExperimentStore>(new ExperimentStore(std::move(impl)));
}

void ExperimentStore::removeNew(const fs::path& location) {
  if (!isStoreUrl(location.string()))
    throw StoreError(location.string() + ": only a database store is removed this way");
  auto impl = Impl::make(location, Mode::ReadWrite);
  if (!impl->db->hasTable("meta")) return;
  impl->lockForWriting();
  if (impl->db->hasTable("state")) {
    Statement s = impl->db->prepare("SELECT count(*) FROM state");
    if (s.step() && s.integer(0) > 0)
      throw StoreError(impl->dir.string() + " holds a committed state; it is not removed");
  }
  sql::inWriteTransaction(*impl->db, [&] { dropRemoteTables(*impl->db); });
}

void ExperimentStore::copy(const ExperimentStore& source, const fs::path& destination) {
  const auto& s = *source.impl_;
  if (s.schemaVersion != kSchemaVersion || !s.db->hasTable("history"))
    throw StoreError(s.dir.string() +
                     " was written by an older version of mu2net; continue it once with this "
                     "version (mu2net run) before copying it");
  const ExperimentConfig config = source.config();
  std::error_code ec;
  const bool existed = !isStoreUrl(destination.string()) && fs::exists(destination, ec);
  auto copy = create(destination, config, source.metadata());
  auto& d = *copy->impl_;
  try {
    copyRows(s, d, config);
  } catch (...) {
    // Nothing of a failed copy stays: the destination is as it was.
    if (d.remote) {
      try {
        sql::inWriteTransaction(*d.db, [&] { dropRemoteTables(*d.db); });
      } catch (const StoreError&) {
        // The copy's own error says what went wrong.
      }
    } else {
      copy.reset();
      if (existed)
        for (const auto& entry : fs::directory_iterator(destination, ec))
          fs::remove_all(entry.path(), ec);
      else
        fs::remove_all(destination, ec);
    }
    throw;
  }
}

void ExperimentStore::copyRows(const Impl& s, Impl& d, const ExperimentConfig& config) {
  // Every row as it is, the meta rows included; component bytes checked against their recorded
  // SHA-256 on the way, written as the destination keeps them.
  sql::inReadTransaction(*s.db, [&] {
    const auto hashes = s.recordedHashes();
    std::map<int64_t, std::vector<char>> bytes;
    for (const auto& [id, recorded] : hashes) {
      auto b = s.componentBytes(id);
      checkComponentHash(id, s.componentFile(id), b, recorded, s.schemaVersion);
      if (d.remote)
        bytes[id] = std::move(b);
      else
        d.writeComponentFile(id, b);
    }
    if (!d.remote) syncDirectory(d.dir / kComponents);
    sql::inWriteTransaction(*d.db, [&] {
      d.db->exec("DELETE FROM meta");
      for (const auto& [table, key] : kCopiedTables) {
        Statement select = s.db->prepare("SELECT * FROM " + table + " ORDER BY " + key);
        std::optional<Statement> insert;
        while (select.step()) {
          if (!insert) {
            std::string names;
            for (int c = 0; c < select.columnCount(); ++c)
              names += (c ? ", " : "") + select.columnName(c);
            insert.emplace(d.db->prepare(insertInto(table, names)));
          }
          for (int c = 0; c < select.columnCount(); ++c)
            insert->bind(c + 1, select.value(c));
          insert->run();
        }
        if (table == "children" || table == "events" || table == "history")
          d.db->continueIdsAfterMax(table);
      }
      // The configuration: a directory's file was written by create(); a database's is a meta
      // row, copied above from a database and written here (paths resolved) from a directory.
      if (d.remote && !s.remote) setMeta(*d.db, kConfigKey, experimentConfigToJson(config) + "\n");
      if (!d.remote) d.db->exec("DELETE FROM meta WHERE key = '" + std::string(kConfigKey) + "'");
      Statement file = d.db->prepare("UPDATE components SET file = ? WHERE id = ?");
      for (const auto& [id, recorded] : hashes)
        file.bindRow(d.componentFileColumn(id), id).run();
      if (d.remote) d.writeComponentRows(bytes);
    });
  });
  d.loadStoredIds();
}

// ---- agents -------------------------------------------------------------------------------------

std::unique_ptr<ExperimentStore> ExperimentStore::openForAgent(const fs::path& url) {
  if (!isStoreUrl(url.string()))
    throw StoreError(url.string() +
                     ": agents share a database store (postgresql://…); copy a directory store "
                     "into a database with `mu2net store copy` first");
  auto impl = Impl::make(url, Mode::ReadWrite);
  if (!impl->db->hasTable("meta"))
    throw StoreError(impl->dir.string() +
                     " is not an experiment store (its database has no mu2net tables)");
  Statement lock =
      impl->db->prepare(std::string("SELECT pg_try_advisory_lock_shared(") + kWriterLockKey + ")");
  if (!lock.step() || lock.text(0) != "t")
    throw StoreError(impl->dir.string() +
                     " is being written by `mu2net run`; agents can start once it has stopped");
  impl->checkSchema();
  sql::inWriteTransaction(*impl->db, [&] {
    // Two agents starting together create the tables once.
    impl->db->exec("SELECT pg_advisory_xact_lock(hashtext('mu2net agent setup'))");
    impl->db->exec(kAgentSchema);
  });
  // Before the state is read: a commit after this point is seen by the first sync.
  impl->agentVersion = impl->agentSyncVersion(false);
  impl->loadStoredIds();
  return std::unique_ptr<ExperimentStore>(new ExperimentStore(std::move(impl)));
}

bool ExperimentStore::createForAgents(const fs::path& url, const ExperimentConfig& config,
                                      const RunMetadata& metadata) {
  if (!isStoreUrl(url.string()))
    throw StoreError(url.string() + ": agents share a database store (postgresql://…)");
  return Impl::make(url, Mode::ReadWrite)->createSchema(newStoreMetaRows(config, metadata, true));
}

std::unique_ptr<ExperimentStore> ExperimentStore::anotherAgentConnection() const {
  if (!impl_->remote) throw StoreError(impl_->dir.string() + " is not a database store");
  return openForAgent(impl_->url);
}

TaskClaim ExperimentStore::claimTask(const std::string& task, const AgentIdentity& agent,
                                     double leaseSeconds) {
  auto& d = *impl_;
  TaskClaim claim;
  sql::inWriteTransaction(*d.db, [&] {
    d.db->prepare(
            "INSERT INTO agent_tasks(task, agent, host, pid, state, message, heartbeat, "
            "lease_until, progress) VALUES (?, ?, ?, ?, 'new', '', " +
            kNow + ", 0, '{}') ON CONFLICT(task) DO NOTHING")
        .bindRow(task, agent.id, agent.host, agent.pid)
        .run();
    auto read = [&] {
      Statement s =
          d.db->prepare("SELECT " + kLeaseColumns + " FROM agent_tasks WHERE task = ? FOR UPDATE");
      s.bind(1, task);
      s.step();
      Row row(s);
      return readLease(row);
    };
    const TaskLease before = read();
    if (before.agent != agent.id && before.state == "running" && before.secondsLeft >= 0) {
      claim.lease = before;  // a live agent holds it
      return;
    }
    claim.tookOver = before.state == "running" && before.agent != agent.id;
    if (before.agent != agent.id)
      d.db->prepare("DELETE FROM components_in_use WHERE agent = ?").bindRow(before.agent).run();
    d.db->prepare(
            "UPDATE agent_tasks SET agent = ?, host = ?, pid = ?, state = 'running', "
            "message = '', heartbeat = " +
            kNow + ", lease_until = " + kNow + " + ?::float8 WHERE task = ?")
        .bindRow(agent.id, agent.host, agent.pid, leaseSeconds, task)
        .run();
    claim.claimed = true;
    claim.lease = read();
  });
  return claim;
}

std::vector<std::string> ExperimentStore::renewLeases(const std::string& agent,
                                                      double leaseSeconds) {
  Statement s =
      impl_->db->prepare("UPDATE agent_tasks SET heartbeat = " + kNow + ", lease_until = " + kNow +
                         " + ?::float8 WHERE agent = ? AND state = 'running' "
                         "RETURNING task");
  s.bindRow(leaseSeconds, agent);
  std::vector<std::string> held;
  while (s.step())
    held.push_back(s.text(0));
  return held;
}

void ExperimentStore::releaseTask(const std::string& task, const std::string& agent,
                                  const std::string& state, const std::string& message) {
  impl_->db
      ->prepare("UPDATE agent_tasks SET state = ?, message = ?, heartbeat = " + kNow +
                ", lease_until = " + kNow + " WHERE task = ? AND agent = ?")
      .bindRow(state, message, task, agent)
      .run();
}

std::vector<TaskLease> ExperimentStore::taskLeases() const {
  if (!impl_->remote || !impl_->db->hasTable("agent_tasks")) return {};
  return impl_->db->select<TaskLease>("SELECT " + kLeaseColumns + " FROM agent_tasks ORDER BY task",
                                      readLease);
}

int64_t ExperimentStore::allocateGeneration(int64_t atLeast) {
  Statement s = impl_->db->prepare(
      "UPDATE agent_sync SET generation = greatest(generation, ?::bigint) + 1 WHERE id = 1 "
      "RETURNING generation");
  s.bind(1, atLeast);
  if (!s.step()) throw StoreError(impl_->dir.string() + ": the agents' table is missing");
  return s.integer(0);
}

void ExperimentStore::markComponentsInUse(const std::string& agent,
                                          const std::vector<int64_t>& ids) {
  auto& d = *impl_;
  sql::inWriteTransaction(*d.db, [&] {
    d.db->prepare("DELETE FROM components_in_use WHERE agent = ?").bindRow(agent).run();
    Statement ins = d.db->prepare("INSERT INTO components_in_use(agent, component) VALUES (?, ?)");
    for (const int64_t id : std::set<int64_t>(ids.begin(), ids.end()))
      ins.bindRow(agent, id).run();
  });
}

std::optional<StoreState> ExperimentStore::syncAgent(const SystemState& known) {
  auto& d = *impl_;
  return sql::inReadTransaction(*d.db, [&] {
    const int64_t version = d.agentSyncVersion(false);
    std::optional<StoreState> latest;
    if (version != d.agentVersion) latest = d.readState(true, &known);
    d.agentVersion = version;
    return latest;
  });
}

void ExperimentStore::commitAgent(
    const std::string& agent, const SystemState& known,
    const std::function<AgentCommit(const StoreState* latest, const std::set<int64_t>& inUse)>&
        build) {
  auto& d = *impl_;
  const auto start = std::chrono::steady_clock::now();
  int64_t version = 0, bytesWritten = 0, componentsWritten = 0;
  std::map<int64_t, std::string> written;  // the component rows once it commits
  sql::inWriteTransaction(*d.db, [&] {
    // Every other agent's commit is before or after this one, never inside it.
    const bool moved = d.agentSyncVersion(true) != d.agentVersion;
    std::optional<StoreState> latest;
    if (moved) latest = d.readState(true, &known);
    std::set<int64_t> inUse;
    {
      Statement s = d.db->prepare("SELECT component FROM components_in_use WHERE agent <> ?");
      s.bind(1, agent);
      while (s.step())
        inUse.insert(s.integer(0));
    }
    const AgentCommit c = build(latest ? &*latest : nullptr, inUse);
    d.loadStoredIds();  // other agents' components included
    const Impl::NewComponents fresh = d.serializeNew(c.system);
    bytesWritten = fresh.size;
    componentsWritten = static_cast<int64_t>(fresh.hashes.size());
    d.writeComponentRows(fresh.bytes);
    const GenerationRecord* generation = c.generation ? &*c.generation : nullptr;
    d.writeRows(c.system, c.progress, c.tasks, c.children, c.events, generation, fresh.hashes);
    d.recordHistory(c.system, c.progress, c.tasks, c.events, generation);
    for (const auto& [task, progress] : c.taskProgress) {
      Statement upd = d.db->prepare(
          "UPDATE agent_tasks SET progress = ? WHERE task = ? AND agent = ? RETURNING task");
      upd.bindRow(progress, task, agent);
      if (!upd.step())
        throw StoreError(d.dir.string() + ": this agent no longer holds the lease of task '" +
                         task +
                         "' (another agent took it over); its last generation is not "
                         "committed");
    }
    d.db->prepare("DELETE FROM components_in_use WHERE agent = ?").bindRow(agent).run();
    Statement bump =
        d.db->prepare("UPDATE agent_sync SET version = version + 1 WHERE id = 1 RETURNING version");
    bump.step();
    version = bump.integer(0);
    written = Impl::rowsOf(c.system);
  });
  d.agentVersion = version;
  d.storedComponents = std::move(written);
  d.countCommit(start, bytesWritten, componentsWritten);
}

CommitStats ExperimentStore::commitStats() const {
  return impl_->stats;
}

const fs::path& ExperimentStore::directory() const {
  return impl_->dir;
}
bool ExperimentStore::isRemote() const {
  return impl_->remote;
}
ExperimentStore::Mode ExperimentStore::mode() const {
  return impl_->mode;
}

ExperimentConfig ExperimentStore::config() const {
  try {
    if (!impl_->remote) return loadExperimentConfig(impl_->dir / kConfigFile);
    const std::string text = impl_->metaValue(kConfigKey);
    if (text.empty()) throw StoreError(impl_->dbName() + " holds no experiment configuration");
    return parseExperimentConfig(text, fs::current_path());
  } catch (const ConfigError& e) {
    throw StoreError(e.what());
  }
}

RunMetadata ExperimentStore::metadata() const {
  RunMetadata m;
  m.projectVersion = impl_->metaValue("project_version");
  m.torchVersion = impl_->metaValue("torch_version");
  const std::string threads = impl_->metaValue("threads");
  m.threads = threads.empty() ? 1 : std::stoi(threads);
  m.configHash = impl_->metaValue("config_hash");
  return m;
}

bool ExperimentStore::hasState() const {
  Statement s = impl_->db->prepare("SELECT count(*) FROM state");
  return s.step() && s.integer(0) > 0;
}

StoreState ExperimentStore::load() const {
  return impl_->loadState(true);
}
StoreState ExperimentStore::loadMetadata() const {
  return impl_->loadState(false);
}

void ExperimentStore::commit(const SystemState& system, const StoreProgress& progress,
                             const std::vector<StoreTask>& tasks,
                             const std::vector<ChildRecord>& children,
                             const std::vector<StoredEvent>& events,
                             const GenerationRecord* generation) {
  auto& d = *impl_;
  if (d.mode != Mode::ReadWrite) throw StoreError(d.dir.string() + " is open read-only");
  const auto start = std::chrono::steady_clock::now();

  // 1. Bytes of new components: a directory's files written, flushed and renamed before any row
  // refers to them; a database's rows written in the transaction below.
  const Impl::NewComponents fresh = d.serializeNew(system);
  if (!d.remote && !fresh.bytes.empty()) {
    for (const auto& [id, bytes] : fresh.bytes)
      d.writeComponentFile(id, bytes);
    syncDirectory(d.dir / kComponents);
  }

  // 2. One transaction for every row.
  sql::inWriteTransaction(*d.db, [&] {
    if (d.schemaVersion < kSchemaVersion || !d.db->hasTable("history"))
      d.migrate(progress.generationCounter);
    if (d.remote) d.writeComponentRows(fresh.bytes);
    d.writeRows(system, progress, tasks, children, events, generation, fresh.hashes);
    d.recordHistory(system, progress, tasks, events, generation);
  });
  d.schemaVersion = kSchemaVersion;
  d.countCommit(start, fresh.size, static_cast<int64_t>(fresh.hashes.size()));
  d.storedComponents = Impl::rowsOf(system);
}

void ExperimentStore::replaceConfig(const ExperimentConfig& config) {
  if (impl_->mode != Mode::ReadWrite) throw StoreError(impl_->dir.string() + " is open read-only");
  impl_->writeConfig(config);
}

void ExperimentStore::restartConfig(const ExperimentConfig& config, const RunMetadata& metadata) {
  auto& d = *impl_;
  if (d.mode != Mode::ReadWrite) throw StoreError(d.dir.string() + " is open read-only");
  if (hasState())
    throw StoreError(d.dir.string() +
                     " holds a committed state; its configuration can only be extended");
  replaceConfig(config);
  sql::inWriteTransaction(*d.db, [&] {
    for (const auto& [k, v] : runMetaRows(config, metadata))
      setMeta(*d.db, k, v);
  });
}

void ExperimentStore::removeUnreferencedFiles() {
  if (impl_->mode != Mode::ReadWrite) throw StoreError(impl_->dir.string() + " is open read-only");
  impl_->removeOrphans();
}

std::vector<ChildRecord> ExperimentStore::children() const {
  return impl_->db->select<ChildRecord>("SELECT " + kChildColumns + " FROM children ORDER BY id",
                                        readChild);
}

std::vector<GenerationRecord> ExperimentStore::generations() const {
  return impl_->db->select<GenerationRecord>(
      "SELECT " + kGenerationColumns + " FROM generations ORDER BY generation", readGeneration);
}

std::vector<StoredEvent> ExperimentStore::events() const {
  return impl_->db->select<StoredEvent>("SELECT kind, payload FROM events ORDER BY id",
                                        [](Row& row) {
                                          StoredEvent e;
                                          row.read(e.kind, e.json);
                                          return e;
                                        });
}

std::vector<HistoryPointInfo> ExperimentStore::history() const {
  if (!impl_->db->hasTable("history")) return {};
  return impl_->db->select<HistoryPointInfo>(
      "SELECT " + kHistoryInfoColumns + " FROM history ORDER BY id", readHistoryInfo);
}

HistoryPoint ExperimentStore::historyPoint(int64_t id) const {
  const auto& d = *impl_;
  const std::string where = d.dbName() + ": history point " + std::to_string(id);
  if (!d.db->hasTable("history")) throw StoreError(where + " does not exist (no history recorded)");
  Statement s =
      d.db->prepare("SELECT " + kHistoryInfoColumns + ", graph, tasks FROM history WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) throw StoreError(where + " does not exist");
  HistoryPoint point;
  Row row(s);
  point.info = readHistoryInfo(row);
  try {
    point.graph = readHistoryGraphJson(s.text(6));
    point.tasks = readHistoryTasksJson(s.text(7));
  } catch (const json::exception& e) {
    throw StoreError(where + " is corrupt (" + e.what() + ")");
  }
  return point;
}

std::optional<HistoryPointInfo> ExperimentStore::historyAtGeneration(int64_t generation) const {
  if (!impl_->db->hasTable("history")) return std::nullopt;
  Statement s = impl_->db->prepare("SELECT " + kHistoryInfoColumns +
                                   " FROM history WHERE generation = ? ORDER BY id DESC LIMIT 1");
  s.bind(1, generation);
  if (!s.step()) return std::nullopt;
  Row row(s);
  return readHistoryInfo(row);
}

std::string ExperimentStore::historyNote() const {
  const std::string older = "this store was written by an older version of mu2net";
  const auto points = history();
  if (points.empty())
    return hasState() ? older + ": no history recorded (its next run records it from then on)"
                      : std::string();
  if (impl_->metaValue(kHistorySinceKey).empty()) return {};
  return older + ": its history starts at generation " + std::to_string(points.front().generation);
}

std::vector<std::pair<int64_t, std::string>> ExperimentStore::storedHashes() const {
  return impl_->recordedHashes();
}

fs::path ExperimentStore::componentFile(int64_t id) const {
  return impl_->componentFile(id);
}

std::string ExperimentStore::componentFileHash(int64_t id) const {
  return componentHash(impl_->componentBytes(id), impl_->componentFile(id), impl_->schemaVersion);
}

HistoryPoint requireHistoryAtGeneration(const ExperimentStore& store, int64_t generation) {
  if (const auto info = store.historyAtGeneration(generation)) return store.historyPoint(info->id);
  const auto points = store.history();
  std::string why = store.directory().string() + ": generation " + std::to_string(generation) +
                    " is not in the recorded history";
  if (points.empty())
    why += " (no generation is recorded)";
  else
    why += " (it holds generations " + std::to_string(points.front().generation) + " to " +
           std::to_string(points.back().generation) + ")";
  const std::string note = store.historyNote();
  throw StoreError(note.empty() ? why : why + "; " + note);
}

std::string hashComponentFile(const fs::path& file) {
  return bytesSha256(readComponentBytes(file));
}

std::optional<StoredEvent> toStoredEvent(const Event& event) {
  if (const auto* e = std::get_if<TaskIterationEndedEvent>(&event))
    return StoredEvent{"task_iteration_ended", json({{"task", e->task},
                                                     {"iteration", e->iteration},
                                                     {"retained_path", e->retainedPathId},
                                                     {"validation_accuracy", e->validationQuality},
                                                     {"system_parameters", e->systemSize}})
                                                   .dump()};
  if (const auto* e = std::get_if<TestEvaluatedEvent>(&event))
    return StoredEvent{"test_evaluated", json({{"task", e->task},
                                               {"path", e->pathId},
                                               {"test_accuracy", e->testQuality},
                                               {"examples", e->examples}})
                                             .dump()};
  if (const auto* e = std::get_if<TaskAddedEvent>(&event))
    return StoredEvent{"task_added", json({{"task", e->task}}).dump()};
  if (const auto* e = std::get_if<ErrorEvent>(&event))
    return StoredEvent{"error", json({{"message", e->message}}).dump()};
  if (const auto* e = std::get_if<RunFinishedEvent>(&event))
    return StoredEvent{"run_finished", json({{"stopped", e->stopped}}).dump()};
  return std::nullopt;
}

}  // namespace mu2net
