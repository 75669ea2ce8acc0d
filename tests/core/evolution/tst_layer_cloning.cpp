// Layer cloning (ALGORITHM.md §4.1) on a hand-built system: which ancestor fills each slot, when
// a layer is cloned or shared, μ as the clone probability under a seeded generator, heads never
// reused across tasks, position embeddings re-interpolated, fresh blocks beyond the depth.
#include <QtTest/QtTest>

#include "mu2net/evolution/LayerCloning.h"

using namespace mu2net;

namespace {

const std::vector<std::string> kRootSlots = {"embedding", "cls",     "posembed",
                                             "block_0",   "block_1", "norm"};

int64_t addComponent(System& s, const std::string& slot, const std::string& creator) {
  Component c;
  c.slot = slot;
  c.creatorTask = creator;
  c.paramCount = 100;
  return s.addComponent(c);
}

// root (embedding … norm) and one finished task "a" whose path copies every root slot and has a
// head; "a" is ended, so its components are locked by "a".
struct Fixture {
  System system;
  int64_t rootPath = -1;
  int64_t aPath = -1;
  std::map<std::string, int64_t> rootIds, aIds;

  Fixture() {
    Path root;
    root.task = System::kRootTask;
    for (const auto& slot : kRootSlots)
      root.componentIds.push_back(rootIds[slot] = addComponent(system, slot, "root"));
    rootPath = system.addPath(root);
    system.setRootPath(rootPath);
    system.addTask("a");
    system.addTask("b");
    Path a;
    a.task = "a";
    a.parentId = rootPath;
    for (const auto& slot : kRootSlots)
      a.componentIds.push_back(aIds[slot] = addComponent(system, slot, "a"));
    a.componentIds.push_back(aIds["head"] = addComponent(system, "head", "a"));
    a.metrics.score = 0.9;
    aPath = system.addPath(a);
    system.endTask("a");
  }
};

const SlotFits kAllFit = [](const Component&, const std::string&) { return true; };
std::vector<std::string> slots(int blocks) {
  std::vector<std::string> s = {"embedding", "cls", "posembed"};
  for (int i = 0; i < blocks; ++i)
    s.push_back("block_" + std::to_string(i));
  s.push_back("norm");
  s.push_back("head");
  return s;
}

}  // namespace

class TstLayerCloning : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void untrainedRootIsAlwaysCloned() {
    Fixture f;
    Rng rng(1);
    const auto plan =
        planLayers(f.system, f.rootPath, "b", slots(2), kAllFit, CloneRules{0.0, true, false}, rng);
    QCOMPARE(plan.size(), std::size_t{7});
    for (std::size_t i = 0; i + 1 < plan.size(); ++i) {
      QVERIFY(plan[i].kind == SlotOrigin::Kind::Cloned);
      QCOMPARE(plan[i].sourceComponentId, f.rootIds.at(plan[i].slot));
    }
    QVERIFY(plan.back().kind == SlotOrigin::Kind::New);  // the root has no head
  }

  void trainedRootIsSharedButNormIsAlwaysCloned() {
    Fixture f;
    Rng rng(1);
    const auto plan =
        planLayers(f.system, f.rootPath, "b", slots(2), kAllFit, CloneRules{0.0, true, true}, rng);
    for (const auto& o : plan) {
      if (o.slot == "norm")
        QVERIFY(o.kind == SlotOrigin::Kind::Cloned);
      else if (o.slot == "head")
        QVERIFY(o.kind == SlotOrigin::Kind::New);
      else {
        QVERIFY(o.kind == SlotOrigin::Kind::Shared);
        QCOMPARE(o.componentId, f.rootIds.at(o.slot));
      }
    }
  }

  void muIsTheCloneProbabilityOfFrozenLayers() {
    Fixture f;
    Rng rng(7);
    int cloned = 0, total = 0;
    for (int trial = 0; trial < 2000; ++trial) {
      const auto plan =
          planLayers(f.system, f.aPath, "b", slots(2), kAllFit, CloneRules{0.3, true, false}, rng);
      for (const auto& o : plan) {
        if (o.slot == "norm" || o.slot == "head") continue;
        QCOMPARE(o.sourceComponentId, f.aIds.at(o.slot));  // nearest ancestor: a, not root
        ++total;
        if (o.kind == SlotOrigin::Kind::Cloned) ++cloned;
      }
    }
    const double rate = static_cast<double>(cloned) / total;
    QVERIFY2(std::abs(rate - 0.3) < 0.02, qPrintable(QString::number(rate)));
    // Same seed, same plan.
    Rng r1(99), r2(99);
    const auto p1 = planLayers(f.system, f.aPath, "b", slots(2), kAllFit, {0.5, true, false}, r1);
    const auto p2 = planLayers(f.system, f.aPath, "b", slots(2), kAllFit, {0.5, true, false}, r2);
    for (std::size_t i = 0; i < p1.size(); ++i)
      QVERIFY(p1[i].kind == p2[i].kind);
  }

  // The baselines' clone policies: fine-tuning clones everything, frozen-bottom transfer shares
  // the stem and the first k blocks; neither draws from the generator.
  void clonePoliciesOfTheBaselines() {
    Fixture f;
    Rng rng(4);
    const RngState before = rng.state();
    CloneRules all{0.0, true, false, ClonePolicy::All, 0};
    for (const auto& o : planLayers(f.system, f.aPath, "b", slots(2), kAllFit, all, rng))
      QVERIFY(o.kind == (o.slot == "head" ? SlotOrigin::Kind::New : SlotOrigin::Kind::Cloned));
    CloneRules bottom{1.0, true, false, ClonePolicy::FreezeBottom, 1};
    for (const auto& o : planLayers(f.system, f.aPath, "b", slots(2), kAllFit, bottom, rng)) {
      const bool frozen =
          o.slot == "embedding" || o.slot == "cls" || o.slot == "posembed" || o.slot == "block_0";
      if (o.slot == "head")
        QVERIFY(o.kind == SlotOrigin::Kind::New);
      else if (frozen)
        QVERIFY2(o.kind == SlotOrigin::Kind::Shared && o.componentId == f.aIds.at(o.slot),
                 o.slot.c_str());
      else
        QVERIFY2(o.kind == SlotOrigin::Kind::Cloned, o.slot.c_str());
    }
    QVERIFY(rng.state() == before);
    // The fixed rules still come first: an untrained root is cloned under freeze_bottom too.
    for (const auto& o : planLayers(f.system, f.rootPath, "b", slots(2), kAllFit, bottom, rng))
      QVERIFY(o.kind != SlotOrigin::Kind::Shared);
  }

  void trainableLayersAreAlwaysCloned() {
    Fixture f;
    Rng startRng(3);
    f.system.startTask("a", startRng);  // unlocks a's components: they become trainable
    Rng rng(5);
    const auto plan =
        planLayers(f.system, f.aPath, "a", slots(2), kAllFit, CloneRules{0.0, true, false}, rng);
    for (const auto& o : plan) {
      QVERIFY(o.kind == SlotOrigin::Kind::Cloned);
      QCOMPARE(o.sourceComponentId, f.aIds.at(o.slot));  // including a's own head
    }
  }

  void headsAreNeverReusedAcrossTasks() {
    Fixture f;
    Rng rng(5);
    const auto plan =
        planLayers(f.system, f.aPath, "b", slots(2), kAllFit, CloneRules{0.0, true, false}, rng);
    QCOMPARE(plan.back().slot, std::string("head"));
    QVERIFY(plan.back().kind == SlotOrigin::Kind::New);
    QCOMPARE(plan.back().sourceComponentId, int64_t{-1});
    // A head that does not fit (another class count) is not reused by the same task either.
    const SlotFits noHead = [](const Component&, const std::string& slot) {
      return slot != "head";
    };
    const auto own = planLayers(f.system, f.aPath, "a", slots(2), noHead, {0.0, true, false}, rng);
    QVERIFY(own.back().kind == SlotOrigin::Kind::New);
  }

  void posembedIsReinterpolatedFromTheRoot() {
    Fixture f;
    Rng rng(5);
    const SlotFits otherSize = [](const Component&, const std::string& slot) {
      return slot != "posembed";
    };
    const auto plan =
        planLayers(f.system, f.aPath, "b", slots(2), otherSize, CloneRules{0.0, true, false}, rng);
    const auto& pos = plan[2];
    QCOMPARE(pos.slot, std::string("posembed"));
    QVERIFY(pos.kind == SlotOrigin::Kind::Cloned);
    QVERIFY(pos.reinterpolated);
    QCOMPARE(pos.sourceComponentId, f.rootIds.at("posembed"));
  }

  void blocksBeyondTheDepthAreNewAndDroppedBlocksVanish() {
    Fixture f;
    Rng rng(5);
    const auto deeper =
        planLayers(f.system, f.aPath, "b", slots(3), kAllFit, CloneRules{0.0, true, false}, rng);
    QCOMPARE(deeper[5].slot, std::string("block_2"));
    QVERIFY(deeper[5].kind == SlotOrigin::Kind::New);
    const auto shallower =
        planLayers(f.system, f.aPath, "b", slots(0), kAllFit, CloneRules{0.0, true, false}, rng);
    QCOMPARE(shallower.size(), std::size_t{5});
    for (const auto& o : shallower)
      QVERIFY(o.slot.rfind("block_", 0) != 0);
  }
};

QTEST_GUILESS_MAIN(TstLayerCloning)
#include "tst_layer_cloning.moc"
