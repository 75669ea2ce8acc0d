#pragma once
// Runs one experiment at a time in a worker thread and reports it to the GUI thread.
//
// start() launches a QThread that constructs the mu2net::Engine (which validates the
// configuration and loads every task's data: this can take seconds, so it never happens in the
// GUI thread) and then runs it. Engine events arrive as queued signals carrying value copies
// (see EventForwarder); the controller re-emits them from the GUI thread as its own
// EngineSignals, after updating its state(). pause(), resume(),
// stop() and addTask() are requests that the engine honours at its safe points; made while the
// engine is still loading, they are remembered and handed to it as soon as it exists.
//
// Errors (ConfigError, DataError, any std::exception) never unwind into the event loop: they end
// the run in state Failed and are reported by errorOccurred(). Errors the engine survives (a task
// added mid-run whose data cannot be read) are reported by errorOccurred() too, and the run goes
// on.
//
// Lifetime: the destructor asks a running engine to stop and waits for the worker up to
// shutdownTimeout(). Should the engine not reach a safe point in time (loading a large dataset),
// the worker thread is left to finish on its own: it holds no reference to the controller and
// deletes itself when done.
//
// All member functions must be called from the thread the controller lives in (the GUI thread).
#include <QObject>
#include <QString>
#include <memory>
#include <optional>

#include "EngineSignals.h"
#include "MetaTypes.h"
#include "mu2net/engine/Engine.h"

class QThread;

namespace mu2net::ui {

class EventForwarder;

class ExperimentController : public EngineSignals {
  Q_OBJECT
 public:
  enum class State {
    Idle,      ///< nothing started yet
    Loading,   ///< the worker is constructing the engine (validating, reading data)
    Running,   ///< the engine is training
    Paused,    ///< the engine has reached a safe point and waits for resume()
    Stopping,  ///< stop() was requested; the engine stops at its next safe point
    Finished,  ///< the run returned (completed, or stopped: see report()->stopped)
    Failed     ///< the engine could not be constructed or the run threw; see lastError()
  };
  Q_ENUM(State)

  explicit ExperimentController(QObject* parent = nullptr);
  ~ExperimentController() override;

  State state() const { return state_; }
  /// Loading, Running, Paused or Stopping: a worker thread exists.
  bool isActive() const;
  /// The configuration given to the last start().
  const ExperimentConfig& config() const { return config_; }
  /// The final report of the last run once it is Finished; empty otherwise.
  const std::optional<RunReport>& report() const { return report_; }
  /// Message of the last error (empty if none).
  QString lastError() const { return lastError_; }
  /// How long the destructor waits for the worker to stop, in milliseconds (default 30000).
  int shutdownTimeout() const { return shutdownTimeoutMs_; }
  void setShutdownTimeout(int milliseconds) { shutdownTimeoutMs_ = milliseconds; }
  /// Blocks the calling thread until the worker has ended, up to `milliseconds`; true when no
  /// worker is left. For tests and command-line tools; the GUI never calls it.
  bool waitForWorker(int milliseconds);

 public Q_SLOTS:
  /// Starts a run of `config` in a new worker thread. Returns false (and does nothing) while a
  /// run is active. With `experimentDir`, the run is committed to the experiment store there
  /// (crash-safe); a directory that already holds a store is continued from its last commit
  /// (the configuration is merged with the stored one, see mu2net::mergeResumeConfig), and the
  /// children it already trained arrive as RunStartedEvent::history. A store whose tasks have all
  /// done the configuration's task iterations is not run (nothing is left to train): start()
  /// reports why with errorOccurred() and returns false. A directory this start creates is
  /// removed again when the run ends (failed or stopped) before its first commit; one that
  /// existed before is never removed.
  bool start(const mu2net::ExperimentConfig& config, const QString& experimentDir = {});
  /// Requests a pause at the next safe point (between mini-batches). State becomes Paused when
  /// the engine has actually paused.
  void pause();
  void resume();
  /// Requests a stop at the next safe point; state becomes Stopping, then Finished.
  void stop();
  /// Queues a task; it joins the round-robin between children. Ignored when no run is active.
  void addTask(const mu2net::TaskSpec& task);

 Q_SIGNALS:
  void stateChanged(mu2net::ui::ExperimentController::State state);
  /// Any error: fatal (state becomes Failed) or not (the run continues).
  void errorOccurred(const QString& message);
  /// The run ended normally (completed or stopped) with this report.
  void finished(const mu2net::RunReport& report);
  /// Hashes of every locked component, available once the run has ended.
  void componentHashesReady(const mu2net::ui::ComponentHashes& hashes);

 private:
  struct Run;

  /// The worker thread's whole life: constructs the engine, runs it, reports the outcome.
  static void workerMain(const std::shared_ptr<Run>& run, ExperimentConfig config,
                         std::string experimentDir);
  void setState(State state);
  void onThreadFinished();
  void connectForwarder(EventForwarder* forwarder);
  void removeCreatedDirectoryWithoutCommit();

  State state_ = State::Idle;
  ExperimentConfig config_;
  std::optional<RunReport> report_;
  QString lastError_;
  bool failed_ = false;
  int shutdownTimeoutMs_ = 30000;
  std::shared_ptr<Run> run_;
  QString createdDir_;  // the experiment directory the current start creates, if it does
  QThread* thread_ = nullptr;
};

}  // namespace mu2net::ui
