#include "TaskPipelineTracker.h"

#include "DataPreview.h"

namespace mu2net::ui {

TaskPipelineTracker::TaskPipelineTracker(QObject* parent) : QObject(parent) {
  setExperiment(ExperimentConfig{});
}

void TaskPipelineTracker::setExperiment(const ExperimentConfig& config) {
  defaults_ = dataDefaults(config);
  pathHParams_.clear();
  retained_.clear();
  training_.clear();
}

TaskPipelineTracker::Settings TaskPipelineTracker::settings(const QString& task) const {
  if (const auto t = training_.constFind(task); t != training_.constEnd()) return *t;
  if (const auto r = retained_.constFind(task); r != retained_.constEnd()) return *r;
  return {withDefaults({}), tr("the search space's defaults (the task has no model yet)")};
}

DataHParams TaskPipelineTracker::withDefaults(const HParams& hp) const {
  HParams all = defaults_;
  for (const auto& [name, value] : hp)
    all[name] = value;
  return toDataHParams(all);
}

void TaskPipelineTracker::retain(const QString& task, qint64 pathId, const QString& source) {
  const auto hp = pathHParams_.constFind(pathId);
  if (hp == pathHParams_.constEnd()) return;
  retained_.insert(task, {withDefaults(*hp), source});
  training_.remove(task);
  Q_EMIT changed(task);
}

void TaskPipelineTracker::onRunStarted(const RunStartedEvent& event) {
  pathHParams_.clear();
  retained_.clear();
  training_.clear();
  for (const auto& child : event.history)
    pathHParams_.insert(child.pathId, child.hparams);
  for (const auto& route : event.graph.routes)
    if (route.task != "root")
      retain(QString::fromStdString(route.task), route.pathId,
             tr("the retained path's (path %1)").arg(route.pathId));
}

void TaskPipelineTracker::onGenerationStarted(const GenerationStartedEvent& event) {
  const QString task = QString::fromStdString(event.task);
  training_.insert(task, {withDefaults(event.dataHParams),
                          tr("generation %1's, training now (task iteration %2)")
                              .arg(event.generation)
                              .arg(event.iteration)});
  Q_EMIT changed(task);
}

void TaskPipelineTracker::onChildFinished(const ChildFinishedEvent& event) {
  pathHParams_.insert(event.pathId, event.hparams);
}

void TaskPipelineTracker::onTaskIterationEnded(const TaskIterationEndedEvent& event) {
  const QString task = QString::fromStdString(event.task);
  retain(task, event.retainedPathId,
         tr("the retained path's (path %1, task iteration %2)")
             .arg(event.retainedPathId)
             .arg(event.iteration));
  if (training_.remove(task) > 0) Q_EMIT changed(task);
}

void TaskPipelineTracker::onRunFinished(const RunFinishedEvent&) {
  const QStringList tasks = training_.keys();
  training_.clear();
  for (const auto& task : tasks)
    Q_EMIT changed(task);
}

}  // namespace mu2net::ui
