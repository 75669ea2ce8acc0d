// The lineage view (issue 15, "Where did this model come from?"): the genealogy built from the
// children list (a pure function, tested on hand-made records), and the lineage of a real tiny
// experiment (two tasks, two task iterations; one run, in initTestCase) as the workbench shows
// it reopened and live: every child a node, the tasks' models marked and descended from the root,
// cross-task parents as cross-task edges, clicking a node selecting that child everywhere, the
// inspector listing its ancestors with the mutations each added.
#include <QAbstractGraphicsShapeItem>
#include <QDockWidget>
#include <QGraphicsPathItem>
#include <QGraphicsSimpleTextItem>

#include "ChildInspector.h"
#include "ChildPanel.h"
#include "ExperimentController.h"
#include "GraphView.h"
#include "LineageFixture.h"
#include "PlotPanel.h"
#include "Selection.h"
#include "mu2net/evolution/GraphDot.h"

using namespace mu2net;
using namespace mu2net::ui;
using Kind = LineageNode::Kind;
using NodeState = LineageNode::State;

namespace {

ChildStartedEvent started(const std::string& task, qint64 generation, int index,
                          const std::string& parentTask, qint64 parentId) {
  ChildStartedEvent e;
  e.task = task;
  e.generation = generation;
  e.childIndex = index;
  e.parentTask = parentTask;
  e.parentId = parentId;
  e.mutations = {{"opt_lr", 0.01, 0.02}};
  return e;
}

// Starts and finishes a child; `pathId` -1: not kept.
void finish(ChildListModel& m, const ChildStartedEvent& s, qint64 pathId) {
  m.onChildStarted(s);
  ChildFinishedEvent f;
  f.task = s.task;
  f.generation = s.generation;
  f.childIndex = s.childIndex;
  f.parentTask = s.parentTask;
  f.parentId = s.parentId;
  f.mutations = s.mutations;
  f.pathId = pathId;
  f.improved = pathId >= 0;
  f.quality = 0.5;
  m.onChildFinished(f);
}

// A: two children of the root (one kept); B: a child of A's kept one (cross-task) and its own
// child; C: two children of a path that is no child of the list; A again: a child of B's in
// training.
void handMadeExperiment(ChildListModel& m) {
  finish(m, started("A", 1, 0, "root", 0), 1);
  finish(m, started("A", 1, 1, "root", 0), -1);
  finish(m, started("B", 2, 0, "A", 1), 3);
  finish(m, started("B", 3, 0, "B", 3), 4);
  finish(m, started("C", 4, 0, "Z", 99), 5);
  finish(m, started("C", 4, 1, "Z", 99), -1);
  m.onChildStarted(started("A", 5, 0, "B", 4));
}

QList<QGraphicsItem*> itemsOfKind(const LineageView& view, const QString& kind) {
  QList<QGraphicsItem*> out;
  for (auto* item : view.scene()->items())
    if (item->data(LineageView::KindKey).toString() == kind) out << item;
  return out;
}

QGraphicsItem* edgeTo(const LineageView& view, int node) {
  for (auto* item : itemsOfKind(view, QStringLiteral("edge")))
    if (item->data(LineageView::NodeKey).toInt() == node) return item;
  return nullptr;
}

bool hasStar(const QGraphicsItem* item) {
  for (auto* child : item->childItems())
    if (auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(child))
      if (text->text() == QStringLiteral("★")) return true;
  return false;
}

QBrush brushOf(const QGraphicsItem* item) {
  return static_cast<const QAbstractGraphicsShapeItem*>(item)->brush();
}

QPen penOf(const QGraphicsItem* item) {
  return static_cast<const QAbstractGraphicsShapeItem*>(item)->pen();
}

}  // namespace

class TstLineage : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString dir_;

  std::unique_ptr<MainWindow> openStore() {
    auto w = testui::openInWindow(dir_, {1400, 900});
    if (!w) return nullptr;
    w->findChild<QDockWidget*>(QStringLiteral("lineageDock"))->raise();
    w->lineageView()->refresh();
    return w;
  }

 private Q_SLOTS:
  void initTestCase() { testui::makeLineageStore(tmp_, &dir_); }

  void init() { QSettings().clear(); }

  // The pure genealogy: parents (the root, a child of the same or another task, a missing path),
  // states, the tasks' models, depths, ancestors and a tidy layout.
  void buildsTheGenealogyFromChildRecords() {
    ChildListModel m;
    handMadeExperiment(m);
    const Lineage l = Lineage::build(m, {4});
    QCOMPARE(l.childCount(), 7);
    QCOMPARE(l.nodes().size(), std::size_t{9});  // the root, 7 children, one missing parent
    const auto& n = [&](int row) { return l.node(Lineage::nodeOfRow(row)); };
    QCOMPARE(l.node(Lineage::kRoot).kind, Kind::Root);
    QCOMPARE(n(0).parent, Lineage::kRoot);
    QCOMPARE(n(1).state, NodeState::NotKept);
    QCOMPARE(n(2).parent, Lineage::nodeOfRow(0));
    QVERIFY(n(2).crossTask);
    QCOMPARE(n(3).parent, Lineage::nodeOfRow(2));
    QVERIFY(!n(3).crossTask);
    QVERIFY(n(3).retained);
    QVERIFY(!n(2).retained);
    QCOMPARE(l.node(8).kind, Kind::MissingParent);
    QCOMPARE(l.node(8).task, std::string("Z"));
    QCOMPARE(l.node(8).pathId, qint64{99});
    QCOMPARE(n(4).parent, 8);
    QCOMPARE(n(5).parent, 8);
    QCOMPARE(n(6).state, NodeState::Training);
    QVERIFY(n(6).crossTask);
    QCOMPARE(n(6).depth, 4);
    QCOMPARE(l.ancestors(Lineage::nodeOfRow(6)),
             (std::vector<int>{Lineage::nodeOfRow(3), Lineage::nodeOfRow(2), Lineage::nodeOfRow(0),
                               Lineage::kRoot}));
    bool root = false;
    QCOMPARE(parentRow(m, 2, &root), 0);
    QCOMPARE(parentRow(m, 4, &root), -1);
    QVERIFY(!root);
    QCOMPARE(parentRow(m, 0, &root), -1);
    QVERIFY(root);

    const auto at = l.layout();
    std::set<double> leafColumns;
    for (std::size_t i = 0; i < at.size(); ++i) {
      const auto& node = l.nodes()[i];
      if (node.children.empty()) {
        QVERIFY(at[i].y() == node.depth || at[i].y() == node.depth + Lineage::kStagger);
        QVERIFY(leafColumns.insert(at[i].x()).second);
        continue;
      }
      QCOMPARE(at[i].y(), double(node.depth));
      double low = 1e9, high = -1e9;
      for (int c : node.children) {
        low = std::min(low, at[static_cast<std::size_t>(c)].x());
        high = std::max(high, at[static_cast<std::size_t>(c)].x());
      }
      QVERIFY(at[i].x() >= low && at[i].x() <= high);
    }
    // Nodes of a row a column apart, or half a column and staggered.
    bool staggered = false;
    for (std::size_t i = 0; i < at.size(); ++i)
      for (std::size_t j = i + 1; j < at.size(); ++j) {
        if (l.nodes()[i].depth != l.nodes()[j].depth) continue;
        const double dx = std::abs(at[i].x() - at[j].x()), dy = std::abs(at[i].y() - at[j].y());
        QVERIFY(dx >= 1 || (dx >= 0.5 && dy >= Lineage::kStagger - 1e-9));
        staggered = staggered || dx < 1;
      }
    QVERIFY(staggered);
  }

  // The inspector's ancestors: up to the root, or to a parent path that is no child of the list.
  void inspectorSaysWhereTheAncestorsEnd() {
    ChildListModel m;
    handMadeExperiment(m);
    ChildInspector inspector;
    inspector.lookUpParentsIn(&m);
    inspector.showChild(m.record(6));
    QString text = inspector.toPlainText();
    QVERIFY2(text.contains(QStringLiteral("1.\nB · gen. 3 · child 1 · path 4")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("3.\nA · gen. 1 · child 1 · path 1")));
    QVERIFY(text.contains(QStringLiteral("4.\nthe root")));
    inspector.showChild(m.record(5));
    text = inspector.toPlainText();
    QVERIFY2(text.contains(QStringLiteral("1.\npath 99 of Z (not in the children list)")),
             qPrintable(text));
  }

  // Drawn: kept children filled, others hollow and faded, children in training dashed, the
  // model starred, a cross-task parent's edge dashed.
  void drawsKeptDiscardedTrainingAndModelsApart() {
    ChildListModel m;
    Selection selection(&m);
    LineageView view(&selection);
    handMadeExperiment(m);
    GraphSnapshot g;
    g.routes = {{"root", 0, {}, 0, {}}, {"B", 4, {}, 0.5, {}}};
    view.setSnapshot(g);
    view.refresh();
    QCOMPARE(itemsOfKind(view, QStringLiteral("node")).size(), 7);
    QCOMPARE(itemsOfKind(view, QStringLiteral("missing")).size(), 1);
    const auto item = [&](int row) { return view.itemOfNode(Lineage::nodeOfRow(row)); };
    QCOMPARE(brushOf(item(0)).color(), view.colourOf("A"));
    QCOMPARE(brushOf(item(1)).color(), QColor(Qt::white));
    QVERIFY(item(1)->opacity() < 1.0);
    QCOMPARE(penOf(item(6)).style(), Qt::DashLine);
    QVERIFY(hasStar(item(3)));
    QVERIFY(!hasStar(item(2)));
    QVERIFY(edgeTo(view, Lineage::nodeOfRow(2))->data(LineageView::CrossKey).toBool());
    QCOMPARE(static_cast<QGraphicsPathItem*>(edgeTo(view, Lineage::nodeOfRow(2)))->pen().style(),
             Qt::DashLine);
    QVERIFY(!edgeTo(view, Lineage::nodeOfRow(3))->data(LineageView::CrossKey).toBool());
    // The graph's colours: the routes' tasks first.
    const auto colours = taskColours(g, {{"A", 0, 0, {}}, {"C", 0, 0, {}}});
    for (const char* task : {"A", "B", "C"})
      QCOMPARE(view.colourOf(task), QColor(QString::fromStdString(colours.at(task))));
  }

  // Item 2 / done-when: a reopened store shows every child of its children table as a node, and
  // the lineage of each task's model ends at the root.
  void everyChildIsANodeAndEachModelDescendsFromTheRoot() {
    auto w = openStore();
    QVERIFY(w);
    const LineageView* view = w->lineageView();
    const Lineage& l = view->lineage();
    QCOMPARE(l.childCount(), w->childModel()->rowCount());
    QCOMPARE(l.childCount(), testui::storedChildren(dir_));
    QCOMPARE(l.nodes().size(), std::size_t(l.childCount() + 1));  // nothing missing
    QCOMPARE(itemsOfKind(*view, QStringLiteral("node")).size(), l.childCount());
    const auto models = testui::retainedPaths(dir_);
    QCOMPARE(models.size(), std::size_t{2});
    for (const auto& [task, path] : models) {
      const int row = testui::rowOfPath(*w->childModel(), path);
      QVERIFY2(row >= 0, task.c_str());
      const int node = Lineage::nodeOfRow(row);
      QVERIFY(l.node(node).retained);
      QVERIFY(hasStar(view->itemOfNode(node)));
      const auto chain = l.ancestors(node);
      QVERIFY(!chain.empty());
      QCOMPARE(chain.back(), Lineage::kRoot);
      // Each step is the record's own parent path.
      int child = node;
      for (int a : chain) {
        const auto& started = w->childModel()->record(l.node(child).row).started;
        if (a == Lineage::kRoot) {
          QCOMPARE(started.parentTask, std::string(System::kRootTask));
          break;
        }
        QCOMPARE(l.node(a).kind, Kind::Child);
        QCOMPARE(w->childModel()->record(l.node(a).row).done->pathId, started.parentId);
        child = a;
      }
    }
  }

  // A child whose parent is another task's model hangs from that model by a cross-task edge.
  void crossTaskParentsAreCrossTaskEdges() {
    auto w = openStore();
    QVERIFY(w);
    const LineageView* view = w->lineageView();
    const Lineage& l = view->lineage();
    int crossTask = 0;
    for (int row = 0; row < w->childModel()->rowCount(); ++row) {
      const auto& s = w->childModel()->record(row).started;
      const int node = Lineage::nodeOfRow(row);
      const bool other = s.parentTask != System::kRootTask && s.parentTask != s.task;
      QCOMPARE(l.node(node).crossTask, other);
      QCOMPARE(edgeTo(*view, node)->data(LineageView::CrossKey).toBool(), other);
      if (!other) continue;
      ++crossTask;
      QCOMPARE(l.node(l.node(node).parent).task, s.parentTask);
    }
    QVERIFY2(crossTask > 0, "the fixture's seed gives children of the other task's model");
    // The graph's colours.
    const auto colours = taskColours(w->graphView()->snapshot());
    for (const auto& [task, colour] : colours)
      QCOMPARE(view->colourOf(task), QColor(QString::fromStdString(colour)));
  }

  // Clicking a node selects the child in the children list, the inspector (with its ancestors),
  // the graph (its route) and the curves (its point).
  void clickingANodeSelectsThatChildEverywhere() {
    auto w = openStore();
    QVERIFY(w);
    LineageView* view = w->lineageView();
    // The newest child whose parent is a child.
    int row = w->childModel()->rowCount() - 1;
    while (row > 0 && parentRow(*w->childModel(), row) < 0)
      --row;
    testui::clickLineageRow(*view, row);
    QCOMPARE(w->selection()->childRow(), row);
    QCOMPARE(view->selectedNode(), Lineage::nodeOfRow(row));
    auto* children = w->findChild<ChildPanel*>();
    QCOMPARE(children->sourceRow(children->currentIndex()), row);
    const auto& r = w->childModel()->record(row);
    const QString text = w->findChild<ChildInspector*>()->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("generation %1, child %2")
                               .arg(r.started.generation)
                               .arg(r.started.childIndex + 1)),
             qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Ancestors")));
    QTRY_VERIFY_WITH_TIMEOUT(w->graphView()->selectedChildShown(), 30000);
    const auto point = w->plotPanel()->markedPoint();
    QVERIFY(point.has_value());
    QCOMPARE(point->y(), r.done->quality);
    // Up selects the parent (when it is a child), Escape clears the child.
    const int parent = parentRow(*w->childModel(), row);
    QVERIFY2(parent >= 0, "the store has a child whose parent is a child");
    QTest::keyClick(view, Qt::Key_Up);
    QCOMPARE(w->selection()->childRow(), parent);
    QCOMPARE(w->selection()->parentRow(), parentRow(*w->childModel(), parent));
    QCOMPARE(view->selectedNode(), Lineage::nodeOfRow(parent));
    QCOMPARE(children->sourceRow(children->currentIndex()), parent);
    QTest::keyClick(view, Qt::Key_Escape);
    QVERIFY(!w->selection()->child());
    QVERIFY(!children->currentIndex().isValid());
    testui::clickLineageRow(*view, row);
    QCOMPARE(w->selection()->childRow(), row);
    // The root (or empty space) clears the child.
    QGraphicsItem* root = view->itemOfNode(Lineage::kRoot);
    view->ensureVisible(root);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->mapFromScene(root->sceneBoundingRect().center()));
    QVERIFY(!w->selection()->child());
    QCOMPARE(view->selectedNode(), -1);
  }

  // The inspector lists every ancestor up to the root, with its task and the mutations it added.
  void inspectorListsTheAncestorsWithTheirMutations() {
    auto w = openStore();
    QVERIFY(w);
    const Lineage& l = w->lineageView()->lineage();
    int deepest = 1;
    for (int node = 1; node <= l.childCount(); ++node)
      if (l.node(node).depth > l.node(deepest).depth) deepest = node;
    QVERIFY2(l.node(deepest).depth >= 2, "a child with an ancestor besides the root");
    w->selection()->setChildRow(l.node(deepest).row);
    auto* inspector = w->findChild<ChildInspector*>();
    const QString text = inspector->toPlainText();
    const auto chain = l.ancestors(deepest);
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
      const auto& a = w->childModel()->record(l.node(chain[i]).row);
      const QString line = QStringLiteral("%1 · gen. %2 · child %3 · path %4")
                               .arg(QString::fromStdString(a.started.task))
                               .arg(a.started.generation)
                               .arg(a.started.childIndex + 1)
                               .arg(a.done->pathId);
      QVERIFY2(text.contains(line), qPrintable(line + QStringLiteral("\n") + text));
      const QString added = a.started.mutations.empty() ? QStringLiteral("no mutation")
                                                        : describeMutations(a.started.mutations);
      QVERIFY2(text.contains(added), qPrintable(added));
    }
    // The last step is the root.
    QVERIFY2(text.contains(QStringLiteral("%1.\nthe root").arg(chain.size())), qPrintable(text));
    // The components' creators are named.
    QVERIFY2(text.contains(QStringLiteral("created by")), qPrintable(text));
  }

  // Live: each child appears in the lineage as it starts (in training), a child selected while
  // the run goes on stays selected and shown, and the lineage holds every child at the end.
  void followsALiveRun() {
    QTemporaryDir runs;
    qputenv("MU2NET_RUNS_DIR", runs.path().toUtf8());
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    ExperimentConfig config = testui::tinyConfig(1);
    window.setExperiment(config, QStringLiteral("live"));
    LineageView* view = window.lineageView();
    int seenTraining = 0;
    connect(window.controller(), &EngineSignals::childStarted, this,
            [&](const ChildStartedEvent& e) {
              view->refresh();
              const int row = window.childModel()->rowOf(e.task, e.generation, e.childIndex);
              if (row >= 0 &&
                  view->lineage().node(Lineage::nodeOfRow(row)).state == NodeState::Training)
                ++seenTraining;
            });
    connect(window.controller(), &EngineSignals::childFinished, this,
            [&](const ChildFinishedEvent& e) {
              if (!window.selection()->child())
                window.selection()->setChild({e.task, e.generation, e.childIndex});
            });
    QVERIFY(window.startExperiment());
    QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), ExperimentController::State::Finished,
                              testui::kRunTimeoutMs);
    QCOMPARE(seenTraining, 2);
    QTRY_COMPARE(view->lineage().childCount(), 2);
    for (int node = 1; node <= 2; ++node)
      QTRY_VERIFY(view->lineage().node(node).state != NodeState::Training);
    // The first child finished, selected during the run.
    QCOMPARE(window.selection()->childRow(), 0);
    QCOMPARE(view->selectedNode(), Lineage::nodeOfRow(0));
    QVERIFY(window.plotPanel()->markedPoint().has_value());
    QTRY_VERIFY_WITH_TIMEOUT(window.graphView()->selectedChildShown(), 30000);
  }
};

QTEST_MAIN(TstLineage)
#include "tst_lineage.moc"
