#pragma once
// One row per task of the running experiment, in introduction order: its status, best validation
// and test accuracy, children tried and improved, activated and accounted parameters and the
// share of its route reused from other tasks. Fed from the controller's events (connect the
// slots); GUI thread only.
//
// Definitions (as in the CLI's final table): activated parameters = all parameters of the task's
// best route; accounted parameters = each component's parameters divided by the number of tasks
// whose retained models use it (a component no task has locked yet counts fully); reused share =
// parameters of route components created by another task (or the root) / activated parameters.
// Values come from the best child so far while a task iteration runs and from the engine's graph
// snapshot whenever one arrives.
#include <QAbstractTableModel>
#include <QString>
#include <optional>
#include <vector>

#include "MetaTypes.h"

namespace mu2net::ui {

class TaskTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    Name,
    Status,
    Validation,
    Test,
    ChildrenTried,
    ChildrenImproved,
    ActivatedParams,
    AccountedParams,
    ReusedShare,
    ColumnCount
  };
  /// Role giving a cell's raw value (a double, qlonglong or QString) for sorting and tests.
  static constexpr int RawValueRole = Qt::UserRole + 1;

  /// One task's facts.
  struct Row {
    QString name;
    QString status;  ///< "waiting", "training (iteration k)", "done (iteration k)", "stopped"
    std::optional<double> validation;  ///< best validation accuracy in [0, 1]
    std::optional<double> test;        ///< test accuracy of the retained model in [0, 1]
    qint64 childrenTried = 0;
    qint64 childrenImproved = 0;
    qint64 activatedParams = 0;
    double accountedParams = 0;
    double reusedShare = 0;
    double bestScore = -1;  ///< score of the best child so far (selects the values above)
  };

  explicit TaskTableModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  const Row& row(int r) const { return rows_.at(static_cast<std::size_t>(r)); }
  /// Row of the task, or -1.
  int rowOf(const QString& task) const;

 public Q_SLOTS:
  void clear();
  void onRunStarted(const mu2net::RunStartedEvent& event);
  void onTaskAdded(const mu2net::TaskAddedEvent& event);
  void onTaskIterationStarted(const mu2net::TaskIterationStartedEvent& event);
  void onChildFinished(const mu2net::ChildFinishedEvent& event);
  void onTaskIterationEnded(const mu2net::TaskIterationEndedEvent& event);
  void onTestEvaluated(const mu2net::TestEvaluatedEvent& event);
  void onRunFinished(const mu2net::RunFinishedEvent& event);
  /// Refreshes parameters, reuse and accuracy of every task from a graph snapshot.
  void applySnapshot(const mu2net::GraphSnapshot& graph);
  /// Sets a task's status text (e.g. a stored experiment's "done (iteration 2)").
  void setStatus(const QString& task, const QString& status);

 private:
  int ensureRow(const QString& task);
  void rowChanged(int r);

  std::vector<Row> rows_;
};

}  // namespace mu2net::ui
