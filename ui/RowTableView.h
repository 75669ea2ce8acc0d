#pragma once
// A read-only table of one row per item (a task, a child), selected a whole row at a time, whose
// model is fed by the engine's events: the common ground of TaskPanel and ChildPanel. The view
// shows its source model through a sort proxy: clicking a header sorts by the column's raw values
// (ascending, descending, then back to the source order); sourceRow() maps a shown row back. A
// click below the last row clears the selection; a cell too narrow for its text shows the whole
// text as its tooltip.
#include <QTableView>

class QSortFilterProxyModel;

namespace mu2net::ui {

class EngineSignals;

class RowTableView : public QTableView {
  Q_OBJECT
 public:
  /// Without a model yet (setSourceModel).
  explicit RowTableView(QWidget* parent = nullptr);

  /// Shows `source`, sorted on request by the values of its role `sortRole` (Qt::DisplayRole
  /// where the source has no raw values); unsorted at first.
  void setSourceModel(QAbstractItemModel* source, int sortRole);
  QAbstractItemModel* sourceModel() const;
  /// The source model's row shown at `index` of this view, or -1 when it is invalid.
  int sourceRow(const QModelIndex& index) const;
  /// The index (first column) showing the source model's row `row`; invalid when it is not
  /// shown (filtered out, or no such row).
  QModelIndex indexOfSourceRow(int row) const;
  /// Shows only the rows whose `column` shows exactly `text` (empty: every row).
  void setRowFilter(int column, const QString& text);
  /// Makes the source model's row `row` the current, selected row and scrolls to it; clears the
  /// selection when it is not shown.
  void selectSourceRow(int row);

  /// Connects the source model's slots onX to the engine's events x
  /// (EngineSignals::connectHandlers).
  void follow(const EngineSignals* events);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  bool viewportEvent(QEvent* event) override;

 private:
  QSortFilterProxyModel* proxy_;
};

}  // namespace mu2net::ui
