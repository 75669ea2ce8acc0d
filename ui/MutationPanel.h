#pragma once
// Which mutations helped (mutationStats over the finished children of the children list): a
// sortable table with one row per kind of change (every child, no hyperparameter mutation, each
// hyperparameter mutated, sharing a frozen layer or not, each layer slot cloned/shared/new) giving
// its children, how many improved, the rate, and the mean and median score change against a
// parent of the same task; a bar plot of the rate (or the mean score change) per row; and a
// scatter of score against the hyperparameter chosen, coloured by task or by improved. Numbers
// are drawn on a numeric axis (logarithmic when they span a decade or more; a few distinct values
// each ticked), booleans and categoricals (opt_type) on an indexed axis with their names, their
// points spread a little sideways. A task selector restricts all three
// to one task. It follows the list: recomputed at most twice a second while children arrive.
#include <QString>
#include <QStringList>
#include <QWidget>
#include <string>
#include <vector>

#include "ChildListModel.h"
#include "mu2net/evolution/MutationStats.h"

class QComboBox;
class QCustomPlot;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace mu2net::ui {

class MutationPanel : public QWidget {
  Q_OBJECT
 public:
  enum Column { What, Children, Improved, Rate, WithDelta, MeanDelta, MedianDelta, ColumnCount };
  /// Role of a table cell's raw value (sorting).
  static constexpr int RawValueRole = Qt::UserRole + 1;

  explicit MutationPanel(QWidget* parent = nullptr);

  /// Follows `children` (its finished children).
  void watch(const ChildListModel* children);

  /// The statistics shown (in mutationStats' order).
  const std::vector<MutationStat>& stats() const { return stats_; }
  /// The task shown (empty: all tasks).
  QString task() const;
  /// The hyperparameter of the scatter.
  QString scatterHParam() const;
  /// Points in the scatter (all colour groups).
  int scatterPointCount() const;
  /// The named ticks of the scatter's x axis in axis order: a boolean's or a categorical's
  /// values on its indexed axis, a numeric hyperparameter's values when there are at most 12
  /// distinct ones; empty when the axis has plain numeric ticks.
  QStringList scatterAxisLabels() const;
  /// Bars in the bar plot.
  int barCount() const;
  QTableView* table() const { return table_; }
  QWidget* barPlot() const;
  QWidget* scatterPlot() const;

 public Q_SLOTS:
  void setTask(const QString& task);
  void setScatterHParam(const QString& name);
  /// Colours the scatter by task (false) or by improved (true).
  void setColourByImproved(bool improved);
  /// Recomputes everything from the list now.
  void refresh();

 private:
  void scheduleRefresh();
  void updateSelectors();
  void fillTable();
  void fillBars();
  void fillScatter();
  std::string taskFilter() const;

  const ChildListModel* children_ = nullptr;
  std::vector<ChildFinishedEvent> finished_;
  std::vector<std::string> taskOrder_;  // first appearance: fixes colours
  std::vector<MutationStat> stats_;
  QComboBox* taskSelector_;
  QComboBox* barMetric_;
  QComboBox* hparamSelector_;
  QComboBox* colourBy_;
  QStandardItemModel* model_;
  QTableView* table_;
  QCustomPlot* bars_;
  QCustomPlot* scatter_;
  QTimer* refreshTimer_;
};

}  // namespace mu2net::ui
