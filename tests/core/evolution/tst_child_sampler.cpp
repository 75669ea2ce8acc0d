// The child sampler (ALGORITHM.md §3.1, §4) on a hand-built system, without tensors: parent
// selection and its offspring counters, the child's hyperparameters (parent's, mutated, with the
// generation's data hyperparameters overlaid), the route's slots and their origins, the data
// hyperparameters of a generation, and determinism under a seed.
#include <QtTest/QtTest>

#include <cmath>
#include <set>
#include <stdexcept>

#include "evolution/ChildSampler.h"

using namespace mu2net;

namespace {

const SlotFits kAllFit = [](const Component&, const std::string&) { return true; };

// A random (untrained) ViT root of the default architecture, task "a" started: the seed pool
// holds the root path only.
struct Fixture {
  ExperimentConfig config;
  SearchSpace space;
  System system;
  int64_t rootPath = -1;

  Fixture()
      : space(SearchSpace::laptopDefaults(config.root.architecture.depth,
                                          config.root.architecture.imageSize, config.imageSizes)) {
    std::vector<std::string> slots =
        routeSlots(config.root.architecture, config.root.architecture.depth);
    slots.pop_back();  // the root has no head
    Path root;
    root.task = System::kRootTask;
    root.hparams = space.defaults();
    for (const auto& slot : slots) {
      Component c;
      c.slot = slot;
      c.creatorTask = System::kRootTask;
      c.paramCount = 100;
      root.componentIds.push_back(system.addComponent(c));
    }
    rootPath = system.addPath(root);
    system.setRootPath(rootPath);
    Rng start(7);
    system.startTask("a", start);
  }

  // A path of task "a" with the given score and hyperparameters, built on the root's components.
  int64_t addPathOfA(double score, const HParams& hparams) {
    Path p;
    p.task = "a";
    p.parentId = rootPath;
    p.hparams = hparams;
    p.componentIds = system.path(rootPath).componentIds;
    p.metrics.score = score;
    return system.addPath(p);
  }
};

}  // namespace

class TstChildSampler : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void firstChildOfANewTaskDescendsFromTheSeedPool() {
    Fixture f;
    ChildSampler sampler(f.space, f.config);
    Rng rng(1);
    const HParams generation = sampler.sampleGeneration(f.system, "a", rng, nullptr);
    const ChildPlan child = sampler.sample(f.system, "a", generation, kAllFit, rng, 3);
    QCOMPARE(child.index, 3);
    QCOMPARE(child.parentId, f.rootPath);
    QCOMPARE(child.parentTask, std::string(System::kRootTask));
    QCOMPARE(child.parentScore, 0.0);
    // Counted when sampled (§3.1).
    QCOMPARE(f.system.path(f.rootPath).metrics.offspringCount.at("a"), int64_t{1});
  }

  void bestOfThePopulationIsTheFirstCandidate() {
    Fixture f;
    const int64_t low = f.addPathOfA(0.5, f.space.defaults());
    const int64_t high = f.addPathOfA(0.8, f.space.defaults());
    ChildSampler sampler(f.space, f.config);
    Rng rng(2);
    const HParams generation = sampler.sampleGeneration(f.system, "a", rng, nullptr);
    // An unused candidate is always accepted: the population's best, by score.
    const ChildPlan child = sampler.sample(f.system, "a", generation, kAllFit, rng, 0);
    QCOMPARE(child.parentId, high);
    QCOMPARE(child.parentTask, std::string("a"));
    QCOMPARE(child.parentScore, 0.8);
    QCOMPARE(f.system.path(high).metrics.offspringCount.at("a"), int64_t{1});
    QVERIFY(f.system.path(low).metrics.offspringCount.empty());
  }

  void hyperparametersAreTheParentsMutatedWithTheGenerationsOverlaid() {
    Fixture f;
    ChildSampler sampler(f.space, f.config);
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      Rng rng(seed);
      HParams generation = f.space.generationDefaults();
      generation["ds_image_size"] = 16;
      const ChildPlan child = sampler.sample(f.system, "a", generation, kAllFit, rng, 0);
      const HParams& parent = f.system.path(child.parentId).hparams;
      for (const auto& [name, value] : generation)
        QCOMPARE(child.hparams.at(name), value);
      QCOMPARE(child.imageSize, 16);
      // Every per-child change is listed once, from the parent's value; μ first when it changed.
      std::set<std::string> changed;
      for (std::size_t i = 0; i < child.mutations.size(); ++i) {
        const Mutation& m = child.mutations[i];
        QVERIFY(m.from != m.to);
        QCOMPARE(m.from, parent.at(m.name));
        QCOMPARE(m.to, child.hparams.at(m.name));
        QVERIFY(changed.insert(m.name).second);
        if (m.name == "mu") QCOMPARE(i, std::size_t{0});
      }
      for (const auto& spec : f.space.specs())
        if (spec.scope == HParamScope::Child && !changed.count(spec.name))
          QCOMPARE(child.hparams.at(spec.name), parent.at(spec.name));
    }
  }

  void routeHasNumLayersBlocksAndAnOriginPerSlot() {
    Fixture f;
    ChildSampler sampler(f.space, f.config);
    Rng rng(3);
    const HParams generation = sampler.sampleGeneration(f.system, "a", rng, nullptr);
    for (int c = 0; c < 8; ++c) {
      const ChildPlan child = sampler.sample(f.system, "a", generation, kAllFit, rng, c);
      const int blocks = static_cast<int>(std::lround(child.hparams.at("num_layers")));
      QCOMPARE(child.slots, routeSlots(f.config.root.architecture, blocks));
      QCOMPARE(child.origins.size(), child.slots.size());
      for (std::size_t i = 0; i < child.slots.size(); ++i) {
        QCOMPARE(child.origins[i].slot, child.slots[i]);
        // An untrained root is never shared (clone_untrained_root); heads are new.
        QVERIFY(child.origins[i].kind != SlotOrigin::Kind::Shared);
      }
      QVERIFY(child.origins.back().kind == SlotOrigin::Kind::New);
    }
  }

  void slotsNothingFitsAreNew() {
    Fixture f;
    ChildSampler sampler(f.space, f.config);
    Rng rng(4);
    const HParams generation = sampler.sampleGeneration(f.system, "a", rng, nullptr);
    const SlotFits none = [](const Component&, const std::string&) { return false; };
    const ChildPlan child = sampler.sample(f.system, "a", generation, none, rng, 0);
    for (const auto& origin : child.origins) {
      if (origin.slot == "posembed") continue;  // re-interpolated from the root's
      QVERIFY(origin.kind == SlotOrigin::Kind::New);
      QCOMPARE(origin.sourceComponentId, int64_t{-1});
    }
  }

  void generationStartsFromTheTasksBestPath() {
    Fixture f;
    // A space whose data hyperparameters cannot change: the generation equals the best path's.
    SearchSpace fixed = f.space;
    fixed.override("mu", {0.0}, 0.0);
    HParams best = fixed.defaults();
    best["ds_image_size"] = 20;
    f.addPathOfA(0.2, fixed.defaults());
    f.addPathOfA(0.9, best);
    ChildSampler sampler(fixed, f.config);
    Rng rng(5);
    std::vector<Mutation> mutations;
    const HParams generation = sampler.sampleGeneration(f.system, "a", rng, &mutations);
    QVERIFY(mutations.empty());
    HParams expected;
    for (const auto& [name, value] : fixed.generationDefaults())
      expected[name] = best.at(name);
    QCOMPARE(generation, expected);
    // Without a path of its own, a task starts from the defaults.
    Rng other(5);
    QCOMPARE(sampler.sampleGeneration(f.system, "b", other, nullptr), fixed.generationDefaults());
  }

  void sameSeedSamplesTheSameChildren() {
    const auto sampleAll = [](std::uint64_t seed) {
      Fixture f;
      ChildSampler sampler(f.space, f.config);
      Rng rng(seed);
      std::vector<Mutation> dataMutations;
      const HParams generation = sampler.sampleGeneration(f.system, "a", rng, &dataMutations);
      std::vector<ChildPlan> children;
      for (int c = 0; c < 4; ++c)
        children.push_back(sampler.sample(f.system, "a", generation, kAllFit, rng, c));
      return std::make_pair(generation, children);
    };
    const auto [g1, a] = sampleAll(11);
    const auto [g2, b] = sampleAll(11);
    QCOMPARE(g1, g2);
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      QCOMPARE(a[i].parentId, b[i].parentId);
      QCOMPARE(a[i].hparams, b[i].hparams);
      QCOMPARE(a[i].slots, b[i].slots);
      for (std::size_t k = 0; k < a[i].origins.size(); ++k) {
        QVERIFY(a[i].origins[k].kind == b[i].origins[k].kind);
        QCOMPARE(a[i].origins[k].sourceComponentId, b[i].origins[k].sourceComponentId);
      }
    }
  }

  void noCandidateIsALogicError() {
    ExperimentConfig config;
    const SearchSpace space = SearchSpace::laptopDefaults(config.root.architecture.depth,
                                                          config.root.architecture.imageSize);
    System empty;
    empty.addTask("a");
    ChildSampler sampler(space, config);
    Rng rng(6);
    const HParams generation = sampler.sampleGeneration(empty, "a", rng, nullptr);
    QVERIFY_THROWS_EXCEPTION(std::logic_error,
                             sampler.sample(empty, "a", generation, kAllFit, rng, 0));
  }
};

QTEST_GUILESS_MAIN(TstChildSampler)
#include "tst_child_sampler.moc"
