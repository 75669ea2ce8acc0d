#pragma once
// The tasks of the experiment, one row each (TaskTableModel), fed by the engine's events, sortable
// by any column. The selected row names the task whose route the graph highlights; no selection
// (cleared, or the model reset) names none.
#include <QString>

#include "RowTableView.h"

namespace mu2net::ui {

class TaskTableModel;

class TaskPanel : public RowTableView {
  Q_OBJECT
 public:
  explicit TaskPanel(QWidget* parent = nullptr);

  TaskTableModel* taskModel() const { return model_; }
  /// The selected task, or empty.
  QString selectedTask() const;
  /// Selects the row of the task `name` (empty or unknown: no row).
  void selectTask(const QString& name);

 Q_SIGNALS:
  /// The selection changed to the task `name` (empty: none).
  void currentTaskChanged(const QString& name);

 private:
  void sizeColumns();
  void selectionMayHaveChanged();

  TaskTableModel* model_;
  QString selected_;  // the task last announced by currentTaskChanged
};

}  // namespace mu2net::ui
