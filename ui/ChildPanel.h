#pragma once
// Every child the engine has started, one row each (ChildListModel), fed by the engine's events,
// sortable by any column.
// It says which child the inspector should show: the current row's, following its updates; with
// no current row, the child that changed last, so a running experiment is always explained.
// With a Selection (setSelection) its current row is the selected child and it shows only the
// selected task's children (all when no task is selected); choosing a row selects that child.
#include "ChildListModel.h"
#include "RowTableView.h"

namespace mu2net::ui {

class Selection;

class ChildPanel : public RowTableView {
  Q_OBJECT
 public:
  explicit ChildPanel(QWidget* parent = nullptr);

  ChildListModel* childModel() const { return model_; }
  /// Follows and sets `selection` (a selection of childModel()'s children).
  void setSelection(Selection* selection);

 Q_SIGNALS:
  /// The child to inspect, now (its record is only valid during the call).
  void inspect(const mu2net::ui::ChildListModel::Record& record);
  /// No child to inspect.
  void inspectNothing();

 private:
  void showTask(const QString& task);
  void showSelectedChild();

  ChildListModel* model_;
  Selection* selection_ = nullptr;
  bool following_ = false;  // the current row is changing to show the selection
};

}  // namespace mu2net::ui
