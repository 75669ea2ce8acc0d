#include "ChildListModel.h"

#include <QLocale>
#include <QStringList>
#include <algorithm>

namespace mu2net::ui {

QString describeMutations(const std::vector<Mutation>& mutations) {
  QStringList parts;
  for (const auto& m : mutations)
    parts << QString::fromStdString(describe(m));
  return parts.join(QStringLiteral(", "));
}

QString describeSlotKind(SlotOrigin::Kind kind) {
  switch (kind) {
    case SlotOrigin::Kind::Shared:
      return QObject::tr("shared");
    case SlotOrigin::Kind::Cloned:
      return QObject::tr("cloned");
    case SlotOrigin::Kind::New:
      return QObject::tr("new");
  }
  return {};
}

ChildListModel::ChildListModel(QObject* parent) : QAbstractTableModel(parent) {}

int ChildListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(records_.size());
}

int ChildListModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChildListModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Record& r = records_[static_cast<std::size_t>(index.row())];
  const auto& s = r.started;
  if (role == RawValueRole) return rawValue(index);
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case Generation:
        return static_cast<qlonglong>(s.generation);
      case Task:
        return QString::fromStdString(s.task);
      case Child:
        return s.childIndex + 1;
      case Parent:
        return s.parentId >= 0
                   ? tr("%1 #%2").arg(QString::fromStdString(s.parentTask)).arg(s.parentId)
                   : QString();
      case Status:
        if (r.done) return r.done->improved ? tr("improved") : tr("not improved");
        if (r.discarded) return tr("discarded");
        return r.trained ? tr("finished") : tr("training");
      case Validation: {
        double best = -1;
        for (double v : r.validations)
          best = std::max(best, v);
        if (r.done) best = r.done->quality;
        return best >= 0 ? QString::number(100.0 * best, 'f', 1) + QLatin1Char('%') : QString();
      }
      case Params:
        return tr("%1 / %2").arg(QLocale().toString(static_cast<qlonglong>(s.trainableParams)),
                                 QLocale().toString(static_cast<qlonglong>(s.totalParams)));
      case Mutations:
        return describeMutations(s.mutations);
      case Seconds:
        return r.done ? QString::number(r.done->seconds, 'f', 1) : QString();
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole && index.column() == Mutations) return describeMutations(s.mutations);
  if (role == Qt::TextAlignmentRole &&
      (index.column() == Validation || index.column() == Seconds || index.column() == Params))
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant ChildListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Generation:
      return tr("Gen");
    case Task:
      return tr("Task");
    case Child:
      return tr("Child");
    case Parent:
      return tr("Parent");
    case Status:
      return tr("Status");
    case Validation:
      return tr("Validation");
    case Params:
      return tr("Trainable / total");
    case Mutations:
      return tr("Mutations");
    case Seconds:
      return tr("Seconds");
    default:
      return {};
  }
}

// Numbers as numbers (so that 9.5% sorts below 10.0%); the shown text for the rest.
QVariant ChildListModel::rawValue(const QModelIndex& index) const {
  const Record& r = records_[static_cast<std::size_t>(index.row())];
  switch (index.column()) {
    case Generation:
      return static_cast<qlonglong>(r.started.generation);
    case Child:
      return r.started.childIndex + 1;
    case Validation:
      if (r.done) return r.done->quality;
      if (r.validations.empty()) return {};
      return *std::max_element(r.validations.begin(), r.validations.end());
    case Params:
      return static_cast<qlonglong>(r.started.trainableParams);
    case Seconds:
      return r.done ? QVariant(r.done->seconds) : QVariant();
    default:
      return data(index, Qt::DisplayRole);
  }
}

QString ChildListModel::key(const std::string& task, qint64 generation, int childIndex) {
  return QStringLiteral("%1/%2/%3")
      .arg(QString::fromStdString(task))
      .arg(generation)
      .arg(childIndex);
}

int ChildListModel::rowOf(const std::string& task, qint64 generation, int childIndex) const {
  return rowByKey_.value(key(task, generation, childIndex), -1);
}

void ChildListModel::rowChanged(int r) {
  Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void ChildListModel::clear() {
  beginResetModel();
  records_.clear();
  rowByKey_.clear();
  rowByPath_.clear();
  endResetModel();
}

void ChildListModel::onChildStarted(const ChildStartedEvent& event) {
  const int r = static_cast<int>(records_.size());
  beginInsertRows({}, r, r);
  records_.push_back(Record{event, {}, std::nullopt, false, false, false});
  rowByKey_.insert(key(event.task, event.generation, event.childIndex), r);
  endInsertRows();
}

void ChildListModel::onTrainingProgress(const TrainingProgressEvent& event) {
  if (event.step < event.totalSteps) return;
  const int r = rowOf(event.task, event.generation, event.childIndex);
  if (r >= 0) records_[static_cast<std::size_t>(r)].allStepsDone = true;
}

// The validation after the last training step is the child's last.
void ChildListModel::onValidation(const ValidationEvent& event) {
  const int r = rowOf(event.task, event.generation, event.childIndex);
  if (r < 0) return;
  Record& rec = records_[static_cast<std::size_t>(r)];
  rec.validations.push_back(event.quality);
  if (rec.allStepsDone) rec.trained = true;
  rowChanged(r);
}

void ChildListModel::onChildFinished(const ChildFinishedEvent& event) {
  int r = rowOf(event.task, event.generation, event.childIndex);
  if (r < 0) {
    // A finish without a start (should not happen): keep it visible rather than dropping it.
    ChildStartedEvent started;
    started.task = event.task;
    started.generation = event.generation;
    started.childIndex = event.childIndex;
    started.parentId = event.parentId;
    started.parentTask = event.parentTask;
    started.mutations = event.mutations;
    started.hparams = event.hparams;
    started.slots = event.slots;
    started.trainableParams = event.trainableParams;
    started.totalParams = event.totalParams;
    onChildStarted(started);
    r = static_cast<int>(records_.size()) - 1;
  }
  Record& rec = records_[static_cast<std::size_t>(r)];
  rec.done = event;
  rec.validations = event.validationHistory;
  if (event.pathId >= 0) rowByPath_.insert(event.pathId, r);
  rowChanged(r);
}

void ChildListModel::onRunFinished(const RunFinishedEvent&) {
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (!records_[i].done && !records_[i].discarded) {
      records_[i].discarded = true;
      rowChanged(static_cast<int>(i));
    }
  }
}

}  // namespace mu2net::ui
