// The experiment store: SQLite for metadata, one write-once file per component.
// Torch-free: tensors go through ComponentIO.h.
#include "mu2net/store/ExperimentStore.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/Sha256.h"
#include "model/ComponentIO.h"

namespace mu2net {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kDatabase = "system.sqlite";
constexpr const char* kConfigFile = "experiment.json";
constexpr const char* kComponents = "components";

// ---- SQLite helpers ------------------------------------------------------------------------

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const fs::path& file) : db_(db), file_(file) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(file_.string() + ": " + sqlite3_errmsg(db) + " (in: " + sql + ")");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Returns true while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(file_.string() + ": " + sqlite3_errmsg(db_));
  }
  void run() {
    step();
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  fs::path file_;
};

const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tasks(position INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, spec TEXT NOT NULL,
  num_classes INTEGER NOT NULL, children_tried INTEGER NOT NULL, children_improved INTEGER NOT NULL,
  iterations_done INTEGER NOT NULL);
CREATE TABLE components(id INTEGER PRIMARY KEY, slot TEXT NOT NULL, creator_task TEXT NOT NULL,
  generation INTEGER NOT NULL, shapes TEXT NOT NULL, param_count INTEGER NOT NULL,
  sha256 TEXT NOT NULL, file TEXT NOT NULL, locks TEXT NOT NULL);
CREATE TABLE paths(id INTEGER PRIMARY KEY, task TEXT NOT NULL, parent_id INTEGER NOT NULL,
  components TEXT NOT NULL, hparams TEXT NOT NULL, validation_quality REAL NOT NULL,
  test_quality REAL, score REAL NOT NULL, offspring TEXT NOT NULL, generation INTEGER NOT NULL,
  improved INTEGER NOT NULL, train_seconds REAL NOT NULL, mutations TEXT NOT NULL,
  validation_history TEXT NOT NULL, retained INTEGER NOT NULL);
CREATE TABLE children(id INTEGER PRIMARY KEY AUTOINCREMENT, generation INTEGER NOT NULL,
  child_index INTEGER NOT NULL, task TEXT NOT NULL, path_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL, parent_task TEXT NOT NULL, improved INTEGER NOT NULL,
  quality REAL NOT NULL, score REAL NOT NULL, parent_score REAL NOT NULL,
  trainable_params INTEGER NOT NULL, total_params INTEGER NOT NULL, accounted_params REAL NOT NULL,
  mutations TEXT NOT NULL, hparams TEXT NOT NULL, slots TEXT NOT NULL,
  validation_history TEXT NOT NULL, seconds REAL NOT NULL);
CREATE TABLE generations(generation INTEGER PRIMARY KEY, task TEXT NOT NULL,
  iteration INTEGER NOT NULL, data_hparams TEXT NOT NULL, data_mutations TEXT NOT NULL,
  rng_state TEXT NOT NULL);
CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE state(id INTEGER PRIMARY KEY CHECK (id = 1), system TEXT NOT NULL,
  progress TEXT NOT NULL);
)sql";

// ---- JSON conversions ------------------------------------------------------------------------

json mutationsToJson(const std::vector<Mutation>& ms) {
  json a = json::array();
  for (const auto& m : ms)
    a.push_back({{"name", m.name}, {"from", m.from}, {"to", m.to}});
  return a;
}

std::vector<Mutation> mutationsFromJson(const json& a) {
  std::vector<Mutation> ms;
  for (const auto& m : a)
    ms.push_back({m.at("name"), m.at("from"), m.at("to")});
  return ms;
}

const char* kindName(SlotOrigin::Kind k) {
  switch (k) {
    case SlotOrigin::Kind::Shared:
      return "shared";
    case SlotOrigin::Kind::Cloned:
      return "cloned";
    case SlotOrigin::Kind::New:
      return "new";
  }
  return "new";
}

json slotsToJson(const std::vector<SlotOrigin>& slots) {
  json a = json::array();
  for (const auto& s : slots)
    a.push_back({{"slot", s.slot},
                 {"component", s.componentId},
                 {"source", s.sourceComponentId},
                 {"kind", kindName(s.kind)},
                 {"reinterpolated", s.reinterpolated}});
  return a;
}

std::vector<SlotOrigin> slotsFromJson(const json& a) {
  std::vector<SlotOrigin> out;
  for (const auto& j : a) {
    SlotOrigin s;
    s.slot = j.at("slot");
    s.componentId = j.at("component");
    s.sourceComponentId = j.at("source");
    const std::string kind = j.at("kind");
    s.kind = kind == "shared"   ? SlotOrigin::Kind::Shared
             : kind == "cloned" ? SlotOrigin::Kind::Cloned
                                : SlotOrigin::Kind::New;
    s.reinterpolated = j.at("reinterpolated");
    out.push_back(s);
  }
  return out;
}

json taskSpecToJson(const TaskSpec& t) {
  return {{"name", t.name},
          {"format", formatName(t.format)},
          {"path", t.path.string()},
          {"classes", t.classes},
          {"validation_fraction", t.validationFraction}};
}

TaskSpec taskSpecFromJson(const json& j) {
  TaskSpec t;
  t.name = j.at("name");
  t.format = parseDatasetFormat(j.at("format").get<std::string>());
  t.path = j.at("path").get<std::string>();
  t.classes = j.at("classes").get<std::vector<int>>();
  t.validationFraction = j.at("validation_fraction");
  return t;
}

json progressToJson(const StoreProgress& p) {
  return {{"iteration", p.iteration},
          {"task_index", p.taskIndex},
          {"task_started", p.taskStarted},
          {"next_generation", p.nextGeneration},
          {"generation_counter", p.generationCounter},
          {"finished", p.finished}};
}

StoreProgress progressFromJson(const json& j) {
  StoreProgress p;
  p.iteration = j.at("iteration");
  p.taskIndex = j.at("task_index");
  p.taskStarted = j.at("task_started");
  p.nextGeneration = j.at("next_generation");
  p.generationCounter = j.at("generation_counter");
  p.finished = j.at("finished");
  return p;
}

json mapToJson(const std::map<int64_t, int64_t>& m) {
  json a = json::array();
  for (const auto& [k, v] : m)
    a.push_back({k, v});
  return a;
}

// Test aid for crash-safety tests: MU2NET_TEST_KILL_IN_COMPONENT_WRITE=N kills the process
// (SIGKILL) half-way through writing the N-th component file of this process.
void maybeKillDuringWrite(int fd, const char* data, std::size_t size) {
  static const char* env = std::getenv("MU2NET_TEST_KILL_IN_COMPONENT_WRITE");
  static long remaining = env ? std::atol(env) : 0;
  if (remaining <= 0 || --remaining > 0) return;
  if (::write(fd, data, size / 2) < 0) {
  }
  ::kill(::getpid(), SIGKILL);
}

void writeFileDurably(const fs::path& file, const char* data, std::size_t size,
                      bool componentFile = false) {
  const fs::path tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreError("cannot create " + tmp.string());
  if (componentFile) maybeKillDuringWrite(fd, data, size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) {
      ::close(fd);
      throw StoreError("cannot write " + tmp.string() + " (disk full?)");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw StoreError("cannot flush " + tmp.string());
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) throw StoreError("cannot rename " + tmp.string() + ": " + ec.message());
}

void syncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::vector<char> readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw StoreError("component file " + file.string() + " is missing or unreadable");
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

// ---- the store -------------------------------------------------------------------------------

struct ExperimentStore::Impl {
  fs::path dir;
  Mode mode = Mode::ReadOnly;
  sqlite3* db = nullptr;
  int lockFd = -1;  // exclusive writer lock (flock on DIR/writer.lock), held while open for writing
  std::set<int64_t> storedComponents;  // ids with a row (and hence a file)

  ~Impl() {
    if (db) sqlite3_close(db);
    if (lockFd >= 0) ::close(lockFd);  // releases the flock
  }

  // One writer at a time: two processes committing to one store would interleave states.
  void lockForWriting() {
    const fs::path file = dir / "writer.lock";
    lockFd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lockFd < 0) throw StoreError("cannot create " + file.string());
    if (::flock(lockFd, LOCK_EX | LOCK_NB) != 0)
      throw StoreError(dir.string() +
                       " is being written by another process; open it read-only to watch it");
  }

  fs::path dbFile() const { return dir / kDatabase; }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw StoreError(dbFile().string() + ": " + msg);
    }
  }

  Statement prepare(const std::string& sql) const { return Statement(db, sql, dbFile()); }

  std::string metaValue(const std::string& key) const {
    Statement s = prepare("SELECT value FROM meta WHERE key = ?");
    s.bind(1, key);
    return s.step() ? s.text(0) : std::string();
  }

  void openDatabase(bool create) {
    int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create) flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(dbFile().c_str(), &db, flags, nullptr) != SQLITE_OK) {
      const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      throw StoreError("cannot open " + dbFile().string() + ": " + msg);
    }
    sqlite3_busy_timeout(db, 10000);
    // Reading the schema is the cheapest way to find out whether this is a database at all.
    try {
      exec("SELECT count(*) FROM sqlite_master");
    } catch (const StoreError& e) {
      throw StoreError(dbFile().string() + " is not a readable experiment database (" + e.what() +
                       ")");
    }
    if (mode == Mode::ReadWrite) {
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=FULL");
    }
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
    // Version 1 is the first schema; later versions add their migration steps here, each in
    // its own transaction, on read-write opens only.
  }

  void loadStoredIds() {
    Statement s = prepare("SELECT id FROM components");
    while (s.step())
      storedComponents.insert(s.integer(0));
  }

  // Removes component files (and temporary files) that no row references: leftovers of a crash
  // between a file's rename and its transaction's commit.
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
    Statement state = prepare("SELECT system, progress FROM state WHERE id = 1");
    if (!state.step()) throw StoreError(dir.string() + ": the store holds no committed state yet");
    json sys, prog;
    try {
      sys = json::parse(state.text(0));
      prog = json::parse(state.text(1));
      st.progress = progressFromJson(prog);
      auto& s = st.system;
      s.nextComponentId = sys.at("next_component_id");
      s.nextPathId = sys.at("next_path_id");
      s.rootPathId = sys.at("root_path_id");
      s.tasks = sys.at("tasks").get<std::vector<std::string>>();
      s.populations = sys.at("populations").get<std::map<std::string, std::vector<int64_t>>>();
      s.retained = sys.at("retained").get<std::map<std::string, int64_t>>();
      s.seedPool = sys.at("seed_pool").get<std::vector<int64_t>>();
      for (const auto& pair : sys.at("removed_parents"))
        s.removedParents[pair.at(0).get<int64_t>()] = pair.at(1).get<int64_t>();
    } catch (const json::exception& e) {
      throw StoreError(dbFile().string() + ": the committed state is corrupt (" + e.what() + ")");
    }

    Statement comps = prepare(
        "SELECT id, slot, creator_task, generation, shapes, param_count, sha256, locks "
        "FROM components ORDER BY id");
    while (comps.step()) {
      Component c;
      c.id = comps.integer(0);
      c.slot = comps.text(1);
      c.creatorTask = comps.text(2);
      c.generation = comps.integer(3);
      c.paramCount = comps.integer(5);
      const auto locks = json::parse(comps.text(7)).get<std::vector<std::string>>();
      c.locks = std::set<std::string>(locks.begin(), locks.end());
      if (withTensors) {
        const fs::path file = componentFile(c.id);
        try {
          c.tensors = deserializeComponent(readBytes(file), "component file " + file.string());
        } catch (const StoreError&) {
          throw;
        } catch (const std::exception& e) {
          throw StoreError(std::string(e.what()) + " (component " + std::to_string(c.id) + ")");
        }
        const json shapes = json::parse(comps.text(4));
        if (json(componentShapesOf(*c.tensors)) != shapes)
          throw StoreError("component file " + file.string() +
                           " does not have the shapes recorded for component " +
                           std::to_string(c.id));
      }
      st.system.components[c.id] = std::move(c);
    }

    Statement paths = prepare(
        "SELECT id, task, parent_id, components, hparams, validation_quality, test_quality, "
        "score, offspring, generation, improved, train_seconds, mutations, validation_history "
        "FROM paths ORDER BY id");
    while (paths.step()) {
      Path p;
      p.id = paths.integer(0);
      p.task = paths.text(1);
      p.parentId = paths.integer(2);
      p.componentIds = json::parse(paths.text(3)).get<std::vector<int64_t>>();
      p.hparams = json::parse(paths.text(4)).get<HParams>();
      p.metrics.validationQuality = paths.real(5);
      if (!paths.isNull(6)) p.metrics.testQuality = paths.real(6);
      p.metrics.score = paths.real(7);
      p.metrics.offspringCount = json::parse(paths.text(8)).get<std::map<std::string, int64_t>>();
      p.metrics.generation = paths.integer(9);
      p.metrics.improved = paths.integer(10) != 0;
      p.metrics.trainSeconds = paths.real(11);
      p.metrics.mutations = mutationsFromJson(json::parse(paths.text(12)));
      p.metrics.validationHistory = json::parse(paths.text(13)).get<std::vector<double>>();
      st.system.paths[p.id] = std::move(p);
    }

    Statement tasks = prepare(
        "SELECT spec, num_classes, children_tried, children_improved, iterations_done FROM tasks "
        "ORDER BY position");
    while (tasks.step()) {
      StoreTask t;
      t.spec = taskSpecFromJson(json::parse(tasks.text(0)));
      t.numClasses = static_cast<int>(tasks.integer(1));
      t.childrenTried = tasks.integer(2);
      t.childrenImproved = tasks.integer(3);
      t.iterationsDone = static_cast<int>(tasks.integer(4));
      st.tasks.push_back(std::move(t));
    }
    return st;
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
  impl->exec("BEGIN IMMEDIATE");
  impl->exec(kSchema);
  {
    Statement s = impl->prepare("INSERT INTO meta(key, value) VALUES (?, ?)");
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"schema_version", std::to_string(kSchemaVersion)},
        {"project_version", metadata.projectVersion},
        {"torch_version", metadata.torchVersion},
        {"threads", std::to_string(metadata.threads)},
        {"config_hash", metadata.configHash},
        {"seed", std::to_string(config.seed)}};
    for (const auto& [k, v] : rows)
      s.bind(1, k).bind(2, v).run();
  }
  impl->exec("COMMIT");
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
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->mode = mode;
  if (mode == Mode::ReadWrite) impl->lockForWriting();
  impl->openDatabase(false);
  impl->checkSchema();
  impl->loadStoredIds();
  if (mode == Mode::ReadWrite) impl->removeOrphans();
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
  Statement s = impl_->prepare("SELECT count(*) FROM state");
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
    newHashes[id] = componentSha256(*c.tensors);
    wroteFiles = true;
  }
  if (wroteFiles) syncDirectory(d.dir / kComponents);

  // 2. One transaction for every row.
  d.exec("BEGIN IMMEDIATE");
  try {
    // Components: rows of removed components go (their files become orphans, swept on open);
    // new rows are added; the locks of every live one are updated.
    std::set<int64_t> live;
    for (const auto& [id, c] : system.components)
      live.insert(id);
    {
      Statement del = d.prepare("DELETE FROM components WHERE id = ?");
      for (int64_t id : d.storedComponents)
        if (!live.count(id)) del.bind(1, id).run();
    }
    {
      Statement ins = d.prepare(
          "INSERT INTO components(id, slot, creator_task, generation, shapes, param_count, "
          "sha256, file, locks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      Statement upd = d.prepare("UPDATE components SET locks = ? WHERE id = ?");
      for (const auto& [id, c] : system.components) {
        const std::string locks =
            json(std::vector<std::string>(c.locks.begin(), c.locks.end())).dump();
        const auto hash = newHashes.find(id);
        if (hash != newHashes.end()) {
          ins.bind(1, id)
              .bind(2, c.slot)
              .bind(3, c.creatorTask)
              .bind(4, c.generation)
              .bind(5, json(componentShapesOf(*c.tensors)).dump())
              .bind(6, c.paramCount)
              .bind(7, hash->second)
              .bind(8, std::string(kComponents) + "/" + std::to_string(id) + ".pt")
              .bind(9, locks)
              .run();
        } else {
          upd.bind(1, locks).bind(2, id).run();
        }
      }
    }
    d.exec("DELETE FROM paths");
    {
      std::set<int64_t> retained;
      for (const auto& [task, id] : system.retained)
        retained.insert(id);
      Statement ins = d.prepare(
          "INSERT INTO paths(id, task, parent_id, components, hparams, validation_quality, "
          "test_quality, score, offspring, generation, improved, train_seconds, mutations, "
          "validation_history, retained) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const auto& [id, p] : system.paths) {
        ins.bind(1, id)
            .bind(2, p.task)
            .bind(3, p.parentId)
            .bind(4, json(p.componentIds).dump())
            .bind(5, json(p.hparams).dump())
            .bind(6, p.metrics.validationQuality);
        if (p.metrics.testQuality)
          ins.bind(7, *p.metrics.testQuality);
        else
          ins.bindNull(7);
        ins.bind(8, p.metrics.score)
            .bind(9, json(p.metrics.offspringCount).dump())
            .bind(10, p.metrics.generation)
            .bind(11, int64_t{p.metrics.improved ? 1 : 0})
            .bind(12, p.metrics.trainSeconds)
            .bind(13, mutationsToJson(p.metrics.mutations).dump())
            .bind(14, json(p.metrics.validationHistory).dump())
            .bind(15, int64_t{retained.count(id) ? 1 : 0})
            .run();
      }
    }
    d.exec("DELETE FROM tasks");
    {
      Statement ins = d.prepare(
          "INSERT INTO tasks(position, name, spec, num_classes, children_tried, "
          "children_improved, iterations_done) VALUES (?, ?, ?, ?, ?, ?, ?)");
      int64_t position = 0;
      for (const auto& t : tasks)
        ins.bind(1, position++)
            .bind(2, t.spec.name)
            .bind(3, taskSpecToJson(t.spec).dump())
            .bind(4, int64_t{t.numClasses})
            .bind(5, t.childrenTried)
            .bind(6, t.childrenImproved)
            .bind(7, int64_t{t.iterationsDone})
            .run();
    }
    {
      Statement ins = d.prepare(
          "INSERT INTO children(generation, child_index, task, path_id, parent_id, parent_task, "
          "improved, quality, score, parent_score, trainable_params, total_params, "
          "accounted_params, mutations, hparams, slots, validation_history, seconds) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const auto& c : children)
        ins.bind(1, c.generation)
            .bind(2, int64_t{c.childIndex})
            .bind(3, c.task)
            .bind(4, c.pathId)
            .bind(5, c.parentId)
            .bind(6, c.parentTask)
            .bind(7, int64_t{c.improved ? 1 : 0})
            .bind(8, c.quality)
            .bind(9, c.score)
            .bind(10, c.parentScore)
            .bind(11, c.trainableParams)
            .bind(12, c.totalParams)
            .bind(13, c.accountedParams)
            .bind(14, mutationsToJson(c.mutations).dump())
            .bind(15, json(c.hparams).dump())
            .bind(16, slotsToJson(c.slots).dump())
            .bind(17, json(c.validationHistory).dump())
            .bind(18, c.seconds)
            .run();
    }
    if (generation) {
      Statement ins = d.prepare(
          "INSERT OR REPLACE INTO generations(generation, task, iteration, data_hparams, "
          "data_mutations, rng_state) VALUES (?, ?, ?, ?, ?, ?)");
      json rng = json::array();
      for (auto w : generation->rng.s)
        rng.push_back(std::to_string(w));
      ins.bind(1, generation->generation)
          .bind(2, generation->task)
          .bind(3, int64_t{generation->iteration})
          .bind(4, json(generation->dataHParams).dump())
          .bind(5, mutationsToJson(generation->dataMutations).dump())
          .bind(6, rng.dump())
          .run();
    }
    {
      Statement ins = d.prepare("INSERT INTO events(kind, payload) VALUES (?, ?)");
      for (const auto& e : events)
        ins.bind(1, e.kind).bind(2, e.json).run();
    }
    {
      json sys = {{"next_component_id", system.nextComponentId},
                  {"next_path_id", system.nextPathId},
                  {"root_path_id", system.rootPathId},
                  {"tasks", system.tasks},
                  {"populations", system.populations},
                  {"retained", system.retained},
                  {"seed_pool", system.seedPool},
                  {"removed_parents", mapToJson(system.removedParents)}};
      Statement ins =
          d.prepare("INSERT OR REPLACE INTO state(id, system, progress) VALUES (1, ?, ?)");
      ins.bind(1, sys.dump()).bind(2, progressToJson(progress).dump()).run();
    }
    d.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
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

std::vector<ChildRecord> ExperimentStore::children() const {
  std::vector<ChildRecord> out;
  Statement s = impl_->prepare(
      "SELECT generation, child_index, task, path_id, parent_id, parent_task, improved, quality, "
      "score, parent_score, trainable_params, total_params, accounted_params, mutations, "
      "hparams, slots, validation_history, seconds FROM children ORDER BY id");
  while (s.step()) {
    ChildRecord c;
    c.generation = s.integer(0);
    c.childIndex = static_cast<int>(s.integer(1));
    c.task = s.text(2);
    c.pathId = s.integer(3);
    c.parentId = s.integer(4);
    c.parentTask = s.text(5);
    c.improved = s.integer(6) != 0;
    c.quality = s.real(7);
    c.score = s.real(8);
    c.parentScore = s.real(9);
    c.trainableParams = s.integer(10);
    c.totalParams = s.integer(11);
    c.accountedParams = s.real(12);
    c.mutations = mutationsFromJson(json::parse(s.text(13)));
    c.hparams = json::parse(s.text(14)).get<HParams>();
    c.slots = slotsFromJson(json::parse(s.text(15)));
    c.validationHistory = json::parse(s.text(16)).get<std::vector<double>>();
    c.seconds = s.real(17);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<GenerationRecord> ExperimentStore::generations() const {
  std::vector<GenerationRecord> out;
  Statement s = impl_->prepare(
      "SELECT generation, task, iteration, data_hparams, data_mutations, rng_state FROM "
      "generations ORDER BY generation");
  while (s.step()) {
    GenerationRecord g;
    g.generation = s.integer(0);
    g.task = s.text(1);
    g.iteration = static_cast<int>(s.integer(2));
    g.dataHParams = json::parse(s.text(3)).get<HParams>();
    g.dataMutations = mutationsFromJson(json::parse(s.text(4)));
    const json rng = json::parse(s.text(5));
    for (std::size_t i = 0; i < g.rng.s.size() && i < rng.size(); ++i)
      g.rng.s[i] = std::stoull(rng[i].get<std::string>());
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<StoredEvent> ExperimentStore::events() const {
  std::vector<StoredEvent> out;
  Statement s = impl_->prepare("SELECT kind, payload FROM events ORDER BY id");
  while (s.step())
    out.push_back({s.text(0), s.text(1)});
  return out;
}

std::vector<std::pair<int64_t, std::string>> ExperimentStore::storedHashes() const {
  std::vector<std::pair<int64_t, std::string>> out;
  Statement s = impl_->prepare("SELECT id, sha256 FROM components ORDER BY id");
  while (s.step())
    out.emplace_back(s.integer(0), s.text(1));
  return out;
}

fs::path ExperimentStore::componentFile(int64_t id) const {
  return impl_->componentFile(id);
}

std::string hashComponentFile(const fs::path& file) {
  try {
    return componentSha256(
        *deserializeComponent(readBytes(file), "component file " + file.string()));
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw StoreError(e.what());
  }
}

std::string configHash(const ExperimentConfig& config) {
  return sha256Hex(experimentConfigToJson(config));
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

ExperimentConfig mergeResumeConfig(const ExperimentConfig& stored,
                                   const ExperimentConfig& requested) {
  if (stored.seed != requested.seed)
    throw ConfigError("config key 'seed': the experiment was run with seed " +
                      std::to_string(stored.seed) + "; another seed (" +
                      std::to_string(requested.seed) + ") cannot continue it");
  if (!(stored.root.architecture == requested.root.architecture))
    throw ConfigError(
        "config key 'root': the root architecture differs from the one the experiment was run "
        "with; it cannot be continued with another root");
  if (stored.root.pretrained != requested.root.pretrained)
    throw ConfigError(
        "config key 'root.pretrained': differs from the experiment's ('" +
        (stored.root.pretrained.empty() ? std::string("none") : stored.root.pretrained) +
        "'); it cannot be continued with another root");
  // A built-in root is compared by name: its file's location depends on the installation.
  if (stored.root.pretrained.empty() &&
      normalPath(stored.root.checkpoint) != normalPath(requested.root.checkpoint))
    throw ConfigError("config key 'root.checkpoint': differs from the experiment's ('" +
                      stored.root.checkpoint.string() + "')");
  const auto searchSpaceJson = [](const ExperimentConfig& c) {
    ExperimentConfig only;
    only.searchSpace = c.searchSpace;
    return experimentConfigToJson(only);
  };
  if (searchSpaceJson(stored) != searchSpaceJson(requested) ||
      stored.imageSizes != requested.imageSizes)
    throw ConfigError(
        "config key 'search_space': differs from the experiment's; the search space cannot "
        "change on resume");
  ExperimentConfig merged = stored;
  merged.evolution = requested.evolution;
  merged.training = requested.training;
  for (const auto& t : requested.tasks) {
    const auto known = std::find_if(merged.tasks.begin(), merged.tasks.end(),
                                    [&](const TaskSpec& s) { return s.name == t.name; });
    if (known == merged.tasks.end()) {
      merged.tasks.push_back(t);
      continue;
    }
    // Paths compare as written after normalisation ("a/../b" is "b"), not by following links.
    if (known->format != t.format || normalPath(known->path) != normalPath(t.path) ||
        known->classes != t.classes || known->validationFraction != t.validationFraction)
      throw ConfigError("config key 'tasks': task '" + t.name +
                        "' is defined differently from the experiment's (format, path, classes "
                        "or validation_fraction changed)");
  }
  return merged;
}

}  // namespace mu2net
