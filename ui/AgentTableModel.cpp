#include "AgentTableModel.h"

#include <QBrush>
#include <QColor>
#include <algorithm>
#include <cmath>

namespace mu2net::ui {

AgentTableModel::AgentTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int AgentTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int AgentTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QString AgentTableModel::heartbeatText(double secondsAgo) {
  const auto s = static_cast<qint64>(std::llround(std::max(0.0, secondsAgo)));
  if (s < 1) return tr("just now");
  if (s < 120) return tr("%1 s ago").arg(s);
  if (s < 7200) return tr("%1 min ago").arg(s / 60);
  return tr("%1 h %2 min ago").arg(s / 3600).arg(s / 60 % 60);
}

QVariant AgentTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  const int c = index.column();
  if (role == Qt::DisplayRole || role == RawValueRole) {
    switch (c) {
      case Task:
        return r.task;
      case State:
        return r.state;
      case Host:
        return r.host;
      case Process:
        return r.pid;
      case Heartbeat:  // sorted by the seconds, shown as words
        return role == Qt::DisplayRole ? QVariant(heartbeatText(r.secondsSinceHeartbeat))
                                       : QVariant(r.secondsSinceHeartbeat);
      case Message:
        return r.message;
      default:
        return {};
    }
  }
  if (role == Qt::ForegroundRole && c == State && (r.lost || r.state == QLatin1String("failed")))
    return QBrush(QColor(0xb0, 0x20, 0x20));
  if (role == Qt::ToolTipRole) {
    if (c == State && r.lost)
      return tr("The agent stopped renewing its lease %1: it died or hangs. Another agent may "
                "take the task over.")
          .arg(heartbeatText(r.secondsSinceHeartbeat));
    if (c == State && r.state == QLatin1String("running"))
      return tr("Lease valid for %1 s more").arg(std::max(0.0, r.secondsLeft), 0, 'f', 0);
    if (c == Host || c == Process) return tr("Agent %1").arg(r.agent);
  }
  if (role == Qt::TextAlignmentRole && c == Process)
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant AgentTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Task:
      return tr("Task");
    case State:
      return tr("State");
    case Host:
      return tr("Host");
    case Process:
      return tr("Process");
    case Heartbeat:
      return tr("Last heartbeat");
    case Message:
      return tr("Message");
    default:
      return {};
  }
}

int AgentTableModel::rowOf(const QString& task) const {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].task == task) return static_cast<int>(i);
  return -1;
}

void AgentTableModel::setLeases(const std::vector<TaskLease>& leases) {
  std::vector<Row> rows;
  rows.reserve(leases.size());
  for (const TaskLease& l : leases) {
    Row r;
    r.task = QString::fromStdString(l.task);
    r.agent = QString::fromStdString(l.agent);
    r.host = QString::fromStdString(l.host);
    r.pid = l.pid;
    r.lost = l.expired();
    r.state = r.lost ? tr("lost") : QString::fromStdString(l.state);
    r.message = QString::fromStdString(l.message);
    r.secondsSinceHeartbeat = l.secondsSinceHeartbeat;
    r.secondsLeft = l.secondsLeft;
    rows.push_back(std::move(r));
  }
  // The same tasks (each poll): their cells change in place, so the selection and the sort stay.
  bool sameTasks = rows.size() == rows_.size();
  for (std::size_t i = 0; sameTasks && i < rows.size(); ++i)
    sameTasks = rows[i].task == rows_[i].task;
  if (sameTasks) {
    rows_ = std::move(rows);
    if (!rows_.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    return;
  }
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

void AgentTableModel::clear() {
  if (rows_.empty()) return;
  beginResetModel();
  rows_.clear();
  endResetModel();
}

}  // namespace mu2net::ui
