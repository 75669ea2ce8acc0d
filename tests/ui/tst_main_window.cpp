// The main window runs a tiny real experiment to its end; then its picture is checked: the graph
// and the curves are drawn (coloured pixels where they should be), the tables are filled, and the
// curves and graph export.
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "ChildListModel.h"
#include "GraphView.h"
#include "MainWindow.h"
#include "PlotPanel.h"
#include "TaskTableModel.h"
#include "UiTestUtil.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

// Pixels in `area` of `image` that are clearly coloured (not white, grey or black).
int colouredPixels(const QImage& image, const QRect& area) {
  int count = 0;
  const QRect r = area.intersected(image.rect());
  for (int y = r.top(); y <= r.bottom(); ++y)
    for (int x = r.left(); x <= r.right(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (c.hsvSaturation() > 60 && c.value() > 40) ++count;
    }
  return count;
}

QRect areaOf(QWidget* widget, QWidget* window, double dpr) {
  const QPoint topLeft = widget->mapTo(window, QPoint(0, 0));
  return QRect((topLeft * dpr), widget->size() * dpr);
}

}  // namespace

class TstMainWindow : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
  }

  void rendersAFinishedRun() {
    QTemporaryDir runs;
    qputenv("MU2NET_RUNS_DIR", runs.path().toUtf8());
    MainWindow window;
    window.setErrorPopups(false);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ExperimentConfig config = testui::tinyConfig();
    config.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
    window.setExperiment(config, QStringLiteral("tiny"));
    // The progress bar counts finished children plus the shares of those in training: it only
    // moves forward and ends full.
    auto* progressBar = window.findChild<QProgressBar*>();
    QVERIFY(progressBar);
    QList<int> progressValues;
    connect(progressBar, &QProgressBar::valueChanged, this,
            [&](int value) { progressValues.push_back(value); });
    QVERIFY(window.startExperiment());
    QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), ExperimentController::State::Finished,
                              240000);
    QVERIFY(progressValues.size() >= 4);
    for (qsizetype i = 1; i < progressValues.size(); ++i)
      QVERIFY2(progressValues[i] >= progressValues[i - 1],
               qPrintable(QStringLiteral("progress went back from %1 to %2")
                              .arg(progressValues[i - 1])
                              .arg(progressValues[i])));
    QCOMPARE(progressValues.back(), progressBar->maximum());
    // The final snapshot's layout runs in the helper; wait for it.
    QTRY_VERIFY_WITH_TIMEOUT(
        window.graphView()->hasLayout() && !window.graphView()->isLayoutRunning(), 30000);
    window.plotPanel()->replotNow();
    QTest::qWait(100);

    QCOMPARE(window.taskModel()->rowCount(), 2);
    QCOMPARE(window.childModel()->rowCount(), 4);
    const auto& graph = window.controller()->report()->graph;
    QCOMPARE(window.graphView()->componentItemCount(), static_cast<int>(graph.nodes.size()));
    QCOMPARE(window.plotPanel()->pointCount(PlotPanel::Plot::Validation), qint64{4 + 4});
    QVERIFY(window.plotPanel()->drawnPointCount(PlotPanel::Plot::Validation) > 0);
    QVERIFY(window.plotPanel()->pointCount(PlotPanel::Plot::Size) > 0);

    const QImage image = window.grab().toImage();
    const double dpr = image.devicePixelRatio();
    const int graphPixels = colouredPixels(image, areaOf(window.graphView(), &window, dpr));
    const int validationPixels = colouredPixels(
        image, areaOf(window.plotPanel()->plotWidget(PlotPanel::Plot::Validation), &window, dpr));
    const int sizePixels = colouredPixels(
        image, areaOf(window.plotPanel()->plotWidget(PlotPanel::Plot::Size), &window, dpr));
    qInfo("coloured pixels: graph %d, validation plot %d, size plot %d", graphPixels,
          validationPixels, sizePixels);
    QVERIFY(graphPixels > 2000);      // task-coloured boxes and routes
    QVERIFY(validationPixels > 200);  // task-coloured dots and best-so-far lines
    QVERIFY(sizePixels > 200);

    QTemporaryDir dir;
    QString error;
    const QStringList files = window.plotPanel()->exportAll(dir.filePath(QStringLiteral("curves")),
                                                            QStringLiteral("pdf"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(files.size(), 3);
    for (const auto& f : files)
      QVERIFY(QFileInfo(f).size() > 1000);
    QVERIFY(window.plotPanel()
                ->exportAll(dir.filePath(QStringLiteral("curves")), QStringLiteral("png"), &error)
                .size() == 3);

    // The run was kept in an experiment directory under MU2NET_RUNS_DIR; opening it later shows
    // the same system and every child, without running anything.
    const QString experiment = window.experimentDirectory();
    QVERIFY(experiment.startsWith(runs.path()));
    MainWindow later;
    later.setErrorPopups(false);
    later.resize(1400, 900);
    later.show();
    QVERIFY(later.openPath(experiment));
    QCOMPARE(later.controller()->state(), ExperimentController::State::Idle);
    QCOMPARE(later.childModel()->rowCount(), 4);
    QCOMPARE(later.taskModel()->rowCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(
        later.graphView()->hasLayout() && !later.graphView()->isLayoutRunning(), 30000);
    QCOMPARE(later.graphView()->componentItemCount(), static_cast<int>(graph.nodes.size()));
    qunsetenv("MU2NET_RUNS_DIR");
  }

  // Children of a generation may train at the same time: the loss plot shows each of them, each
  // with its own progress.
  void lossCurvesShowTheChildrenTrainingNow() {
    PlotPanel panel;
    RunStartedEvent run;
    run.tasks = {"digits"};
    panel.onRunStarted(run);
    const auto started = [&](int child) {
      ChildStartedEvent e;
      e.task = "digits";
      e.generation = 1;
      e.childIndex = child;
      panel.onChildStarted(e);
    };
    const auto progress = [&](int child, int64_t step) {
      panel.onTrainingProgress(TrainingProgressEvent{"digits", 1, child, step, 10, 1.0, 100.0});
    };
    started(0);
    progress(0, 1);
    QCOMPARE(panel.pointCount(PlotPanel::Plot::Loss), qint64{1});
    started(1);
    QCOMPARE(panel.pointCount(PlotPanel::Plot::Loss), qint64{1});
    QCOMPARE(panel.curveCount(PlotPanel::Plot::Loss), 2);
    progress(0, 2);
    progress(1, 1);
    progress(0, 3);
    progress(1, 2);
    QCOMPARE(panel.pointCount(PlotPanel::Plot::Loss), qint64{5});
  }

  void refusesWhatItCannotOpen() {
    MainWindow window;
    window.setErrorPopups(false);
    QTemporaryDir dir;
    QVERIFY(!window.openPath(dir.path()));  // a folder that is not an experiment directory
    QFile bad(dir.filePath(QStringLiteral("bad.json")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(R"({"tasks": [], "training": {"batch_size": "big"}})");
    bad.close();
    QVERIFY(!window.openPath(bad.fileName()));
    QVERIFY(!window.hasExperiment());
    QVERIFY(!window.startExperiment());
    QVERIFY(window.loadDefaultExperiment());
    QVERIFY(window.hasExperiment());
  }
};

QTEST_MAIN(TstMainWindow)
#include "tst_main_window.moc"
