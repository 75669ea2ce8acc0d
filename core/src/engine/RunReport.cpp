// report.json: a self-describing record of a run (configuration, per-task results, routes and the
// system graph). It holds only deterministic facts (no wall times), so two runs with the same seed
// and thread count write identical files. Kept apart from Engine.cpp to compile without torch.
#include <nlohmann/json.hpp>

#include "mu2net/engine/Engine.h"

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

std::string runReportToJson(const RunReport& report, const ExperimentConfig& config) {
  json j;
  j["mu2net_version"] = MU2NET_VERSION;
  j["config"] = json::parse(experimentConfigToJson(config));
  j["stopped"] = report.stopped;
  j["threads"] = report.threads;
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

}  // namespace mu2net
