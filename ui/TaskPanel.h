#pragma once
// The tasks of the experiment, one row each (TaskTableModel), fed by the engine's events. The
// current row names the task whose route the graph highlights.
#include <QString>

#include "RowTableView.h"

namespace mu2net::ui {

class TaskTableModel;

class TaskPanel : public RowTableView {
  Q_OBJECT
 public:
  explicit TaskPanel(QWidget* parent = nullptr);

  TaskTableModel* taskModel() const { return model_; }

 Q_SIGNALS:
  /// The current row changed to the task `name` (empty: no row).
  void currentTaskChanged(const QString& name);

 private:
  TaskTableModel* model_;
};

}  // namespace mu2net::ui
