// The main window's "Task data" dock on a real tiny experiment (two MNIST tasks, two task
// iterations): before any run it previews the configuration's tasks through the search space's
// defaults; while the run trains, each task's settings are its generation's (the events'
// dataHParams); after the run, and in a reopened store, the selected task is previewed through
// its retained path's data hyperparameters as the store holds them. The dock opens from the task
// table (double click, context action) and the View menu.
#include <QComboBox>
#include <QDockWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>

#include "DataPreview.h"
#include "DataPreviewFixture.h"
#include "DataPreviewWidget.h"
#include "MainWindow.h"
#include "StateFixture.h"
#include "TaskDataPanel.h"
#include "TaskPanel.h"
#include "TaskPipelineTracker.h"
#include "TaskTableModel.h"
#include "UiTestUtil.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;
using State = ExperimentController::State;

namespace {

bool samePipeline(const DataHParams& a, const DataHParams& b) {
  return a.imageSize == b.imageSize && a.crop == b.crop && a.areaRangeMin == b.areaRangeMin &&
         a.aspectRatioRangeMin == b.aspectRatioRangeMin && a.flipLeftRight == b.flipLeftRight &&
         a.brightnessDelta == b.brightnessDelta && a.contrastDelta == b.contrastDelta;
}

QString describe(const DataHParams& p) {
  return QStringLiteral("size %1 crop %2 area %3 aspect %4 flip %5 brightness %6 contrast %7")
      .arg(p.imageSize)
      .arg(p.crop)
      .arg(p.areaRangeMin)
      .arg(p.aspectRatioRangeMin)
      .arg(p.flipLeftRight)
      .arg(p.brightnessDelta)
      .arg(p.contrastDelta);
}

}  // namespace

class TstDataPreviewWindow : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString storeDir_;
  ExperimentConfig config_;
  int generationsSeen_ = 0;
  QStringList liveMismatches_;  // generations whose settings the dock did not take

  static TaskDataPanel* panel(MainWindow& w) { return w.findChild<TaskDataPanel*>(); }
  static QDockWidget* dock(MainWindow& w) {
    return w.findChild<QDockWidget*>(QStringLiteral("taskDataDock"));
  }

  // Selects `task` in the task table with a double click, which opens the dock on it.
  void doubleClickTask(MainWindow& w, const QString& task) {
    auto* table = w.findChild<TaskPanel*>();
    QVERIFY(table);
    QModelIndex index;
    for (int r = 0; r < table->model()->rowCount(); ++r)
      if (table->model()->index(r, TaskTableModel::Name).data().toString() == task)
        index = table->model()->index(r, TaskTableModel::Name);
    QVERIFY2(index.isValid(), qPrintable(task));
    const QPoint at = table->visualRect(index).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, at);
  }

  // The dock shows `task`'s data through the retained path's data hyperparameters in the store.
  void checkRetained(MainWindow& w, const QString& task) {
    QVERIFY(dock(w)->isVisible());
    DataPreviewWidget* preview = panel(w)->preview();
    QVERIFY(testui::waitForPreview(*preview));
    QVERIFY2(preview->shown()->ok(), qPrintable(preview->shown()->error));
    QCOMPARE(QString::fromStdString(preview->shown()->request.task.name), task);
    const auto store =
        ExperimentStore::open(storeDir_.toStdString(), ExperimentStore::Mode::ReadOnly);
    const System system(store->loadMetadata().system);
    const auto& retained = system.path(system.retainedPath(task.toStdString()));
    const DataHParams expected = toDataHParams(retained.hparams);
    QVERIFY2(samePipeline(preview->shown()->request.pipeline, expected),
             qPrintable(describe(preview->shown()->request.pipeline) + QStringLiteral(" vs ") +
                        describe(expected)));
    QVERIFY2(preview->summary().contains(QStringLiteral("retained path")),
             qPrintable(preview->summary()));
    const auto& spec =
        *std::find_if(config_.tasks.begin(), config_.tasks.end(),
                      [&](const TaskSpec& t) { return t.name == task.toStdString(); });
    const QString mismatch = testui::gridMismatch(*preview, loadTask(spec, config_.seed));
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    config_ = testui::twoTaskConfig();
    storeDir_ = tmp_.filePath(QStringLiteral("store"));
  }

  // Before any run: the first task through the search space's defaults, from the View menu.
  void beforeAnyRunTheDefaultsAreShown() {
    MainWindow w;
    QVERIFY(testui::showWindow(w));
    w.setExperiment(config_, QStringLiteral("test"));
    QVERIFY(!dock(w)->isVisible() || !panel(w)->isVisible());
    QAction* open = testui::actionNamed(w, "taskDataAction");
    QVERIFY(open);
    open->trigger();
    QVERIFY(dock(w)->isVisible());
    DataPreviewWidget* preview = panel(w)->preview();
    QVERIFY(testui::waitForPreview(*preview));
    QVERIFY2(preview->shown()->ok(), qPrintable(preview->shown()->error));
    QCOMPARE(preview->shown()->request.task.name, std::string("digits-0-4"));
    const auto& a = config_.root.architecture;
    const auto defaults = toDataHParams(
        SearchSpace::laptopDefaults(a.depth, a.imageSize, config_.imageSizes).generationDefaults());
    QVERIFY(samePipeline(preview->shown()->request.pipeline, defaults));
    QVERIFY2(preview->summary().contains(QStringLiteral("defaults")),
             qPrintable(preview->summary()));
    QString mismatch = testui::gridMismatch(*preview, loadTask(config_.tasks[0], config_.seed));
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    // The panel's own chooser previews the other task.
    panel(w)->taskChooser()->setCurrentText(QStringLiteral("digits-5-9"));
    QVERIFY(testui::waitForPreview(*preview));
    QCOMPARE(preview->shown()->request.task.name, std::string("digits-5-9"));
    QCOMPARE(preview->grid()->item(0, DataPreviewWidget::ClassColumn)->text(), QStringLiteral("5"));
  }

  // A task whose folder is gone (a store opened elsewhere): the dock says so, naming both.
  void aTaskWhoseFolderIsGoneSaysSo() {
    ExperimentConfig config = config_;
    const QString gone = tmp_.filePath(QStringLiteral("moved-away"));
    config.tasks[1].path = gone.toStdString();
    MainWindow w;
    QVERIFY(testui::showWindow(w));
    w.setExperiment(config, QStringLiteral("test"));
    w.showTaskData(QStringLiteral("digits-5-9"));
    DataPreviewWidget* preview = panel(w)->preview();
    QVERIFY(testui::waitForPreview(*preview));
    QVERIFY(!preview->shown()->ok());
    QVERIFY2(preview->message().contains(QStringLiteral("digits-5-9")) &&
                 preview->message().contains(gone),
             qPrintable(preview->message()));
    QVERIFY(!preview->grid()->isVisibleTo(preview));
  }

  // During the run (in the window, the dock open), then after it: each generation's settings
  // while it trains, then the retained path's.
  void duringAndAfterTheRunTheTasksOwnSettingsAreShown() {
    MainWindow w;
    QVERIFY(testui::showWindow(w));
    w.setExperiment(config_, QStringLiteral("test"));
    testui::actionNamed(w, "taskDataAction")->trigger();
    TaskPipelineTracker* tracker = panel(w)->tracker();
    connect(w.controller(), &ExperimentController::generationStarted, this,
            [this, tracker](const GenerationStartedEvent& e) {
              ++generationsSeen_;
              const auto s = tracker->settings(QString::fromStdString(e.task));
              if (!samePipeline(s.hparams, toDataHParams(e.dataHParams)) ||
                  !s.source.contains(QString::number(e.generation)))
                liveMismatches_ << QStringLiteral("generation %1: %2 (%3) vs %4")
                                       .arg(e.generation)
                                       .arg(describe(s.hparams), s.source,
                                            describe(toDataHParams(e.dataHParams)));
            });
    QVERIFY(w.controller()->start(config_, storeDir_));
    QTRY_COMPARE_WITH_TIMEOUT(w.controller()->state(), State::Finished, testui::kRunTimeoutMs);
    QVERIFY2(w.controller()->lastError().isEmpty(), qPrintable(w.controller()->lastError()));
    QVERIFY(generationsSeen_ >= 4);
    QVERIFY2(liveMismatches_.isEmpty(), qPrintable(liveMismatches_.join(QLatin1Char('\n'))));
    doubleClickTask(w, QStringLiteral("digits-5-9"));
    checkRetained(w, QStringLiteral("digits-5-9"));
  }

  // A reopened store: a double click on a task opens the dock with its retained path's settings.
  void reopenedStoreShowsTheRetainedPaths() {
    QVERIFY(QFileInfo::exists(storeDir_));
    MainWindow w;
    QVERIFY(testui::showWindow(w));
    QVERIFY(w.openPath(storeDir_));
    doubleClickTask(w, QStringLiteral("digits-0-4"));
    checkRetained(w, QStringLiteral("digits-0-4"));
    doubleClickTask(w, QStringLiteral("digits-5-9"));
    checkRetained(w, QStringLiteral("digits-5-9"));
  }
};

QTEST_MAIN(TstDataPreviewWindow)
#include "tst_data_preview_window.moc"
