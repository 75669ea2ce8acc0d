#pragma once
// The children list's comparison actions: "Compare" (two children selected: Ctrl+click or
// Shift+click a second one) and "Compare with parent" (one child selected; its parent is the
// listed child whose path id and task are its parent's). Each opens a CompareDialog; when there is
// no parent to compare with (the root, or a parent not listed) a message says why. The actions are
// in the list's context menu and, through actions(), in the window's menu; they are enabled only
// when the selection fits them.
#include <QList>
#include <QObject>
#include <QString>

class QAction;

namespace mu2net::ui {

class ChildPanel;
class CompareDialog;

class ChildCompareActions : public QObject {
  Q_OBJECT
 public:
  /// Adds the actions to `panel` (its context menu) and lets it select several rows.
  explicit ChildCompareActions(ChildPanel* panel);

  QList<QAction*> actions() const;
  QAction* compareAction() const { return compare_; }
  QAction* compareWithParentAction() const { return compareWithParent_; }

  /// Opens a comparison of the children in source rows `leftRow` and `rightRow`.
  CompareDialog* compare(int leftRow, int rightRow);
  /// Opens a comparison of the child in source row `row` with its parent (left); null (after
  /// emitting refused) when it has none listed.
  CompareDialog* compareWithParent(int row);

 Q_SIGNALS:
  /// A comparison could not be opened: why (also shown in a message box).
  void refused(const QString& why);

 private:
  /// The source rows selected in the panel, in the order shown.
  QList<int> selectedRows() const;
  void updateEnabled();
  void refuse(const QString& why);

  ChildPanel* panel_;
  QAction* compare_;
  QAction* compareWithParent_;
};

}  // namespace mu2net::ui
