// ExperimentController on tiny real runs (MNIST subsets): start to finish, pause and resume, stop,
// add a task mid-run, errors, and destruction while running. Signals are observed with
// QSignalSpy and every wait has a timeout.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <memory>

#include "ChildListModel.h"
#include "ExperimentController.h"
#include "TaskTableModel.h"
#include "UiTestUtil.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;
using State = ExperimentController::State;

namespace {

constexpr int kRunTimeoutMs = 240000;

std::vector<State> statesOf(const QSignalSpy& spy) {
  std::vector<State> out;
  for (const auto& args : spy)
    out.push_back(args.at(0).value<State>());
  return out;
}

}  // namespace

class TstExperimentController : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { MU2NET_REQUIRE_DIR(testdata::mnistDir()); }

  // With an experiment directory the run is committed to a store; starting again on the same
  // directory continues it: the children already trained come back as history.
  void runsIntoAStoreAndContinuesIt() {
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("exp"));
    ExperimentConfig config = testui::tinyConfig();
    {
      ExperimentController controller;
      QSignalSpy started(&controller, &ExperimentController::runStarted);
      QVERIFY(controller.start(config, dir));
      QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
      QCOMPARE(started.size(), 1);
      QVERIFY(started.first().at(0).value<RunStartedEvent>().history.empty());
    }
    QVERIFY(ExperimentStore::isStore(dir.toStdString()));
    QCOMPARE(ExperimentStore::open(dir.toStdString(), ExperimentStore::Mode::ReadOnly)
                 ->children()
                 .size(),
             std::size_t{2});
    // Continue it with one more task iteration: the history arrives first, then new children.
    config.evolution.taskIterations = 2;
    ExperimentController controller;
    QSignalSpy started(&controller, &ExperimentController::runStarted);
    QSignalSpy childFinished(&controller, &ExperimentController::childFinished);
    QVERIFY(controller.start(config, dir));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QCOMPARE(started.first().at(0).value<RunStartedEvent>().history.size(), std::size_t{2});
    QCOMPARE(childFinished.size(), 2);
    QCOMPARE(ExperimentStore::open(dir.toStdString(), ExperimentStore::Mode::ReadOnly)
                 ->children()
                 .size(),
             std::size_t{4});
    // Another seed cannot continue it: the error names the key.
    config.seed = 99;
    ExperimentController other;
    QSignalSpy errors(&other, &ExperimentController::errorOccurred);
    QVERIFY(other.start(config, dir));
    QTRY_COMPARE_WITH_TIMEOUT(other.state(), State::Failed, kRunTimeoutMs);
    QVERIFY(errors.first().at(0).toString().contains(QStringLiteral("seed")));
  }

  void runsToTheEndAndFeedsTheModels() {
    ExperimentController controller;
    TaskTableModel tasks;
    ChildListModel children;
    QAbstractItemModelTester taskTester(&tasks,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester childTester(&children,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(&controller, &ExperimentController::runStarted, &tasks, &TaskTableModel::onRunStarted);
    connect(&controller, &ExperimentController::taskIterationStarted, &tasks,
            &TaskTableModel::onTaskIterationStarted);
    connect(&controller, &ExperimentController::childFinished, &tasks,
            &TaskTableModel::onChildFinished);
    connect(&controller, &ExperimentController::taskIterationEnded, &tasks,
            &TaskTableModel::onTaskIterationEnded);
    connect(&controller, &ExperimentController::testEvaluated, &tasks,
            &TaskTableModel::onTestEvaluated);
    connect(&controller, &ExperimentController::childStarted, &children,
            &ChildListModel::onChildStarted);
    connect(&controller, &ExperimentController::validation, &children,
            &ChildListModel::onValidation);
    connect(&controller, &ExperimentController::childFinished, &children,
            &ChildListModel::onChildFinished);

    QSignalSpy states(&controller, &ExperimentController::stateChanged);
    QSignalSpy finished(&controller, &ExperimentController::finished);
    QSignalSpy childFinished(&controller, &ExperimentController::childFinished);
    QSignalSpy hashes(&controller, &ExperimentController::componentHashesReady);
    QSignalSpy errors(&controller, &ExperimentController::errorOccurred);

    ExperimentConfig config = testui::tinyConfig();
    config.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
    QVERIFY(controller.start(config));
    QCOMPARE(controller.state(), State::Loading);
    QVERIFY(controller.isActive());
    QVERIFY(!controller.start(config));  // one run at a time
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);

    QCOMPARE(statesOf(states),
             (std::vector<State>{State::Loading, State::Running, State::Finished}));
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().at(0).toString()));
    QCOMPARE(finished.size(), 1);
    QVERIFY(controller.report().has_value());
    QVERIFY(!controller.report()->stopped);
    QCOMPARE(controller.report()->tasks.size(), std::size_t{2});
    QCOMPARE(childFinished.size(), 4);
    QCOMPARE(hashes.size(), 1);
    QVERIFY(!hashes.first().at(0).value<ComponentHashes>().isEmpty());
    QVERIFY(!controller.isActive());

    // The models saw the whole run.
    QCOMPARE(tasks.rowCount(), 2);
    QCOMPARE(children.rowCount(), 4);
    for (int r = 0; r < 2; ++r) {
      const auto& row = tasks.row(r);
      QCOMPARE(row.childrenTried, qint64{2});
      QVERIFY(row.validation.has_value() && *row.validation > 0.0);
      QVERIFY(row.test.has_value());
      QCOMPARE(*row.test, *controller.report()->tasks[static_cast<std::size_t>(r)].testQuality);
      QCOMPARE(row.activatedParams,
               controller.report()->tasks[static_cast<std::size_t>(r)].activatedParams);
      QVERIFY(std::abs(row.reusedShare -
                       controller.report()->tasks[static_cast<std::size_t>(r)].reusedShare) < 1e-9);
    }
    for (int r = 0; r < 4; ++r)
      QVERIFY(children.record(r).done.has_value());

    // A finished controller can start again.
    QVERIFY(controller.start(testui::tinyConfig()));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
  }

  void pauseResumeStop() {
    ExperimentController controller;
    QSignalSpy started(&controller, &ExperimentController::childStarted);
    QSignalSpy progress(&controller, &ExperimentController::trainingProgress);
    QSignalSpy paused(&controller, &ExperimentController::pausedChanged);
    QVERIFY(controller.start(testui::tinyConfig(4)));
    QTRY_VERIFY_WITH_TIMEOUT(started.size() >= 1, kRunTimeoutMs);
    controller.pause();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Paused, kRunTimeoutMs);
    QCOMPARE(paused.size(), 1);
    QVERIFY(paused.first().at(0).value<PausedEvent>().paused);
    // Nothing moves while paused (events already queued have been delivered by now).
    QTest::qWait(300);
    const auto startedWhenPaused = started.size();
    const auto progressWhenPaused = progress.size();
    QTest::qWait(700);
    QCOMPARE(started.size(), startedWhenPaused);
    QCOMPARE(progress.size(), progressWhenPaused);

    controller.resume();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Running, kRunTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(started.size() > startedWhenPaused, kRunTimeoutMs);
    controller.stop();
    QCOMPARE(controller.state(), State::Stopping);
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QVERIFY(controller.report().has_value());
    QVERIFY(controller.report()->stopped);
  }

  void stopWhilePausedAndWhileLoading() {
    ExperimentController controller;
    QSignalSpy runFinished(&controller, &ExperimentController::runFinished);
    QVERIFY(controller.start(testui::tinyConfig(4)));
    controller.pause();  // still loading: remembered and handed to the engine
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Paused, kRunTimeoutMs);
    controller.stop();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QVERIFY(controller.report()->stopped);
    QCOMPARE(runFinished.size(), 1);

    QVERIFY(controller.start(testui::tinyConfig(4)));
    controller.stop();
    QCOMPARE(controller.state(), State::Stopping);
    QVERIFY(controller.waitForWorker(kRunTimeoutMs));
    QCOMPARE(controller.state(), State::Finished);
    QVERIFY(controller.report()->stopped);
  }

  void addTaskJoinsTheRun() {
    ExperimentController controller;
    QSignalSpy added(&controller, &ExperimentController::taskAdded);
    QSignalSpy childFinished(&controller, &ExperimentController::childFinished);
    QSignalSpy started(&controller, &ExperimentController::childStarted);
    QVERIFY(controller.start(testui::tinyConfig(2)));
    QTRY_VERIFY_WITH_TIMEOUT(started.size() >= 1, kRunTimeoutMs);
    controller.addTask(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.first().at(0).value<TaskAddedEvent>().task, std::string("digits-5-9"));
    QCOMPARE(controller.report()->tasks.size(), std::size_t{2});
    int addedChildren = 0;
    for (const auto& args : childFinished)
      if (args.at(0).value<ChildFinishedEvent>().task == "digits-5-9") ++addedChildren;
    QVERIFY(addedChildren >= 2);
    QVERIFY(controller.report()->tasks[1].testQuality.has_value());
  }

  void addTaskWithMissingDataReportsAndContinues() {
    ExperimentController controller;
    QSignalSpy errors(&controller, &ExperimentController::errorOccurred);
    QSignalSpy started(&controller, &ExperimentController::childStarted);
    QVERIFY(controller.start(testui::tinyConfig(2)));
    QTRY_VERIFY_WITH_TIMEOUT(started.size() >= 1, kRunTimeoutMs);
    TaskSpec broken = testui::mnistTask("nowhere", {});
    broken.path = "/nonexistent/mu2net-data";
    controller.addTask(broken);
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().at(0).toString().contains(QStringLiteral("nonexistent")),
             qPrintable(errors.first().at(0).toString()));
    QVERIFY(!controller.report()->stopped);
    QCOMPARE(controller.report()->tasks.size(), std::size_t{1});
  }

  void loadErrorsEndInFailedWithTheMessage() {
    ExperimentController controller;
    QSignalSpy errors(&controller, &ExperimentController::errorOccurred);
    QSignalSpy finished(&controller, &ExperimentController::finished);
    ExperimentConfig config = testui::tinyConfig();
    config.tasks[0].path = "/nonexistent/mu2net-data";
    QVERIFY(controller.start(config));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Failed, kRunTimeoutMs);
    QCOMPARE(errors.size(), 1);
    QVERIFY(controller.lastError().contains(QStringLiteral("/nonexistent/mu2net-data")));
    QCOMPARE(finished.size(), 0);
    QVERIFY(!controller.report().has_value());

    // A configuration error (class out of range) is reported the same way.
    config = testui::tinyConfig();
    config.tasks[0].classes = {0, 42};
    QVERIFY(controller.start(config));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Failed, kRunTimeoutMs);
    QCOMPARE(errors.size(), 2);
    QVERIFY2(controller.lastError().contains(QStringLiteral("42")),
             qPrintable(controller.lastError()));
  }

  void destroyingARunningControllerStopsTheEngine() {
    auto controller = std::make_unique<ExperimentController>();
    QSignalSpy started(controller.get(), &ExperimentController::childStarted);
    QVERIFY(controller->start(testui::tinyConfig(10)));
    QTRY_VERIFY_WITH_TIMEOUT(started.size() >= 1, kRunTimeoutMs);
    QElapsedTimer clock;
    clock.start();
    controller.reset();  // requests a stop and joins the worker
    QVERIFY2(clock.elapsed() < 20000, "the engine did not stop at a safe point");
  }
};

QTEST_MAIN(TstExperimentController)
#include "tst_experiment_controller.moc"
