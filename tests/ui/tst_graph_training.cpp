// The system graph of a real tiny run: children in training are drawn as provisional routes
// (their cloned and new layers dashed in their task's colour, edges through the components they
// share) from the first minutes on, and go when they finish; a store left by a run stopped
// mid-iteration, reopened, draws no component that is on no route. One run, in initTestCase.
#include <QAbstractGraphicsShapeItem>
#include <QTemporaryDir>
#include <set>

#include "ExperimentController.h"
#include "ExperimentFiles.h"
#include "GraphFixture.h"
#include "GraphLegend.h"
#include "UiTestUtil.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;
using mu2net::testui::itemsOfKind;
using mu2net::testui::layOut;
using State = ExperimentController::State;

namespace {

constexpr int kRunTimeoutMs = 240000;

std::set<std::int64_t> routed(const GraphSnapshot& g) {
  std::set<std::int64_t> ids;
  for (const auto& r : g.routes)
    ids.insert(r.componentIds.begin(), r.componentIds.end());
  return ids;
}

}  // namespace

class TstGraphTraining : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  ExperimentConfig config_;
  RunStartedEvent runStarted_;
  GraphSnapshot finalGraph_;
  std::vector<ChildStartedEvent> started_;
  std::vector<ChildFinishedEvent> finished_;
  std::size_t mostCandidatesLive_ = 0;
  std::size_t candidatesAtEnd_ = 99;

 private Q_SLOTS:
  // Two tasks, each with two generations of two children in its one iteration; stopped once the
  // second task's second generation has started, so the store keeps the commit of its first
  // generation: the first task's model and the second task's population (the best child on the
  // route, another kept child's components on none).
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    QVERIFY(dir_.isValid());
    config_ = testui::tinyConfig(1);
    config_.evolution.childrenPerTaskIteration = 4;
    config_.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
    ExperimentController controller;
    GraphView live;
    live.follow(&controller);
    connect(&controller, &EngineSignals::runStarted, this,
            [this](const RunStartedEvent& e) { runStarted_ = e; });
    connect(&controller, &EngineSignals::childStarted, this, [&](const ChildStartedEvent& e) {
      started_.push_back(e);
      mostCandidatesLive_ = std::max(mostCandidatesLive_, live.candidates().size());
      if (started_.size() > 6 && finished_.size() >= 6) controller.stop();
    });
    connect(&controller, &EngineSignals::childFinished, this,
            [this](const ChildFinishedEvent& e) { finished_.push_back(e); });
    connect(&controller, &EngineSignals::runFinished, this,
            [&](const RunFinishedEvent&) { candidatesAtEnd_ = live.candidates().size(); });
    QVERIFY(controller.start(config_, dir_.path()));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QVERIFY(controller.report() && controller.report()->stopped);
    QVERIFY(started_.size() >= 7);
    finalGraph_ = controller.report()->graph;
  }

  void followsChildrenInTrainingDuringTheRun() {
    QVERIFY(mostCandidatesLive_ >= 1);
    QCOMPARE(candidatesAtEnd_, std::size_t{0});
  }

  // The first child of the first iteration, on the run's first graph (the root alone).
  void drawsAChildInTrainingAsAProvisionalRoute() {
    GraphView view;
    view.resize(700, 560);
    view.show();
    QVERIFY(layOut(view, runStarted_.graph));
    QCOMPARE(itemsOfKind(view, QStringLiteral("task")).size(), 1);  // the root alone
    const ChildStartedEvent& child = started_.front();
    int own = 0;
    for (const auto& s : child.slots)
      own += s.kind != SlotOrigin::Kind::Shared;
    QVERIFY(own >= 1);

    QSignalSpy laidOut(&view, &GraphView::laidOut);
    view.addCandidate(child);
    QVERIFY(laidOut.wait(30000));
    const auto boxes = itemsOfKind(view, QStringLiteral("candidate"));
    QCOMPARE(boxes.size(), own);
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidateTask")).size(), 1);
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidateEdge")).size(),
             static_cast<int>(child.slots.size()) + 1);  // input → every layer → label
    const GraphLegend* legend = view.legend();
    QColor colour;
    for (int i = 0; i < legend->count(); ++i)
      if (legend->item(i)->data(GraphLegend::TaskRole).toString() ==
          QString::fromStdString(child.task)) {
        colour = legend->item(i)->data(GraphLegend::ColourRole).value<QColor>();
        QVERIFY(legend->item(i)->text().contains(QStringLiteral("training")));
      }
    QVERIFY(colour.isValid());
    for (auto* item : boxes) {
      const auto* box = static_cast<QAbstractGraphicsShapeItem*>(item);
      QCOMPARE(box->pen().style(), Qt::DashLine);
      QCOMPARE(box->brush().color().name(),
               QString::fromStdString(componentFillColour(colour.name().toStdString())));
    }
    for (auto* item : itemsOfKind(view, QStringLiteral("candidateEdge")))
      QCOMPARE(static_cast<QAbstractGraphicsShapeItem*>(item)->pen().color(), colour);
    // Highlighting the task shows its candidate at full strength.
    view.setHighlightedTask(QString::fromStdString(child.task));
    QCOMPARE(boxes.first()->opacity(), 1.0);

    // Finished: the provisional route goes.
    const auto done =
        std::find_if(finished_.begin(), finished_.end(), [&](const ChildFinishedEvent& f) {
          return f.generation == child.generation && f.childIndex == child.childIndex;
        });
    QVERIFY(done != finished_.end());
    view.removeCandidate(*done);
    QVERIFY(view.candidates().empty());
    QVERIFY(laidOut.wait(30000));
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidate")).size(), 0);
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidateEdge")).size(), 0);
  }

  // The second task's children, in training at once on the graph of the stopped run's end:
  // each has its whole chain, through the first task's components it shares.
  void drawsSeveralChildrenInTrainingTogether() {
    GraphView view;
    view.resize(700, 560);
    QVERIFY(layOut(view, finalGraph_));
    QSignalSpy laidOut(&view, &GraphView::laidOut);
    int links = 0, own = 0, shared = 0, candidates = 0;
    for (const auto& child : started_) {
      if (child.task != "digits-5-9") continue;
      view.addCandidate(child);
      ++candidates;
      links += static_cast<int>(child.slots.size()) + 1;
      for (const auto& s : child.slots)
        (s.kind == SlotOrigin::Kind::Shared ? shared : own) += 1;
    }
    QVERIFY(shared > 0);
    // Both children of its first generation and those of its second, which all start together.
    QCOMPARE(candidates, 4);
    QVERIFY(laidOut.wait(30000));
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidateTask")).size(), candidates);
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidate")).size(), own);
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidateEdge")).size(), links);
    view.clearCandidates();
    QVERIFY(laidOut.wait(30000));
    QCOMPARE(itemsOfKind(view, QStringLiteral("candidateEdge")).size(), 0);
  }

  void reopenedStoppedRunDrawsNoOrphans() {
    const auto store =
        ExperimentStore::open(dir_.path().toStdString(), ExperimentStore::Mode::ReadOnly);
    const auto stored = storedExperiment(*store, config_);
    QVERIFY(stored);
    const GraphSnapshot& g = stored->run.graph;
    const std::set<std::int64_t> onRoutes = routed(g);
    const int orphans = static_cast<int>(g.nodes.size() - onRoutes.size());
    QVERIFY2(orphans > 0, "the store should hold components on no route");

    GraphView view;
    view.resize(700, 560);
    QVERIFY(layOut(view, g));
    QCOMPARE(view.componentItemCount(), static_cast<int>(onRoutes.size()));
    for (auto* box : itemsOfKind(view, QStringLiteral("component")))
      QVERIFY(onRoutes.count(box->data(GraphView::IdKey).toLongLong()) == 1);
    QCOMPARE(view.hiddenComponentCount(), orphans);
    const GraphLegend* legend = view.legend();
    QVERIFY(legend->item(legend->count() - 1)->text().contains(QString::number(orphans)));
  }
};

QTEST_MAIN(TstGraphTraining)
#include "tst_graph_training.moc"
