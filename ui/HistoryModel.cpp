#include "HistoryModel.h"

#include <algorithm>
#include <filesystem>

#include "mu2net/common/ErrorText.h"

namespace mu2net::ui {

HistoryModel::HistoryModel(QObject* parent) : QObject(parent) {}
HistoryModel::~HistoryModel() = default;

void HistoryModel::clear() {
  dir_.clear();
  store_.reset();
  points_.clear();
  current_ = -1;
  live_ = true;
  point_.reset();
  previous_.reset();
  diff_ = {};
  note_.clear();
  Q_EMIT pointsChanged();
  Q_EMIT currentChanged(current_);
}

void HistoryModel::setDirectory(const QString& dir) {
  clear();
  dir_ = dir;
  reload();
}

// The store is opened once it exists (a run's first start creates it after the view is told).
bool HistoryModel::ensureStore() {
  if (store_) return true;
  const std::filesystem::path d = dir_.toStdString();
  if (dir_.isEmpty() || !ExperimentStore::isStore(d)) return false;
  try {
    store_ = ExperimentStore::open(d, ExperimentStore::Mode::ReadOnly);
  } catch (const std::exception& e) {
    note_ = tr("the history cannot be read: %1").arg(QString::fromStdString(errorText(e)));
    return false;
  }
  return true;
}

void HistoryModel::reload() {
  if (!ensureStore()) {
    Q_EMIT pointsChanged();
    return;
  }
  const std::size_t before = points_.size();
  try {
    points_ = store_->history();
    note_ = QString::fromStdString(store_->historyNote());
  } catch (const std::exception& e) {
    note_ = tr("the history cannot be read: %1").arg(QString::fromStdString(errorText(e)));
  }
  Q_EMIT pointsChanged();
  if (points_.empty()) return;
  if (live_ && (points_.size() != before || current_ < 0))
    show(count() - 1);
  else if (current_ < 0)
    show(count() - 1);
}

void HistoryModel::setCurrent(int index) {
  if (points_.empty()) return;
  live_ = false;
  show(std::clamp(index, 0, count() - 1));
}

void HistoryModel::setLive(bool live) {
  live_ = live;
  if (live && !points_.empty())
    show(count() - 1);
  else
    Q_EMIT currentChanged(current_);
}

// Reads the point (and the one before it, for its changes); a point that cannot be read keeps
// the previous picture and says why in the note.
void HistoryModel::show(int index) {
  try {
    const auto& info = points_.at(static_cast<std::size_t>(index));
    if (!point_ || point_->info.id != info.id) {
      point_ = store_->historyPoint(info.id);
      previous_.reset();
      if (const int before = previousGeneration(index); before >= 0)
        previous_ = store_->historyPoint(points_[static_cast<std::size_t>(before)].id);
      // The first point recorded has nothing to compare with: nothing is marked.
      diff_ = previous_ ? diffSnapshots(previous_->graph, point_->graph) : GraphDiff{};
    }
    current_ = index;
  } catch (const std::exception& e) {
    note_ = tr("history point %1 cannot be read: %2")
                .arg(index + 1)
                .arg(QString::fromStdString(errorText(e)));
    Q_EMIT pointsChanged();
  }
  Q_EMIT currentChanged(current_);
}

QString HistoryModel::caption(const HistoryPointInfo& info) {
  return tr("generation %1 · task %2, iteration %3 · %4")
      .arg(info.generation)
      .arg(QString::fromStdString(info.task))
      .arg(info.iteration)
      .arg(info.kind == HistoryPointInfo::Kind::TaskIterationEnd ? tr("end of the task iteration")
                                                                 : tr("generation committed"));
}

QString HistoryModel::changesNote() const {
  return previous_ ? changesNote(previous_->info.generation) : QString();
}

QString HistoryModel::changesNote(qint64 since) {
  return tr("bold: new since generation %1").arg(since);
}

int HistoryModel::indexOfGeneration(qint64 generation, QString* error) {
  for (int i = count() - 1; i >= 0; --i)
    if (points_[static_cast<std::size_t>(i)].generation == generation) return i;
  if (!error) return -1;
  *error = tr("%1 is not an experiment store").arg(dir_);
  if (ensureStore()) {
    try {
      requireHistoryAtGeneration(*store_, generation);
      *error = tr("generation %1 was recorded after the history was read").arg(generation);
    } catch (const std::exception& e) {
      *error = QString::fromStdString(errorText(e));
    }
  }
  return -1;
}

// The state after the generation before the point's: the last point with a smaller number.
int HistoryModel::previousGeneration(int index) const {
  const qint64 generation = points_[static_cast<std::size_t>(index)].generation;
  for (int i = index - 1; i >= 0; --i)
    if (points_[static_cast<std::size_t>(i)].generation < generation) return i;
  return -1;
}

int HistoryModel::previousIterationEnd() const {
  for (int i = current_ - 1; i >= 0; --i)
    if (points_[static_cast<std::size_t>(i)].kind == HistoryPointInfo::Kind::TaskIterationEnd)
      return i;
  return 0;
}

int HistoryModel::nextIterationEnd() const {
  for (int i = current_ + 1; i < count(); ++i)
    if (points_[static_cast<std::size_t>(i)].kind == HistoryPointInfo::Kind::TaskIterationEnd)
      return i;
  return count() - 1;
}

}  // namespace mu2net::ui
