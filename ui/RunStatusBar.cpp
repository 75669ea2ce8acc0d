#include "RunStatusBar.h"

#include <QLabel>
#include <QProgressBar>
#include <QStringList>
#include <QTimer>
#include <algorithm>

#include "Format.h"

namespace mu2net::ui {

namespace {

QString stateName(ExperimentController::State state) {
  switch (state) {
    case ExperimentController::State::Idle:
      return QObject::tr("idle");
    case ExperimentController::State::Loading:
      return QObject::tr("loading data…");
    case ExperimentController::State::Running:
      return QObject::tr("running");
    case ExperimentController::State::Paused:
      return QObject::tr("paused");
    case ExperimentController::State::Stopping:
      return QObject::tr("stopping…");
    case ExperimentController::State::Finished:
      return QObject::tr("finished");
    case ExperimentController::State::Failed:
      return QObject::tr("failed");
  }
  return {};
}

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

}  // namespace

RunStatusBar::RunStatusBar(QWidget* parent) : QStatusBar(parent) {
  for (QLabel** label : {&taskLabel_, &stateLabel_, &speedLabel_, &remainingLabel_})
    *label = new QLabel(this);
  taskLabel_->setObjectName(QStringLiteral("runTaskLabel"));
  stateLabel_->setObjectName(QStringLiteral("runStateLabel"));
  speedLabel_->setObjectName(QStringLiteral("runSpeedLabel"));
  remainingLabel_->setObjectName(QStringLiteral("runRemainingLabel"));
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setMaximumWidth(220);
  progress_->setFormat(QStringLiteral("%p%"));
  addWidget(taskLabel_, 1);
  addPermanentWidget(stateLabel_);
  addPermanentWidget(speedLabel_);
  addPermanentWidget(progress_);
  addPermanentWidget(remainingLabel_);
  // QStatusBar hides normal widgets under a message without saying so explicitly, and a window
  // shown later shows them again over it: say it explicitly.
  connect(this, &QStatusBar::messageChanged, this,
          [this](const QString& message) { taskLabel_->setVisible(message.isEmpty()); });
  staleSpeed_ = new QTimer(this);
  staleSpeed_->setSingleShot(true);
  staleSpeed_->setInterval(10000);  // progress comes every 0.2 s or each step
  connect(staleSpeed_, &QTimer::timeout, this, &RunStatusBar::clearSpeed);
  showState(ExperimentController::State::Idle);
}

void RunStatusBar::showState(ExperimentController::State state) {
  stateLabel_->setText(stateName(state));
}

void RunStatusBar::reset(const QString& state) {
  clearMessage();
  progress_->setValue(0);
  remainingLabel_->clear();
  taskLabel_->clear();
  clearSpeed();
  stateLabel_->setText(state);
  totalChildren_ = 0;
  childrenFinished_ = 0;
  stopped_ = false;
  generation_.clear();
  trainingLabels_.clear();
}

void RunStatusBar::showStored(qint64 trained, qint64 planned, const QString& state) {
  reset(state);
  if (planned > 0)
    progress_->setValue(
        static_cast<int>(std::min<qint64>(trained, planned) * progress_->maximum() / planned));
}

void RunStatusBar::clearSpeed() {
  staleSpeed_->stop();
  speedLabel_->clear();
}

// Once every child has run its steps, the generation validates: no speed to show.
void RunStatusBar::showSpeed() {
  if (generation_.onlyValidating()) {
    staleSpeed_->stop();
    speedLabel_->setText(tr("validating"));
    return;
  }
  speedLabel_->setText(tr("%1 samples/s").arg(generation_.samplesPerSecond(), 0, 'f', 0));
  staleSpeed_->start();
}

void RunStatusBar::onStateChanged(ExperimentController::State s) {
  using S = ExperimentController::State;
  if (s == S::Loading) stopped_ = false;
  if (s != S::Running) clearSpeed();
  showState(s);
  if (s == S::Finished && stopped_) stateLabel_->setText(tr("stopped"));
  if (s == ExperimentController::State::Paused) pauseClock_.start();
  if (s == ExperimentController::State::Running && pauseClock_.isValid()) {
    pausedMs_ += pauseClock_.elapsed();
    pauseClock_.invalidate();
  }
}

void RunStatusBar::follow(const ExperimentController* c) {
  connect(c, &ExperimentController::stateChanged, this, &RunStatusBar::onStateChanged);
  connect(c, &ExperimentController::runStarted, this, [this](const RunStartedEvent& e) {
    totalChildren_ = e.totalChildren;
    childrenPerTaskIteration_ = e.childrenPerTaskIteration;
    taskIterations_ = e.taskIterations;
    childrenFinished_ = 0;
    currentIteration_ = 1;
    runClock_.start();
    pausedMs_ = 0;
    updateProgress();
  });
  connect(c, &ExperimentController::taskIterationStarted, this,
          [this](const TaskIterationStartedEvent& e) { currentIteration_ = e.iteration; });
  connect(c, &ExperimentController::generationStarted, this, [this] {
    clearSpeed();
    generation_.clear();
    trainingLabels_.clear();
  });
  // The children of a generation train together (in lock-step): the status bar names every child
  // in training (with its parent while there are at most two), sums their speeds and counts their
  // shares.
  connect(c, &ExperimentController::childStarted, this, [this](const ChildStartedEvent& e) {
    generation_.start(e.childIndex);
    for (const int child : trainingLabels_.keys())  // children done training leave the label
      if (generation_.doneTraining(child)) trainingLabels_.remove(child);
    trainingLabels_[e.childIndex] =
        tr("child %1 (parent %2 #%3)").arg(e.childIndex + 1).arg(q(e.parentTask)).arg(e.parentId);
    QString training = QStringList(trainingLabels_.values()).join(QStringLiteral(", "));
    if (trainingLabels_.size() > 2) {
      QStringList numbers;
      for (const int child : trainingLabels_.keys())
        numbers << QString::number(child + 1);
      training = tr("children %1").arg(numbers.join(QStringLiteral(", ")));
    }
    taskLabel_->setText(
        tr("task %1 · generation %2 · %3").arg(q(e.task)).arg(e.generation).arg(training));
  });
  connect(c, &ExperimentController::trainingProgress, this, [this](const TrainingProgressEvent& e) {
    generation_.update(e);
    showSpeed();
    updateProgress();
  });
  connect(c, &ExperimentController::childFinished, this, [this](const ChildFinishedEvent& e) {
    ++childrenFinished_;
    generation_.finish(e.childIndex);
    clearSpeed();  // the generation has ended: its children's speed with it
    updateProgress();
  });
  connect(c, &ExperimentController::taskAdded, this, [this] {
    // The new task joins the current pass and every later one.
    totalChildren_ += static_cast<qint64>(childrenPerTaskIteration_) *
                      std::max(1, taskIterations_ - currentIteration_ + 1);
  });
  connect(c, &ExperimentController::runFinished, this, [this](const RunFinishedEvent& e) {
    stopped_ = e.stopped;
    if (!e.stopped) progress_->setValue(progress_->maximum());
    remainingLabel_->clear();
    taskLabel_->clear();
    clearSpeed();
  });
}

void RunStatusBar::updateProgress() {
  if (totalChildren_ <= 0) return;
  const double done =
      std::min(1.0, (static_cast<double>(childrenFinished_) + generation_.unfinishedShare()) /
                        static_cast<double>(totalChildren_));
  progress_->setValue(static_cast<int>(done * progress_->maximum()));
  const double elapsed = static_cast<double>(runClock_.elapsed() - pausedMs_) / 1000.0;
  if (done > 0.002 && elapsed > 1)
    remainingLabel_->setText(tr("%1 left").arg(formatDuration(elapsed * (1 - done) / done)));
}

}  // namespace mu2net::ui
