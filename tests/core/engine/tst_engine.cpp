// The engine end to end on small real subsets: events, accuracy far above chance, determinism,
// immutability of earlier tasks (bit-identical locked components and test accuracy), dynamic
// introduction of a task mid-run, layer sharing, and pause/resume/stop control.
#include <QtTest/QtTest>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "TestConfigs.h"
#include "TestData.h"
#include "mu2net/engine/Engine.h"

using namespace mu2net;

namespace {

using testdata::idxTask;

// A small but real budget: a few hundred steps per task on 2 cores.
ExperimentConfig smallConfig() {
  ExperimentConfig c = testdata::tinyVitConfig(
      11,
      {.batchSize = 32, .validations = 2, .examples = 512, .validationMax = 256, .testMax = 500});
  c.root.architecture.width = 32;  // twice the tiny root's width
  c.root.architecture.mlpDim = 64;
  c.training.threads = 1;
  // AdamW's rates around its default keep the tiny budget productive on every draw.
  c.searchSpace["opt_lr"] = {{1e-3, 2e-3, 5e-3}, 2e-3};
  return c;
}

// The documented defaults (no root, search space or evolution keys: the built-in pretrained
// root, AdamW) at the smallest budget a user would try: generations of 2 children, 2 validations
// of 2,048 examples each, one pass over MNIST and CMATERdb Bangla.
ExperimentConfig defaultsAtATinyBudget() {
  const std::string json = R"({
    "seed": 1,
    "tasks": [{"name": "mnist", "format": "idx", "path": "@MNIST@"},
              {"name": "bangla", "format": "idx", "path": "@BANGLA@"}],
    "evolution": {"generation_size": 2, "children_per_task_iteration": 2, "task_iterations": 1},
    "training": {"validations_per_child": 2, "train_examples_between_validations": 2048,
                 "threads": 2}})";
  std::string text = json;
  text.replace(text.find("@MNIST@"), 7, testdata::mnistDir().string());
  text.replace(text.find("@BANGLA@"), 8, testdata::banglaIdxDir().string());
  return parseExperimentConfig(text, "/");
}

// Records every event; optionally runs a hook on each, on the engine thread.
class Recorder : public EventSink {
 public:
  std::function<void(const Event&)> hook;
  std::vector<Event> events;
  void handle(const Event& e) override {
    events.push_back(e);
    if (hook) hook(e);
  }
  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events)
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
  }
};

}  // namespace

class TstEngine : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    MU2NET_REQUIRE_DIR(testdata::banglaIdxDir());
  }

  void mnistAndBanglaLearnFarAboveChance() {
    // Issue 11's aim for this budget: MNIST >= 0.80, Bangla >= 0.60. Measured with the built-in
    // root: MNIST 0.938, Bangla 0.936 (2026-12-01, AVX-512, and the same with
    // OPENBLAS_CORETYPE=Haswell); the thresholds sit well below, chance is 0.1.
    const ExperimentConfig c = defaultsAtATinyBudget();
    QVERIFY(c.root.trained());
    Recorder rec;
    Engine engine(c, &rec);
    const RunReport r = engine.run();
    QVERIFY(!r.stopped);
    QCOMPARE(r.tasks.size(), std::size_t{2});
    for (const auto& t : r.tasks) {
      QVERIFY2(t.testQuality.has_value(), t.name.c_str());
      qInfo("%s: val %.3f test %.3f", t.name.c_str(), t.validationQuality, *t.testQuality);
      QVERIFY2(*t.testQuality > (t.name == "mnist" ? 0.75 : 0.6), t.name.c_str());
      QVERIFY(t.activatedParams > 0);
      QCOMPARE(t.route.size(), t.routeSlots.size());
      QCOMPARE(t.routeSlots.back(), std::string("head"));
      QCOMPARE(t.childrenTried, int64_t{2});
    }
    // Events: one start, 4 children started and finished, validations, tests, one finish.
    QCOMPARE(rec.all<RunStartedEvent>().size(), std::size_t{1});
    QCOMPARE(rec.all<ChildStartedEvent>().size(), std::size_t{4});
    QCOMPARE(rec.all<ChildFinishedEvent>().size(), std::size_t{4});
    QCOMPARE(rec.all<ValidationEvent>().size(), std::size_t{8});
    QCOMPARE(rec.all<TestEvaluatedEvent>().size(), std::size_t{2});
    QCOMPARE(rec.all<RunFinishedEvent>().size(), std::size_t{1});
    QVERIFY(!rec.all<TrainingProgressEvent>().empty());
    for (const auto& f : rec.all<ChildFinishedEvent>()) {
      QVERIFY(f.trainableParams > 0 && f.trainableParams <= f.totalParams);
      QCOMPARE(f.validationHistory.size(), std::size_t{2});
      // The child keeps its best validation, not its last.
      QCOMPARE(f.quality,
               *std::max_element(f.validationHistory.begin(), f.validationHistory.end()));
      // The first children of a task come from another task's model (root) and always improve.
      if (f.parentTask != f.task) QVERIFY(f.improved);
    }
    // The graph snapshot holds the root and both tasks' routes, all components live.
    const GraphSnapshot g = engine.snapshot();
    QCOMPARE(g.routes.size(), std::size_t{3});
    QCOMPARE(g.routes[0].task, std::string("root"));
    std::set<int64_t> ids;
    for (const auto& n : g.nodes)
      ids.insert(n.id);
    for (const auto& route : g.routes)
      for (int64_t id : route.componentIds)
        QVERIFY(ids.count(id));
  }

  void sameSeedSameReport() {
    ExperimentConfig c = smallConfig();
    c.tasks = {idxTask("digits-0-4", testdata::mnistDir(), {0, 1, 2, 3, 4}),
               idxTask("digits-5-9", testdata::mnistDir(), {5, 6, 7, 8, 9})};
    const std::string a = runReportToJson(Engine(c).run(), c);
    const std::string b = runReportToJson(Engine(c).run(), c);
    QCOMPARE(a, b);
    c.seed = 12;
    const std::string other = runReportToJson(Engine(c).run(), c);
    QVERIFY(a != other);
  }

  // Two threads train a generation's two children at the same time, one thread each. Every
  // child is computed exactly as when the children train one after another on one thread, so
  // the whole run is identical.
  void parallelChildrenGiveTheSameRun() {
    ExperimentConfig one = smallConfig();
    one.tasks = {idxTask("digits-0-4", testdata::mnistDir(), {0, 1, 2, 3, 4}),
                 idxTask("digits-5-9", testdata::mnistDir(), {5, 6, 7, 8, 9})};
    Recorder sequential;
    const RunReport a = Engine(one, &sequential).run();
    ExperimentConfig two = one;
    two.training.threads = 2;  // parallel_children 0: one child per thread
    Recorder parallel;
    RunReport b = Engine(two, &parallel).run();
    QCOMPARE(b.threads, 2);
    b.threads = a.threads;
    QCOMPARE(runReportToJson(b, one), runReportToJson(a, one));

    // The children of a generation advance in lock-step (one batch at a time, sharing frozen
    // prefixes), on one thread or on two: all of them start before any validates.
    const auto startsBeforeFirstValidation = [](const Recorder& r) {
      int started = 0;
      for (const auto& e : r.events) {
        if (std::holds_alternative<ValidationEvent>(e)) return started;
        if (std::holds_alternative<ChildStartedEvent>(e)) ++started;
      }
      return started;
    };
    const int generationSize = one.evolution.generationSize;
    QCOMPARE(startsBeforeFirstValidation(sequential), generationSize);
    QCOMPARE(startsBeforeFirstValidation(parallel), generationSize);
    // Events reach the sink whole and in each child's order.
    QCOMPARE(parallel.all<ChildStartedEvent>().size(), sequential.all<ChildStartedEvent>().size());
    QCOMPARE(parallel.all<ValidationEvent>().size(), sequential.all<ValidationEvent>().size());
    std::map<std::pair<int64_t, int>, int64_t> lastStep;
    for (const auto& p : parallel.all<TrainingProgressEvent>()) {
      auto& last = lastStep[{p.generation, p.childIndex}];
      QVERIFY(p.step > last);
      last = p.step;
    }

    // parallel_children 1: one worker, each step on all the threads.
    two.training.parallelChildren = 1;
    Recorder oneAtATime;
    Engine(two, &oneAtATime).run();
    QCOMPARE(startsBeforeFirstValidation(oneAtATime), generationSize);
  }

  // Earlier tasks are never forgotten: after later tasks (one introduced mid-run) evolve, every
  // component locked by the first task is bit-identical and its test accuracy is unchanged.
  void earlierTasksAreImmutable() {
    ExperimentConfig c = smallConfig();
    c.evolution.childrenPerTaskIteration = 4;
    c.tasks = {idxTask("first", testdata::mnistDir(), {0, 1, 2, 3, 4}),
               idxTask("second", testdata::mnistDir(), {5, 6, 7, 8, 9})};
    Recorder rec;
    Engine engine(c, &rec);
    std::vector<std::pair<int64_t, std::string>> hashesAfterFirst;
    double testAfterFirst = -1;
    bool added = false;
    rec.hook = [&](const Event& e) {
      if (const auto* end = std::get_if<TaskIterationEndedEvent>(&e); end && end->task == "first") {
        hashesAfterFirst = engine.lockedComponentHashes();
        testAfterFirst = engine.evaluateTest("first");
      }
      if (const auto* f = std::get_if<ChildFinishedEvent>(&e); f && f->task == "second" && !added) {
        engine.addTask(idxTask("bangla", testdata::banglaIdxDir()));
        added = true;
      }
    };
    const RunReport r = engine.run();
    QVERIFY(!hashesAfterFirst.empty());
    QCOMPARE(r.tasks.size(), std::size_t{3});  // the added task joined the round-robin
    QCOMPARE(r.tasks[2].name, std::string("bangla"));
    QVERIFY(r.tasks[2].testQuality.has_value());
    QCOMPARE(rec.all<TaskAddedEvent>().size(), std::size_t{1});

    std::map<int64_t, std::string> now;
    for (const auto& [id, hash] : engine.lockedComponentHashes())
      now[id] = hash;
    const auto firstRoute = r.tasks[0].route;
    for (const auto& [id, hash] : hashesAfterFirst) {
      QVERIFY2(now.count(id), "a locked component of an earlier task was removed");
      QCOMPARE(now[id], hash);
    }
    for (int64_t id : firstRoute)
      QVERIFY(now.count(id));
    // The engine's snapshots carry every component's hash (the workbench's tooltips show it).
    for (const auto& n : engine.snapshot().nodes) {
      QCOMPARE(n.sha256.size(), std::size_t{64});
      if (now.count(n.id)) QCOMPARE(n.sha256, now[n.id]);
    }
    QCOMPARE(engine.evaluateTest("first"), testAfterFirst);
    QCOMPARE(*r.tasks[0].testQuality, testAfterFirst);
  }

  // Later tasks share the frozen layers of earlier ones: the paper's knowledge reuse. (The random
  // root itself is always cloned; the first task's locked layers are shared with prob. 1 - mu.)
  void laterTasksShareLayers() {
    ExperimentConfig c = smallConfig();
    c.evolution.childrenPerTaskIteration = 4;
    c.searchSpace["mu"] = {{0.1, 0.2, 0.3}, 0.1};
    c.tasks = {idxTask("a", testdata::mnistDir(), {0, 1, 2, 3, 4}),
               idxTask("b", testdata::mnistDir(), {5, 6, 7, 8, 9})};
    Recorder rec;
    Engine engine(c, &rec);
    const RunReport r = engine.run();
    // Which children the evolution keeps depends on rounding (BLAS kernels differ between
    // CPUs), so the assertions are about the mechanism: every child of b built from a's model
    // shares a's frozen layers (each is cloned with probability μ <= 0.3 only).
    int fromA = 0;
    for (const auto& f : rec.all<ChildFinishedEvent>()) {
      if (f.task != "b" || f.parentTask != "a") continue;
      ++fromA;
      int shared = 0;
      for (const auto& slot : f.slots)
        if (slot.kind == SlotOrigin::Kind::Shared) ++shared;
      QVERIFY2(shared >= 3,
               qPrintable(QStringLiteral("a child of a's model shared %1 layers").arg(shared)));
    }
    QVERIFY2(fromA > 0, "no child of b was built from a's model");
    // Shared components are accounted once: the system size is the sum of the retained routes'
    // accounted parameters, and b's route is accounted below its activated size exactly when it
    // reuses a's layers.
    QVERIFY(std::abs(r.systemSize - (r.tasks[0].accountedParams + r.tasks[1].accountedParams)) <
            1e-6 * r.systemSize);
    QCOMPARE(r.tasks[1].reusedShare > 0.0,
             r.tasks[1].accountedParams < static_cast<double>(r.tasks[1].activatedParams));
  }

  // The quality benchmark's baselines are configurations of this engine: the parent policy picks
  // the source model of a new task, the clone policy what it trains.
  void baselinesAreConfigurations() {
    ExperimentConfig c = smallConfig();
    c.training.validationsPerChild = 1;
    c.training.trainExamplesBetweenValidations = 256;
    c.tasks = {idxTask("a", testdata::mnistDir(), {0, 1, 2}),
               idxTask("b", testdata::mnistDir(), {3, 4, 5})};
    const auto runWith = [&](ParentPolicy parent, ClonePolicy clone, Recorder& rec) {
      c.evolution.parentPolicy = parent;
      c.evolution.clonePolicy = clone;
      c.evolution.freezeBlocks = 1;
      auto engine = std::make_unique<Engine>(c, &rec);
      const RunReport r = engine->run();
      return std::make_pair(std::move(engine), r);
    };
    // b's only generation starts from a's model under both transfer baselines.
    const auto parentsOfB = [](const Recorder& rec) {
      std::set<std::string> parents;
      for (const auto& f : rec.all<ChildFinishedEvent>())
        if (f.task == "b") parents.insert(f.parentTask);
      return parents;
    };
    // Sequential fine-tuning: b starts from a's model and clones every layer.
    {
      Recorder rec;
      auto [engine, r] = runWith(ParentPolicy::PreviousTask, ClonePolicy::All, rec);
      QCOMPARE(parentsOfB(rec), std::set<std::string>{"a"});
      for (const auto& f : rec.all<ChildFinishedEvent>())
        for (const auto& o : f.slots)
          QVERIFY(o.kind != SlotOrigin::Kind::Shared);
      QCOMPARE(engine->evaluateTestWithTrunk("a", "a"), engine->evaluateTest("a"));
      const double forgotten = engine->evaluateTestWithTrunk("a", "b");
      QVERIFY(forgotten >= 0.0 && forgotten <= 1.0);
      QVERIFY_EXCEPTION_THROWN(engine->evaluateTestWithTrunk("a", "zzz"), std::out_of_range);
    }
    // Frozen-bottom transfer: b shares a's stem and first block, clones the rest.
    {
      Recorder rec;
      auto [engine, r] = runWith(ParentPolicy::FirstTask, ClonePolicy::FreezeBottom, rec);
      QCOMPARE(parentsOfB(rec), std::set<std::string>{"a"});
      for (const auto& f : rec.all<ChildFinishedEvent>()) {
        if (f.task != "b") continue;
        for (const auto& o : f.slots) {
          const bool bottom = o.slot == "embedding" || o.slot == "cls" || o.slot == "block_0";
          if (bottom) QVERIFY2(o.kind == SlotOrigin::Kind::Shared, o.slot.c_str());
          if (o.slot == "block_1" || o.slot == "norm")
            QVERIFY2(o.kind == SlotOrigin::Kind::Cloned, o.slot.c_str());
        }
      }
      QVERIFY(r.tasks[1].reusedShare > 0.0);
    }
    // Independent models: every task starts from the (random) root.
    {
      Recorder rec;
      c.evolution.parentPolicy = ParentPolicy::Isolated;
      c.evolution.clonePolicy = ClonePolicy::All;
      Engine engine(c, &rec);
      const RunReport r = engine.run();
      for (const auto& f : rec.all<ChildFinishedEvent>())
        QCOMPARE(f.parentTask, std::string("root"));
      QCOMPARE(r.tasks[1].reusedShare, 0.0);
    }
  }

  void pauseResumeAndStop_data() {
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("iterationsAtStop");
    // The children of a generation advance in lock-step, so both children of the second
    // iteration start together, on one worker or two; the stop comes in the third.
    QTest::newRow("one worker") << 1 << 2;
    QTest::newRow("two workers") << 2 << 2;
  }

  void pauseResumeAndStop() {
    QFETCH(int, threads);
    QFETCH(int, iterationsAtStop);
    ExperimentConfig c = smallConfig();
    c.training.threads = threads;
    c.evolution.taskIterations = 3;
    c.tasks = {idxTask("digits", testdata::mnistDir())};
    Recorder rec;
    Engine engine(c, &rec);
    std::atomic<int> children{0}, pauses{0}, resumes{0}, progress{0}, iterations{0};
    rec.hook = [&](const Event& e) {
      // Pause (from the engine's own thread, deterministically) as the second task iteration's
      // first child starts.
      if (std::holds_alternative<ChildStartedEvent>(e) && ++children == 3) engine.pause();
      if (std::holds_alternative<TrainingProgressEvent>(e)) ++progress;
      if (std::holds_alternative<TaskIterationEndedEvent>(e)) ++iterations;
      if (const auto* p = std::get_if<PausedEvent>(&e)) ++(p->paused ? pauses : resumes);
    };
    RunReport report;
    std::thread worker([&] { report = engine.run(); });
    QTRY_VERIFY_WITH_TIMEOUT(pauses.load() == 1, 120000);
    QVERIFY(engine.isPaused());
    QCOMPARE(iterations.load(), 1);
    const int startedWhenPaused = children.load();
    const int progressWhenPaused = progress.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // Nothing progresses while paused.
    QCOMPARE(children.load(), startedWhenPaused);
    QCOMPARE(progress.load(), progressWhenPaused);
    engine.resume();
    QVERIFY(!engine.isPaused());
    QTRY_VERIFY_WITH_TIMEOUT(children.load() > startedWhenPaused, 60000);
    engine.stop();
    worker.join();
    QVERIFY(report.stopped);
    QCOMPARE(iterations.load(), iterationsAtStop);
    // One pause and one resumption announced, however many children waited.
    QCOMPARE(pauses.load(), 1);
    QCOMPARE(resumes.load(), 1);
    // The stopped system is consistent: the task keeps a retained, evaluable model.
    QVERIFY(report.tasks[0].retainedPathId >= 0);
    QVERIFY(engine.evaluateTest("digits") > 0.0);
    QCOMPARE(rec.all<RunFinishedEvent>().size(), std::size_t{1});
  }

  void stopInTheFirstChildLeavesNoModel() {
    ExperimentConfig c = smallConfig();
    c.tasks = {idxTask("digits", testdata::mnistDir())};
    Recorder rec;
    Engine engine(c, &rec);
    rec.hook = [&](const Event& e) {
      if (std::holds_alternative<TrainingProgressEvent>(e)) engine.stop();
    };
    const RunReport report = engine.run();
    QVERIFY(report.stopped);
    QCOMPARE(report.tasks[0].retainedPathId, int64_t{-1});
    QVERIFY(rec.all<ChildFinishedEvent>().empty());
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, engine.evaluateTest("digits"));
  }
};

QTEST_GUILESS_MAIN(TstEngine)
#include "tst_engine.moc"
