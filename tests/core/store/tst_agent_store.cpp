// The store's side of agents (database stores): leases (a live holder keeps its task, an expired
// lease is taken over with the dead agent's in-use record freed, an ended one is free, renewals
// report what is still held), unique generation numbers across connections, in-use components
// handed to every other agent's commit, syncs and commits that see another agent's commit and
// nothing else, and `run` and agents excluding each other. Needs the test PostgreSQL server
// (CTest fixture "postgresql").
#include <QtTest/QtTest>

#include <chrono>
#include <thread>

#include "StoreTestUtil.h"
#include "TestConfigs.h"
#include "TestData.h"
#include "TestPostgres.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using testdata::storeError;

namespace {

ExperimentConfig tinyConfig() {
  ExperimentConfig c = testdata::tinyVitConfig(31, {.batchSize = 32,
                                                    .validations = 1,
                                                    .examples = 64,
                                                    .validationMax = 64,
                                                    .testMax = 64,
                                                    .taskIterations = 1});
  c.tasks = {testdata::idxTask("low", testdata::mnistDir(), {0, 1, 2}),
             testdata::idxTask("high", testdata::mnistDir(), {7, 8, 9})};
  return c;
}

// A database store holding a finished tiny run.
std::string grownStore() {
  const std::string url = testpg::newDatabase();
  const ExperimentConfig c = tinyConfig();
  auto store = ExperimentStore::create(url, c, testdata::testMetadata(c));
  Engine engine(c, nullptr, store.get());
  engine.run();
  return url;
}

AgentIdentity agent(const char* id) {
  return {id, std::string("host-") + id, 100};
}

AgentCommit sameState(const StoreState& s) {
  AgentCommit c;
  c.system = s.system;
  c.progress = s.progress;
  c.tasks = s.tasks;
  return c;
}

}  // namespace

class TstAgentStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    MU2NET_REQUIRE_POSTGRESQL();
  }

  void leases() {
    const std::string url = grownStore();
    auto a = ExperimentStore::openForAgent(url);
    auto b = ExperimentStore::openForAgent(url);
    QVERIFY(a->claimTask("low", agent("a"), 1.0).claimed);
    // A live holder keeps it.
    TaskClaim refused = b->claimTask("low", agent("b"), 30.0);
    QVERIFY(!refused.claimed);
    QCOMPARE(refused.lease.agent, std::string("a"));
    QCOMPARE(refused.lease.host, std::string("host-a"));
    QVERIFY(refused.lease.secondsLeft > 0 && refused.lease.secondsLeft <= 1.0);
    QCOMPARE(a->renewLeases("a", 1.0), std::vector<std::string>{"low"});
    a->markComponentsInUse("a", {1, 2});
    QCOMPARE(testpg::query(url, "SELECT count(*) FROM components_in_use WHERE agent = 'a'"),
             std::string("2"));
    // Expired: taken over, the dead agent's in-use record freed, its renewals hold nothing.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    QVERIFY(b->taskLeases().front().expired());
    const TaskClaim takeover = b->claimTask("low", agent("b"), 30.0);
    QVERIFY(takeover.claimed && takeover.tookOver);
    QCOMPARE(testpg::query(url, "SELECT count(*) FROM components_in_use WHERE agent = 'a'"),
             std::string("0"));
    QVERIFY(a->renewLeases("a", 1.0).empty());
    // Ended: free for anyone, without a takeover.
    b->releaseTask("low", "b", "finished", "");
    const TaskClaim after = a->claimTask("low", agent("a"), 30.0);
    QVERIFY(after.claimed && !after.tookOver);
    QCOMPARE(a->taskLeases().front().state, std::string("running"));
  }

  void generationNumbersAreUnique() {
    const std::string url = grownStore();
    auto a = ExperimentStore::openForAgent(url);
    auto b = ExperimentStore::openForAgent(url);
    std::set<int64_t> seen;
    for (int i = 0; i < 5; ++i) {
      seen.insert(a->allocateGeneration(2));
      seen.insert(b->allocateGeneration(2));
    }
    QCOMPARE(seen.size(), std::size_t{10});
    QCOMPARE(*seen.begin(), int64_t{3});  // after the store's own two generations
  }

  void commitsSeeOtherAgentsAndTheirComponentsInUse() {
    const std::string url = grownStore();
    auto a = ExperimentStore::openForAgent(url);
    auto b = ExperimentStore::openForAgent(url);
    QVERIFY(a->claimTask("low", agent("a"), 30.0).claimed);
    QVERIFY(b->claimTask("high", agent("b"), 30.0).claimed);
    const StoreState start = a->load();
    QVERIFY(!a->syncAgent(start.system).has_value());  // nobody committed since it opened
    const int64_t shared = start.system.components.begin()->first;
    a->markComponentsInUse("a", {shared});
    // b's commit is handed a's in-use component and no newer state (nobody else committed).
    bool sawLatest = true;
    std::set<int64_t> inUse;
    b->commitAgent("b", start.system, [&](const StoreState* latest, const std::set<int64_t>& use) {
      sawLatest = latest != nullptr;
      inUse = use;
      AgentCommit c = sameState(start);
      c.taskProgress["high"] = R"({"started":false})";
      return c;
    });
    QVERIFY(!sawLatest);
    QCOMPARE(inUse, std::set<int64_t>{shared});
    // a now sees b's commit, once; its own commit clears its in-use record.
    QVERIFY(a->syncAgent(start.system).has_value());
    QVERIFY(!a->syncAgent(start.system).has_value());
    a->commitAgent("a", start.system, [&](const StoreState* latest, const std::set<int64_t>& use) {
      sawLatest = latest != nullptr;
      inUse = use;
      return sameState(start);
    });
    QVERIFY(!sawLatest);
    QVERIFY(inUse.empty());
    QCOMPARE(testpg::query(url, "SELECT count(*) FROM components_in_use"), std::string("0"));
    QCOMPARE(testpg::query(url, "SELECT progress FROM agent_tasks WHERE task = 'high'"),
             std::string(R"({"started":false})"));
    // A commit for a task whose lease was lost is refused whole.
    testpg::exec(url, "UPDATE agent_tasks SET agent = 'c' WHERE task = 'low'");
    const QString e = storeError([&] {
      a->commitAgent("a", start.system, [&](const StoreState*, const std::set<int64_t>&) {
        AgentCommit c = sameState(start);
        c.taskProgress["low"] = "{}";
        return c;
      });
    });
    QVERIFY2(e.contains("no longer holds the lease of task 'low'"), qPrintable(e));
  }

  // end_task collects the components no path uses; those another agent's running child uses stay
  // until that agent commits.
  void componentsInUseSurviveAnotherAgentsEndTask() {
    const std::string url = testpg::newDatabase();
    ExperimentConfig c = tinyConfig();
    c.tasks.resize(1);
    c.evolution.generationSize = 2;
    c.evolution.childrenPerTaskIteration = 4;
    ExperimentStore::createForAgents(url, c, testdata::testMetadata(c));
    AgentOptions options;
    options.tasks = {"low"};
    options.identity = agent("a");
    auto runAgent = [&](const ExperimentConfig& config) {
      auto store = ExperimentStore::openForAgent(url);
      Engine engine(config, nullptr, store.get());
      return engine.runAgent(options);
    };
    QVERIFY(!runAgent(c).stopped);
    // Another agent ("b") has a child in training that shares every component there is now.
    std::vector<int64_t> all;
    for (const auto& [id, hash] :
         ExperimentStore::open(url, ExperimentStore::Mode::ReadOnly)->storedHashes())
      all.push_back(id);
    ExperimentStore::openForAgent(url)->markComponentsInUse("b", all);
    c.evolution.taskIterations = 2;
    QVERIFY(!runAgent(c).stopped);
    const auto store = ExperimentStore::open(url, ExperimentStore::Mode::ReadOnly);
    const StoreState st = store->loadMetadata();
    std::set<int64_t> used;
    for (const auto& [id, p] : st.system.paths)
      used.insert(p.componentIds.begin(), p.componentIds.end());
    int unused = 0;
    for (const int64_t id : all) {
      QVERIFY2(st.system.components.count(id),
               qPrintable(QString("component %1 was removed").arg(id)));
      unused += used.count(id) == 0;
    }
    QVERIFY2(unused > 0, "no component became unused: the test shows nothing");
    for (const auto& [id, hash] : store->storedHashes())
      QCOMPARE(store->componentFileHash(id), hash);
  }

  // A task whose agent died after its last end_task and before the test evaluation: the agent
  // that takes it over has no iteration left to run, and evaluates the test.
  void aMissingTestIsEvaluatedByTheNextAgent() {
    const std::string url = testpg::newDatabase();
    ExperimentConfig c = tinyConfig();
    c.tasks.resize(1);
    ExperimentStore::createForAgents(url, c, testdata::testMetadata(c));
    AgentOptions options;
    options.tasks = {"low"};
    options.identity = agent("a");
    auto runAgent = [&] {
      auto store = ExperimentStore::openForAgent(url);
      Engine engine(c, nullptr, store.get());
      return engine.runAgent(options);
    };
    const RunReport first = runAgent();
    const double test = first.tasks.at(0).testQuality.value();
    testpg::exec(url, "UPDATE paths SET test_quality = NULL");
    options.identity = agent("b");
    const RunReport second = runAgent();
    QCOMPARE(second.tasks.at(0).testQuality.value(), test);
    QCOMPARE(testpg::query(url,
                           "SELECT count(*) FROM paths WHERE retained = 1 AND test_quality "
                           "IS NULL AND task <> 'root'"),
             std::string("0"));
  }

  void runAndAgentsExcludeEachOther() {
    const std::string url = grownStore();
    {
      auto agentStore = ExperimentStore::openForAgent(url);
      QVERIFY(ExperimentStore::isBeingWritten(url));
      QVERIFY(storeError([&] {
                ExperimentStore::open(url, ExperimentStore::Mode::ReadWrite);
              }).contains("being written"));
      ExperimentStore::openForAgent(url);  // agents share the store
    }
    auto writer = ExperimentStore::open(url, ExperimentStore::Mode::ReadWrite);
    QVERIFY(storeError([&] { ExperimentStore::openForAgent(url); }).contains("mu2net run"));
  }
};

QTEST_GUILESS_MAIN(TstAgentStore)
#include "tst_agent_store.moc"
