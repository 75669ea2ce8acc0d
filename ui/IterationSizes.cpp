#include "IterationSizes.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <map>
#include <utility>

#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

namespace {

using TaskIteration = std::pair<std::string, int>;

struct Position {
  qint64 all = 0;
  qint64 task = 0;
};

// Where each task iteration ended: after its last child (over all tasks and over the task's own).
std::map<TaskIteration, Position> endsOfIterations(
    const std::vector<ChildRecord>& children, const std::vector<GenerationRecord>& generations) {
  std::map<qint64, TaskIteration> iterationOf;
  for (const auto& g : generations)
    iterationOf[g.generation] = {g.task, g.iteration};
  std::map<TaskIteration, Position> ends;
  std::map<std::string, qint64> perTask;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const ChildRecord& c = children[i];
    const qint64 ofTask = ++perTask[c.task];
    const auto it = iterationOf.find(c.generation);
    if (it != iterationOf.end()) ends[it->second] = {static_cast<qint64>(i) + 1, ofTask};
  }
  return ends;
}

// The activated parameters of path `id`: a trained child's, else a path the system still holds.
std::optional<double> activatedParams(const ExperimentStore& store,
                                      const std::map<qint64, double>& ofChildren,
                                      std::optional<System>& system, qint64 id) {
  if (const auto it = ofChildren.find(id); it != ofChildren.end()) return it->second;
  if (!system) system.emplace(store.loadMetadata().system);
  if (!system->state().paths.count(id)) return std::nullopt;
  return static_cast<double>(system->activatedParams(id));
}

}  // namespace

std::optional<double> retainedParams(const GraphSnapshot& graph, const std::string& task) {
  std::map<std::int64_t, std::int64_t> params;
  for (const auto& n : graph.nodes)
    params[n.id] = n.paramCount;
  for (const auto& route : graph.routes) {
    if (route.task != task) continue;
    double total = 0;
    for (auto id : route.componentIds)
      total += static_cast<double>(params[id]);
    return total;
  }
  return std::nullopt;
}

std::vector<IterationSize> storedIterationSizes(const ExperimentStore& store) {
  const std::vector<ChildRecord> children = store.children();
  const auto ends = endsOfIterations(children, store.generations());
  std::map<qint64, double> paramsOfPath;
  for (const auto& c : children)
    if (c.pathId >= 0) paramsOfPath[c.pathId] = static_cast<double>(c.totalParams);
  std::optional<System> system;
  std::vector<IterationSize> sizes;
  for (const StoredEvent& e : store.events()) {
    if (e.kind != "task_iteration_ended") continue;
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(e.json)).object();
    IterationSize size;
    size.task = o.value(QStringLiteral("task")).toString().toStdString();
    size.iteration = o.value(QStringLiteral("iteration")).toInt();
    const auto end = ends.find({size.task, size.iteration});
    if (end == ends.end()) continue;  // no child of it is stored: nowhere to draw it
    size.childrenFinished = end->second.all;
    size.taskChildrenFinished = end->second.task;
    size.systemSize = o.value(QStringLiteral("system_parameters")).toDouble();
    const auto retained =
        static_cast<qint64>(o.value(QStringLiteral("retained_path")).toDouble(-1));
    if (retained >= 0) size.retainedParams = activatedParams(store, paramsOfPath, system, retained);
    sizes.push_back(size);
  }
  return sizes;
}

}  // namespace mu2net::ui
