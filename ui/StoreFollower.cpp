#include "StoreFollower.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>
#include <utility>

#include "BackgroundJob.h"
#include "EventForwarder.h"
#include "ExperimentFiles.h"
#include "RunStatusBar.h"
#include "TaskTableModel.h"

namespace mu2net::ui {

StoreFollower::StoreFollower(RunStatusBar* status, TaskTableModel* tasks, QObject* parent)
    : QObject(parent),
      status_(status),
      tasks_(tasks),
      events_(new EventForwarder(this)),
      watcher_(new QFileSystemWatcher(this)),
      timer_(new QTimer(this)) {
  timer_->setInterval(1000);
  connect(timer_, &QTimer::timeout, this, &StoreFollower::pollNow);
  connect(watcher_, &QFileSystemWatcher::fileChanged, this, &StoreFollower::pollNow);
}

StoreFollower::~StoreFollower() = default;

const EngineSignals* StoreFollower::events() const {
  return events_;
}

void StoreFollower::follow(const QString& dir, const StoreCursor& from) {
  stop();
  dir_ = isDatabaseLocation(dir) ? dir : QFileInfo(dir).absoluteFilePath();
  cursor_ = from;
  lastError_.clear();
  status_->showStored(static_cast<qint64>(from.children), 0, tr("following"));
  status_->showMessage(tr("following %1 (written by another process)").arg(displayLocation(dir_)));
  timer_->start();
  pollNow();
}

void StoreFollower::stop() {
  ++followId_;
  dir_.clear();
  timer_->stop();
  if (!watcher_->files().isEmpty()) watcher_->removePaths(watcher_->files());
  reading_ = false;
  readAgain_ = false;
}

void StoreFollower::setPollInterval(int milliseconds) {
  timer_->setInterval(milliseconds);
}

// The write-ahead log changes with every commit; it may not exist yet, or be replaced. A
// database store has no file to watch: it is polled.
void StoreFollower::watchLog() {
  if (isDatabaseLocation(dir_)) return;
  const QString wal = QDir(dir_).filePath(QStringLiteral("system.sqlite-wal"));
  if (!watcher_->files().contains(wal) && QFileInfo::exists(wal)) watcher_->addPath(wal);
}

void StoreFollower::pollNow() {
  if (dir_.isEmpty()) return;
  if (reading_) {
    readAgain_ = true;
    return;
  }
  watchLog();
  reading_ = true;
  const quint64 id = followId_;
  runInBackground(
      this, [dir = dir_, from = cursor_] { return readStoreDelta(dir, from); },
      [this, id](StoreDelta delta) {
        if (id != followId_) return;  // stopped or following another directory meanwhile
        reading_ = false;
        apply(std::move(delta));
        if (readAgain_ && !dir_.isEmpty()) {
          readAgain_ = false;
          pollNow();
        }
      });
}

void StoreFollower::apply(StoreDelta delta) {
  const QString shown = displayLocation(dir_);
  if (!delta.error.isEmpty() && !isDatabaseLocation(dir_) && !QFileInfo::exists(dir_)) {
    const QString text = tr("%1 no longer exists; no longer following").arg(dir_);
    stop();
    status_->showMessage(text);
    Q_EMIT message(text);
    return;
  }
  if (!delta.error.isEmpty()) {
    // A store caught between two states (or briefly locked, or its server briefly unreachable)
    // is read again at the next poll.
    if (delta.error != lastError_)
      Q_EMIT message(tr("reading %1 failed: %2").arg(shown, delta.error));
    lastError_ = delta.error;
    return;
  }
  lastError_.clear();
  cursor_ = std::move(delta.cursor);
  if (delta.leases) Q_EMIT agentsRead(*delta.leases);
  for (const Event& e : delta.events)
    events_->handle(e);
  const QString dir = dir_;
  if (!delta.writerDone) {
    status_->showStored(delta.childrenTrained, delta.childrenPlanned, tr("following"));
    status_->showMessage(tr("following %1 (written by another process)").arg(shown));
    Q_EMIT updated(delta.childrenTrained);
    return;
  }
  stop();
  QString nothingLeft;
  if (delta.final) {
    for (const auto& [task, status] : delta.final->taskStatus)
      tasks_->setStatus(task, status);
    nothingLeft = delta.final->nothingLeft;
    status_->showStored(delta.final->childrenTrained, delta.final->childrenPlanned,
                        delta.final->finished ? tr("finished") : tr("not finished"));
  }
  const QString text = tr("%1: the writing process has finished; no longer following").arg(shown);
  status_->showMessage(text);
  Q_EMIT message(text);
  Q_EMIT updated(delta.childrenTrained);
  Q_EMIT writerFinished(dir, nothingLeft);
}

}  // namespace mu2net::ui
