// One selection, every view (issue 15, "Which layers does a model reuse, and from whom?"), on a
// real tiny experiment store (two tasks, two task iterations; one run, in initTestCase) reopened
// in the workbench: selecting a task filters the children list (with a way back) and the curves
// and highlights its route; selecting a child shows its route in the graph (a task's model: its
// route; another child: a provisional route of its own through the components it shared), its
// point on the validation plot and its loss, and the creators of its layers in the inspector;
// clearing the selection clears every view.
#include <QComboBox>
#include <QDockWidget>
#include <QGraphicsSimpleTextItem>
#include <QPushButton>
#include <algorithm>

#include "ChildInspector.h"
#include "ChildPanel.h"
#include "GraphFixture.h"
#include "GraphView.h"
#include "LineageFixture.h"
#include "PlotPanel.h"
#include "Selection.h"
#include "TaskPanel.h"
#include "TaskTableModel.h"

using namespace mu2net;
using namespace mu2net::ui;
using testui::itemsOfKind;

namespace {

// The tasks of the children shown by `panel`, one entry per row shown.
QStringList shownTasks(const ChildPanel& panel) {
  QStringList tasks;
  for (int r = 0; r < panel.model()->rowCount(); ++r)
    tasks << panel.model()->index(r, ChildListModel::Task).data().toString();
  return tasks;
}

// The items of `kind` in the graph at full strength (not dimmed).
QList<QGraphicsItem*> shownItems(const GraphView& graph, const QString& kind) {
  QList<QGraphicsItem*> out;
  for (auto* item : itemsOfKind(graph, kind))
    if (item->opacity() > 0.99) out << item;
  return out;
}

// Whether `text` (the inspector's) names the creator of every component `record` shares.
bool creatorsNamed(const QString& text, const ChildListModel::Record& record,
                   const GraphSnapshot& snapshot) {
  for (const auto& slot : record.started.slots) {
    if (slot.kind != SlotOrigin::Kind::Shared) continue;
    const auto node = std::find_if(snapshot.nodes.begin(), snapshot.nodes.end(),
                                   [&](const auto& n) { return n.id == slot.sourceComponentId; });
    if (node == snapshot.nodes.end()) return false;
    const QString creator = node->creatorTask == "root"
                                ? QStringLiteral("the root")
                                : QStringLiteral("%1, generation %2")
                                      .arg(QString::fromStdString(node->creatorTask))
                                      .arg(node->generation);
    if (!text.contains(creator)) {
      qWarning("%s not in %s", qPrintable(creator), qPrintable(text));
      return false;
    }
  }
  return true;
}

}  // namespace

class TstSelection : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString dir_;
  QString first_, second_;  // the two tasks

  std::unique_ptr<MainWindow> openStore() {
    auto w = testui::openInWindow(dir_, {1400, 900});
    if (!w) return nullptr;
    if (!QTest::qWaitFor([&] { return w->graphView()->hasLayout(); }, 30000)) return nullptr;
    w->lineageView()->refresh();
    return w;
  }

  // A row of `children` for which `want` holds, or -1.
  template <typename Want>
  static int rowWhere(const ChildListModel& children, Want want) {
    for (int r = 0; r < children.rowCount(); ++r)
      if (want(children.record(r))) return r;
    return -1;
  }

 private Q_SLOTS:
  void initTestCase() {
    const ExperimentConfig config = testui::twoTaskConfig();
    first_ = QString::fromStdString(config.tasks[0].name);
    second_ = QString::fromStdString(config.tasks[1].name);
    testui::makeLineageStore(tmp_, &dir_);
  }

  void init() { QSettings().clear(); }

  // Selecting a task in the task table filters the children list and the curves and highlights
  // the task's route; "Show all tasks" brings every child back and clears the task everywhere.
  void selectingATaskFiltersTheChildrenList() {
    auto w = openStore();
    QVERIFY(w);
    auto* tasks = w->findChild<TaskPanel*>();
    auto* children = w->findChild<ChildPanel*>();
    const int all = w->childModel()->rowCount();
    QVERIFY(all > 2);
    tasks->selectRow(tasks->indexOfSourceRow(w->taskModel()->rowOf(second_)).row());
    QCOMPARE(w->selection()->task(), second_);
    const QStringList shown = shownTasks(*children);
    QVERIFY(!shown.isEmpty() && shown.size() < all);
    QCOMPARE(shown.count(second_), shown.size());
    QCOMPARE(w->plotPanel()->taskFilter(), second_);
    QCOMPARE(w->graphView()->highlightedTask(), second_);
    auto* showAll = w->findChild<QPushButton*>(QStringLiteral("showAllTasks"));
    QVERIFY(showAll && showAll->isVisible());

    QTest::mouseClick(showAll, Qt::LeftButton);
    QCOMPARE(w->selection()->task(), QString());
    QCOMPARE(children->model()->rowCount(), all);
    QVERIFY(!showAll->isVisible());
    QCOMPARE(tasks->selectedTask(), QString());
    QCOMPARE(w->plotPanel()->taskFilter(), QString());
    QCOMPARE(w->graphView()->highlightedTask(), QString());

    // The curves' own task selector selects the task too.
    auto* selector = w->plotPanel()->findChild<QComboBox*>(QStringLiteral("taskFilter"));
    QVERIFY(selector);
    const int index = selector->findText(first_);
    QVERIFY(index > 0);
    selector->setCurrentIndex(index);
    Q_EMIT selector->activated(index);
    QCOMPARE(w->selection()->task(), first_);
    QCOMPARE(tasks->selectedTask(), first_);
    QCOMPARE(shownTasks(*children).count(first_), shownTasks(*children).size());
  }

  // The store as opened: the inspector shows its newest child with the creators of the layers
  // it shares (the graph's snapshot is known before the children are listed).
  void theInspectorNamesCreatorsAsTheStoreOpens() {
    auto w = openStore();
    QVERIFY(w);
    const ChildListModel& children = *w->childModel();
    QVERIFY(children.rowCount() > 0);
    const auto& newest = children.record(children.rowCount() - 1);
    const QString text = w->findChild<ChildInspector*>()->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("generation %1").arg(newest.started.generation)),
             qPrintable(text));
    QVERIFY(creatorsNamed(text, newest, w->graphView()->snapshot()));
  }

  // A child selected in the children list: the inspector, its loss note, its point on the
  // validation plot, its node in the lineage and its route in the graph. A task's model shows its
  // task's route; another child a provisional route of its own, "(selected)", through the
  // components it shared.
  void selectingAChildShowsItsRouteItsPointAndItsLayers() {
    auto w = openStore();
    QVERIFY(w);
    auto* children = w->findChild<ChildPanel*>();
    const auto models = testui::retainedPaths(dir_);
    const std::int64_t model = models.at(second_.toStdString());
    const int modelRow = testui::rowOfPath(*w->childModel(), model);
    QVERIFY(modelRow >= 0);
    children->selectRow(children->indexOfSourceRow(modelRow).row());
    QCOMPARE(w->selection()->childRow(), modelRow);
    QCOMPARE(w->lineageView()->selectedNode(), Lineage::nodeOfRow(modelRow));
    const auto& record = w->childModel()->record(modelRow);
    QCOMPARE(w->plotPanel()->markedPoint()->y(), record.done->quality);
    QVERIFY(w->plotPanel()->lossNote().contains(QStringLiteral("not recorded")));
    GraphView* graph = w->graphView();
    QTRY_VERIFY(graph->selectedChildShown());
    // Its task's route: the route's edges at full strength, no other route's, no provisional one.
    const auto edges = shownItems(*graph, QStringLiteral("edge"));
    QVERIFY(!edges.isEmpty());
    for (auto* e : edges)
      QCOMPARE(e->data(GraphView::TaskKey).toString(), second_);
    QVERIFY(itemsOfKind(*graph, QStringLiteral("candidateTask")).isEmpty());
    // The inspector names the task that created each layer's component.
    const QString text = w->findChild<ChildInspector*>()->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("created by")), qPrintable(text));
    // Every layer it shares is a live component: its creator is named.
    QVERIFY(creatorsNamed(text, record, graph->snapshot()));

    // A child that is no task's model: a provisional route of its own.
    const int other = rowWhere(*w->childModel(), [&](const ChildListModel::Record& r) {
      return !r.done || r.done->pathId < 0 || r.done->pathId != models.at(r.started.task);
    });
    QVERIFY2(other >= 0, "the store has a child that is no task's model");
    w->selection()->setChildRow(other);
    QCOMPARE(children->sourceRow(children->currentIndex()), other);
    QTRY_VERIFY_WITH_TIMEOUT(graph->selectedChildShown() &&
                                 !itemsOfKind(*graph, QStringLiteral("candidateTask")).isEmpty(),
                             30000);
    const auto labels = shownItems(*graph, QStringLiteral("candidateTask"));
    QCOMPARE(labels.size(), 1);
    QVERIFY(static_cast<QGraphicsSimpleTextItem*>(labels.front())
                ->data(GraphView::FullTextKey)
                .toString()
                .contains(QStringLiteral("(selected)")));
    // Its shared components are at full strength, the others dimmed.
    std::set<qint64> shared;
    for (const auto& slot : w->childModel()->record(other).started.slots)
      if (slot.kind == SlotOrigin::Kind::Shared) shared.insert(slot.sourceComponentId);
    for (auto* box : itemsOfKind(*graph, QStringLiteral("component")))
      QCOMPARE(box->opacity() > 0.99, shared.count(box->data(GraphView::IdKey).toLongLong()) > 0);
  }

  // Selecting a child of another task than the selected one moves the task (the filtered list
  // still shows the child); selecting another task drops a child of the previous one.
  void aChildOfAnotherTaskMovesTheTask() {
    auto w = openStore();
    QVERIFY(w);
    auto* children = w->findChild<ChildPanel*>();
    Selection* s = w->selection();
    s->setTask(first_);
    const int row = rowWhere(*w->childModel(), [&](const ChildListModel::Record& r) {
      return QString::fromStdString(r.started.task) == second_;
    });
    testui::clickLineageRow(*w->lineageView(), row);
    QCOMPARE(s->task(), second_);
    QCOMPARE(s->childRow(), row);
    QCOMPARE(children->sourceRow(children->currentIndex()), row);
    QCOMPARE(w->findChild<TaskPanel*>()->selectedTask(), second_);
    s->setTask(first_);
    QVERIFY(!s->child());
    QVERIFY(!children->currentIndex().isValid());
    QCOMPARE(w->lineageView()->selectedNode(), -1);
  }

  // Clearing the selection clears it in every view.
  void clearingTheSelectionClearsEveryView() {
    auto w = openStore();
    QVERIFY(w);
    const int row = w->childModel()->rowCount() - 1;
    Selection* s = w->selection();
    s->setChildRow(row);
    s->setTask(QString::fromStdString(w->childModel()->record(row).started.task));
    QTRY_VERIFY(w->graphView()->selectedChildShown());
    auto* inspector = w->findChild<ChildInspector*>();
    QVERIFY(inspector->toPlainText().contains(QStringLiteral("Ancestors")));

    s->clear();
    auto* children = w->findChild<ChildPanel*>();
    QCOMPARE(children->model()->rowCount(), w->childModel()->rowCount());
    QVERIFY(!children->currentIndex().isValid());
    QVERIFY(!children->selectionModel()->hasSelection());
    QVERIFY(inspector->toPlainText().contains(QStringLiteral("Select a child")));
    QVERIFY(!w->graphView()->selectedChildShown());
    QCOMPARE(w->graphView()->highlightedTask(), QString());
    for (auto* item : itemsOfKind(*w->graphView(), QStringLiteral("component")))
      QCOMPARE(item->opacity(), 1.0);
    QVERIFY(!w->plotPanel()->markedPoint());
    QCOMPARE(w->plotPanel()->taskFilter(), QString());
    QCOMPARE(w->lineageView()->selectedNode(), -1);
    QCOMPARE(w->findChild<TaskPanel*>()->selectedTask(), QString());
    QVERIFY(w->plotPanel()->lossNote().contains(QStringLiteral("select one")));

    // A click on empty space in the lineage clears the child too.
    s->setChildRow(row);
    LineageView* view = w->lineageView();
    w->findChild<QDockWidget*>(QStringLiteral("lineageDock"))->raise();
    QTRY_VERIFY(view->isVisible());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      QPoint(3, view->viewport()->height() - 3));
    QVERIFY(!s->child());
    QVERIFY(!children->currentIndex().isValid());
  }
};

QTEST_MAIN(TstSelection)
#include "tst_selection.moc"
