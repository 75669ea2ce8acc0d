// The history view against one tiny real run in a MainWindow (two MNIST tasks, two task
// iterations of two generations each: 8 generations, 12 points): during the run new points
// appear without moving a point the user chose, and Live follows them; at every point the view
// shows exactly what the store recorded then (graph, task counters), the task iteration ends
// show the graph the engine reported for them, changes are marked; keys step through the points;
// a reopened store shows its history; the growth export writes one frame per generation; a store
// written before the history existed opens with a clear note and no crash.
#include <QDir>
#include <QImage>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>
#include <set>

#include "CliProcess.h"
#include "GraphView.h"
#include "GrowthExporter.h"
#include "HistoryCommandLine.h"
#include "HistoryModel.h"
#include "HistoryPanel.h"
#include "HistoryTaskModel.h"
#include "MainWindow.h"
#include "OlderStore.h"
#include "UiTestUtil.h"
#include "mu2net/evolution/GraphDiff.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

constexpr int kPoints = 12;
constexpr int kGenerations = 8;

ExperimentConfig historyConfig() {
  ExperimentConfig c = testui::tinyConfig(2);
  c.evolution.childrenPerTaskIteration = 4;  // two generations per task iteration
  c.training.trainExamplesBetweenValidations = 256;
  c.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
  return c;
}

GraphSnapshot withoutHashes(GraphSnapshot g) {
  for (auto& n : g.nodes)
    n.sha256.clear();
  return g;
}

std::unique_ptr<ExperimentStore> openStore(const QString& dir) {
  return ExperimentStore::open(dir.toStdString(), ExperimentStore::Mode::ReadOnly);
}

void waitForLayout(GraphView* view) {
  QTRY_VERIFY_WITH_TIMEOUT(view->hasLayout() && !view->isLayoutRunning(), 30000);
}

void keyOnSlider(HistoryPanel* panel, Qt::Key key) {
  QTest::keyClick(panel->slider(), key);
}

}  // namespace

class TstHistoryView : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir runs_;
  std::unique_ptr<MainWindow> window_;
  QString dir_;
  std::vector<GraphSnapshot> endGraphs_;  // as the engine reported them, in order
  int pointsWhenChosen_ = 0;
  int currentAfterRun_ = -1;
  bool liveAfterRun_ = true;

  HistoryPanel* panel() const { return window_->historyPanel(); }
  HistoryModel* model() const { return panel()->model(); }

 private Q_SLOTS:
  // One live run: the user picks the first point once two exist; the run goes on.
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    qputenv("MU2NET_RUNS_DIR", runs_.path().toUtf8());
    window_ = std::make_unique<MainWindow>();
    window_->setErrorPopups(false);
    window_->resize(1400, 900);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->setExperiment(historyConfig(), QStringLiteral("history"));
    connect(
        window_->controller(), &EngineSignals::taskIterationEnded, this,
        [this](const TaskIterationEndedEvent& e) { endGraphs_.push_back(withoutHashes(e.graph)); });
    QVERIFY(window_->startExperiment());
    dir_ = window_->experimentDirectory();
    QTRY_VERIFY_WITH_TIMEOUT(model()->count() >= 2, 120000);
    QVERIFY(model()->isLive());
    QCOMPARE(model()->current(), model()->count() - 1);
    panel()->slider()->setFocus();
    keyOnSlider(panel(), Qt::Key_Home);
    pointsWhenChosen_ = model()->count();
    QTRY_COMPARE_WITH_TIMEOUT(window_->controller()->state(), ExperimentController::State::Finished,
                              240000);
    currentAfterRun_ = model()->current();
    liveAfterRun_ = model()->isLive();
  }

  void cleanupTestCase() {
    window_.reset();
    qunsetenv("MU2NET_RUNS_DIR");
  }

  void liveRunAddsPointsWithoutMovingTheChosenOne() {
    QVERIFY(pointsWhenChosen_ < kPoints);
    QCOMPARE(model()->count(), kPoints);
    QCOMPARE(currentAfterRun_, 0);
    QVERIFY(!liveAfterRun_);
    QCOMPARE(panel()->slider()->value(), 0);
    QCOMPARE(panel()->slider()->maximum(), kPoints - 1);
    // Live again: the newest point, and it stays there.
    keyOnSlider(panel(), Qt::Key_End);
    QVERIFY(model()->isLive());
    QCOMPARE(model()->current(), kPoints - 1);
  }

  // At every point the view shows what the store recorded then; the task iteration ends show
  // exactly the graph the engine reported for them.
  void everyPointShowsWhatTheStoreHeld() {
    const auto store = openStore(dir_);
    const auto points = store->history();
    QCOMPARE(int(points.size()), kPoints);
    QCOMPARE(int(endGraphs_.size()), 4);
    std::size_t ends = 0;
    for (int i = 0; i < kPoints; ++i) {
      panel()->slider()->setValue(i);
      QCOMPARE(model()->current(), i);
      const HistoryPoint point = store->historyPoint(points[std::size_t(i)].id);
      QVERIFY(panel()->graphView()->snapshot() == point.graph);
      if (point.info.kind == HistoryPointInfo::Kind::TaskIterationEnd)
        QVERIFY2(panel()->graphView()->snapshot() == endGraphs_[ends++],
                 qPrintable(QStringLiteral("point %1").arg(i)));
      auto* table = panel()->taskModel();
      QCOMPARE(table->rowCount(), int(point.tasks.size()));
      for (int r = 0; r < table->rowCount(); ++r) {
        const auto& t = point.tasks[std::size_t(r)];
        QCOMPARE(table->index(r, HistoryTaskModel::Task).data().toString(),
                 QString::fromStdString(t.name));
        QCOMPARE(table->index(r, HistoryTaskModel::ChildrenTried).data().toLongLong(),
                 qint64(t.childrenTried));
        QCOMPARE(table->index(r, HistoryTaskModel::Iterations).data().toInt(), t.iterationsDone);
      }
      QVERIFY(
          panel()->caption().contains(QStringLiteral("generation %1").arg(point.info.generation)));
    }
    QCOMPARE(ends, endGraphs_.size());
    QVERIFY(model()->isLive() == false);
  }

  // The changes since the previous point are marked in the graph and the table.
  void changesAreMarked() {
    const auto store = openStore(dir_);
    const auto points = store->history();
    // Generation 3 is the first of digits-5-9: its first model.
    int index = -1;
    for (int i = 0; i < kPoints; ++i)
      if (points[std::size_t(i)].generation == 3 &&
          points[std::size_t(i)].kind == HistoryPointInfo::Kind::Generation)
        index = i;
    QVERIFY(index > 0);
    panel()->slider()->setValue(index);
    waitForLayout(panel()->graphView());
    const GraphDiff& changes = model()->changes();
    QCOMPARE(changes.newRoutes, std::vector<std::string>{"digits-5-9"});
    QVERIFY(!changes.newComponents.empty());
    const auto& marks = panel()->graphView()->marks();
    QCOMPARE(marks.components.size(), changes.newComponents.size());
    QVERIFY(marks.routes.count(QStringLiteral("digits-5-9")));
    QVERIFY(marks.note.contains(QStringLiteral("generation 2")));
    int markedBoxes = 0, markedEdges = 0;
    for (auto* item : panel()->graphView()->scene()->items()) {
      if (!item->data(GraphView::MarkedKey).toBool()) continue;
      const QString kind = item->data(GraphView::KindKey).toString();
      markedBoxes += kind == QLatin1String("component");
      markedEdges += kind == QLatin1String("edge");
    }
    // Components on no route (layers of children no task uses) are not drawn.
    std::set<std::int64_t> routed;
    for (const auto& r : model()->currentPoint()->graph.routes)
      routed.insert(r.componentIds.begin(), r.componentIds.end());
    int drawnNew = 0;
    for (auto id : changes.newComponents)
      drawnNew += int(routed.count(id));
    QVERIFY(drawnNew > 0);
    QCOMPARE(markedBoxes, drawnNew);
    QVERIFY(markedEdges > 0);
    auto* table = panel()->taskModel();
    QCOMPARE(table->index(1, HistoryTaskModel::Change).data().toString(),
             QStringLiteral("new model"));
    QVERIFY(table->index(1, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(table->index(0, HistoryTaskModel::Change).data().toString().isEmpty());
  }

  void keysStepThroughPoints() {
    auto* slider = panel()->slider();
    keyOnSlider(panel(), Qt::Key_Home);
    QCOMPARE(model()->current(), 0);
    keyOnSlider(panel(), Qt::Key_Right);
    QCOMPARE(model()->current(), 1);
    QCOMPARE(slider->value(), 1);
    keyOnSlider(panel(), Qt::Key_Left);
    QCOMPARE(model()->current(), 0);
    keyOnSlider(panel(), Qt::Key_Left);  // stays at the first
    QCOMPARE(model()->current(), 0);
    // Points: g1 g2 end g3 g4 end g5 g6 end g7 g8 end.
    keyOnSlider(panel(), Qt::Key_PageDown);
    QCOMPARE(model()->current(), 2);
    keyOnSlider(panel(), Qt::Key_PageDown);
    QCOMPARE(model()->current(), 5);
    keyOnSlider(panel(), Qt::Key_PageUp);
    QCOMPARE(model()->current(), 2);
    QVERIFY(!model()->isLive());
    keyOnSlider(panel(), Qt::Key_End);
    QCOMPARE(model()->current(), kPoints - 1);
    QVERIFY(model()->isLive());
    // The panel itself takes the same keys.
    QTest::keyClick(panel(), Qt::Key_Home);
    QCOMPARE(model()->current(), 0);
  }

  void reopenedStoreShowsItsHistory() {
    MainWindow later;
    later.setErrorPopups(false);
    later.resize(1400, 900);
    later.show();
    QVERIFY(later.openPath(dir_));
    auto* p = later.historyPanel();
    QCOMPARE(p->model()->count(), kPoints);
    QCOMPARE(p->model()->current(), kPoints - 1);
    QVERIFY(p->note().isEmpty());
    QVERIFY(p->caption().contains(QStringLiteral("generation %1").arg(kGenerations)));
    QString error;
    QVERIFY(p->showGeneration(3, &error));
    QCOMPARE(p->model()->points()[std::size_t(p->model()->current())].generation, qint64{3});
    QVERIFY(!p->showGeneration(kGenerations + 1, &error));
    QVERIFY2(error.contains(QStringLiteral("generation 9")) &&
                 error.contains(QStringLiteral("generations 1 to 8")),
             qPrintable(error));
  }

  // mu2net-workbench DIR --at-generation N: the history dock at N, or a refusal for a bad N.
  void commandLineAtGeneration() {
    QVERIFY(HistoryCommandLine::showGeneration(*window_, QStringLiteral("5")));
    QCOMPARE(model()->points()[std::size_t(model()->current())].generation, qint64{5});
    QVERIFY(!model()->isLive());
    for (const QString& bad : {QStringLiteral("0"), QStringLiteral("x"), QStringLiteral("9")})
      QVERIFY(!HistoryCommandLine::showGeneration(*window_, bad));
    QCOMPARE(model()->points()[std::size_t(model()->current())].generation, qint64{5});
    QTemporaryDir out;
    QCOMPARE(HistoryCommandLine::exportGrowth(dir_, out.filePath(QStringLiteral("f"))), 0);
    QCOMPARE(QDir(out.filePath(QStringLiteral("f"))).entryList(QDir::Files).size(), kGenerations);
  }

  // The mu2net-workbench binary itself: --export-growth on a machine without a display (no
  // DISPLAY, no platform chosen) writes its frames offscreen; --at-generation on a directory that
  // is not there says why on stderr and exits 1.
  void workbenchBinaryCommandLine() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
      env.remove(QString::fromLatin1(name));
    QTemporaryDir out;
    const QString folder = out.filePath(QStringLiteral("frames"));
    const auto growth =
        testdata::runProgram(QStringLiteral(MU2NET_WORKBENCH_PATH),
                             {dir_, QStringLiteral("--export-growth"), folder}, env, 120000);
    QVERIFY2(growth.finished && growth.exitCode == 0, qPrintable(growth.err));
    QCOMPARE(QDir(folder).entryList({QStringLiteral("*.png")}, QDir::Files).size(), kGenerations);

    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    const QString missing = out.filePath(QStringLiteral("missing"));
    const auto refused = testdata::runProgram(
        QStringLiteral(MU2NET_WORKBENCH_PATH),
        {missing, QStringLiteral("--at-generation"), QStringLiteral("3")}, env, 120000);
    QVERIFY(refused.finished);
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("error: ")) && refused.err.contains(missing),
             qPrintable(refused.err));
  }

  void growthExportHasOneFramePerGeneration() {
    QTemporaryDir out;
    QString error;
    const QString folder = out.filePath(QStringLiteral("frames"));
    QCOMPARE(GrowthExporter::exportGrowth(dir_, folder, &error), kGenerations);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QStringList files =
        QDir(folder).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    QCOMPARE(files.size(), kGenerations);
    QCOMPARE(files.front(), QStringLiteral("growth-0001.png"));
    QCOMPARE(files.back(), QStringLiteral("growth-0008.png"));
    const QImage first(QDir(folder).filePath(files.front()));
    const QImage last(QDir(folder).filePath(files.back()));
    QCOMPARE(first.size(), GrowthExporter::kFrameSize);
    QCOMPARE(last.size(), GrowthExporter::kFrameSize);
    QVERIFY(first != last);
  }

  void olderStoreOpensWithANote() {
    QTemporaryDir tmp;
    const QString old = tmp.filePath(QStringLiteral("old"));
    QVERIFY(QDir().mkpath(old + QStringLiteral("/components")));
    // The log too: readers of the store (this test's views) keep it from being checkpointed.
    for (const QString& f : {QStringLiteral("experiment.json"), QStringLiteral("system.sqlite"),
                             QStringLiteral("system.sqlite-wal")})
      if (QFile::exists(dir_ + QLatin1Char('/') + f))
        QVERIFY(QFile::copy(dir_ + QLatin1Char('/') + f, old + QLatin1Char('/') + f));
    QVERIFY(testdata::makeSchema2Store((old + QStringLiteral("/system.sqlite")).toStdString()));
    MainWindow window;
    window.setErrorPopups(false);
    window.show();
    QVERIFY(window.openPath(old));
    auto* p = window.historyPanel();
    QCOMPARE(p->model()->count(), 0);
    QVERIFY2(p->note().contains(QStringLiteral("older version")) &&
                 p->note().contains(QStringLiteral("no history recorded")),
             qPrintable(p->note()));
    QVERIFY(!p->slider()->isEnabled());
    QTest::keyClick(p->slider(), Qt::Key_Right);  // nothing to step to, no crash
    QCOMPARE(p->model()->current(), -1);
    QString error;
    QVERIFY(!p->showGeneration(1, &error));
    QVERIFY2(error.contains(QStringLiteral("no generation is recorded")), qPrintable(error));
    QTemporaryDir out;
    QCOMPARE(GrowthExporter::exportGrowth(old, out.filePath(QStringLiteral("f")), &error), -1);
    QVERIFY2(error.contains(QStringLiteral("no history recorded")), qPrintable(error));
  }
};

QTEST_MAIN(TstHistoryView)
#include "tst_history_view.moc"
