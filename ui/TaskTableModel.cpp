#include "TaskTableModel.h"

#include <QLocale>
#include <algorithm>
#include <map>

namespace mu2net::ui {

namespace {

QString percent(const std::optional<double>& value) {
  return value ? QString::number(100.0 * *value, 'f', 1) + QLatin1Char('%') : QString();
}

}  // namespace

TaskTableModel::TaskTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int TaskTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TaskTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant TaskTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  const QLocale locale;
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case Name:
        return r.name;
      case Status:
        return r.status;
      case Validation:
        return percent(r.validation);
      case Test:
        return percent(r.test);
      case ChildrenTried:
        return r.childrenTried;
      case ChildrenImproved:
        return r.childrenImproved;
      case ActivatedParams:
        return r.activatedParams ? locale.toString(r.activatedParams) : QString();
      case AccountedParams:
        return r.accountedParams > 0 ? locale.toString(r.accountedParams, 'f', 0) : QString();
      case ReusedShare:
        return r.activatedParams ? QString::number(100.0 * r.reusedShare, 'f', 1) + QLatin1Char('%')
                                 : QString();
      default:
        return {};
    }
  }
  if (role == RawValueRole) {
    switch (index.column()) {
      case Name:
        return r.name;
      case Status:
        return r.status;
      case Validation:
        return r.validation ? QVariant(*r.validation) : QVariant();
      case Test:
        return r.test ? QVariant(*r.test) : QVariant();
      case ChildrenTried:
        return r.childrenTried;
      case ChildrenImproved:
        return r.childrenImproved;
      case ActivatedParams:
        return r.activatedParams;
      case AccountedParams:
        return r.accountedParams;
      case ReusedShare:
        return r.reusedShare;
      default:
        return {};
    }
  }
  if (role == Qt::TextAlignmentRole && index.column() >= Validation)
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant TaskTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  // Short labels, so that the columns fit beside the other tables; the tooltips say it in full.
  struct Header {
    const char* label;
    const char* toolTip;
  };
  static const Header headers[ColumnCount] = {
      {QT_TR_NOOP("Task"), QT_TR_NOOP("Task")},
      {QT_TR_NOOP("Status"), QT_TR_NOOP("What the task is doing (its task iteration)")},
      {QT_TR_NOOP("Val."), QT_TR_NOOP("Best validation accuracy")},
      {QT_TR_NOOP("Test"), QT_TR_NOOP("Test accuracy of the retained model")},
      {QT_TR_NOOP("Tried"), QT_TR_NOOP("Children tried")},
      {QT_TR_NOOP("Impr."), QT_TR_NOOP("Children that improved on their parent")},
      {QT_TR_NOOP("Params"),
       QT_TR_NOOP("Activated parameters: all parameters of the task's best route")},
      {QT_TR_NOOP("Acct."),
       QT_TR_NOOP("Accounted parameters: each component's parameters divided by the number of "
                  "tasks whose retained models use it")},
      {QT_TR_NOOP("Reused"),
       QT_TR_NOOP("Share of the route's parameters in components created by another task or "
                  "the root")}};
  if (role == Qt::DisplayRole) return tr(headers[section].label);
  if (role == Qt::ToolTipRole) return tr(headers[section].toolTip);
  return {};
}

int TaskTableModel::rowOf(const QString& task) const {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].name == task) return static_cast<int>(i);
  return -1;
}

int TaskTableModel::ensureRow(const QString& task) {
  const int existing = rowOf(task);
  if (existing >= 0) return existing;
  const int r = static_cast<int>(rows_.size());
  beginInsertRows({}, r, r);
  Row row;
  row.name = task;
  row.status = tr("waiting");
  rows_.push_back(row);
  endInsertRows();
  return r;
}

void TaskTableModel::rowChanged(int r) {
  Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void TaskTableModel::clear() {
  beginResetModel();
  rows_.clear();
  endResetModel();
}

void TaskTableModel::onRunStarted(const RunStartedEvent& event) {
  clear();
  for (const auto& task : event.tasks)
    ensureRow(QString::fromStdString(task));
  applySnapshot(event.graph);
}

void TaskTableModel::onTaskAdded(const TaskAddedEvent& event) {
  ensureRow(QString::fromStdString(event.task));
}

void TaskTableModel::onTaskIterationStarted(const TaskIterationStartedEvent& event) {
  const int r = ensureRow(QString::fromStdString(event.task));
  rows_[static_cast<std::size_t>(r)].status = tr("training (iteration %1)").arg(event.iteration);
  rowChanged(r);
}

void TaskTableModel::onChildFinished(const ChildFinishedEvent& event) {
  const int r = ensureRow(QString::fromStdString(event.task));
  Row& row = rows_[static_cast<std::size_t>(r)];
  ++row.childrenTried;
  if (event.improved) ++row.childrenImproved;
  if (event.improved && event.score > row.bestScore) {
    row.bestScore = event.score;
    row.validation = event.quality;
    row.activatedParams = event.totalParams;
    row.accountedParams = event.accountedParams;
    // Reuse is known per component only from a snapshot; estimate it from the slot origins until
    // one arrives: shared slots are other tasks' components by construction.
    row.reusedShare = event.totalParams > 0 ? 1.0 - static_cast<double>(event.trainableParams) /
                                                        static_cast<double>(event.totalParams)
                                            : 0.0;
  }
  rowChanged(r);
}

void TaskTableModel::onTaskIterationEnded(const TaskIterationEndedEvent& event) {
  const int r = ensureRow(QString::fromStdString(event.task));
  rows_[static_cast<std::size_t>(r)].status = tr("done (iteration %1)").arg(event.iteration);
  rowChanged(r);
  applySnapshot(event.graph);
}

void TaskTableModel::onTestEvaluated(const TestEvaluatedEvent& event) {
  const int r = ensureRow(QString::fromStdString(event.task));
  rows_[static_cast<std::size_t>(r)].test = event.testQuality;
  rowChanged(r);
}

void TaskTableModel::onRunFinished(const RunFinishedEvent& event) {
  applySnapshot(event.graph);
  if (!event.stopped) return;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].status.startsWith(tr("training")) || rows_[i].status == tr("waiting")) {
      rows_[i].status = tr("stopped");
      rowChanged(static_cast<int>(i));
    }
  }
}

void TaskTableModel::setStatus(const QString& task, const QString& status) {
  const int r = ensureRow(task);
  rows_[static_cast<std::size_t>(r)].status = status;
  rowChanged(r);
}

void TaskTableModel::applySnapshot(const GraphSnapshot& graph) {
  std::map<std::int64_t, const GraphSnapshot::Node*> nodes;
  for (const auto& n : graph.nodes)
    nodes[n.id] = &n;
  for (const auto& route : graph.routes) {
    if (route.task == "root") continue;
    const int r = ensureRow(QString::fromStdString(route.task));
    Row& row = rows_[static_cast<std::size_t>(r)];
    qint64 activated = 0;
    qint64 reused = 0;
    double accounted = 0;
    for (auto id : route.componentIds) {
      const auto it = nodes.find(id);
      if (it == nodes.end()) continue;
      const auto& n = *it->second;
      activated += n.paramCount;
      if (n.creatorTask != route.task) reused += n.paramCount;
      // The task itself uses its route even before its model is retained (locked).
      const bool ownLock = std::find(n.locks.begin(), n.locks.end(), route.task) != n.locks.end();
      const auto users = n.locks.size() + (ownLock ? 0 : 1);
      accounted += static_cast<double>(n.paramCount) / static_cast<double>(users);
    }
    row.activatedParams = activated;
    row.accountedParams = accounted;
    row.reusedShare =
        activated > 0 ? static_cast<double>(reused) / static_cast<double>(activated) : 0.0;
    row.validation = route.validationQuality;
    if (route.testQuality) row.test = route.testQuality;
    rowChanged(r);
  }
}

}  // namespace mu2net::ui
