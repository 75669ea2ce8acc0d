// The item models under QAbstractItemModelTester, fed with event values as the engine sends them,
// and the facts they derive (best child, reuse, accounting, statuses).
#include <QAbstractItemModelTester>
#include <QtTest/QtTest>

#include "ChildListModel.h"
#include "TaskTableModel.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

// Root: c1 embedding (100), c2 head (10). Task a: c1 shared (locked by a), c3 head (20, own).
GraphSnapshot snapshot() {
  GraphSnapshot g;
  g.nodes = {{1, "embedding", "root", 100, {"a"}, false, 0, {}},
             {2, "head", "root", 10, {}, true, 0, {}},
             {3, "head", "a", 20, {"a"}, false, 1, {}},
             {4, "head", "b", 30, {}, true, 2, {}}};
  g.routes = {{"root", 0, {1, 2}, 0.1, std::nullopt},
              {"a", 5, {1, 3}, 0.8, 0.75},
              {"b", 6, {1, 4}, 0.6, std::nullopt}};
  return g;
}

ChildFinishedEvent finished(const std::string& task, int64_t generation, int child, bool improved,
                            double quality) {
  ChildFinishedEvent e;
  e.task = task;
  e.generation = generation;
  e.childIndex = child;
  e.improved = improved;
  e.quality = quality;
  e.score = quality;
  e.trainableParams = 20;
  e.totalParams = 120;
  e.accountedParams = 70;
  e.validationHistory = {quality / 2, quality};
  return e;
}

}  // namespace

class TstItemModels : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void taskTable() {
    TaskTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.columnCount(), int(TaskTableModel::ColumnCount));
    RunStartedEvent start;
    start.tasks = {"a"};
    model.onRunStarted(start);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.row(0).status, QStringLiteral("waiting"));
    model.onTaskIterationStarted({"a", 1});
    QCOMPARE(model.data(model.index(0, TaskTableModel::Status)).toString(),
             QStringLiteral("training (iteration 1)"));
    model.onChildFinished(finished("a", 1, 0, true, 0.5));
    model.onChildFinished(finished("a", 1, 1, false, 0.9));  // not kept: does not count as best
    model.onChildFinished(finished("a", 2, 0, true, 0.7));
    QCOMPARE(model.row(0).childrenTried, qint64{3});
    QCOMPARE(model.row(0).childrenImproved, qint64{2});
    QCOMPARE(*model.row(0).validation, 0.7);
    QCOMPARE(model.data(model.index(0, TaskTableModel::Validation)).toString(),
             QStringLiteral("70.0%"));

    model.onTaskAdded({"b"});
    QCOMPARE(model.rowCount(), 2);
    TaskIterationEndedEvent ended;
    ended.task = "a";
    ended.iteration = 1;
    ended.graph = snapshot();
    model.onTaskIterationEnded(ended);
    QCOMPARE(model.row(0).status, QStringLiteral("done (iteration 1)"));
    // a: 100 (root's, shared) + 20 (own) = 120; reused 100/120; c1 is locked by a only.
    QCOMPARE(model.row(0).activatedParams, qint64{120});
    QCOMPARE(model.row(0).reusedShare, 100.0 / 120.0);
    QCOMPARE(model.row(0).accountedParams, 120.0);
    QCOMPARE(*model.row(0).test, 0.75);
    // b uses c1 too (locked by a, not yet by b): split two ways; its own head counts fully.
    QCOMPARE(model.row(1).accountedParams, 50.0 + 30.0);
    QCOMPARE(model.data(model.index(1, TaskTableModel::ReusedShare)).toString(),
             QStringLiteral("76.9%"));

    model.onTestEvaluated({"b", 6, 0.55, 200});
    QCOMPARE(*model.row(1).test, 0.55);
    RunFinishedEvent done;
    done.stopped = true;
    done.graph = snapshot();
    model.onTaskIterationStarted({"b", 1});
    model.onRunFinished(done);
    QCOMPARE(model.row(1).status, QStringLiteral("stopped"));
    QCOMPARE(model.row(0).status, QStringLiteral("done (iteration 1)"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
  }

  void childList() {
    ChildListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ChildStartedEvent s;
    s.task = "a";
    s.generation = 3;
    s.childIndex = 1;
    s.parentId = 7;
    s.parentTask = "root";
    s.mutations = {{"opt_lr", 0.01, 0.02}};
    s.slots = {{"embedding", 1, 1, SlotOrigin::Kind::Shared, false},
               {"head", -1, -1, SlotOrigin::Kind::New, false}};
    s.trainableParams = 20;
    s.totalParams = 120;
    model.onChildStarted(s);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.data(model.index(0, ChildListModel::Status)).toString(),
             QStringLiteral("training"));
    QCOMPARE(model.data(model.index(0, ChildListModel::Mutations)).toString(),
             QStringLiteral("opt_lr 0.01→0.02"));
    model.onValidation({"a", 3, 1, 1, 0.4, 0.4});
    QCOMPARE(model.data(model.index(0, ChildListModel::Validation)).toString(),
             QStringLiteral("40.0%"));
    QCOMPARE(model.rowOf("a", 3, 1), 0);
    QCOMPARE(model.rowOf("a", 3, 0), -1);

    ChildStartedEvent other = s;
    other.childIndex = 0;
    model.onChildStarted(other);
    model.onChildFinished(finished("a", 3, 1, true, 0.6));
    QCOMPARE(model.data(model.index(0, ChildListModel::Status)).toString(),
             QStringLiteral("improved"));
    QCOMPARE(model.record(0).validations, (std::vector<double>{0.3, 0.6}));
    model.onRunFinished({true, 1.0, {}});
    QCOMPARE(model.data(model.index(1, ChildListModel::Status)).toString(),
             QStringLiteral("discarded"));
    QCOMPARE(model.data(model.index(0, ChildListModel::Status)).toString(),
             QStringLiteral("improved"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
  }
};

QTEST_GUILESS_MAIN(TstItemModels)
#include "tst_item_models.moc"
