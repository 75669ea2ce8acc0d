#pragma once
// The task table at a point of the history: one row per task the store knew then, with its task
// iterations done, children tried and improved, its model's validation and test accuracy and
// route (component ids, input to head), and what changed since the previous point ("new model",
// "model replaced"). Rows of changed tasks are bold. Fed by HistoryModel; GUI thread only.
#include <QAbstractTableModel>
#include <QStringList>
#include <optional>
#include <vector>

#include "mu2net/evolution/GraphDiff.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

class HistoryTaskModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    Task,
    Iterations,
    ChildrenTried,
    ChildrenImproved,
    Validation,
    Test,
    Change,
    Route,
    ColumnCount
  };
  explicit HistoryTaskModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  /// Shows `point` with `changes` since the previous one; nullopt: empty.
  void setPoint(const std::optional<HistoryPoint>& point, const GraphDiff& changes);

 private:
  struct Row {
    HistoryTask task;
    const GraphSnapshot::Route* route = nullptr;
    QString change;
  };
  std::optional<HistoryPoint> point_;
  std::vector<Row> rows_;
};

}  // namespace mu2net::ui
