#pragma once
// The agents of a database store, one row per task an agent has claimed
// (ExperimentStore::taskLeases()): the task, its lease's state ("running", "finished",
// "stopped", "failed", or "lost" for a running lease its agent stopped renewing: the agent died
// or hangs, and another agent may take the task over), the agent's host and process id, its last
// heartbeat ("3 s ago", by the database server's clock when the store was read) and why it
// stopped or failed. GUI thread only.
#include <QAbstractTableModel>
#include <QString>
#include <vector>

#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

class AgentTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Task, State, Host, Process, Heartbeat, Message, ColumnCount };
  /// Role giving a cell's raw value (QString, qlonglong or double) for sorting and tests.
  static constexpr int RawValueRole = Qt::UserRole + 1;

  struct Row {
    QString task;
    QString agent;  ///< the agent's id (host:pid:random)
    QString host;
    qint64 pid = 0;
    QString state;  ///< as shown: the lease's state, or "lost" when it expired
    QString message;
    double secondsSinceHeartbeat = 0;
    double secondsLeft = 0;  ///< until the lease expires (negative once it has)
    bool lost = false;
  };

  explicit AgentTableModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  const Row& row(int r) const { return rows_.at(static_cast<std::size_t>(r)); }
  /// Row of the task, or -1.
  int rowOf(const QString& task) const;
  /// "just now", "3 s ago", "4 min ago", "2 h 5 min ago".
  static QString heartbeatText(double secondsAgo);

  /// Shows these leases (in their order), replacing the rows shown.
  void setLeases(const std::vector<TaskLease>& leases);
  void clear();

 private:
  std::vector<Row> rows_;
};

}  // namespace mu2net::ui
