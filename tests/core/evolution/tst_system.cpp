// Tests of the system bookkeeping of ALGORITHM.md §1–§3.1 and the accounting of §5, on hand-built
// systems whose components have no tensors (the logic never touches them).
// Longer than 500 lines: one suite for the one class (System), a case per rule.
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mu2net/evolution/System.h"

using namespace mu2net;

namespace {

std::int64_t addComp(System& s, const std::string& slot, std::int64_t params,
                     const std::string& creator = "root") {
  Component c;
  c.slot = slot;
  c.paramCount = params;
  c.creatorTask = creator;
  return s.addComponent(c);
}

std::int64_t addP(System& s, const std::string& task, std::vector<std::int64_t> comps, double score,
                  std::int64_t parent = -1) {
  Path p;
  p.task = task;
  p.componentIds = std::move(comps);
  p.parentId = parent;
  p.metrics.score = score;
  p.metrics.validationQuality = score;
  return s.addPath(p);
}

// A system with a root path of three components (ids 0, 1, 2; 100, 1000, 10 parameters).
struct RootedSystem {
  System s;
  std::int64_t emb, block, head, root;
  RootedSystem() {
    emb = addComp(s, "embedding", 100);
    block = addComp(s, "block_0", 1000);
    head = addComp(s, "head", 10);
    root = addP(s, System::kRootTask, {emb, block, head}, 0.0);
    s.setRootPath(root);
  }
};

void setCount(System& s, std::int64_t pathId, const std::string& task, std::int64_t k) {
  s.path(pathId).metrics.offspringCount[task] = k;
}

std::set<std::string> locks(const System& s, std::int64_t c) {
  return s.component(c).locks;
}

}  // namespace

class TstSystem : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void idsAreMonotonicAndNeverReused() {
    System s;
    QCOMPARE(addComp(s, "a", 1), std::int64_t{0});
    QCOMPARE(addComp(s, "b", 1), std::int64_t{1});
    const auto p = addP(s, "t", {1}, 0.5);
    QCOMPARE(p, std::int64_t{0});
    QCOMPARE(s.garbageCollect(), std::vector<std::int64_t>{0});
    QVERIFY(!s.hasComponent(0));
    QCOMPARE(addComp(s, "c", 1), std::int64_t{2});
    QVERIFY_EXCEPTION_THROWN(s.component(0), std::out_of_range);
    QVERIFY_EXCEPTION_THROWN(s.path(7), std::out_of_range);
    try {
      s.path(7);
    } catch (const std::out_of_range& e) {
      QVERIFY(std::string(e.what()).find('7') != std::string::npos);
    }
    QVERIFY_EXCEPTION_THROWN(addP(s, "t", {0}, 0.1), std::invalid_argument);      // dead component
    QVERIFY_EXCEPTION_THROWN(addP(s, "t", {1}, 0.1, 99), std::invalid_argument);  // no parent
  }

  void populationsTasksAndRoot() {
    RootedSystem r;
    System& s = r.s;
    QVERIFY(s.population(System::kRootTask).empty());
    QVERIFY(s.tasks().empty());
    for (auto c : {r.emb, r.block, r.head}) {
      QVERIFY(locks(s, c) == std::set<std::string>{"root"});
      QVERIFY(!s.component(c).trainable());
    }
    const auto a = addP(s, "a", {r.emb}, 0.1);
    const auto b = addP(s, "private:b", {r.emb}, 0.1);
    const auto a2 = addP(s, "a", {r.emb}, 0.1);
    QVERIFY((s.tasks() == std::vector<std::string>{"a", "private:b"}));
    QVERIFY((s.population("a") == std::vector<std::int64_t>{a, a2}));
    QVERIFY((s.population("private:b") == std::vector<std::int64_t>{b}));
    QVERIFY(s.population("zzz").empty());
    QVERIFY(System::isPrivate("private:b"));
    QVERIFY(!System::isPrivate("b:private:"));
    QCOMPARE(s.retainedPath("a"), std::int64_t{-1});
    QVERIFY((s.pathIds() == std::vector<std::int64_t>{r.root, a, b, a2}));
    QVERIFY_EXCEPTION_THROWN(s.setRootPath(a), std::logic_error);
    QVERIFY_EXCEPTION_THROWN(s.addTask("root"), std::invalid_argument);
  }

  void unusedCandidateIsAlwaysAccepted() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(1);
    s.startTask("t", rng);
    for (int i = 0; i < 200; ++i)
      QCOMPARE(s.selectParent("t", rng).value(), r.root);
    const auto p = addP(s, "t", {r.emb}, 0.5);
    for (int i = 0; i < 200; ++i)
      QCOMPARE(s.selectParent("t", rng).value(), p);
  }

  void acceptanceFollowsHalfToTheK() {
    // Population: one path with counter k; seed pool: the root with counter 0 (always accepted).
    // The path is chosen with frequency 0.5^k.
    for (int k : {1, 2, 3}) {
      RootedSystem r;
      System& s = r.s;
      Rng rng(100 + k);
      s.startTask("t", rng);
      const auto p = addP(s, "t", {r.emb}, 0.5);
      setCount(s, p, "t", k);
      setCount(s, p, "other", 50);  // counters of other tasks do not matter
      const int n = 40000;
      int chosen = 0;
      for (int i = 0; i < n; ++i)
        chosen += s.selectParent("t", rng).value() == p;
      const double expected = std::pow(0.5, k);
      const double measured = static_cast<double>(chosen) / n;
      QVERIFY2(std::abs(measured - expected) < 0.01,
               (std::to_string(k) + ": " + std::to_string(measured)).c_str());
    }
  }

  void populationIsVisitedByScoreThenNewest() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(4);
    s.startTask("t", rng);
    const auto low = addP(s, "t", {r.emb}, 0.2);
    const auto olderTop = addP(s, "t", {r.emb}, 0.9);
    const auto newerTop = addP(s, "t", {r.emb}, 0.9);
    Q_UNUSED(low);
    QCOMPARE(s.selectParent("t", rng).value(), newerTop);
    setCount(s, newerTop, "t", 60);  // 0.5^60: effectively never accepted
    QCOMPARE(s.selectParent("t", rng).value(), olderTop);
    setCount(s, olderTop, "t", 60);
    QCOMPARE(s.selectParent("t", rng).value(), low);
  }

  void endTaskWithoutPathsThrows() {
    RootedSystem r;
    QVERIFY_EXCEPTION_THROWN(r.s.endTask("t"), std::logic_error);
  }

  void countersSurviveStartAndEndTask() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(8);
    s.startTask("t", rng);
    s.recordOffspring(r.root, "t");
    const auto p = addP(s, "t", {r.emb, r.block, r.head}, 0.7, r.root);
    s.recordOffspring(p, "t");
    s.recordOffspring(p, "t");
    s.endTask("t");
    s.startTask("u", rng);
    s.recordOffspring(p, "u");
    s.startTask("t", rng);
    QCOMPARE(s.path(r.root).metrics.offspringCount.at("t"), std::int64_t{1});
    QCOMPARE(s.path(p).metrics.offspringCount.at("t"), std::int64_t{2});
    QCOMPARE(s.path(p).metrics.offspringCount.at("u"), std::int64_t{1});
    // With the counter at 2, the retained path is accepted a quarter of the time; otherwise the
    // seed pool (root, counter 1 → ½) or the uniform fallback. Over many draws: 0.25 + 0.75 ×
    // 0.5 × 0.5 (fallback, two candidates) = 0.4375.
    const int n = 40000;
    int chosen = 0;
    for (int i = 0; i < n; ++i)
      chosen += s.selectParent("t", rng).value() == p;
    QVERIFY2(std::abs(chosen / double(n) - 0.4375) < 0.01, std::to_string(chosen).c_str());
  }

  void seedPoolIsRotatedAfterAcceptance() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(3);
    std::map<std::string, std::int64_t> retained;
    for (std::string t : {"a", "b", "c"}) {
      s.startTask(t, rng);
      retained[t] = addP(s, t, {r.emb}, 0.5, r.root);
      s.endTask(t);
    }
    s.startTask("d", rng);
    auto pool = s.seedPool();
    QCOMPARE(pool.size(), std::size_t{4});
    std::vector<std::int64_t> sorted = pool;
    std::sort(sorted.begin(), sorted.end());
    QVERIFY(
        (sorted == std::vector<std::int64_t>{r.root, retained["a"], retained["b"], retained["c"]}));
    // Make the first one (almost) never accepted: the second is accepted, and the pool then
    // starts after it.
    setCount(s, pool[0], "d", 60);
    QCOMPARE(s.selectParent("d", rng).value(), pool[1]);
    QVERIFY((s.seedPool() == std::vector<std::int64_t>{pool[2], pool[3], pool[0], pool[1]}));
    // Accepting the last entry leaves the pool starting at the first.
    setCount(s, pool[2], "d", 60);
    setCount(s, pool[3], "d", 60);
    QCOMPARE(s.selectParent("d", rng).value(), pool[1]);
    QVERIFY((s.seedPool() == std::vector<std::int64_t>{pool[2], pool[3], pool[0], pool[1]}));
  }

  void seedPoolIsShuffledDeterministically() {
    auto poolFor = [](std::uint64_t seed) {
      RootedSystem r;
      Rng rng(1);
      for (int i = 0; i < 8; ++i) {
        const std::string t = "task" + std::to_string(i);
        r.s.startTask(t, rng);
        addP(r.s, t, {r.emb}, 0.5);
        r.s.endTask(t);
      }
      Rng shuffle(seed);
      r.s.startTask("new", shuffle);
      return r.s.seedPool();
    };
    QCOMPARE(poolFor(5), poolFor(5));
    QVERIFY(poolFor(5) != poolFor(6));
    QCOMPARE(poolFor(5).size(), std::size_t{9});
  }

  void privateTasksAreNeverOffered() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(2);
    std::map<std::string, std::int64_t> kept;
    for (std::string t : {"a", "private:b", "c"}) {
      s.startTask(t, rng);
      kept[t] = addP(s, t, {r.emb}, 0.5, r.root);
      s.endTask(t);
    }
    auto poolOf = [&](const std::string& t) {
      s.startTask(t, rng);
      auto pool = s.seedPool();
      std::sort(pool.begin(), pool.end());
      return pool;
    };
    QVERIFY((poolOf("a") == std::vector<std::int64_t>{r.root, kept["c"]}));
    QVERIFY((poolOf("c") == std::vector<std::int64_t>{r.root, kept["a"]}));
    QVERIFY((poolOf("new") == std::vector<std::int64_t>{r.root, kept["a"], kept["c"]}));
    // A private task sees the public ones (not itself).
    QVERIFY((poolOf("private:b") == std::vector<std::int64_t>{r.root, kept["a"], kept["c"]}));
    QVERIFY((poolOf("private:z") == std::vector<std::int64_t>{r.root, kept["a"], kept["c"]}));
  }

  // The baselines' parent policies narrow the seed pool built by startTask.
  void parentPoliciesNarrowTheSeedPool() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(6);
    for (std::string t : {"a", "private:b", "c", "d"})
      s.addTask(t);
    auto poolOf = [&](const std::string& t, ParentPolicy policy) {
      s.startTask(t, rng);
      s.applyParentPolicy(policy, t);
      return s.seedPool();
    };
    using V = std::vector<std::int64_t>;
    // Nothing retained yet: every policy falls back to the root.
    QVERIFY((poolOf("a", ParentPolicy::PreviousTask) == V{r.root}));
    QVERIFY((poolOf("a", ParentPolicy::FirstTask) == V{r.root}));
    std::map<std::string, std::int64_t> kept;
    for (std::string t : {"a", "private:b", "c"}) {
      s.startTask(t, rng);
      kept[t] = addP(s, t, {r.emb}, 0.5, r.root);
      s.endTask(t);
    }
    QVERIFY((poolOf("d", ParentPolicy::Isolated) == V{r.root}));
    QVERIFY((poolOf("d", ParentPolicy::PreviousTask) == V{kept["c"]}));
    // A private predecessor is skipped; the first task goes round to the last one with a model.
    QVERIFY((poolOf("c", ParentPolicy::PreviousTask) == V{kept["a"]}));
    QVERIFY((poolOf("a", ParentPolicy::PreviousTask) == V{kept["c"]}));
    QVERIFY((poolOf("d", ParentPolicy::FirstTask) == V{kept["a"]}));
    QVERIFY((poolOf("a", ParentPolicy::FirstTask) == V{r.root}));
    auto evolve = poolOf("d", ParentPolicy::Evolve);
    std::sort(evolve.begin(), evolve.end());
    QVERIFY((evolve == V{r.root, kept["a"], kept["c"]}));
  }

  void fallbackIsUniformOverPopulationAndPool() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(6);
    s.startTask("t", rng);
    const auto p = addP(s, "t", {r.emb}, 0.5);
    setCount(s, p, "t", 60);
    setCount(s, r.root, "t", 60);
    const int n = 20000;
    int chosenP = 0;
    for (int i = 0; i < n; ++i) {
      const auto choice = s.selectParent("t", rng).value();
      QVERIFY(choice == p || choice == r.root);
      chosenP += choice == p;
    }
    QVERIFY2(std::abs(chosenP - n / 2) < n / 50, std::to_string(chosenP).c_str());
  }

  void noCandidateGivesNullopt() {
    System s;
    Rng rng(1);
    s.startTask("t", rng);
    QVERIFY(s.seedPool().empty());
    QVERIFY(!s.selectParent("t", rng).has_value());
  }

  void locksUnlockEndTaskAndGarbageCollection() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(10);
    s.startTask("a", rng);
    const auto aBlock = addComp(s, "block_0", 1000, "a");
    const auto aHead = addComp(s, "head", 20, "a");
    const auto a1 = addP(s, "a", {r.emb, aBlock, aHead}, 0.8, r.root);
    const auto lostBlock = addComp(s, "block_0", 1000, "a");
    const auto lostHead = addComp(s, "head", 20, "a");
    const auto a2 = addP(s, "a", {r.emb, lostBlock, lostHead}, 0.6, r.root);
    // Equal best scores: the newest is kept.
    const auto tieHead = addComp(s, "head", 20, "a");
    const auto a3 = addP(s, "a", {r.emb, aBlock, tieHead}, 0.8, a1);
    QVERIFY(s.component(aBlock).trainable());

    s.endTask("a");
    QCOMPARE(s.retainedPath("a"), a3);
    QVERIFY((s.population("a") == std::vector<std::int64_t>{a3}));
    QVERIFY(!s.hasPath(a1) && !s.hasPath(a2));
    QVERIFY(locks(s, r.emb) == (std::set<std::string>{"a", "root"}));
    QVERIFY(locks(s, aBlock) == std::set<std::string>{"a"});
    QVERIFY(locks(s, tieHead) == std::set<std::string>{"a"});
    QVERIFY(locks(s, r.block) == std::set<std::string>{"root"});  // not on a's route
    // Components only the dropped paths used are gone; the root's stay (the root path uses them).
    QVERIFY(!s.hasComponent(lostBlock) && !s.hasComponent(lostHead) && !s.hasComponent(aHead));
    QVERIFY(
        (s.componentIds() == std::vector<std::int64_t>{r.emb, r.block, r.head, aBlock, tieHead}));
    QCOMPARE(s.path(a3).parentId, r.root);  // a1 was removed: its parent is the nearest live

    // start_task unlocks a's own components; the root lock stays.
    s.startTask("a", rng);
    QVERIFY(s.component(aBlock).trainable());
    QVERIFY(s.component(tieHead).trainable());
    QVERIFY(locks(s, r.emb) == std::set<std::string>{"root"});
    // A better child replaces the retained path: the lock moves to exactly its components.
    const auto newHead = addComp(s, "head", 20, "a");
    const auto a4 = addP(s, "a", {r.emb, aBlock, newHead}, 0.9, a3);
    s.endTask("a");
    QCOMPARE(s.retainedPath("a"), a4);
    QVERIFY(!s.hasPath(a3) && !s.hasComponent(tieHead));
    QVERIFY(locks(s, newHead) == std::set<std::string>{"a"});
    QVERIFY(locks(s, aBlock) == std::set<std::string>{"a"});
    QCOMPARE(s.path(a4).parentId, r.root);
    QVERIFY(s.garbageCollect().empty());
  }

  void endTaskKeepsLockExactWithoutStartTask() {
    RootedSystem r;
    System& s = r.s;
    const auto x = addComp(s, "head", 5, "a");
    addP(s, "a", {r.emb, x}, 0.5);
    s.endTask("a");
    const auto y = addComp(s, "head", 5, "a");
    const auto better = addP(s, "a", {r.block, y}, 0.7);
    s.endTask("a");  // no startTask in between: the old lock must still move
    QCOMPARE(s.retainedPath("a"), better);
    QVERIFY(locks(s, r.emb) == std::set<std::string>{"root"});
    QVERIFY(locks(s, r.block) == (std::set<std::string>{"a", "root"}));
  }

  void parentsArePointedToNearestLiveAncestorAcrossTasks() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(12);
    s.startTask("a", rng);
    const auto a1 = addP(s, "a", {r.emb}, 0.5, r.root);
    const auto a2 = addP(s, "a", {r.emb}, 0.6, a1);
    const auto a3 = addP(s, "a", {r.emb}, 0.4, a2);  // will be dropped
    // b's child of a3 is created while a is running (seed from a's population) and lives on.
    const auto b1 = addP(s, "b", {r.emb}, 0.3, a3);
    const auto a4 = addP(s, "a", {r.emb}, 0.7, a3);
    s.endTask("a");
    QCOMPARE(s.retainedPath("a"), a4);
    QCOMPARE(s.path(a4).parentId, r.root);  // a3 → a2 → a1 → root, all but root removed
    QCOMPARE(s.path(b1).parentId, r.root);
    QCOMPARE(s.path(r.root).parentId, std::int64_t{-1});
    // The removed links stay in the state so that a later store can replay them.
    QCOMPARE(s.state().removedParents.at(a3), a2);
    QCOMPARE(s.state().removedParents.at(a1), r.root);
  }

  void accountingOnHandBuiltSystem() {
    // Root: emb 100, block 1000, head 10. Task A: [emb, A-block 1000, A-head 20].
    // Task B: [emb, A-block (shared), B-head 30] and a worse [emb, B-block 1000, B-head2 30].
    RootedSystem r;
    System& s = r.s;
    Rng rng(13);
    s.startTask("A", rng);
    const auto aBlock = addComp(s, "block_0", 1000, "A");
    const auto aHead = addComp(s, "head", 20, "A");
    const auto a = addP(s, "A", {r.emb, aBlock, aHead}, 0.8, r.root);
    QCOMPARE(s.accountedParams(a), 1120.0);  // emb {root}∪{A}\{root} = {A}: full
    s.endTask("A");
    QCOMPARE(s.accountedParams(a), 1120.0);
    QCOMPARE(s.systemSize(), 1120.0);

    s.startTask("B", rng);
    const auto bHead = addComp(s, "head", 30, "B");
    const auto b = addP(s, "B", {r.emb, aBlock, bHead}, 0.7, a);
    const auto bBlock = addComp(s, "block_0", 1000, "B");
    const auto bHead2 = addComp(s, "head", 30, "B");
    const auto bWorse = addP(s, "B", {r.emb, bBlock, bHead2}, 0.6, r.root);
    // Before end_task(B): emb {A,B} → 50, A-block {A,B} → 500, B-head {B} → 30.
    QCOMPARE(s.accountedParams(b), 580.0);
    QCOMPARE(s.accountedParams(bWorse), 50.0 + 1000.0 + 30.0);
    QCOMPARE(s.activatedParams(b), std::int64_t{1130});
    QCOMPARE(s.accountedParams(a), 1120.0);  // B is not retained yet: no lock B

    s.endTask("B");
    QVERIFY(!s.hasComponent(bBlock) && !s.hasComponent(bHead2));
    QVERIFY(locks(s, aBlock) == (std::set<std::string>{"A", "B"}));
    QCOMPARE(s.accountedParams(a), 50.0 + 500.0 + 20.0);
    QCOMPARE(s.accountedParams(b), 50.0 + 500.0 + 30.0);
    QCOMPARE(s.activatedParams(a), std::int64_t{1120});
    // Unique parameters in use: emb 100 + A-block 1000 + A-head 20 + B-head 30.
    QCOMPARE(s.systemSize(), 1150.0);
    QCOMPARE(s.accountedParams(a) + s.accountedParams(b), s.systemSize());
    // The root path: emb shared by A and B → 50; its own block and head count fully.
    QCOMPARE(s.accountedParams(r.root), 50.0 + 1000.0 + 10.0);

    // While A is re-run (its lock lifted), system size still counts A's retained components.
    s.startTask("A", rng);
    QCOMPARE(s.systemSize(), 1150.0);
    QCOMPARE(s.accountedParams(a), 50.0 + 500.0 + 20.0);
  }

  void snapshotListsNodesAndRoutes() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(14);
    s.startTask("a", rng);
    const auto aHead = addComp(s, "head", 20, "a");
    const auto a = addP(s, "a", {r.emb, r.block, aHead}, 0.8, r.root);
    s.path(a).metrics.testQuality = 0.75;
    s.endTask("a");
    s.startTask("b", rng);
    const auto bHead = addComp(s, "head", 30, "b");
    addP(s, "b", {r.emb, bHead}, 0.4, a);
    const auto bBest = addP(s, "b", {r.emb, r.block, bHead}, 0.6, a);
    s.addTask("c");  // no path yet: no route

    const auto snap = s.snapshot();
    QCOMPARE(snap.nodes.size(), std::size_t{5});
    QCOMPARE(snap.nodes[0].id, r.emb);
    QVERIFY((snap.nodes[0].locks == std::vector<std::string>{"a", "root"}));
    QVERIFY(!snap.nodes[0].trainable);
    QCOMPARE(snap.nodes[4].id, bHead);
    QVERIFY(snap.nodes[4].trainable);
    QCOMPARE(snap.nodes[4].creatorTask, std::string("b"));
    QCOMPARE(snap.routes.size(), std::size_t{3});
    QCOMPARE(snap.routes[0].task, std::string("root"));
    QCOMPARE(snap.routes[0].pathId, r.root);
    QCOMPARE(snap.routes[1].task, std::string("a"));
    QCOMPARE(snap.routes[1].pathId, a);
    QCOMPARE(snap.routes[1].testQuality.value(), 0.75);
    QCOMPARE(snap.routes[2].pathId, bBest);  // not ended: the current best
    QVERIFY((snap.routes[2].componentIds == std::vector<std::int64_t>{r.emb, r.block, bHead}));
    QCOMPARE(snap.routes[2].validationQuality, 0.6);
    QVERIFY(!snap.routes[2].testQuality.has_value());
  }

  void stateRoundTripContinuesIdentically() {
    RootedSystem r;
    System& s = r.s;
    Rng rng(15);
    for (std::string t : {"a", "b", "c"}) {
      s.startTask(t, rng);
      const auto h = addComp(s, "head", 10, t);
      const auto p = addP(s, t, {r.emb, h}, 0.5, r.root);
      addP(s, t, {r.emb, h}, 0.4, p);
      s.recordOffspring(r.root, t);
      s.endTask(t);
    }
    s.startTask("d", rng);
    s.selectParent("d", rng);

    System restored(s.state());
    Rng r1(99), r2(99);
    for (int i = 0; i < 50; ++i) {
      const auto x = s.selectParent("d", r1).value();
      QCOMPARE(restored.selectParent("d", r2).value(), x);
      s.recordOffspring(x, "d");
      restored.recordOffspring(x, "d");
    }
    QVERIFY(s.seedPool() == restored.seedPool());
    QCOMPARE(addComp(restored, "x", 1), s.state().nextComponentId);

    SystemState broken = s.state();
    broken.paths.at(r.root).componentIds.push_back(999);
    QVERIFY_EXCEPTION_THROWN(System{broken}, std::invalid_argument);
  }
};

QTEST_GUILESS_MAIN(TstSystem)
#include "tst_system.moc"
