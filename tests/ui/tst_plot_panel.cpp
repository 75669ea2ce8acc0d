// The curves (PlotPanel) on one tiny real run of two tasks and two task iterations (generations
// of two children trained side by side), kept in a real store and reopened: the size curves of a
// reopened directory, a one-point curve, legends beside the axes for 30 tasks, the task filter,
// y fitted to the data with the full range a click away, integer ticks for counts, each task's
// retained model, the loss of any child, and the zoom and pan hints. Assertions look at
// QCustomPlot's state (ranges, rectangles, tickers, graph data), not at pixels.
#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <memory>

#include "ChildListModel.h"
#include "ChildPanel.h"
#include "ExperimentController.h"
#include "ExperimentFiles.h"
#include "MainWindow.h"
#include "PlotPanel.h"
#include "TaskPanel.h"
#include "UiTestUtil.h"
#include "mu2net/store/ExperimentStore.h"
// Last: qcustomplot.h needs Qt's keywords, which core's headers must not see.
#include "QCustomPlotInclude.h"

using namespace mu2net;
using namespace mu2net::ui;
using Plot = PlotPanel::Plot;

namespace {

constexpr int kRunTimeoutMs = 240000;
const QString kFirst = QStringLiteral("digits-0-4");
const QString kSecond = QStringLiteral("digits-5-9");

QCustomPlot* plotOf(const PlotPanel& panel, Plot which) {
  return qobject_cast<QCustomPlot*>(panel.plotWidget(which));
}

QCPGraph* graphNamed(const PlotPanel& panel, Plot which, const QString& name) {
  QCustomPlot* p = plotOf(panel, which);
  for (int i = 0; i < p->graphCount(); ++i)
    if (p->graph(i)->name() == name) return p->graph(i);
  return nullptr;
}

// The keys (x) or the values (y) handed to QCustomPlot.
std::vector<double> dataOf(const QCPGraph* graph, bool keys) {
  std::vector<double> out;
  for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
    out.push_back(keys ? it->key : it->value);
  return out;
}

std::vector<double> valuesOf(const QCPGraph* graph) {
  return dataOf(graph, false);
}

std::vector<double> keysOf(const QCPGraph* graph) {
  return dataOf(graph, true);
}

// The values measured: without a last point only drawn to hold the value on to the latest child
// (the graph's one selected point, drawn without a marker).
std::vector<double> measuredValuesOf(const QCPGraph* graph) {
  std::vector<double> out = valuesOf(graph);
  const int n = graph->dataCount();
  if (n > 1 && graph->selection().contains(QCPDataSelection(QCPDataRange(n - 1, n)))) {
    if (out[out.size() - 2] != out.back()) return {};  // a held value must repeat the last one
    out.pop_back();
  }
  return out;
}

// The activated parameters of the model each task iteration retained (from its event's graph).
double retainedParams(const TaskIterationEndedEvent& e) {
  std::map<std::int64_t, std::int64_t> params;
  for (const auto& n : e.graph.nodes)
    params[n.id] = n.paramCount;
  for (const auto& route : e.graph.routes)
    if (route.task == e.task) {
      double total = 0;
      for (auto id : route.componentIds)
        total += static_cast<double>(params[id]);
      return total;
    }
  return -1;
}

bool isIntegerTicker(const QCPAxis* axis) {
  const auto fixed = qSharedPointerDynamicCast<QCPAxisTickerFixed>(axis->ticker());
  return fixed && fixed->tickStep() == 1.0 &&
         fixed->scaleStrategy() == QCPAxisTickerFixed::ssMultiples;
}

ChildFinishedEvent finished(const std::string& task, qint64 generation, double quality) {
  ChildFinishedEvent e;
  e.task = task;
  e.generation = generation;
  e.quality = quality;
  e.improved = true;
  return e;
}

// Every legend entry of `p` lies inside the widget and outside the axis rectangle.
// The entries of a legend (a wrapped legend's grid may have empty cells).
std::vector<QCPAbstractLegendItem*> legendEntries(const QCustomPlot* p) {
  std::vector<QCPAbstractLegendItem*> out;
  for (int i = 0; i < p->legend->itemCount(); ++i)
    if (QCPAbstractLegendItem* item = p->legend->item(i)) out.push_back(item);
  return out;
}

void verifyLegendBesideTheAxes(QCustomPlot* p, int entries) {
  QVERIFY(p->legend->visible());
  QCOMPARE(static_cast<int>(legendEntries(p).size()), entries);
  const QRect axes = p->axisRect()->rect();
  QVERIFY2(!p->legend->outerRect().intersects(axes),
           qPrintable(QStringLiteral("legend %1,%2 %3x%4 over the axes %5,%6 %7x%8")
                          .arg(p->legend->outerRect().x())
                          .arg(p->legend->outerRect().y())
                          .arg(p->legend->outerRect().width())
                          .arg(p->legend->outerRect().height())
                          .arg(axes.x())
                          .arg(axes.y())
                          .arg(axes.width())
                          .arg(axes.height())));
  for (const QCPAbstractLegendItem* entry : legendEntries(p)) {
    const QRect item = entry->outerRect();
    QVERIFY2(p->rect().contains(item),
             qPrintable(QStringLiteral("legend entry at %1,%2 is off the plot %3x%4")
                            .arg(item.x())
                            .arg(item.y())
                            .arg(p->width())
                            .arg(p->height())));
    QVERIFY(!item.intersects(axes));
  }
}

}  // namespace

class TstPlotPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // One real run for every test: two tasks, two task iterations, two children per generation.
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    QVERIFY(store_.isValid());
    dir_ = store_.filePath(QStringLiteral("exp"));
    ExperimentConfig config = testui::tinyConfig(2);
    config.tasks.push_back(testui::mnistTask(kSecond.toStdString(), {5, 6, 7, 8, 9}));
    live_ = std::make_unique<PlotPanel>();
    live_->resize(700, 900);
    live_->follow(&controller_);
    connect(&controller_, &ExperimentController::taskIterationEnded, this,
            [this](const TaskIterationEndedEvent& e) { ended_.push_back(e); });
    connect(&controller_, &ExperimentController::childStarted, this,
            [this](const ChildStartedEvent& e) { started_.push_back(e); });
    QVERIFY(controller_.start(config, dir_));
    QTRY_COMPARE_WITH_TIMEOUT(controller_.state(), ExperimentController::State::Finished,
                              kRunTimeoutMs);
    QCOMPARE(ended_.size(), std::size_t{4});
    QCOMPARE(started_.size(), std::size_t{8});
    live_->replotNow();
  }

  // Item 4: a reopened directory draws the system size at every task iteration's end, with the
  // run's values, and each task's retained model's parameters.
  void reopenedDirectoryDrawsTheSizeCurves() {
    MainWindow window;
    window.setErrorPopups(false);
    window.resize(1400, 900);
    QVERIFY(window.openPath(dir_));
    PlotPanel& panel = *window.plotPanel();
    panel.replotNow();
    verifySizeCurves(panel);
  }

  // A run that continues a reopened directory starts from its history: the stored sizes stay.
  void storedSizesStayWhenARunContinuesTheHistory() {
    const auto store = ExperimentStore::open(dir_.toStdString(), ExperimentStore::Mode::ReadOnly);
    const auto stored = storedExperiment(*store, store->config());
    QVERIFY(stored && stored->run.history.size() == 8);
    const RunStartedEvent* shown = &stored->run;
    PlotPanel panel;
    panel.onRunStarted(*shown);
    for (const auto& child : shown->history)
      panel.onChildFinished(child);
    panel.showStoredSizes(storedIterationSizes(*store));
    panel.onRunStarted(*shown);  // Start: the engine reports the same history first
    for (const auto& child : shown->history)
      panel.onChildFinished(child);
    panel.replotNow();
    verifySizeCurves(panel);
    panel.onRunStarted(RunStartedEvent{});  // a new run: nothing of the other experiment
    panel.replotNow();
    QCOMPARE(panel.pointCount(Plot::Size), qint64{0});
  }

  // Parameters are those of each task's retained model at its iterations' ends, not every
  // improved child's size; the live curves and the reopened ones agree.
  void liveSizeCurvesAreTheRetainedModels() { verifySizeCurves(*live_); }

  // Item 4: during a run the system size shows from its first point (a marker).
  void aOnePointCurveIsVisible() {
    PlotPanel panel;
    RunStartedEvent run;
    run.tasks = {kFirst.toStdString(), kSecond.toStdString()};
    panel.onRunStarted(run);
    panel.onTaskIterationEnded(ended_.front());
    panel.replotNow();
    QCPGraph* system = graphNamed(panel, Plot::Size, QStringLiteral("system size"));
    QVERIFY(system);
    QCOMPARE(system->data()->size(), 1);
    QVERIFY(!system->scatterStyle().isNone());
    QCPGraph* retained = graphNamed(panel, Plot::Size, kFirst);
    QVERIFY(retained);
    QCOMPARE(retained->data()->size(), 1);
    QVERIFY(!retained->scatterStyle().isNone());
  }

  // Item 10: legends sit beside the axes, every entry on the plot, for 4 and for 30 tasks.
  void legendsAreBesideTheAxes() {
    for (int tasks : {4, 30}) {
      PlotPanel panel;
      panel.resize(700, 900);
      RunStartedEvent run;
      for (int t = 0; t < tasks; ++t)
        run.tasks.push_back("task-" + std::to_string(t + 1));
      panel.onRunStarted(run);
      for (int t = 0; t < tasks; ++t) {
        panel.onChildFinished(finished(run.tasks[t], t + 1, 0.5 + 0.01 * t));
        panel.onTaskIterationEnded(
            TaskIterationEndedEvent{run.tasks[t], 1, t, 0.5, 1000.0 * t, {}});
      }
      panel.show();
      QVERIFY(QTest::qWaitForWindowExposed(&panel));
      panel.replotNow();
      for (Plot which : {Plot::Validation, Plot::Size})
        plotOf(panel, which)->replot(QCustomPlot::rpImmediateRefresh);
      verifyLegendBesideTheAxes(plotOf(panel, Plot::Validation), tasks);
      verifyLegendBesideTheAxes(plotOf(panel, Plot::Size), tasks + 1);
    }
  }

  // A task filter shows one task against its own children; the task table's selection sets it.
  void taskFilterRebasesToTheTasksChildren() {
    PlotPanel& panel = *live_;
    panel.setTaskFilter(kSecond);
    panel.replotNow();
    QCOMPARE(panel.taskFilter(), kSecond);
    auto* selector = panel.findChild<QComboBox*>(QStringLiteral("taskFilter"));
    QVERIFY(selector);
    QCOMPARE(selector->currentText(), kSecond);
    QCustomPlot* p = plotOf(panel, Plot::Validation);
    QCPGraph* dots = graphNamed(panel, Plot::Validation, kSecond + QStringLiteral(" children"));
    QVERIFY(dots && dots->visible());
    QCOMPARE(keysOf(dots), (std::vector<double>{1, 2, 3, 4}));
    QVERIFY(!graphNamed(panel, Plot::Validation, kFirst)->visible());
    QVERIFY(p->xAxis->range().lower <= 1 && p->xAxis->range().upper >= 4);
    QVERIFY(p->xAxis->range().upper < 6);
    QCOMPARE(legendEntries(p).size(), std::size_t{1});
    panel.setTaskFilter({});
    panel.replotNow();
    QCOMPARE(selector->currentIndex(), 0);
    QCOMPARE(keysOf(dots).size(), std::size_t{4});
    QVERIFY(keysOf(dots).back() > 4);  // all tasks: the second task's children come later
    QVERIFY(graphNamed(panel, Plot::Validation, kFirst)->visible());
    QCOMPARE(legendEntries(p).size(), std::size_t{2});

    MainWindow window;
    window.setErrorPopups(false);
    QVERIFY(window.openPath(dir_));
    auto* tasks = window.findChild<TaskPanel*>();
    QVERIFY(tasks);
    Q_EMIT tasks->currentTaskChanged(kFirst);
    QCOMPARE(window.plotPanel()->taskFilter(), kFirst);
    Q_EMIT tasks->currentTaskChanged({});
    QCOMPARE(window.plotPanel()->taskFilter(), QString());
  }

  // y fits the data; the full range (0–1 for accuracy) is one click away.
  void yFitsTheDataWithTheFullRangeAClickAway() {
    PlotPanel panel;
    panel.resize(600, 800);
    RunStartedEvent run;
    run.tasks = {"a"};
    panel.onRunStarted(run);
    for (double q : {0.62, 0.70, 0.66})
      panel.onChildFinished(finished("a", 1, q));
    panel.replotNow();
    const QCPRange y = plotOf(panel, Plot::Validation)->yAxis->range();
    QVERIFY2(y.lower <= 0.62 && y.lower >= 0.5 && y.upper >= 0.70 && y.upper <= 0.8,
             qPrintable(QStringLiteral("y %1..%2").arg(y.lower).arg(y.upper)));
    auto* full = panel.findChild<QAction*>(QStringLiteral("fullRangeAction"));
    QVERIFY(full);
    full->trigger();
    panel.replotNow();
    const QCPRange all = plotOf(panel, Plot::Validation)->yAxis->range();
    QVERIFY(all.lower <= 0 && all.upper >= 1 && all.upper <= 1.05);
    full->trigger();
    panel.replotNow();
    QVERIFY(plotOf(panel, Plot::Validation)->yAxis->range().lower >= 0.5);
  }

  // Counts (children, steps, parameters) have integer ticks.
  void countsHaveIntegerTicks() {
    QVERIFY(isIntegerTicker(plotOf(*live_, Plot::Validation)->xAxis));
    QVERIFY(isIntegerTicker(plotOf(*live_, Plot::Loss)->xAxis));
    QVERIFY(isIntegerTicker(plotOf(*live_, Plot::Size)->xAxis));
    QVERIFY(isIntegerTicker(plotOf(*live_, Plot::Size)->yAxis));
  }

  // The loss of any child: the two of the last generation while none is selected, a selected
  // one, and a note for a stored child whose loss was never seen.
  void showsTheLossOfAnyChild() {
    PlotPanel& panel = *live_;
    panel.showLiveLoss();
    panel.replotNow();
    QCustomPlot* p = plotOf(panel, Plot::Loss);
    QCOMPARE(p->graphCount(), 2);  // generation size 2: both children trained side by side
    for (int i = 0; i < 2; ++i)
      QVERIFY(p->graph(i)->data()->size() > 0);
    const ChildStartedEvent& first = started_.front();
    panel.showChildLoss(QString::fromStdString(first.task), first.generation, first.childIndex);
    panel.replotNow();
    QCOMPARE(p->graphCount(), 1);
    QVERIFY(p->graph(0)->data()->size() > 0);
    QVERIFY(p->graph(0)->name().contains(QString::fromStdString(first.task)));
    QVERIFY(panel.lossNote().isEmpty());
    panel.showLiveLoss();

    MainWindow window;
    window.setErrorPopups(false);
    QVERIFY(window.openPath(dir_));
    auto* children = window.findChild<ChildPanel*>();
    QVERIFY(children);
    // Updates of a child while none is selected do not select it for the loss.
    Q_EMIT children->inspect(window.childModel()->record(0));
    QVERIFY(window.plotPanel()->lossNote().contains(QStringLiteral("select one")));
    children->setCurrentIndex(children->model()->index(0, 0));
    QVERIFY(window.plotPanel()->lossNote().contains(QStringLiteral("loss not recorded")));
    QCOMPARE(window.plotPanel()->pointCount(Plot::Loss), qint64{0});
    children->setCurrentIndex({});
    QVERIFY(window.plotPanel()->lossNote().contains(QStringLiteral("select one")));
  }

  // Hints say how to zoom and pan.
  void hintsForZoomAndPan() {
    auto* hints = live_->findChild<QLabel*>(QStringLiteral("plotHints"));
    QVERIFY(hints);
    QVERIFY(hints->text().contains(QStringLiteral("wheel")));
    QVERIFY(hints->text().contains(QStringLiteral("double-click")));
    QVERIFY(plotOf(*live_, Plot::Loss)->toolTip().contains(QStringLiteral("zoom")));
  }

  // The old guarantees: export of every plot, legend click hides a curve, decimation.
  void keepsExportLegendClicksAndDecimation() {
    QTemporaryDir out;
    QString error;
    const QStringList files =
        live_->exportAll(out.filePath(QStringLiteral("curves")), QStringLiteral("png"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(files.size(), 3);
    QCustomPlot* p = plotOf(*live_, Plot::Validation);
    auto* entry = qobject_cast<QCPPlottableLegendItem*>(legendEntries(p).front());
    QVERIFY(entry);
    Q_EMIT p->legendClick(p->legend, entry, nullptr);
    QVERIFY(!entry->plottable()->visible());
    Q_EMIT p->legendClick(p->legend, entry, nullptr);
    QVERIFY(entry->plottable()->visible());

    PlotPanel panel;
    panel.resize(600, 800);
    RunStartedEvent run;
    run.tasks = {"a"};
    panel.onRunStarted(run);
    ChildStartedEvent child;
    child.task = "a";
    child.generation = 1;
    panel.onChildStarted(child);
    for (int step = 1; step <= 20000; ++step)
      panel.onTrainingProgress(TrainingProgressEvent{"a", 1, 0, step, 20000, 1.0 / step, 1.0});
    panel.replotNow();
    QVERIFY(panel.pointCount(Plot::Loss) > 1000);
    QVERIFY(panel.drawnPointCount(Plot::Loss) < panel.pointCount(Plot::Loss));
  }

 private:
  void verifySizeCurves(const PlotPanel& panel) {
    QCPGraph* system = graphNamed(panel, Plot::Size, QStringLiteral("system size"));
    QVERIFY(system);
    std::vector<double> sizes;
    for (const auto& e : ended_)
      sizes.push_back(e.systemSize);
    QCOMPARE(measuredValuesOf(system), sizes);
    for (const QString& task : {kFirst, kSecond}) {
      std::vector<double> retained;
      for (const auto& e : ended_)
        if (QString::fromStdString(e.task) == task) retained.push_back(retainedParams(e));
      QCPGraph* graph = graphNamed(panel, Plot::Size, task);
      QVERIFY(graph);
      QCOMPARE(measuredValuesOf(graph), retained);
    }
  }

  QTemporaryDir store_;
  QString dir_;
  ExperimentController controller_;
  std::unique_ptr<PlotPanel> live_;
  std::vector<TaskIterationEndedEvent> ended_;
  std::vector<ChildStartedEvent> started_;
};

QTEST_MAIN(TstPlotPanel)
#include "tst_plot_panel.moc"
