// The GUI's exports and analyses of a real store written by `mu2net run`: a task's model as
// TorchScript (a file torch::jit::load loads, with the task's classes), the store as CSV (the same
// four files, byte for byte, as `mu2net export --csv`), and the per-class test accuracy view whose
// confusion-matrix rows sum to the test split's class counts and whose diagonal gives the stored
// test accuracy. Each names what it wrote; a window without a store says why it cannot export.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <map>

#include "CompareFixture.h"
#include "ConfusionView.h"
#include "LiveFixture.h"
#include "MainWindow.h"
#include "StateFixture.h"
#include "StoreExports.h"
#include "UiTestUtil.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/engine/ModelExport.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

const QString kTask = QStringLiteral("digits-0-4");

// The tiny experiment, tested on its whole test split (so that the class counts are the split's).
ExperimentConfig exportConfig() {
  ExperimentConfig config = testui::tinyConfig();
  config.training.testExamplesMax = 1'000'000;
  return config;
}

QByteArray contents(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TstGuiExports : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString store_;

  // Waits for the window's running export to end; true when it ended without an error.
  static bool waitForJob(MainWindow& window, QString* error) {
    QSignalSpy failed(window.storeExports(), &StoreExports::failed);
    QSignalSpy done(window.storeExports(), &StoreExports::jobFinished);
    if (!done.wait(testui::kRunTimeoutMs)) return false;
    if (!failed.isEmpty()) *error = failed.first().first().toString();
    return failed.isEmpty();
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    qputenv("MU2NET_RUNS_DIR", tmp_.path().toUtf8());
    const QString config = tmp_.filePath(QStringLiteral("tiny.json"));
    store_ = tmp_.filePath(QStringLiteral("store"));
    QVERIFY(testui::writeConfig(exportConfig(), config));
    const QString error =
        testui::runMu2net({QStringLiteral("run"), config, QStringLiteral("--out"), store_});
    QVERIFY2(error.isEmpty(), qPrintable(error));
  }

  void torchScriptExportWritesALoadableFile() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    QVERIFY(window.openPath(store_));
    QCOMPARE(window.storeExports()->tasksWithModels(), QStringList{kTask});
    const QString file = tmp_.filePath(QStringLiteral("model.pt"));
    QVERIFY(window.storeExports()->exportTorchScript(kTask, file));
    QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("Exporting")));
    QString error;
    QVERIFY2(waitForJob(window, &error), qPrintable(error));
    QVERIFY2(window.statusBar()->currentMessage().contains(file),
             qPrintable(window.statusBar()->currentMessage()));
    const TorchScriptModelInfo info = inspectTorchScript(file.toStdString());
    QCOMPARE(info.numClasses, 5);
    QCOMPARE(info.classNames, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
    QCOMPARE(info.logitsShape, (std::vector<int64_t>{1, 5}));
    QVERIFY(info.imageSize > 0);
  }

  void csvExportWritesWhatTheCliWrites() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    QVERIFY(window.openPath(store_));
    const QString gui = tmp_.filePath(QStringLiteral("csv-gui"));
    const QString cli = tmp_.filePath(QStringLiteral("csv-cli"));
    QVERIFY(window.storeExports()->exportCsv(gui));
    QString error;
    QVERIFY2(waitForJob(window, &error), qPrintable(error));
    QVERIFY(window.statusBar()->currentMessage().contains(gui));
    error = testui::runMu2net({QStringLiteral("export"), store_, QStringLiteral("--csv"), cli});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QStringList files = QDir(cli).entryList(QDir::Files, QDir::Name);
    QCOMPARE(files, (QStringList{QStringLiteral("children.csv"), QStringLiteral("components.csv"),
                                 QStringLiteral("curves.csv"), QStringLiteral("paths.csv")}));
    QCOMPARE(QDir(gui).entryList(QDir::Files, QDir::Name), files);
    for (const QString& f : files) {
      const QByteArray expected = contents(QDir(cli).filePath(f));
      QVERIFY(expected.count('\n') > 1);  // a header and rows
      QCOMPARE(contents(QDir(gui).filePath(f)), expected);
    }
  }

  void confusionRowsSumToTheTestClassCounts() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    QVERIFY(window.openPath(store_));
    QVERIFY(window.storeExports()->showConfusion(kTask));
    QString error;
    QVERIFY2(waitForJob(window, &error), qPrintable(error));
    ConfusionView* view = window.storeExports()->confusionView();
    QVERIFY(view && view->isVisible());

    const ExperimentConfig config = exportConfig();
    std::map<int, int64_t> counts;
    for (int32_t label : loadTask(config.tasks[0], config.seed).test.labels)
      ++counts[label];
    QCOMPARE(counts.size(), std::size_t{5});
    QTableWidget* heat = view->heatMap();
    QTableWidget* classes = view->classTable();
    QCOMPARE(heat->rowCount(), 5);
    QCOMPARE(heat->columnCount(), 5);
    int64_t diagonal = 0, total = 0;
    for (int t = 0; t < 5; ++t) {
      QCOMPARE(heat->verticalHeaderItem(t)->text(), QString::number(t));  // class names
      int64_t row = 0;
      for (int p = 0; p < 5; ++p)
        row += heat->item(t, p)->text().toLongLong();
      QCOMPARE(row, counts[t]);
      QCOMPARE(classes->item(t, 1)->text().toLongLong(), counts[t]);
      diagonal += heat->item(t, t)->text().toLongLong();
      total += row;
    }
    // The diagonal gives the test accuracy the run stored for the retained model.
    const auto store = ExperimentStore::open(store_.toStdString(), ExperimentStore::Mode::ReadOnly);
    const System system(store->loadMetadata().system);
    const auto& stored = system.path(system.retainedPath(kTask.toStdString())).metrics.testQuality;
    QVERIFY(stored.has_value());
    QCOMPARE(static_cast<double>(diagonal) / static_cast<double>(total), *stored);
  }

  // During a run in the window: once a task has a retained model, its per-class accuracy and the
  // CSV tables are computed from the store the run is writing, while it goes on.
  void exportsDuringALiveRun() {
    QTemporaryDir runs, settings;
    const auto window = testui::startLive(runs, settings);
    QVERIFY(window);
    StoreExports* exports = window->storeExports();
    QVERIFY(QTest::qWaitFor(
        [&] {
          return exports->tasksWithModels().contains(kTask) || !window->controller()->isActive();
        },
        testui::kRunTimeoutMs));
    QVERIFY2(window->controller()->isActive(), "the run is still going");
    QVERIFY(exports->showConfusion(kTask));
    QString error;
    QVERIFY2(waitForJob(*window, &error), qPrintable(error));
    ConfusionView* view = exports->confusionView();
    QVERIFY(view);
    QCOMPARE(view->heatMap()->rowCount(), 5);
    int64_t total = 0;
    for (int t = 0; t < 5; ++t)
      total += view->classTable()->item(t, 1)->text().toLongLong();
    QCOMPARE(total, int64_t{testui::tinyConfig().training.testExamplesMax});
    const QString csv = tmp_.filePath(QStringLiteral("csv-live"));
    QVERIFY(exports->exportCsv(csv));
    QVERIFY2(waitForJob(*window, &error), qPrintable(error));
    QVERIFY(contents(QDir(csv).filePath(QStringLiteral("children.csv"))).count('\n') > 2);
    QVERIFY(testui::waitForEnd(*window));
  }

  // Without a store (a configuration not run yet) nothing is exported, and the message says why.
  void withoutAStoreTheExportSaysWhy() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    window.setExperiment(exportConfig(), QStringLiteral("tiny"));
    QSignalSpy failed(window.storeExports(), &StoreExports::failed);
    QVERIFY(!window.storeExports()->exportCsv(tmp_.filePath(QStringLiteral("none"))));
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.first().first().toString().contains(QStringLiteral("no experiment store")));
    QVERIFY(!QFileInfo::exists(tmp_.filePath(QStringLiteral("none"))));
  }
};

QTEST_MAIN(TstGuiExports)
#include "tst_gui_exports.moc"
