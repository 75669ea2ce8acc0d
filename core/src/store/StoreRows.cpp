#include "store/StoreRows.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "mu2net/evolution/SlotKindName.h"

// The JSON of the store's structured column values, found by nlohmann::json through
// argument-dependent lookup (hence in namespace mu2net).
namespace mu2net {

using json = nlohmann::json;

void to_json(json& j, const Mutation& m) {
  j = {{"name", m.name}, {"from", m.from}, {"to", m.to}};
}

void from_json(const json& j, Mutation& m) {
  m = {j.at("name"), j.at("from"), j.at("to")};
}

void to_json(json& j, const SlotOrigin& s) {
  j = {{"slot", s.slot},
       {"component", s.componentId},
       {"source", s.sourceComponentId},
       {"kind", slotKindName(s.kind)},
       {"reinterpolated", s.reinterpolated}};
}

void from_json(const json& j, SlotOrigin& s) {
  s.slot = j.at("slot");
  s.componentId = j.at("component");
  s.sourceComponentId = j.at("source");
  const std::string kind = j.at("kind");
  s.kind = kind == "shared"   ? SlotOrigin::Kind::Shared
           : kind == "cloned" ? SlotOrigin::Kind::Cloned
                              : SlotOrigin::Kind::New;
  s.reinterpolated = j.at("reinterpolated");
}

void to_json(json& j, const TaskSpec& t) {
  j = {{"name", t.name},
       {"format", formatName(t.format)},
       {"path", t.path.string()},
       {"classes", t.classes},
       {"validation_fraction", t.validationFraction}};
}

void from_json(const json& j, TaskSpec& t) {
  t.name = j.at("name");
  t.format = parseDatasetFormat(j.at("format").get<std::string>());
  t.path = j.at("path").get<std::string>();
  t.classes = j.at("classes").get<std::vector<int>>();
  t.validationFraction = j.at("validation_fraction");
}

// A generator's words as decimal strings: JSON numbers need not hold 64 bits exactly.
void to_json(json& j, const RngState& r) {
  j = json::array();
  for (auto w : r.s)
    j.push_back(std::to_string(w));
}

void from_json(const json& j, RngState& r) {
  for (std::size_t i = 0; i < r.s.size() && i < j.size(); ++i)
    r.s[i] = std::stoull(j[i].get<std::string>());
}

}  // namespace mu2net

namespace mu2net::storerows {

using sql::asJson;

const char* const kSchema = R"sql(
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

std::string insertInto(const std::string& table, const std::string& columns) {
  int n = 1;
  for (char c : columns)
    n += c == ',';
  return "INSERT INTO " + table + "(" + columns + ") VALUES (" + sql::placeholders(n) + ")";
}

// Each table's fields in column order, listed once for its writer (a const value) and its reader.

// ---- tasks -------------------------------------------------------------------------------------

const std::string kTaskColumns =
    "position, name, spec, num_classes, children_tried, children_improved, iterations_done";

namespace {

struct TaskRow {
  int64_t position = 0;
  std::string name;
  StoreTask task;
};

const auto taskFields = [](auto& r, auto&& visit) {
  auto& t = r.task;
  visit(r.position, r.name, asJson(t.spec), t.numClasses, t.childrenTried, t.childrenImproved,
        t.iterationsDone);
};

}  // namespace

void writeTask(sql::Statement& insert, int64_t position, const StoreTask& task) {
  sql::insertRow(insert, TaskRow{position, task.spec.name, task}, taskFields);
}

StoreTask readTask(sql::Row& row) {
  return sql::readRow<TaskRow>(row, taskFields).task;
}

// ---- components --------------------------------------------------------------------------------

const std::string kComponentColumns =
    "id, slot, creator_task, generation, shapes, param_count, sha256, file, locks";

namespace {

const auto componentFields = [](auto& r, auto&& visit) {
  auto& c = r.component;
  visit(c.id, c.slot, c.creatorTask, c.generation, r.shapesJson, c.paramCount, r.sha256, r.file,
        asJson(c.locks));
};

}  // namespace

std::string locksJson(const Component& c) {
  return json(c.locks).dump();
}

void writeComponent(sql::Statement& insert, const ComponentRow& r) {
  sql::insertRow(insert, r, componentFields);
}

ComponentRow readComponent(sql::Row& row) {
  return sql::readRow<ComponentRow>(row, componentFields);
}

// ---- paths -------------------------------------------------------------------------------------

const std::string kPathColumns =
    "id, task, parent_id, components, hparams, validation_quality, test_quality, score, "
    "offspring, generation, improved, train_seconds, mutations, validation_history, retained";

namespace {

// Every column but the last, retained.
const auto pathFields = [](auto& p, auto&& visit) {
  auto& m = p.metrics;
  visit(p.id, p.task, p.parentId, asJson(p.componentIds), asJson(p.hparams), m.validationQuality,
        m.testQuality, m.score, asJson(m.offspringCount), m.generation, m.improved, m.trainSeconds,
        asJson(m.mutations), asJson(m.validationHistory));
};

}  // namespace

void writePath(sql::Statement& insert, const Path& p, bool retained) {
  pathFields(p, [&](const auto&... v) { insert.bindRow(v..., retained).run(); });
}

Path readPath(sql::Row& row) {
  return sql::readRow<Path>(row, pathFields);
}

// ---- children ----------------------------------------------------------------------------------

const std::string kChildColumns =
    "generation, child_index, task, path_id, parent_id, parent_task, improved, quality, score, "
    "parent_score, trainable_params, total_params, accounted_params, mutations, hparams, slots, "
    "validation_history, seconds";

namespace {

const auto childFields = [](auto& c, auto&& visit) {
  visit(c.generation, c.childIndex, c.task, c.pathId, c.parentId, c.parentTask, c.improved,
        c.quality, c.score, c.parentScore, c.trainableParams, c.totalParams, c.accountedParams,
        asJson(c.mutations), asJson(c.hparams), asJson(c.slots), asJson(c.validationHistory),
        c.seconds);
};

}  // namespace

void writeChild(sql::Statement& insert, const ChildRecord& c) {
  sql::insertRow(insert, c, childFields);
}

ChildRecord readChild(sql::Row& row) {
  return sql::readRow<ChildRecord>(row, childFields);
}

// ---- generations -------------------------------------------------------------------------------

const std::string kGenerationColumns =
    "generation, task, iteration, data_hparams, data_mutations, rng_state";

namespace {

const auto generationFields = [](auto& g, auto&& visit) {
  visit(g.generation, g.task, g.iteration, asJson(g.dataHParams), asJson(g.dataMutations),
        asJson(g.rng));
};

}  // namespace

void writeGeneration(sql::Statement& insert, const GenerationRecord& g) {
  sql::insertRow(insert, g, generationFields);
}

GenerationRecord readGeneration(sql::Row& row) {
  return sql::readRow<GenerationRecord>(row, generationFields);
}

// ---- state -------------------------------------------------------------------------------------

std::string systemStateJson(const SystemState& s) {
  json removed = json::array();
  for (const auto& [k, v] : s.removedParents)
    removed.push_back({k, v});
  return json({{"next_component_id", s.nextComponentId},
               {"next_path_id", s.nextPathId},
               {"root_path_id", s.rootPathId},
               {"tasks", s.tasks},
               {"populations", s.populations},
               {"retained", s.retained},
               {"seed_pool", s.seedPool},
               {"removed_parents", removed}})
      .dump();
}

void readSystemStateJson(const std::string& text, SystemState& s) {
  const json sys = json::parse(text);
  s.nextComponentId = sys.at("next_component_id");
  s.nextPathId = sys.at("next_path_id");
  s.rootPathId = sys.at("root_path_id");
  s.tasks = sys.at("tasks").get<std::vector<std::string>>();
  s.populations = sys.at("populations").get<std::map<std::string, std::vector<int64_t>>>();
  s.retained = sys.at("retained").get<std::map<std::string, int64_t>>();
  s.seedPool = sys.at("seed_pool").get<std::vector<int64_t>>();
  for (const auto& pair : sys.at("removed_parents"))
    s.removedParents[pair.at(0).get<int64_t>()] = pair.at(1).get<int64_t>();
}

std::string progressJson(const StoreProgress& p) {
  return json({{"iteration", p.iteration},
               {"task_index", p.taskIndex},
               {"task_started", p.taskStarted},
               {"next_generation", p.nextGeneration},
               {"generation_counter", p.generationCounter},
               {"finished", p.finished}})
      .dump();
}

StoreProgress readProgressJson(const std::string& text) {
  const json j = json::parse(text);
  StoreProgress p;
  p.iteration = j.at("iteration");
  p.taskIndex = j.at("task_index");
  p.taskStarted = j.at("task_started");
  p.nextGeneration = j.at("next_generation");
  p.generationCounter = j.at("generation_counter");
  p.finished = j.at("finished");
  return p;
}

}  // namespace mu2net::storerows
