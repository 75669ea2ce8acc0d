// The run's report: assembled from the system at the end of a run, and report.json, a
// self-describing record of it (configuration, per-task results, routes and the system graph).
// report.json holds only deterministic facts (no wall times), so two runs with the same seed and
// thread count write identical files.
#include "mu2net/engine/RunReport.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "mu2net/common/OutputFile.h"

namespace mu2net {
namespace {

using json = nlohmann::json;

json graphToJson(const GraphSnapshot& g) {
  json nodes = json::array();
  for (const auto& n : g.nodes)
    nodes.push_back({{"id", n.id},
                     {"slot", n.slot},
                     {"creator_task", n.creatorTask},
                     {"params", n.paramCount},
                     {"locks", n.locks},
                     {"trainable", n.trainable},
                     {"generation", n.generation}});
  json routes = json::array();
  for (const auto& r : g.routes) {
    json jr = {{"task", r.task},
               {"path_id", r.pathId},
               {"components", r.componentIds},
               {"validation_accuracy", r.validationQuality}};
    jr["test_accuracy"] = r.testQuality ? json(*r.testQuality) : json(nullptr);
    routes.push_back(jr);
  }
  return {{"components", nodes}, {"routes", routes}};
}

}  // namespace

TaskReport makeTaskReport(const System& system, const std::string& task, int numClasses,
                          int64_t childrenTried, int64_t childrenImproved) {
  TaskReport tr;
  tr.name = task;
  tr.numClasses = numClasses;
  tr.childrenTried = childrenTried;
  tr.childrenImproved = childrenImproved;
  tr.retainedPathId = system.retainedPath(task);
  if (tr.retainedPathId < 0) return tr;
  const Path& p = system.path(tr.retainedPathId);
  tr.route = p.componentIds;
  tr.validationQuality = p.metrics.validationQuality;
  tr.testQuality = p.metrics.testQuality;
  tr.activatedParams = system.activatedParams(p.id);
  tr.accountedParams = system.accountedParams(p.id);
  tr.hparams = p.hparams;
  int64_t reused = 0;
  for (int64_t cid : p.componentIds) {
    const Component& c = system.component(cid);
    tr.routeSlots.push_back(c.slot);
    if (c.creatorTask != task) reused += c.paramCount;
  }
  tr.reusedShare = tr.activatedParams > 0
                       ? static_cast<double>(reused) / static_cast<double>(tr.activatedParams)
                       : 0.0;
  return tr;
}

RunReport makeRunReport(const System& system, std::vector<TaskReport> tasks, int64_t generations,
                        double wallSeconds, bool stopped, int threads) {
  RunReport r;
  r.wallSeconds = wallSeconds;
  r.stopped = stopped;
  r.threads = threads;
  r.generations = generations;
  r.systemSize = system.systemSize();
  r.numComponents = static_cast<int64_t>(system.componentIds().size());
  r.graph = system.snapshot();
  r.tasks = std::move(tasks);
  return r;
}

std::string runReportToJson(const RunReport& report, const ExperimentConfig& config) {
  json j;
  j["mu2net_version"] = MU2NET_VERSION;
  j["config"] = json::parse(experimentConfigToJson(config));
  j["stopped"] = report.stopped;
  j["threads"] = report.threads;
  j["precision"] = toString(report.precision);
  j["generations"] = report.generations;
  j["system_parameters"] = report.systemSize;
  j["components"] = report.numComponents;
  json tasks = json::array();
  for (const auto& t : report.tasks) {
    json jt = {{"name", t.name},
               {"classes", t.numClasses},
               {"path_id", t.retainedPathId},
               {"route", t.route},
               {"route_slots", t.routeSlots},
               {"validation_accuracy", t.validationQuality},
               {"activated_params", t.activatedParams},
               {"accounted_params", t.accountedParams},
               {"children_tried", t.childrenTried},
               {"children_improved", t.childrenImproved},
               {"reused_share", t.reusedShare},
               {"hparams", t.hparams}};
    jt["test_accuracy"] = t.testQuality ? json(*t.testQuality) : json(nullptr);
    tasks.push_back(jt);
  }
  j["tasks"] = tasks;
  j["graph"] = graphToJson(report.graph);
  return j.dump(2);
}

void writeRunReport(const std::filesystem::path& file, const RunReport& report,
                    const ExperimentConfig& config) {
  writeOutputFile(file, runReportToJson(report, config) + "\n");
}

}  // namespace mu2net
