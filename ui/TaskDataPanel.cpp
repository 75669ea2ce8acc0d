#include "TaskDataPanel.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>

#include "DataPreview.h"
#include "DataPreviewWidget.h"
#include "EngineSignals.h"
#include "TaskPanel.h"
#include "TaskPipelineTracker.h"

namespace mu2net::ui {

TaskDataPanel::TaskDataPanel(QWidget* parent)
    : QWidget(parent),
      chooser_(new QComboBox(this)),
      preview_(new DataPreviewWidget(this)),
      tracker_(new TaskPipelineTracker(this)) {
  chooser_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  auto* chooserRow = new QHBoxLayout;
  chooserRow->addWidget(new QLabel(tr("Task:"), this));
  chooserRow->addWidget(chooser_);
  chooserRow->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(chooserRow);
  layout->addWidget(preview_, 1);
  connect(chooser_, &QComboBox::currentTextChanged, this, [this](const QString& task) {
    task_ = task;
    refresh();
  });
  connect(tracker_, &TaskPipelineTracker::changed, this, [this](const QString& task) {
    if (task == task_) refresh();
  });
  refresh();
}

void TaskDataPanel::follow(const EngineSignals* events) {
  events->connectHandlers(tracker_);
}

void TaskDataPanel::setExperiment(const ExperimentConfig& config) {
  config_ = config;
  tracker_->setExperiment(config);
  chooser_->clear();  // chooses the first task added, if any
  for (const auto& t : config.tasks)
    chooser_->addItem(QString::fromStdString(t.name));
}

void TaskDataPanel::showStored(const RunStartedEvent& run) {
  tracker_->onRunStarted(run);
}

void TaskDataPanel::addTask(const TaskSpec& task) {
  config_.tasks.push_back(task);
  chooser_->addItem(QString::fromStdString(task.name));
}

QAction* TaskDataPanel::openFrom(TaskPanel* tasks) {
  auto* action = new QAction(tr("&Data of the selected task"), this);
  action->setObjectName(QStringLiteral("taskDataAction"));
  action->setToolTip(
      tr("Sample images per class of the selected task, raw and as the model sees "
         "them; class names and counts, split sizes"));
  connect(tasks, &TaskPanel::currentTaskChanged, this, &TaskDataPanel::showTask);
  connect(action, &QAction::triggered, this, [this, tasks] { open(tasks->selectedTask()); });
  tasks->addAction(action);
  tasks->setContextMenuPolicy(Qt::ActionsContextMenu);
  connect(tasks, &QAbstractItemView::doubleClicked, action, &QAction::trigger);
  return action;
}

void TaskDataPanel::open(const QString& task) {
  showTask(task);
  if (auto* dock = qobject_cast<QDockWidget*>(parentWidget())) {
    dock->show();
    dock->raise();
  }
}

void TaskDataPanel::showTask(const QString& task) {
  if (task.isEmpty()) return;
  if (chooser_->findText(task) < 0) {  // a task the experiment's configuration lacks
    task_ = task;
    refresh();
    return;
  }
  chooser_->setCurrentText(task);
}

void TaskDataPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refresh();
}

void TaskDataPanel::refresh() {
  if (task_.isEmpty()) {
    shownKey_.clear();
    preview_->showMessage(tr("This experiment has no task."));
    return;
  }
  const auto& tasks = config_.tasks;
  const auto it = std::find_if(tasks.begin(), tasks.end(),
                               [this](const TaskSpec& t) { return t.name == task_.toStdString(); });
  if (it == tasks.end()) {
    shownKey_.clear();
    preview_->showMessage(
        tr("The dataset of task '%1' is not known to this experiment.").arg(task_), true);
    return;
  }
  if (!isVisible()) return;  // read when shown
  DataPreviewRequest request =
      defaultDataPreviewRequest(config_, static_cast<std::size_t>(it - tasks.begin()));
  const auto settings = tracker_->settings(task_);
  request.pipeline = settings.hparams;
  request.pipelineSource = settings.source;
  if (request.key() == shownKey_ && (preview_->shown() || preview_->isLoading())) return;
  shownKey_ = request.key();
  preview_->preview(request);
}

}  // namespace mu2net::ui
