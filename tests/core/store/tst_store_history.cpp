// The store's history (schema 3): one point per committed generation and per task iteration's
// end, each holding the graph and task counters the store committed then (checked during a real
// run against the store's own state right after each commit and against the graph the engine
// reported at each task iteration's end); lookups by generation; a store written before schema 3
// (its history table dropped and its version set back) reads as "no history recorded", and its
// next run migrates it and records from then on.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <filesystem>

#include "OlderStore.h"
#include "StoreTestUtil.h"
#include "TestConfigs.h"
#include "TestData.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
namespace fs = std::filesystem;

namespace {

ExperimentConfig tinyConfig(int iterations) {
  ExperimentConfig c = testdata::tinyVitConfig(5, {.batchSize = 32,
                                                   .validations = 1,
                                                   .examples = 64,
                                                   .validationMax = 64,
                                                   .testMax = 64,
                                                   .taskIterations = iterations});
  c.evolution.childrenPerTaskIteration = 4;  // two generations per task iteration
  c.tasks = {testdata::idxTask("low", testdata::mnistDir(), {0, 1, 2}),
             testdata::idxTask("high", testdata::mnistDir(), {7, 8, 9})};
  return c;
}

GraphSnapshot withoutHashes(GraphSnapshot g) {
  for (auto& n : g.nodes)
    n.sha256.clear();
  return g;
}

// Watches a run: after every commit (seen at the next event that follows one), the store's last
// history point must hold the store's committed state; the graph of each task iteration's end
// is kept to compare with its point afterwards.
class CommitWatcher : public EventSink {
 public:
  explicit CommitWatcher(fs::path dir) : dir_(std::move(dir)) {}
  void handle(const Event& e) override {
    if (const auto* ended = std::get_if<TaskIterationEndedEvent>(&e)) {
      endGraphs.push_back(withoutHashes(ended->graph));
      check();  // the last generation's commit (the end's own follows this event)
    }
    if (std::holds_alternative<GenerationStartedEvent>(e) ||
        std::holds_alternative<TaskIterationStartedEvent>(e) ||
        std::holds_alternative<RunFinishedEvent>(e))
      check();
  }
  std::vector<GraphSnapshot> endGraphs;
  int checked = 0;
  QStringList failures;

 private:
  void check() {
    const auto store = ExperimentStore::open(dir_, ExperimentStore::Mode::ReadOnly);
    if (!store->hasState()) return;
    const auto points = store->history();
    const StoreState st = store->loadMetadata();
    if (points.empty()) {
      failures << QStringLiteral("a committed state without a history point");
      return;
    }
    const HistoryPoint last = store->historyPoint(points.back().id);
    if (last.graph != System(st.system).snapshot())
      failures
          << QStringLiteral("point %1: graph differs from the committed state").arg(last.info.id);
    if (last.info.generation != st.progress.generationCounter)
      failures << QStringLiteral("point %1: generation %2, committed %3")
                      .arg(last.info.id)
                      .arg(last.info.generation)
                      .arg(st.progress.generationCounter);
    for (std::size_t i = 0; i < st.tasks.size() && i < last.tasks.size(); ++i) {
      const auto& t = st.tasks[i];
      if (!(last.tasks[i] ==
            HistoryTask{t.spec.name, t.childrenTried, t.childrenImproved, t.iterationsDone}))
        failures << QStringLiteral("point %1: task counters differ").arg(last.info.id);
    }
    ++checked;
  }
  fs::path dir_;
};

}  // namespace

class TstStoreHistory : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { MU2NET_REQUIRE_DIR(testdata::mnistDir()); }

  void everyCommitIsAPoint() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    const ExperimentConfig c = tinyConfig(2);
    CommitWatcher watcher(dir);
    {
      auto store = ExperimentStore::create(dir, c, testdata::testMetadata(c));
      Engine engine(c, &watcher, store.get());
      engine.run();
    }
    QVERIFY2(watcher.failures.isEmpty(), qPrintable(watcher.failures.join(QLatin1Char('\n'))));
    const auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);
    const auto points = store->history();
    // 2 tasks × 2 iterations × (2 generations + the iteration's end).
    QCOMPARE(points.size(), std::size_t{12});
    QCOMPARE(watcher.checked, 15);  // every commit, some twice
    QVERIFY(store->historyNote().empty());
    int64_t generation = 0;
    std::size_t ends = 0;
    for (const auto& p : points) {
      if (p.kind == HistoryPointInfo::Kind::Generation) {
        QCOMPARE(p.generation, ++generation);
      } else {
        QCOMPARE(p.generation, generation);
        // The end of a task iteration holds the graph the engine reported for it.
        QVERIFY(ends < watcher.endGraphs.size());
        QVERIFY(store->historyPoint(p.id).graph == watcher.endGraphs[ends++]);
      }
    }
    QCOMPARE(ends, watcher.endGraphs.size());
    QCOMPARE(points[0].task, std::string("low"));
    QCOMPARE(points[0].iteration, 1);
    QCOMPARE(points.back().children, int64_t(store->children().size()));
    // The state after generation N is the last point with that number.
    QCOMPARE(store->historyAtGeneration(2)->kind, HistoryPointInfo::Kind::TaskIterationEnd);
    QCOMPARE(store->historyAtGeneration(1)->kind, HistoryPointInfo::Kind::Generation);
    QVERIFY(!store->historyAtGeneration(0));
    QVERIFY(!store->historyAtGeneration(9));
    // The first point's graph: the root and the first task's models, test accuracy not yet known.
    const HistoryPoint first = store->historyPoint(points[0].id);
    QCOMPARE(first.graph.routes.front().task, std::string("root"));
    QCOMPARE(first.tasks.size(), std::size_t{2});
    QCOMPARE(first.tasks[0].childrenTried, int64_t{2});
    QCOMPARE(first.tasks[1].childrenTried, int64_t{0});
    QVERIFY_THROWS_EXCEPTION(StoreError, store->historyPoint(999));
  }

  void olderStoreIsMigratedByItsNextRun() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    {
      const ExperimentConfig c = tinyConfig(1);
      auto store = ExperimentStore::create(dir, c, testdata::testMetadata(c));
      Engine engine(c, nullptr, store.get());
      engine.run();
    }
    QVERIFY(testdata::makeSchema2Store((dir / "system.sqlite").string()));
    {
      const auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);
      QVERIFY(store->history().empty());
      QVERIFY(!store->historyAtGeneration(1));
      QVERIFY_THROWS_EXCEPTION(StoreError, store->historyPoint(1));
      const QString note = QString::fromStdString(store->historyNote());
      QVERIFY2(note.contains(QLatin1String("older version")) &&
                   note.contains(QLatin1String("no history recorded")),
               qPrintable(note));
    }
    // Opening read-write changes nothing; the next run's first commit migrates.
    { ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite); }
    {
      const auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);
      QVERIFY(store->history().empty());
    }
    {
      const ExperimentConfig c = tinyConfig(2);
      auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite);
      Engine engine(mergeResumeConfig(store->config(), c), nullptr, store.get());
      engine.run();
    }
    const auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);
    const auto points = store->history();
    QCOMPARE(points.size(), std::size_t{6});  // iteration 2 of both tasks
    QCOMPARE(points.front().generation, int64_t{5});
    QCOMPARE(QString::fromStdString(store->historyNote()),
             QStringLiteral("this store was written by an older version of mu2net: its history "
                            "starts at generation 5"));
  }
};

QTEST_GUILESS_MAIN(TstStoreHistory)
#include "tst_store_history.moc"
