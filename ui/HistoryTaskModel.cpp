#include "HistoryTaskModel.h"

#include <QFont>
#include <algorithm>

namespace mu2net::ui {

namespace {

QString percent(double q) {
  return QString::number(100.0 * q, 'f', 1) + QLatin1Char('%');
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

HistoryTaskModel::HistoryTaskModel(QObject* parent) : QAbstractTableModel(parent) {}

int HistoryTaskModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int HistoryTaskModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

void HistoryTaskModel::setPoint(const std::optional<HistoryPoint>& point,
                                const GraphDiff& changes) {
  beginResetModel();
  point_ = point;
  rows_.clear();
  if (point_) {
    for (const auto& t : point_->tasks) {
      Row row{t, nullptr, {}};
      for (const auto& r : point_->graph.routes)
        if (r.task == t.name) row.route = &r;
      if (contains(changes.newRoutes, t.name))
        row.change = tr("new model");
      else if (contains(changes.changedRoutes, t.name))
        row.change = tr("model replaced");
      rows_.push_back(row);
    }
  }
  endResetModel();
}

QVariant HistoryTaskModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  if (role == Qt::FontRole && !r.change.isEmpty()) {
    QFont bold;
    bold.setBold(true);
    return bold;
  }
  if (role == Qt::TextAlignmentRole && index.column() != Task && index.column() != Route &&
      index.column() != Change)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case Task:
      return QString::fromStdString(r.task.name);
    case Iterations:
      return r.task.iterationsDone;
    case ChildrenTried:
      return static_cast<qlonglong>(r.task.childrenTried);
    case ChildrenImproved:
      return static_cast<qlonglong>(r.task.childrenImproved);
    case Validation:
      return r.route ? percent(r.route->validationQuality) : QStringLiteral("—");
    case Test:
      return r.route && r.route->testQuality ? percent(*r.route->testQuality) : QStringLiteral("—");
    case Route: {
      if (!r.route) return tr("no model yet");
      QStringList ids;
      for (auto id : r.route->componentIds)
        ids << QString::number(id);
      return ids.join(QStringLiteral(" → "));
    }
    case Change:
      return r.change;
    default:
      return {};
  }
}

QVariant HistoryTaskModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Task:
      return tr("Task");
    case Iterations:
      return tr("Iterations done");
    case ChildrenTried:
      return tr("Children tried");
    case ChildrenImproved:
      return tr("Improved");
    case Validation:
      return tr("Validation");
    case Test:
      return tr("Test");
    case Route:
      return tr("Route (component ids)");
    case Change:
      return tr("Change");
    default:
      return {};
  }
}

}  // namespace mu2net::ui
