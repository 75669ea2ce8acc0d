#include "RunStatusBar.h"

#include <QLabel>
#include <QProgressBar>
#include <QStringList>
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
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setMaximumWidth(220);
  progress_->setFormat(QStringLiteral("%p%"));
  addWidget(stateLabel_);
  addWidget(taskLabel_, 1);
  addPermanentWidget(speedLabel_);
  addPermanentWidget(progress_);
  addPermanentWidget(remainingLabel_);
}

void RunStatusBar::showState(ExperimentController::State state) {
  stateLabel_->setText(stateName(state));
}

void RunStatusBar::reset() {
  clearMessage();
  progress_->setValue(0);
  remainingLabel_->clear();
  speedLabel_->clear();
  totalChildren_ = 0;
  childrenFinished_ = 0;
}

void RunStatusBar::onStateChanged(ExperimentController::State s) {
  showState(s);
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
    generation_.clear();
    trainingLabels_.clear();
  });
  // Children of a generation may train at the same time (training.parallel_children): the
  // status bar names every child in training, sums their speeds and counts their shares.
  connect(c, &ExperimentController::childStarted, this, [this](const ChildStartedEvent& e) {
    generation_.start(e.childIndex);
    for (const int child : trainingLabels_.keys())  // children done training leave the label
      if (generation_.doneTraining(child)) trainingLabels_.remove(child);
    trainingLabels_[e.childIndex] =
        tr("child %1 (parent %2 #%3)").arg(e.childIndex + 1).arg(q(e.parentTask)).arg(e.parentId);
    taskLabel_->setText(tr("task %1 · generation %2 · %3")
                            .arg(q(e.task))
                            .arg(e.generation)
                            .arg(QStringList(trainingLabels_.values()).join(QStringLiteral(", "))));
  });
  connect(c, &ExperimentController::trainingProgress, this, [this](const TrainingProgressEvent& e) {
    generation_.update(e);
    // Once every child has run its steps, the generation validates: no speed to show.
    if (generation_.onlyValidating())
      speedLabel_->setText(tr("validating"));
    else
      speedLabel_->setText(tr("%1 samples/s").arg(generation_.samplesPerSecond(), 0, 'f', 0));
    updateProgress();
  });
  connect(c, &ExperimentController::childFinished, this, [this](const ChildFinishedEvent& e) {
    ++childrenFinished_;
    generation_.finish(e.childIndex);
    updateProgress();
  });
  connect(c, &ExperimentController::taskAdded, this, [this] {
    // The new task joins the current pass and every later one.
    totalChildren_ += static_cast<qint64>(childrenPerTaskIteration_) *
                      std::max(1, taskIterations_ - currentIteration_ + 1);
  });
  connect(c, &ExperimentController::runFinished, this, [this](const RunFinishedEvent& e) {
    if (!e.stopped) progress_->setValue(progress_->maximum());
    remainingLabel_->clear();
    taskLabel_->clear();
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
