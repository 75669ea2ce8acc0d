#include "ChildPanel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <utility>

#include "Selection.h"

namespace mu2net::ui {

ChildPanel::ChildPanel(QWidget* parent) : RowTableView(parent), model_(new ChildListModel(this)) {
  setSourceModel(model_, ChildListModel::RawValueRole);
  horizontalHeader()->setStretchLastSection(true);
  // Fixed starting widths: sizing to contents would measure every row of a long run.
  const std::pair<int, int> widths[] = {
      {ChildListModel::Generation, 40}, {ChildListModel::Task, 120},
      {ChildListModel::Child, 45},      {ChildListModel::Parent, 130},
      {ChildListModel::Status, 95},     {ChildListModel::Validation, 75},
      {ChildListModel::Params, 120}};
  for (const auto& [column, w] : widths)
    setColumnWidth(column, w);

  connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (selection_ && !following_) selection_->setChildRow(sourceRow(current));
            if (current.isValid())
              Q_EMIT inspect(model_->record(sourceRow(current)));
            else
              Q_EMIT inspectNothing();
          });
  // The inspector follows updates of the selected child (validations arriving, finish).
  connect(model_, &QAbstractItemModel::dataChanged, this,
          [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
            const int current = sourceRow(currentIndex());
            if (current < 0)
              Q_EMIT inspect(model_->record(bottomRight.row()));
            else if (current >= topLeft.row() && current <= bottomRight.row())
              Q_EMIT inspect(model_->record(current));
          });
}

void ChildPanel::setSelection(Selection* selection) {
  selection_ = selection;
  connect(selection, &Selection::taskChanged, this, &ChildPanel::showTask);
  connect(selection, &Selection::childChanged, this, &ChildPanel::showSelectedChild);
  showTask(selection->task());
  showSelectedChild();
}

// Filtering can move the current row to a neighbour of a row it hides: the selected child's row
// is made current again.
void ChildPanel::showTask(const QString& task) {
  following_ = true;
  setRowFilter(ChildListModel::Task, task);
  following_ = false;
  showSelectedChild();
}

void ChildPanel::showSelectedChild() {
  const int row = selection_->childRow();
  if (row == sourceRow(currentIndex()) &&
      (row < 0 || selectionModel()->isRowSelected(indexOfSourceRow(row).row(), {})))
    return;
  following_ = true;
  selectSourceRow(row);
  following_ = false;
}

}  // namespace mu2net::ui
