#include "store/HistoryRows.h"

#include <nlohmann/json.hpp>

namespace mu2net::storerows {

using json = nlohmann::json;

const char* const kHistorySchema = R"sql(
CREATE TABLE IF NOT EXISTS history(id INTEGER PRIMARY KEY AUTOINCREMENT,
  generation INTEGER NOT NULL, task TEXT NOT NULL, iteration INTEGER NOT NULL,
  kind TEXT NOT NULL, graph TEXT NOT NULL, tasks TEXT NOT NULL, children INTEGER NOT NULL);
)sql";

const char* const kHistorySinceKey = "history_since_generation";

const std::string kHistoryInfoColumns = "id, generation, task, iteration, kind, children";

namespace {

const char* kindName(HistoryPointInfo::Kind k) {
  return k == HistoryPointInfo::Kind::Generation ? "generation" : "task_iteration_end";
}

}  // namespace

HistoryPointInfo readHistoryInfo(sql::Row& row) {
  HistoryPointInfo info;
  std::string kind;
  row.read(info.id, info.generation, info.task, info.iteration, kind, info.children);
  info.kind = kind == "generation" ? HistoryPointInfo::Kind::Generation
                                   : HistoryPointInfo::Kind::TaskIterationEnd;
  return info;
}

void writeHistory(sql::Database& db, const HistoryPointInfo& info, const GraphSnapshot& graph,
                  const std::vector<StoreTask>& tasks) {
  sql::Statement ins = db.prepare(
      "INSERT INTO history(generation, task, iteration, kind, graph, tasks, children) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  ins.bindRow(info.generation, info.task, info.iteration, std::string(kindName(info.kind)),
              historyGraphJson(graph), historyTasksJson(tasks), info.children)
      .run();
}

// Nodes: [id, slot, creator, params, locks, generation] (trainable is locks being empty, the
// SHA-256 is left out). Routes: [task, path id, component ids, validation, test or null].
std::string historyGraphJson(const GraphSnapshot& graph) {
  json nodes = json::array();
  for (const auto& n : graph.nodes)
    nodes.push_back({n.id, n.slot, n.creatorTask, n.paramCount, n.locks, n.generation});
  json routes = json::array();
  for (const auto& r : graph.routes)
    routes.push_back({r.task, r.pathId, r.componentIds, r.validationQuality,
                      r.testQuality ? json(*r.testQuality) : json(nullptr)});
  return json({{"n", nodes}, {"r", routes}}).dump();
}

GraphSnapshot readHistoryGraphJson(const std::string& text) {
  const json j = json::parse(text);
  GraphSnapshot g;
  for (const auto& n : j.at("n")) {
    GraphSnapshot::Node node;
    node.id = n.at(0);
    node.slot = n.at(1);
    node.creatorTask = n.at(2);
    node.paramCount = n.at(3);
    node.locks = n.at(4).get<std::vector<std::string>>();
    node.trainable = node.locks.empty();
    node.generation = n.at(5);
    g.nodes.push_back(std::move(node));
  }
  for (const auto& r : j.at("r")) {
    GraphSnapshot::Route route;
    route.task = r.at(0);
    route.pathId = r.at(1);
    route.componentIds = r.at(2).get<std::vector<std::int64_t>>();
    route.validationQuality = r.at(3);
    if (!r.at(4).is_null()) route.testQuality = r.at(4).get<double>();
    g.routes.push_back(std::move(route));
  }
  return g;
}

std::string historyTasksJson(const std::vector<StoreTask>& tasks) {
  json out = json::array();
  for (const auto& t : tasks)
    out.push_back({t.spec.name, t.childrenTried, t.childrenImproved, t.iterationsDone});
  return out.dump();
}

std::vector<HistoryTask> readHistoryTasksJson(const std::string& text) {
  std::vector<HistoryTask> out;
  for (const auto& t : json::parse(text))
    out.push_back({t.at(0), t.at(1), t.at(2), t.at(3)});
  return out;
}

}  // namespace mu2net::storerows
