#pragma once
// The workbench's one selection, shared by every view: the current task (empty: all tasks) and
// the current child (none, or one child of the children list, ChildListModel). Views that select
// (the task table, the children table, the lineage, the graph's legend) call setTask / setChild;
// views that show the selection (the graph's route, the curves' marker and task filter, the
// children table's filter and current row, the inspector) follow taskChanged and childChanged.
// SelectionLinks connects the workbench's views to it.
//
// Rules: selecting a child of another task than the current one (when one is set) makes the
// child's task current, so that a filtered children list still shows it; selecting a task other
// than the current child's clears the child. The selection is cleared when the children list is
// reset (another experiment). Signals are emitted only on a change.
//
// For other views (a compare dialog): child() and childRecord() give the selected child,
// parentRow() its parent's row; MainWindow::selection() is the workbench's.
#include <QObject>
#include <QString>
#include <optional>
#include <string>

#include "ChildListModel.h"

namespace mu2net::ui {

/// One child of the children list: its task, global generation and index in the generation.
struct ChildId {
  std::string task;
  qint64 generation = 0;
  int childIndex = 0;

  static ChildId of(const ChildStartedEvent& started) {
    return {started.task, started.generation, started.childIndex};
  }
  friend bool operator==(const ChildId&, const ChildId&) = default;
};

class Selection : public QObject {
  Q_OBJECT
 public:
  /// A selection of the children of `children` (which must outlive it).
  explicit Selection(const ChildListModel* children, QObject* parent = nullptr);

  const ChildListModel* children() const { return children_; }
  /// The current task (empty: all tasks).
  QString task() const { return task_; }
  /// The current child, if any.
  const std::optional<ChildId>& child() const { return child_; }
  /// The row of the current child in children(), or -1.
  int childRow() const;
  /// The record of the current child (null when none); valid until the list changes.
  const ChildListModel::Record* childRecord() const;
  /// The row of the current child's parent in children(), or -1 (no child, the parent is the
  /// root or no child of the list).
  int parentRow() const;

 public Q_SLOTS:
  /// Makes `task` current (empty: all tasks); clears a child of another task.
  void setTask(const QString& task);
  /// Makes `child` current (the task too, when another task was current).
  void setChild(const mu2net::ui::ChildId& child);
  /// setChild for the child at `row` of children() (-1 or out of range: clearChild()).
  void setChildRow(int row);
  void clearChild();
  /// Clears the task and the child.
  void clear();

 Q_SIGNALS:
  void taskChanged(const QString& task);
  /// The current child changed (child() says which; none when cleared).
  void childChanged();
  /// The current child's record changed (a validation arrived, it finished).
  void childUpdated();

 private:
  const ChildListModel* children_;
  QString task_;
  std::optional<ChildId> child_;
};

}  // namespace mu2net::ui
