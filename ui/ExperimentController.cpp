#include "ExperimentController.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QThread>
#include <QtDebug>
#include <exception>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "EventForwarder.h"
#include "ExperimentFiles.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/engine/ExperimentRun.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

// What the GUI thread and the worker share. The worker holds its own reference, so a controller
// destroyed while a slow engine is still loading leaves the worker with valid state to finish on.
struct ExperimentController::Run {
  std::mutex mutex;
  // Set by the worker (under mutex) once the engine exists, cleared before it is destroyed: the
  // GUI thread only calls the engine's thread-safe control requests through it, under mutex.
  Engine* engine = nullptr;
  // Requests made before the engine exists, handed to it when it does.
  bool stopRequested = false;
  bool pauseRequested = false;
  std::vector<TaskSpec> pendingTasks;
  std::unique_ptr<EventForwarder> forwarder = std::make_unique<EventForwarder>();
};

namespace {

QString messageOf(const std::exception& e) {
  return QString::fromStdString(errorText(e));
}

}  // namespace

// Touches only `run`, never the controller, and lets no exception escape (an exception leaving a
// QThread's function would terminate the program).
void ExperimentController::workerMain(const std::shared_ptr<Run>& run, ExperimentConfig config,
                                      std::string experimentDir) {
  EventForwarder& forwarder = *run->forwarder;
  // The store is declared before the engine, which refers to it, so that it outlives the engine.
  PreparedRun prepared;
  std::unique_ptr<Engine>& engine = prepared.engine;
  try {
    if (!experimentDir.empty()) {
      // Validates everything before it writes anything to the directory (as `mu2net run` does).
      RunMetadata meta;
      meta.projectVersion = MU2NET_VERSION;
      prepared = prepareRun(std::move(config), experimentDir, &forwarder, meta);
    } else {
      engine = std::make_unique<Engine>(std::move(config), &forwarder, nullptr);
    }
  } catch (const std::exception& e) {
    Q_EMIT forwarder.workerFailed(messageOf(e), false);
    return;
  } catch (...) {
    Q_EMIT forwarder.workerFailed(QStringLiteral("unknown error while loading the experiment"),
                                  false);
    return;
  }
  {
    std::lock_guard lock(run->mutex);
    if (run->stopRequested) engine->stop();
    if (run->pauseRequested) engine->pause();
    for (const auto& task : run->pendingTasks)
      engine->addTask(task);
    run->pendingTasks.clear();
    run->engine = engine.get();
  }
  try {
    RunReport report = engine->run();
    try {
      ComponentHashes hashes;
      for (const auto& [id, hash] : engine->lockedComponentHashes())
        hashes.insert(id, QString::fromStdString(hash));
      Q_EMIT forwarder.componentHashes(hashes);
    } catch (const std::exception& e) {
      // The run itself succeeded; missing hashes only make tooltips shorter.
      qWarning("mu2net: could not hash the locked components: %s", e.what());
    }
    Q_EMIT forwarder.workerFinished(report);
  } catch (const std::exception& e) {
    Q_EMIT forwarder.workerFailed(messageOf(e), true);
  } catch (...) {
    Q_EMIT forwarder.workerFailed(QStringLiteral("unknown error during the run"), false);
  }
  std::lock_guard lock(run->mutex);
  run->engine = nullptr;
}

ExperimentController::ExperimentController(QObject* parent) : EngineSignals(parent) {}

ExperimentController::~ExperimentController() {
  if (!thread_) return;
  {
    std::lock_guard lock(run_->mutex);
    run_->stopRequested = true;
    if (run_->engine) run_->engine->stop();
  }
  // Our connections to the forwarder die with us; the worker keeps emitting into the void.
  if (thread_->wait(shutdownTimeoutMs_)) {
    delete thread_;
  } else {
    qWarning("mu2net: the engine did not stop within %d ms; it finishes in the background",
             shutdownTimeoutMs_);
    thread_->setParent(nullptr);
    QObject::connect(thread_, &QThread::finished, thread_, &QObject::deleteLater);
  }
}

bool ExperimentController::isActive() const {
  return thread_ != nullptr;
}

bool ExperimentController::start(const ExperimentConfig& config, const QString& experimentDir) {
  if (isActive()) return false;
  config_ = config;
  report_.reset();
  lastError_.clear();
  failed_ = false;
  try {
    lastError_ = nothingLeftToRun(experimentDir, config);
  } catch (const std::exception&) {
    // An unreadable store: the worker reports it, as for any other start.
  }
  if (!lastError_.isEmpty()) {
    Q_EMIT errorOccurred(lastError_);
    return false;
  }
  // A database store is never a directory this start creates (prepareRun drops the tables of a
  // refused first run itself).
  createdDir_ = experimentDir.isEmpty() || isDatabaseLocation(experimentDir) ||
                        QFileInfo::exists(experimentDir)
                    ? QString()
                    : QFileInfo(experimentDir).absoluteFilePath();
  run_ = std::make_shared<Run>();
  connectForwarder(run_->forwarder.get());
  thread_ = QThread::create(
      [run = run_, config, dir = experimentDir.toStdString()] { workerMain(run, config, dir); });
  thread_->setObjectName(QStringLiteral("mu2net-engine"));
  // No event loop runs in the worker, so nothing needs QThread::quit(): the thread ends when
  // workerMain returns, and `finished` (queued to us) arrives after every event it sent.
  connect(thread_, &QThread::finished, this, &ExperimentController::onThreadFinished);
  setState(State::Loading);
  thread_->start();
  return true;
}

void ExperimentController::pause() {
  if (!isActive()) return;
  std::lock_guard lock(run_->mutex);
  run_->pauseRequested = true;
  if (run_->engine) run_->engine->pause();
}

void ExperimentController::resume() {
  if (!isActive()) return;
  std::lock_guard lock(run_->mutex);
  run_->pauseRequested = false;
  if (run_->engine) run_->engine->resume();
}

void ExperimentController::stop() {
  if (!isActive() || state_ == State::Stopping) return;
  {
    std::lock_guard lock(run_->mutex);
    run_->stopRequested = true;
    if (run_->engine) run_->engine->stop();
  }
  setState(State::Stopping);
}

void ExperimentController::addTask(const TaskSpec& task) {
  if (!isActive()) return;
  std::lock_guard lock(run_->mutex);
  if (run_->engine)
    run_->engine->addTask(task);
  else
    run_->pendingTasks.push_back(task);
}

bool ExperimentController::waitForWorker(int milliseconds) {
  if (!thread_) return true;
  if (!thread_->wait(milliseconds)) return false;
  // Deliver what the worker queued for us (its events, then QThread::finished) in order.
  QCoreApplication::sendPostedEvents(this);
  if (thread_) onThreadFinished();
  return true;
}

void ExperimentController::setState(State state) {
  if (state_ == state) return;
  state_ = state;
  Q_EMIT stateChanged(state);
}

void ExperimentController::onThreadFinished() {
  if (!thread_) return;
  thread_->wait();  // returns at once: the thread has finished
  delete thread_;
  thread_ = nullptr;
  run_.reset();
  removeCreatedDirectoryWithoutCommit();
  setState(failed_ ? State::Failed : State::Finished);
  if (!failed_ && report_) Q_EMIT finished(*report_);
}

// A directory this start created whose store holds no commit holds no work either (the run failed
// or was stopped before its first generation): it would only be in the way.
void ExperimentController::removeCreatedDirectoryWithoutCommit() {
  const std::filesystem::path dir = createdDir_.toStdString();
  createdDir_.clear();
  if (dir.empty()) return;
  try {
    if (!ExperimentStore::isStore(dir) ||
        ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly)->hasState())
      return;
  } catch (const std::exception& e) {
    qWarning("mu2net: %s kept: %s", dir.c_str(), e.what());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) qWarning("mu2net: could not remove %s: %s", dir.c_str(), ec.message().c_str());
}

void ExperimentController::connectForwarder(EventForwarder* f) {
  // Queued (emitted in the worker), handled here. The state changes first, then every event is
  // re-emitted as the same signal of this controller.
  connect(f, &EventForwarder::runStarted, this, [this] {
    if (state_ == State::Loading) setState(State::Running);
  });
  connect(f, &EventForwarder::pausedChanged, this, [this](const PausedEvent& e) {
    if (state_ != State::Stopping) setState(e.paused ? State::Paused : State::Running);
  });
  connect(f, &EventForwarder::engineError, this, [this](const ErrorEvent& e) {
    lastError_ = QString::fromStdString(e.message);
    Q_EMIT errorOccurred(lastError_);
  });
  f->relayTo(this);
  connect(f, &EventForwarder::componentHashes, this, &ExperimentController::componentHashesReady);
  connect(f, &EventForwarder::workerFinished, this,
          [this](const RunReport& report) { report_ = report; });
  connect(f, &EventForwarder::workerFailed, this,
          [this](const QString& message, bool alreadyReported) {
            failed_ = true;
            lastError_ = message;
            if (!alreadyReported) Q_EMIT errorOccurred(message);
          });
}

}  // namespace mu2net::ui
