#pragma once
// Two children of the children list side by side (ChildComparison): a table of every field, the
// differing rows bold and coloured and the hyperparameters the child's mutations changed marked
// (when one is the other's parent), "Only differences" to hide the rest, and a small plot of both
// validation histories. Non-modal; it follows the list: while the children train, their rows and
// curves update as validations arrive, and it says so when the list is cleared.
#include <QDialog>
#include <QString>
#include <string>
#include <vector>

#include "ChildComparison.h"

class QCheckBox;
class QCustomPlot;
class QLabel;
class QTreeWidget;

namespace mu2net::ui {

class CompareDialog : public QDialog {
  Q_OBJECT
 public:
  /// Compares the children in rows `leftRow` and `rightRow` of `model`.
  CompareDialog(const ChildListModel* model, int leftRow, int rightRow, QWidget* parent = nullptr);

  /// The rows shown (all of them, whether "Only differences" hides some).
  const std::vector<ComparisonRow>& rows() const { return rows_; }
  /// Whether both children are still in the list.
  bool valid() const { return valid_; }
  /// Rows of the table not hidden by "Only differences" (section headings aside).
  int shownRowCount() const;
  /// Number of validation points in the plot's curve of the left (0) or right (1) child.
  int curvePoints(int side) const;

 public Q_SLOTS:
  void refresh();
  void setOnlyDifferences(bool only);

 private:
  struct Key {
    std::string task;
    qint64 generation = 0;
    int childIndex = 0;
  };
  static Key keyOf(const ChildListModel::Record& record);
  int rowOf(const Key& key) const;
  void fillTable();
  void fillPlot(const ChildListModel::Record& left, const ChildListModel::Record& right);

  const ChildListModel* model_;
  Key left_, right_;
  bool valid_ = true;
  std::vector<ComparisonRow> rows_;
  QLabel* title_;
  QCheckBox* onlyDifferences_;
  QTreeWidget* table_;
  QCustomPlot* plot_;
};

}  // namespace mu2net::ui
