// The one declaration of the engine's signals (EngineSignals): relayTo passes every signal on, and
// connectHandlers connects each signal x to a receiver's slot onX, as the views use it.
#include <QtTest/QtTest>

#include "ChildListModel.h"
#include "EngineSignals.h"
#include "PlotPanel.h"
#include "TaskTableModel.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

// A handler named after a signal but with other arguments.
class WrongHandler : public QObject {
  Q_OBJECT
 public Q_SLOTS:
  void onTaskAdded(const QString&) {}
};

}  // namespace

class TstEngineSignals : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void relayPassesEverySignalOn() {
    EngineSignals source, target;
    source.relayTo(&target);
    QSignalSpy started(&target, &EngineSignals::runStarted);
    QSignalSpy added(&target, &EngineSignals::taskAdded);
    QSignalSpy error(&target, &EngineSignals::engineError);
    Q_EMIT source.runStarted(RunStartedEvent{});
    Q_EMIT source.taskAdded(TaskAddedEvent{"b"});
    Q_EMIT source.engineError(ErrorEvent{"oops"});
    QCOMPARE(started.count(), 1);
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.at(0).at(0).value<TaskAddedEvent>().task, std::string("b"));
    QCOMPARE(error.count(), 1);
  }

  void handlersAreConnectedByName() {
    EngineSignals events;
    TaskTableModel tasks;
    ChildListModel children;
    PlotPanel plots;
    QCOMPARE(events.connectHandlers(&tasks), 7);
    QCOMPARE(events.connectHandlers(&children), 5);
    QCOMPARE(events.connectHandlers(&plots), 6);
    Q_EMIT events.taskAdded(TaskAddedEvent{"a"});
    QCOMPARE(tasks.rowCount(), 1);
  }

  void aHandlerWithOtherArgumentsIsNotConnected() {
    EngineSignals events;
    WrongHandler wrong;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression("onTaskAdded does not take"));
    QCOMPARE(events.connectHandlers(&wrong), 0);
  }
};

QTEST_MAIN(TstEngineSignals)
#include "tst_engine_signals.moc"
