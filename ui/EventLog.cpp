#include "EventLog.h"

#include <QScrollBar>
#include <QStringList>
#include <QTime>

#include "ChildListModel.h"
#include "EngineSignals.h"
#include "Format.h"

namespace mu2net::ui {

namespace {

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

}  // namespace

EventLog::EventLog(QWidget* parent) : QPlainTextEdit(parent) {
  setReadOnly(true);
  setMaximumBlockCount(5000);
  setObjectName(QStringLiteral("eventLog"));
  // Follow the latest line until the user scrolls back, whatever the lines and the widget's size
  // did in between (lines logged before the window is laid out included).
  QScrollBar* bar = verticalScrollBar();
  connect(bar, &QScrollBar::valueChanged, this,
          [this, bar](int value) { following_ = value == bar->maximum(); });
  connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int maximum) {
    if (following_) bar->setValue(maximum);
  });
}

void EventLog::log(const QString& line) {
  appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

void EventLog::follow(const EngineSignals* events) {
  connect(events, &EngineSignals::runStarted, this, [this](const RunStartedEvent& e) {
    QStringList tasks;
    for (const auto& t : e.tasks)
      tasks << q(t);
    log(tr("run started: %1 task(s) (%2), %3 task iteration(s), %4 children in all")
            .arg(e.tasks.size())
            .arg(tasks.join(QStringLiteral(", ")))
            .arg(e.taskIterations)
            .arg(e.totalChildren));
  });
  connect(events, &EngineSignals::taskIterationStarted, this,
          [this](const TaskIterationStartedEvent& e) {
            log(tr("%1: task iteration %2 begins").arg(q(e.task)).arg(e.iteration));
          });
  connect(events, &EngineSignals::generationStarted, this, [this](const GenerationStartedEvent& e) {
    QString line = tr("%1: generation %2").arg(q(e.task)).arg(e.generation);
    if (!e.dataMutations.empty()) line += tr(" (data: %1)").arg(describeMutations(e.dataMutations));
    log(line);
  });
  connect(events, &EngineSignals::childFinished, this, [this](const ChildFinishedEvent& e) {
    log(tr("%1: generation %2 child %3 %4 — validation %5%, %6 trainable params, %7")
            .arg(q(e.task))
            .arg(e.generation)
            .arg(e.childIndex + 1)
            .arg(e.improved ? tr("improved") : tr("not improved"))
            .arg(100.0 * e.quality, 0, 'f', 1)
            .arg(formatCount(static_cast<double>(e.trainableParams)))
            .arg(e.mutations.empty() ? tr("no mutations") : describeMutations(e.mutations)));
  });
  connect(events, &EngineSignals::taskIterationEnded, this,
          [this](const TaskIterationEndedEvent& e) {
            log(tr("%1: task iteration %2 ends, retained path %3, validation %4%, system size %5")
                    .arg(q(e.task))
                    .arg(e.iteration)
                    .arg(e.retainedPathId)
                    .arg(100.0 * e.validationQuality, 0, 'f', 1)
                    .arg(formatCount(e.systemSize)));
          });
  connect(events, &EngineSignals::testEvaluated, this, [this](const TestEvaluatedEvent& e) {
    log(tr("%1: test accuracy %2% on %3 examples")
            .arg(q(e.task))
            .arg(100.0 * e.testQuality, 0, 'f', 1)
            .arg(e.examples));
  });
  connect(events, &EngineSignals::taskAdded, this, [this](const TaskAddedEvent& e) {
    log(tr("task %1 added; it joins the round-robin").arg(q(e.task)));
  });
  connect(events, &EngineSignals::pausedChanged, this,
          [this](const PausedEvent& e) { log(e.paused ? tr("paused") : tr("resumed")); });
  connect(events, &EngineSignals::runFinished, this, [this](const RunFinishedEvent& e) {
    log(e.stopped ? tr("run stopped after %1").arg(formatDuration(e.wallSeconds))
                  : tr("run finished in %1").arg(formatDuration(e.wallSeconds)));
  });
}

}  // namespace mu2net::ui
