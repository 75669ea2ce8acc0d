#pragma once
// The "Task data" dock: the data preview (DataPreviewWidget) of a task of the experiment, chosen
// in the panel's own task list (before any run too) or by selecting it in the task table, through
// the pipeline settings its data goes through now (TaskPipelineTracker: the generation in
// training, else the retained path's, else the search space's defaults).
//
// It reads a dataset only while it is visible: a task chosen while it is hidden is previewed when
// it is shown. A new generation of the task shown redraws the model's view (the task's data stays
// in memory for that: DataPreviewLoader).
#include <QString>
#include <QWidget>
#include <vector>

#include "MetaTypes.h"

class QAction;
class QComboBox;

namespace mu2net::ui {

class DataPreviewWidget;
class EngineSignals;
class TaskPanel;
class TaskPipelineTracker;

class TaskDataPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TaskDataPanel(QWidget* parent = nullptr);

  /// Follows the engine's events for the tasks' pipeline settings and tasks added during a run.
  void follow(const EngineSignals* events);
  /// The experiment whose tasks are previewed (their folders, classes and seed); chooses its
  /// first task.
  void setExperiment(const ExperimentConfig& config);
  /// A stored experiment's run: its tasks' retained paths give their settings.
  void showStored(const RunStartedEvent& run);
  /// A task added during the run (its dataset is known from here on).
  void addTask(const TaskSpec& task);

  /// Follows `tasks`' chosen task, and returns the action that opens the panel (open()) on the
  /// task selected there, which a double click on a task and its context menu trigger too.
  QAction* openFrom(TaskPanel* tasks);
  /// Shows the dock the panel is in, raised, with `task` (empty: the task chosen).
  void open(const QString& task);
  /// Previews `task` (empty: keeps the task chosen); loads it now when the panel is visible, else
  /// when it is shown.
  void showTask(const QString& task);
  QComboBox* taskChooser() const { return chooser_; }
  QString task() const { return task_; }
  DataPreviewWidget* preview() const { return preview_; }
  TaskPipelineTracker* tracker() const { return tracker_; }

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  /// Shows the preview of task_ unless it is shown already with the same settings.
  void refresh();

  QComboBox* chooser_;
  DataPreviewWidget* preview_;
  TaskPipelineTracker* tracker_;
  ExperimentConfig config_;
  QString task_;
  QString shownKey_;  // DataPreviewRequest::key of what is shown or loading
};

}  // namespace mu2net::ui
