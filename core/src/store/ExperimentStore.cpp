// The experiment store: SQLite for metadata (store/StoreRows.h maps its rows), one write-once
// file per component (store/DurableFile.h), checked against its row when read
// (store/ComponentCheck.h). Torch-free: tensors go through ComponentIO.h.
#include "mu2net/store/ExperimentStore.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "model/ComponentIO.h"
#include "store/ComponentCheck.h"
#include "store/DurableFile.h"
#include "store/HistoryRows.h"
#include "store/Sqlite.h"
#include "store/StoreRows.h"

namespace mu2net {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using sqlite::Row;
using sqlite::Statement;
using namespace storerows;

constexpr const char* kDatabase = "system.sqlite";
constexpr const char* kConfigFile = "experiment.json";
constexpr const char* kComponents = "components";

// The meta rows that describe a run (besides the schema version).
std::vector<std::pair<std::string, std::string>> runMetaRows(const ExperimentConfig& config,
                                                             const RunMetadata& metadata) {
  return {{"project_version", metadata.projectVersion},
          {"torch_version", metadata.torchVersion},
          {"threads", std::to_string(metadata.threads)},
          {"config_hash", metadata.configHash},
          {"seed", std::to_string(config.seed)}};
}

}  // namespace

struct ExperimentStore::Impl {
  fs::path dir;
  Mode mode = Mode::ReadOnly;
  sqlite::Database db;
  int lockFd = -1;  // exclusive writer lock (flock on DIR/writer.lock), held while open for writing
  std::set<int64_t> storedComponents;  // ids with a row (and hence a file)
  // Schema 1 recorded ComponentTensors::sha256Hex; 2 records the SHA-256 of the file's bytes.
  // A schema-1 store is migrated by its next commit, never by opening it.
  int schemaVersion = kSchemaVersion;

  ~Impl() {
    if (lockFd >= 0) ::close(lockFd);  // releases the flock
  }

  // One writer at a time: two processes committing to one store would interleave states.
  void lockForWriting() {
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

  fs::path dbFile() const { return dir / kDatabase; }

  std::string metaValue(const std::string& key) const {
    Statement s = db.prepare("SELECT value FROM meta WHERE key = ?");
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
    db.open(dbFile(), mode == Mode::ReadOnly, create, immutable);
  }

  // Settings of a writing connection, applied once the database is known to be an experiment's
  // (switching the journal mode writes to the file).
  void prepareForWriting() {
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=FULL");
  }

  void checkSchema() {
    int version = 0;
    try {
      const std::string v = metaValue("schema_version");
      version = v.empty() ? 0 : std::stoi(v);
    } catch (const std::exception&) {
      throw StoreError(dbFile().string() + " is not an experiment database (no schema version)");
    }
    if (version > kSchemaVersion)
      throw StoreError(dir.string() + " was written by a newer version of mu2net (schema " +
                       std::to_string(version) + "; this build reads up to " +
                       std::to_string(kSchemaVersion) + ")");
    if (version < 1)
      throw StoreError(dbFile().string() + " has an unknown schema version " +
                       std::to_string(version));
    // Version 2 changed only the meaning of components.sha256 (the file's bytes instead of the
    // parameter values); commit() migrates a version-1 store, so that opening changes nothing.
    schemaVersion = version;
  }

  // Every component's id and recorded SHA-256, in id order.
  std::vector<std::pair<int64_t, std::string>> recordedHashes() const {
    return db.select<std::pair<int64_t, std::string>>(
        "SELECT id, sha256 FROM components ORDER BY id", [](Row& row) {
          std::pair<int64_t, std::string> hash;
          row.read(hash.first, hash.second);
          return hash;
        });
  }

  // Version 1 to 2: every recorded hash becomes the file's SHA-256, once the file is shown to be
  // the one recorded. Inside commit()'s transaction.
  void migrateHashes() {
    Statement upd = db.prepare("UPDATE components SET sha256 = ? WHERE id = ?");
    for (const auto& [id, stored] : recordedHashes()) {
      const std::vector<char> bytes = readComponentBytes(componentFile(id));
      checkComponentHash(id, componentFile(id), bytes, stored, schemaVersion);
      upd.bindRow(bytesSha256(bytes), id).run();
    }
  }

  // Brings an older store to kSchemaVersion, inside commit()'s transaction: 1 to 2 rewrites the
  // hashes; 2 to 3 adds the history table, which then starts at this commit's generation.
  void migrate(int64_t generation) {
    if (schemaVersion < 2) migrateHashes();
    if (!hasHistoryTable()) {
      // A store with a committed state had a history this version did not record.
      Statement state = db.prepare("SELECT count(*) FROM state");
      const bool before = state.step() && state.integer(0) > 0;
      db.exec(kHistorySchema);
      if (before) {
        Statement since = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
        since.bindRow(std::string(kHistorySinceKey), std::to_string(generation)).run();
      }
    }
    Statement meta = db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'");
    meta.bindRow(std::to_string(kSchemaVersion)).run();
  }

  bool hasHistoryTable() const {
    Statement s =
        db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'history'");
    return s.step() && s.integer(0) > 0;
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
    Statement children = db.prepare("SELECT coalesce(max(id), 0) FROM children");
    info.children = children.step() ? children.integer(0) : 0;
    writeHistory(db, info, System(system).snapshot(), tasks);
  }

  void loadStoredIds() {
    const auto ids = db.select<int64_t>("SELECT id FROM components", [](Row& row) {
      int64_t id = 0;
      row.read(id);
      return id;
    });
    storedComponents.insert(ids.begin(), ids.end());
  }

  // Removes component files (and temporary files) that no row references: components of
  // children that were not kept, and leftovers of a crash between a file's rename and its
  // transaction's commit.
  void removeOrphans() {
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

  fs::path componentFile(int64_t id) const {
    return dir / kComponents / (std::to_string(id) + ".pt");
  }

  StoreState loadState(bool withTensors) const {
    StoreState st;
    Statement state = db.prepare("SELECT system, progress FROM state WHERE id = 1");
    if (!state.step()) throw StoreError(dir.string() + ": the store holds no committed state yet");
    try {
      st.progress = readProgressJson(state.text(1));
      readSystemStateJson(state.text(0), st.system);
    } catch (const json::exception& e) {
      throw StoreError(dbFile().string() + ": the committed state is corrupt (" + e.what() + ")");
    }
    for (auto& row : db.select<ComponentRow>(
             "SELECT " + kComponentColumns + " FROM components ORDER BY id", readComponent)) {
      Component& c = row.component;
      if (withTensors)
        c.tensors = loadCheckedComponent(c.id, componentFile(c.id), row.shapesJson, row.sha256,
                                         schemaVersion);
      st.system.components[c.id] = std::move(c);
    }
    for (auto& p : db.select<Path>("SELECT " + kPathColumns + " FROM paths ORDER BY id", readPath))
      st.system.paths[p.id] = std::move(p);
    st.tasks =
        db.select<StoreTask>("SELECT " + kTaskColumns + " FROM tasks ORDER BY position", readTask);
    return st;
  }

  // Step 2 of a commit, inside its transaction: every row of the state.
  void writeRows(const SystemState& system, const StoreProgress& progress,
                 const std::vector<StoreTask>& tasks, const std::vector<ChildRecord>& children,
                 const std::vector<StoredEvent>& events, const GenerationRecord* generation,
                 const std::map<int64_t, std::string>& newHashes) {
    // Components: rows of removed components go (their files become orphans, removed when the
    // run ends: removeUnreferencedFiles); new rows are added; the locks of every live one are
    // updated.
    {
      Statement del = db.prepare("DELETE FROM components WHERE id = ?");
      for (int64_t id : storedComponents)
        if (!system.components.count(id)) del.bind(1, id).run();
    }
    {
      Statement ins = db.prepare(insertInto("components", kComponentColumns));
      Statement upd = db.prepare("UPDATE components SET locks = ? WHERE id = ?");
      for (const auto& [id, c] : system.components) {
        const auto hash = newHashes.find(id);
        if (hash != newHashes.end())
          writeComponent(ins, {c, json(componentShapesOf(*c.tensors)).dump(), hash->second,
                               std::string(kComponents) + "/" + std::to_string(id) + ".pt"});
        else
          upd.bindRow(locksJson(c), id).run();
      }
    }
    db.exec("DELETE FROM paths");
    {
      std::set<int64_t> retained;
      for (const auto& [task, id] : system.retained)
        retained.insert(id);
      Statement ins = db.prepare(insertInto("paths", kPathColumns));
      for (const auto& [id, p] : system.paths)
        writePath(ins, p, retained.count(id) != 0);
    }
    db.exec("DELETE FROM tasks");
    {
      Statement ins = db.prepare(insertInto("tasks", kTaskColumns));
      int64_t position = 0;
      for (const auto& t : tasks)
        writeTask(ins, position++, t);
    }
    {
      Statement ins = db.prepare(insertInto("children", kChildColumns));
      for (const auto& c : children)
        writeChild(ins, c);
    }
    if (generation) {
      Statement ins = db.prepare("INSERT OR REPLACE INTO generations(" + kGenerationColumns +
                                 ") VALUES (" + sqlite::placeholders(6) + ")");
      writeGeneration(ins, *generation);
    }
    {
      Statement ins = db.prepare("INSERT INTO events(kind, payload) VALUES (?, ?)");
      for (const auto& e : events)
        ins.bindRow(e.kind, e.json).run();
    }
    Statement ins =
        db.prepare("INSERT OR REPLACE INTO state(id, system, progress) VALUES (1, ?, ?)");
    ins.bindRow(systemStateJson(system), progressJson(progress)).run();
  }
};

ExperimentStore::ExperimentStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExperimentStore::~ExperimentStore() = default;

bool ExperimentStore::isStore(const fs::path& dir) {
  return fs::is_regular_file(dir / kDatabase);
}

bool ExperimentStore::isBeingWritten(const fs::path& dir) {
  const int fd = ::open((dir / "writer.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return locked;
}

std::unique_ptr<ExperimentStore> ExperimentStore::create(const fs::path& dir,
                                                         const ExperimentConfig& config,
                                                         const RunMetadata& metadata) {
  if (isStore(dir)) throw StoreError(dir.string() + " already holds an experiment store");
  std::error_code ec;
  fs::create_directories(dir / kComponents, ec);
  if (ec) throw StoreError("cannot create " + (dir / kComponents).string() + ": " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->mode = Mode::ReadWrite;
  impl->lockForWriting();
  const std::string configText = experimentConfigToJson(config) + "\n";
  writeFileDurably(dir / kConfigFile, configText.data(), configText.size());
  impl->openDatabase(true);
  impl->prepareForWriting();
  impl->db.exec("BEGIN IMMEDIATE");
  impl->db.exec(kSchema);
  impl->db.exec(kHistorySchema);
  {
    Statement s = impl->db.prepare("INSERT INTO meta(key, value) VALUES (?, ?)");
    s.bindRow(std::string("schema_version"), std::to_string(kSchemaVersion)).run();
    for (const auto& [k, v] : runMetaRows(config, metadata))
      s.bindRow(k, v).run();
  }
  impl->db.exec("COMMIT");
  syncDirectory(dir);
  return std::unique_ptr<ExperimentStore>(new ExperimentStore(std::move(impl)));
}

std::unique_ptr<ExperimentStore> ExperimentStore::open(const fs::path& dir, Mode mode) {
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
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->mode = mode;
  if (mode == Mode::ReadWrite) impl->lockForWriting();
  impl->openDatabase(false);
  impl->checkSchema();
  impl->loadStoredIds();
  if (mode == Mode::ReadWrite) impl->prepareForWriting();
  return std::unique_ptr<ExperimentStore>(new ExperimentStore(std::move(impl)));
}

const fs::path& ExperimentStore::directory() const {
  return impl_->dir;
}
ExperimentStore::Mode ExperimentStore::mode() const {
  return impl_->mode;
}

ExperimentConfig ExperimentStore::config() const {
  try {
    return loadExperimentConfig(impl_->dir / kConfigFile);
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
  Statement s = impl_->db.prepare("SELECT count(*) FROM state");
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

  // 1. Files of new components: written, flushed and renamed before any row refers to them.
  std::map<int64_t, std::string> newHashes;
  bool wroteFiles = false;
  for (const auto& [id, c] : system.components) {
    if (d.storedComponents.count(id)) continue;
    if (!c.tensors)
      throw StoreError("component " + std::to_string(id) + " has no tensors to store");
    const std::vector<char> bytes = serializeComponent(*c.tensors);
    writeFileDurably(d.componentFile(id), bytes.data(), bytes.size(), true);
    newHashes[id] = bytesSha256(bytes);
    wroteFiles = true;
  }
  if (wroteFiles) syncDirectory(d.dir / kComponents);

  // 2. One transaction for every row.
  d.db.exec("BEGIN IMMEDIATE");
  try {
    if (d.schemaVersion < kSchemaVersion || !d.hasHistoryTable())
      d.migrate(progress.generationCounter);
    d.writeRows(system, progress, tasks, children, events, generation, newHashes);
    d.recordHistory(system, progress, tasks, events, generation);
    d.db.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(d.db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  d.schemaVersion = kSchemaVersion;
  for (const auto& [id, hash] : newHashes)
    d.storedComponents.insert(id);
  for (auto it = d.storedComponents.begin(); it != d.storedComponents.end();)
    it = system.components.count(*it) ? std::next(it) : d.storedComponents.erase(it);
}

void ExperimentStore::replaceConfig(const ExperimentConfig& config) {
  if (impl_->mode != Mode::ReadWrite) throw StoreError(impl_->dir.string() + " is open read-only");
  const std::string text = experimentConfigToJson(config) + "\n";
  writeFileDurably(impl_->dir / kConfigFile, text.data(), text.size());
}

void ExperimentStore::restartConfig(const ExperimentConfig& config, const RunMetadata& metadata) {
  auto& d = *impl_;
  if (d.mode != Mode::ReadWrite) throw StoreError(d.dir.string() + " is open read-only");
  if (hasState())
    throw StoreError(d.dir.string() +
                     " holds a committed state; its configuration can only be extended");
  replaceConfig(config);
  d.db.exec("BEGIN IMMEDIATE");
  try {
    Statement s = d.db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
    for (const auto& [k, v] : runMetaRows(config, metadata))
      s.bindRow(k, v).run();
    d.db.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(d.db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void ExperimentStore::removeUnreferencedFiles() {
  if (impl_->mode != Mode::ReadWrite) throw StoreError(impl_->dir.string() + " is open read-only");
  impl_->removeOrphans();
}

std::vector<ChildRecord> ExperimentStore::children() const {
  return impl_->db.select<ChildRecord>("SELECT " + kChildColumns + " FROM children ORDER BY id",
                                       readChild);
}

std::vector<GenerationRecord> ExperimentStore::generations() const {
  return impl_->db.select<GenerationRecord>(
      "SELECT " + kGenerationColumns + " FROM generations ORDER BY generation", readGeneration);
}

std::vector<StoredEvent> ExperimentStore::events() const {
  return impl_->db.select<StoredEvent>("SELECT kind, payload FROM events ORDER BY id",
                                       [](Row& row) {
                                         StoredEvent e;
                                         row.read(e.kind, e.json);
                                         return e;
                                       });
}

std::vector<HistoryPointInfo> ExperimentStore::history() const {
  if (!impl_->hasHistoryTable()) return {};
  return impl_->db.select<HistoryPointInfo>(
      "SELECT " + kHistoryInfoColumns + " FROM history ORDER BY id", readHistoryInfo);
}

HistoryPoint ExperimentStore::historyPoint(int64_t id) const {
  const auto& d = *impl_;
  const std::string where = d.dbFile().string() + ": history point " + std::to_string(id);
  if (!d.hasHistoryTable()) throw StoreError(where + " does not exist (no history recorded)");
  Statement s =
      d.db.prepare("SELECT " + kHistoryInfoColumns + ", graph, tasks FROM history WHERE id = ?");
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
  if (!impl_->hasHistoryTable()) return std::nullopt;
  Statement s = impl_->db.prepare("SELECT " + kHistoryInfoColumns +
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
  const fs::path file = impl_->componentFile(id);
  return componentHash(readComponentBytes(file), file, impl_->schemaVersion);
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
