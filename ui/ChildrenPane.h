#pragma once
// The children table (ChildPanel) under a bar that, while a task is selected, says that only
// that task's children are listed and offers the way back to every task's ("Show all tasks",
// which clears the selected task).
#include <QWidget>

class QLabel;

namespace mu2net::ui {

class ChildPanel;
class Selection;

class ChildrenPane : public QWidget {
  Q_OBJECT
 public:
  /// Shows `children` (reparented here) filtered by `selection`'s task.
  ChildrenPane(ChildPanel* children, Selection* selection, QWidget* parent = nullptr);

 private:
  void showTask(const QString& task);

  QWidget* bar_;
  QLabel* text_;
};

}  // namespace mu2net::ui
