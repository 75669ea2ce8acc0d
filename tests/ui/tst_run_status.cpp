// The status bar and the children table during real tiny runs: a run paused, resumed and stopped
// part way says "stopped" and keeps its progress, the speed is not left standing when nothing
// trains, a finished run's figures do not follow the user to another experiment, the state never
// overlaps a message, children leave "training" once their generation is done, and a start that
// fails leaves no directory behind.
#include <QDir>
#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "ChildListModel.h"
#include "ExperimentFiles.h"
#include "MainWindow.h"
#include "RunStatusBar.h"
#include "StateFixture.h"
#include "TaskTableModel.h"
#include "UiTestUtil.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;
using State = ExperimentController::State;

using testui::kRunTimeoutMs;

namespace {

// Two tasks, one iteration, one worker; generations long enough (256 steps) that a stop asked
// for when the first one ends reaches the second one part way.
ExperimentConfig twoTasks() {
  ExperimentConfig config = testui::tinyConfig();
  config.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
  config.training.parallelChildren = 1;
  config.training.trainExamplesBetweenValidations = 8192;
  return config;
}

}  // namespace

class TstRunStatus : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir runs_;

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    qputenv("MU2NET_RUNS_DIR", runs_.path().toUtf8());
  }

  // Item 6 and 7 on one run: paused (no speed shown), resumed, stopped part way.
  void pausedResumedAndStopped() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    window.setExperiment(twoTasks(), QStringLiteral("tiny"));
    auto* c = window.controller();
    auto* progress = window.statusBar()->findChild<QProgressBar*>();
    QVERIFY(progress);
    QLabel* speed = testui::statusLabel(window, "runSpeedLabel");
    QLabel* state = testui::statusLabel(window, "runStateLabel");
    QVERIFY(speed && state);

    // Item 7: when a generation starts, no child of an earlier generation is left "training".
    QStringList earlierStatus;
    std::vector<std::pair<std::string, int64_t>> earlier;
    connect(c, &ExperimentController::childStarted, this, [&](const ChildStartedEvent& e) {
      if (e.childIndex != 0) return;
      for (const auto& [task, generation] : earlier)
        for (int child = 0; child < 2; ++child) {
          const int r = window.childModel()->rowOf(task, generation, child);
          earlierStatus << window.childModel()
                               ->data(window.childModel()->index(r, ChildListModel::Status))
                               .toString();
        }
      earlier.emplace_back(e.task, e.generation);
    });
    bool pauseAsked = false;
    connect(c, &ExperimentController::trainingProgress, this, [&] {
      if (!pauseAsked) c->pause();
      pauseAsked = true;
    });
    QVERIFY(window.startExperiment());
    QTRY_COMPARE_WITH_TIMEOUT(c->state(), State::Paused, kRunTimeoutMs);
    QTRY_VERIFY2(speed->text().isEmpty(), qPrintable(speed->text()));  // nothing trains
    QCOMPARE(state->text(), QStringLiteral("paused"));

    QSignalSpy finished(c, &ExperimentController::childFinished);
    c->resume();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
    c->stop();
    QTRY_COMPARE_WITH_TIMEOUT(c->state(), State::Finished, kRunTimeoutMs);
    QVERIFY(c->report() && c->report()->stopped);
    QCOMPARE(state->text(), QStringLiteral("stopped"));
    QVERIFY2(progress->value() > progress->minimum() && progress->value() < progress->maximum(),
             qPrintable(QString::number(progress->value())));
    QVERIFY2(!speed->text().contains(QStringLiteral("samples/s")), qPrintable(speed->text()));

    QCOMPARE(earlierStatus.size(), 2);
    for (const QString& s : earlierStatus)
      QVERIFY2(s != QStringLiteral("training"), qPrintable(s));

    // Item 2: reopened, the stopped experiment shows the store's statuses and progress, and
    // Start continues it.
    MainWindow later;
    QVERIFY(testui::showWindow(later));
    QVERIFY(later.openPath(window.experimentDirectory()));
    const auto store = ExperimentStore::open(window.experimentDirectory().toStdString(),
                                             ExperimentStore::Mode::ReadOnly);
    const StoreState st = store->loadMetadata();
    QCOMPARE(later.taskModel()->rowCount(), 2);
    QCOMPARE(st.tasks.at(0).iterationsDone, 1);
    QCOMPARE(later.taskModel()->row(0).status, QStringLiteral("done (iteration 1)"));
    QVERIFY2(later.taskModel()->row(1).status != QStringLiteral("training"),
             qPrintable(later.taskModel()->row(1).status));
    QCOMPARE(testui::statusLabel(later, "runStateLabel")->text(), QStringLiteral("not finished"));
    auto* laterProgress = later.statusBar()->findChild<QProgressBar*>();
    QCOMPARE(laterProgress->value(),
             static_cast<int>(st.tasks.at(0).childrenTried * laterProgress->maximum() / 4));
    QVERIFY(testui::actionNamed(later, "startAction")->isEnabled());
    // Continued, the task that has done its iterations keeps its stored status.
    QVERIFY(later.startExperiment());
    QTRY_COMPARE_WITH_TIMEOUT(later.controller()->state(), State::Finished, kRunTimeoutMs);
    QCOMPARE(later.taskModel()->row(0).status, QStringLiteral("done (iteration 1)"));
    QCOMPARE(later.taskModel()->row(1).status, QStringLiteral("done (iteration 1)"));
  }

  // Two experiments started within the same second never share a directory: the new one is
  // never a directory that exists already (which a start would take as a store to continue).
  void aNewExperimentDirectoryIsNeverAnExistingOne() {
    const QDateTime now = QDateTime::currentDateTime();
    for (int s = 0; s < 3; ++s)
      QVERIFY(QDir(runs_.path())
                  .mkpath(QStringLiteral("tiny-") +
                          now.addSecs(s).toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    const QString fresh = newExperimentDirectory(QStringLiteral("/some/where/tiny.json"));
    QVERIFY2(!QFileInfo::exists(fresh), qPrintable(fresh));
    QCOMPARE(QFileInfo(fresh).absolutePath(), QFileInfo(runs_.path()).absoluteFilePath());
    QVERIFY2(QFileInfo(fresh).fileName().startsWith(QStringLiteral("tiny-")), qPrintable(fresh));
  }

  // Item 6: a finished run's state, speed and progress do not stay on another experiment.
  void finishedRunDoesNotFollowToAnotherExperiment() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    window.setExperiment(testui::tinyConfig(), QStringLiteral("tiny"));
    QVERIFY(window.startExperiment());
    QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), State::Finished, kRunTimeoutMs);
    auto* progress = window.statusBar()->findChild<QProgressBar*>();
    QCOMPARE(progress->value(), progress->maximum());
    QLabel* speed = testui::statusLabel(window, "runSpeedLabel");
    QLabel* state = testui::statusLabel(window, "runStateLabel");
    QCOMPARE(state->text(), QStringLiteral("finished"));
    QVERIFY2(!speed->text().contains(QStringLiteral("validating")), qPrintable(speed->text()));

    QVERIFY(window.loadDefaultExperiment());
    QCOMPARE(progress->value(), progress->minimum());
    QVERIFY(speed->text().isEmpty());
    QVERIFY2(state->text() != QStringLiteral("finished"), qPrintable(state->text()));
  }

  // Item 6: the state never lies under a status message, also when the message was shown before
  // the window (as at startup, where the default experiment is loaded first).
  void stateNeverOverlapsTheMessage() {
    MainWindow window;
    window.setErrorPopups(false);
    QVERIFY(window.loadDefaultExperiment());
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString message = window.statusBar()->currentMessage();
    QVERIFY(!message.isEmpty());
    const int messageEnd = window.statusBar()->fontMetrics().horizontalAdvance(message);
    for (QLabel* l : window.statusBar()->findChildren<QLabel*>()) {
      if (!l->isVisible() || l->text().isEmpty()) continue;
      QVERIFY2(l->geometry().left() > messageEnd,
               qPrintable(QStringLiteral("'%1' at x=%2 under the message (ends at %3)")
                              .arg(l->text())
                              .arg(l->geometry().left())
                              .arg(messageEnd)));
    }
  }

  // Item 11: a start that fails leaves no experiment directory of its own behind, and never
  // removes one that existed before.
  void failedStartLeavesNoDirectory() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    ExperimentConfig missing = testui::tinyConfig();
    missing.tasks[0].path = runs_.filePath(QStringLiteral("no-such-dataset")).toStdString();
    ExperimentConfig wrongFormat = testui::tinyConfig();
    wrongFormat.tasks[0].format = DatasetFormat::CifarBinary;
    for (const auto& config : {missing, wrongFormat}) {
      const QStringList before =
          QDir(runs_.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
      window.setExperiment(config, QStringLiteral("bad"));
      QVERIFY(window.startExperiment());
      const QString dir = window.experimentDirectory();
      QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), State::Failed, kRunTimeoutMs);
      QVERIFY2(!QFileInfo::exists(dir), qPrintable(dir));
      QCOMPARE(QDir(runs_.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), before);
    }
    // Stopped before its first commit: the directory it created holds no work either.
    window.setExperiment(testui::tinyConfig(), QStringLiteral("stopped-at-once"));
    QVERIFY(window.startExperiment());
    const QString stoppedDir = window.experimentDirectory();
    window.controller()->stop();
    QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), State::Finished, kRunTimeoutMs);
    QVERIFY2(!QFileInfo::exists(stoppedDir), qPrintable(stoppedDir));

    // A directory that was there before the start stays, with what it held.
    const QString existing = runs_.filePath(QStringLiteral("mine"));
    QVERIFY(QDir().mkpath(existing));
    ExperimentController controller;
    QVERIFY(controller.start(missing, existing));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Failed, kRunTimeoutMs);
    QVERIFY(QFileInfo(existing).isDir());
  }
};

QTEST_MAIN(TstRunStatus)
#include "tst_run_status.moc"
