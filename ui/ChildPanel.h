#pragma once
// Every child the engine has started, one row each (ChildListModel), fed by the engine's events,
// sortable by any column.
// It says which child the inspector should show: the current row's, following its updates; with
// no current row, the child that changed last, so a running experiment is always explained.
#include "ChildListModel.h"
#include "RowTableView.h"

namespace mu2net::ui {

class ChildPanel : public RowTableView {
  Q_OBJECT
 public:
  explicit ChildPanel(QWidget* parent = nullptr);

  ChildListModel* childModel() const { return model_; }

 Q_SIGNALS:
  /// The child to inspect, now (its record is only valid during the call).
  void inspect(const mu2net::ui::ChildListModel::Record& record);
  /// No child to inspect.
  void inspectNothing();

 private:
  ChildListModel* model_;
};

}  // namespace mu2net::ui
