#include "TaskPanel.h"

#include <QHeaderView>
#include <QItemSelectionModel>

#include "TaskTableModel.h"

namespace mu2net::ui {

TaskPanel::TaskPanel(QWidget* parent) : RowTableView(parent), model_(new TaskTableModel(this)) {
  setSourceModel(model_, TaskTableModel::RawValueRole);
  sizeColumns();
  connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &TaskPanel::selectionMayHaveChanged);
  // A reset or removed rows clear the selection without selectionChanged.
  connect(model(), &QAbstractItemModel::modelReset, this, &TaskPanel::selectionMayHaveChanged);
  connect(model(), &QAbstractItemModel::rowsRemoved, this, &TaskPanel::selectionMayHaveChanged);
}

// Numbers and statuses take the width they need; the task name takes the rest (its full text in
// a tooltip when cut), so that the table fits its dock without scrolling sideways.
void TaskPanel::sizeColumns() {
  QHeaderView* header = horizontalHeader();
  header->setMinimumSectionSize(36);
  header->setSectionResizeMode(QHeaderView::ResizeToContents);
  header->setSectionResizeMode(TaskTableModel::Name, QHeaderView::Stretch);
  header->setTextElideMode(Qt::ElideRight);
  setTextElideMode(Qt::ElideMiddle);
}

QString TaskPanel::selectedTask() const {
  const QModelIndexList rows = selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : model_->row(sourceRow(rows.first())).name;
}

void TaskPanel::selectTask(const QString& name) {
  if (name != selectedTask()) selectSourceRow(name.isEmpty() ? -1 : model_->rowOf(name));
}

void TaskPanel::selectionMayHaveChanged() {
  const QString task = selectedTask();
  if (task == selected_) return;
  selected_ = task;
  Q_EMIT currentTaskChanged(task);
}

}  // namespace mu2net::ui
