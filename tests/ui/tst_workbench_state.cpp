// What the workbench shows is what the store holds: a real tiny experiment (two tasks, two task
// iterations) is run once into a store; then it is reopened, another experiment is opened over
// it, and the window's views, task statuses, parameters, Start action and export folders are
// compared with the store (what `mu2net status DIR` prints).
#include <QAction>
#include <QFile>
#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "ChildInspector.h"
#include "ChildListModel.h"
#include "ChildPanel.h"
#include "ExperimentFiles.h"
#include "Exporter.h"
#include "GraphView.h"
#include "MainWindow.h"
#include "PlotPanel.h"
#include "StateFixture.h"
#include "TaskTableModel.h"
#include "UiTestUtil.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;
using State = ExperimentController::State;

using testui::actionNamed;
using testui::kRunTimeoutMs;

class TstWorkbenchState : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString finishedDir_;  // a store whose every task finished its two task iterations
  ExperimentConfig config_;

  // A window showing the finished store.
  void openFinished(MainWindow& window) {
    QVERIFY(testui::showWindow(window));
    QVERIFY(window.openPath(finishedDir_));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    config_ = testui::twoTaskConfig();
    finishedDir_ = tmp_.filePath(QStringLiteral("finished"));
    ExperimentController controller;
    QVERIFY(controller.start(config_, finishedDir_));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QVERIFY2(controller.lastError().isEmpty(), qPrintable(controller.lastError()));
  }

  // Item 2: a reopened finished experiment says every task finished, as the store does.
  void reopenedFinishedTasksAreDone() {
    MainWindow window;
    openFinished(window);
    const auto store =
        ExperimentStore::open(finishedDir_.toStdString(), ExperimentStore::Mode::ReadOnly);
    const StoreState st = store->loadMetadata();
    QCOMPARE(window.taskModel()->rowCount(), static_cast<int>(st.tasks.size()));
    for (const auto& t : st.tasks) {
      QCOMPARE(t.iterationsDone, 2);
      const int r = window.taskModel()->rowOf(QString::fromStdString(t.spec.name));
      QVERIFY(r >= 0);
      const QString status = window.taskModel()->row(r).status;
      QVERIFY2(!status.contains(QStringLiteral("waiting")), qPrintable(status));
      QVERIFY2(status.contains(QStringLiteral("done")) && status.contains(QStringLiteral("2")),
               qPrintable(status));
      QCOMPARE(window.taskModel()->row(r).childrenTried, qint64{t.childrenTried});
    }
  }

  // Item 3: the task table shows the retained path's values, as `mu2net status` does.
  void reopenedParametersAreTheRetainedPaths() {
    MainWindow window;
    openFinished(window);
    const auto store =
        ExperimentStore::open(finishedDir_.toStdString(), ExperimentStore::Mode::ReadOnly);
    const StoreState st = store->loadMetadata();
    const System system(st.system);
    for (const auto& t : st.tasks) {
      const int64_t retained = system.retainedPath(t.spec.name);
      QVERIFY(retained >= 0);
      const auto& row =
          window.taskModel()->row(window.taskModel()->rowOf(QString::fromStdString(t.spec.name)));
      QCOMPARE(row.activatedParams, qint64{system.activatedParams(retained)});
      QVERIFY(row.validation.has_value());
      QCOMPARE(*row.validation, system.path(retained).metrics.validationQuality);
    }
  }

  // Item 1: opening another experiment (a configuration, here) clears every view at once.
  void openingAnotherExperimentClearsEveryView() {
    MainWindow window;
    openFinished(window);
    QVERIFY(window.childModel()->rowCount() > 0);
    auto* children = window.findChild<ChildPanel*>();
    QVERIFY(children);
    children->selectRow(0);
    auto* inspector = window.findChild<ChildInspector*>();
    QVERIFY(inspector);
    QVERIFY(inspector->toPlainText().contains(QStringLiteral("digits")));
    QVERIFY(window.plotPanel()->pointCount(PlotPanel::Plot::Validation) > 0);
    QVERIFY(!window.graphView()->snapshot().nodes.empty());

    const QString file = tmp_.filePath(QStringLiteral("other.json"));
    QCOMPARE(saveExperimentConfig(file, testui::tinyConfig()), QString());
    QVERIFY(window.openPath(file));
    QCOMPARE(window.childModel()->rowCount(), 0);
    for (int r = 0; r < window.taskModel()->rowCount(); ++r)
      QCOMPARE(window.taskModel()->row(r).childrenTried, qint64{0});
    QCOMPARE(window.plotPanel()->pointCount(PlotPanel::Plot::Validation), qint64{0});
    QCOMPARE(window.plotPanel()->pointCount(PlotPanel::Plot::Size), qint64{0});
    QVERIFY(window.graphView()->snapshot().nodes.empty());
    QCOMPARE(window.graphView()->componentItemCount(), 0);
    QVERIFY(!inspector->toPlainText().contains(QStringLiteral("digits")));
    auto* progress = window.findChild<QProgressBar*>();
    QVERIFY(progress);
    QCOMPARE(progress->value(), progress->minimum());

    // The built-in default experiment too.
    QVERIFY(window.openPath(finishedDir_));
    QVERIFY(window.childModel()->rowCount() > 0);
    QVERIFY(window.loadDefaultExperiment());
    QCOMPARE(window.childModel()->rowCount(), 0);
    QVERIFY(window.graphView()->snapshot().nodes.empty());
  }

  // Item 13: Start is disabled on an experiment whose tasks all finished, and says how to go on;
  // the controller refuses to run one with nothing left to train.
  void finishedExperimentCannotStartEmpty() {
    MainWindow window;
    openFinished(window);
    QAction* start = actionNamed(window, "startAction");
    QVERIFY(start);
    QVERIFY(!start->isEnabled());
    QVERIFY2(start->toolTip().contains(QStringLiteral("task_iterations")),
             qPrintable(start->toolTip()));
    QVERIFY(!window.startExperiment());

    ExperimentController controller;
    QSignalSpy errors(&controller, &ExperimentController::errorOccurred);
    QSignalSpy started(&controller, &ExperimentController::runStarted);
    QVERIFY(!controller.start(config_, finishedDir_));
    QCOMPARE(controller.state(), State::Idle);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().at(0).toString().contains(QStringLiteral("task_iterations")),
             qPrintable(errors.first().at(0).toString()));
    QVERIFY(!controller.isActive());
    QCOMPARE(started.size(), 0);
  }

  // Export dialogs start in the experiment directory when there is one.
  void exportDialogsStartInTheExperimentDirectory() {
    QCOMPARE(exportStartPath(finishedDir_, QStringLiteral("graph.svg")),
             QDir(finishedDir_).filePath(QStringLiteral("graph.svg")));
    QCOMPARE(exportStartPath(QString(), QStringLiteral("graph.svg")),
             QDir::home().filePath(QStringLiteral("graph.svg")));
    MainWindow window;
    openFinished(window);
    QCOMPARE(window.exporter()->startPath(QStringLiteral("x.png")),
             QDir(finishedDir_).filePath(QStringLiteral("x.png")));
  }

  // Exporting the curves says which files it wrote, with their full paths, in the status bar
  // and the event log.
  void curvesExportNamesItsFiles() {
    MainWindow window;
    openFinished(window);
    QTemporaryDir out;
    const QString base = out.filePath(QStringLiteral("curves.png"));
    const QStringList files = window.exporter()->exportCurves(base);
    QVERIFY(!files.isEmpty());
    const QString message = window.statusBar()->currentMessage();
    for (const QString& f : files) {
      QVERIFY(QFileInfo(f).isAbsolute());
      QVERIFY(QFileInfo::exists(f));
    }
    QVERIFY2(message.contains(files.first()), qPrintable(message));
  }
};

QTEST_MAIN(TstWorkbenchState)
#include "tst_workbench_state.moc"
