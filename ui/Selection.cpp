#include "Selection.h"

#include "Lineage.h"

namespace mu2net::ui {

Selection::Selection(const ChildListModel* children, QObject* parent)
    : QObject(parent), children_(children) {
  connect(children_, &QAbstractItemModel::modelReset, this, &Selection::clear);
  connect(children_, &QAbstractItemModel::dataChanged, this,
          [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
            const int row = childRow();
            if (row >= topLeft.row() && row <= bottomRight.row()) Q_EMIT childUpdated();
          });
}

int Selection::childRow() const {
  return child_ ? children_->rowOf(child_->task, child_->generation, child_->childIndex) : -1;
}

const ChildListModel::Record* Selection::childRecord() const {
  const int row = childRow();
  return row >= 0 ? &children_->record(row) : nullptr;
}

int Selection::parentRow() const {
  const int row = childRow();
  return row >= 0 ? mu2net::ui::parentRow(*children_, row) : -1;
}

void Selection::setTask(const QString& task) {
  if (task == task_) return;
  task_ = task;
  const bool dropChild = child_ && !task.isEmpty() && QString::fromStdString(child_->task) != task;
  if (dropChild) child_.reset();
  Q_EMIT taskChanged(task_);
  if (dropChild) Q_EMIT childChanged();
}

void Selection::setChild(const ChildId& child) {
  if (child_ == child) return;
  child_ = child;
  const QString task = QString::fromStdString(child.task);
  const bool moveTask = !task_.isEmpty() && task_ != task;
  if (moveTask) task_ = task;
  if (moveTask) Q_EMIT taskChanged(task_);
  Q_EMIT childChanged();
}

void Selection::setChildRow(int row) {
  if (row < 0 || row >= children_->rowCount())
    clearChild();
  else
    setChild(ChildId::of(children_->record(row).started));
}

void Selection::clearChild() {
  if (!child_) return;
  child_.reset();
  Q_EMIT childChanged();
}

void Selection::clear() {
  clearChild();
  setTask({});
}

}  // namespace mu2net::ui
