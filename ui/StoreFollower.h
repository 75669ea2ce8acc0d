#pragma once
// Follows an experiment directory that another process (`mu2net run`) is writing, the way
// TensorBoard follows a log directory: it polls the store read-only (when its write-ahead log
// changes, and every pollInterval() at the latest) on a worker thread, reads only what is new
// (StoreDelta) and sends it as the engine events a local run sends (events(): relay them to the
// signals the views follow). The status bar says "following DIR (written by another process)"
// with the children trained so far; once the writer has let go of the store, the views get the
// store's final state (task statuses as opening it shows them), writerFinished() is emitted and
// polling stops. A database store (postgresql://…) is followed the same way while a `mu2net run`
// or agents write it (polled only: there is no file to watch); each read also gives its agents'
// task leases (agentsRead()), and a read that fails (the server unreachable for a moment) is
// tried again at the next poll.
#include <QObject>
#include <QString>

#include "StoreDelta.h"

class QFileSystemWatcher;
class QTimer;

namespace mu2net::ui {

class EngineSignals;
class EventForwarder;
class RunStatusBar;
class TaskTableModel;

class StoreFollower : public QObject {
  Q_OBJECT
 public:
  /// `status` shows what is followed; `tasks` receives the final task statuses.
  StoreFollower(RunStatusBar* status, TaskTableModel* tasks, QObject* parent = nullptr);
  ~StoreFollower() override;

  /// The events read from the store, sent in the GUI thread.
  const EngineSignals* events() const;
  /// Follows `dir` (a directory or a database URL), whose rows up to `from` the views already show.
  /// Stops following another.
  void follow(const QString& dir, const StoreCursor& from);
  /// Stops following (a read in progress is dropped).
  void stop();
  bool isFollowing() const { return !dir_.isEmpty(); }
  QString directory() const { return dir_; }
  /// How long at most between two reads, in milliseconds (default 1000).
  void setPollInterval(int milliseconds);
  /// Reads the store now (unless a read is in progress: then once it is done).
  void pollNow();

 Q_SIGNALS:
  /// A read was applied to the views: `childrenTrained` children are shown.
  void updated(qint64 childrenTrained);
  /// The writer has finished; the views show the store as opening it would. `nothingLeft` says
  /// why Start has nothing to run (empty: something is left).
  void writerFinished(const QString& dir, const QString& nothingLeft);
  /// For the event log: what happened (the writer finished, a read failed).
  void message(const QString& text);
  /// A database store's task leases (which agent evolves each task) as a read found them.
  void agentsRead(const std::vector<mu2net::TaskLease>& leases);

 private:
  void apply(StoreDelta delta);
  void watchLog();

  RunStatusBar* status_;
  TaskTableModel* tasks_;
  EventForwarder* events_;
  QFileSystemWatcher* watcher_;
  QTimer* timer_;
  QString dir_;
  StoreCursor cursor_;
  quint64 followId_ = 0;  // a read started for an earlier follow() is dropped
  bool reading_ = false;
  bool readAgain_ = false;
  QString lastError_;
};

}  // namespace mu2net::ui
