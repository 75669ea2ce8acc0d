// Tests of the search space and the hyperparameter mutations of ALGORITHM.md §4.2–§4.3.
#include <QtTest/QtTest>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "mu2net/evolution/SearchSpace.h"

using namespace mu2net;

namespace {

// Runs `fn` and returns the ConfigError message, or "" when nothing was thrown.
template <typename Fn>
std::string configErrorOf(Fn fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

class TstSearchSpace : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void laptopTableMatchesAlgorithmDoc() {
    const auto space = SearchSpace::laptopDefaults(4, 28);
    std::vector<std::string> names;
    for (const auto& s : space.specs())
      names.push_back(s.name);
    const std::vector<std::string> expected = {"mu",
                                               "opt_type",
                                               "opt_lr",
                                               "opt_lr_warmup_ratio",
                                               "opt_momentum",
                                               "opt_nesterov",
                                               "opt_weight_decay",
                                               "num_layers",
                                               "ds_image_size",
                                               "ds_crop",
                                               "ds_area_range_min",
                                               "ds_aspect_ratio_range_min",
                                               "ds_flip_left_right",
                                               "ds_brightness_delta",
                                               "ds_contrast_delta"};
    QVERIFY(names == expected);

    const auto& mu = space.spec("mu");
    QCOMPARE(mu.values.size(), std::size_t{11});
    QCOMPARE(mu.values.front(), 0.10);
    QCOMPARE(mu.values[5], 0.20);
    QCOMPARE(mu.values.back(), 0.30);
    QCOMPARE(mu.defaultValue(), 0.20);
    QCOMPARE(mu.scope, HParamScope::Child);

    // AdamW only, at its learning rate (README, "Deviations from the paper").
    QVERIFY((space.spec("opt_type").values == std::vector<double>{1.0}));
    QCOMPARE(formatHParam("opt_type", space.spec("opt_type").defaultValue()), std::string("adamw"));
    QCOMPARE(space.spec("opt_lr").values.size(), std::size_t{12});
    QCOMPARE(space.spec("opt_lr").defaultValue(), 0.001);
    QVERIFY((space.spec("opt_weight_decay").values ==
             std::vector<double>{0.0, 1e-4, 1e-3, 0.01, 0.05, 0.1}));
    QCOMPARE(space.spec("opt_lr_warmup_ratio").defaultValue(), 0.05);
    QCOMPARE(space.spec("opt_momentum").defaultValue(), 0.9);
    QVERIFY(space.spec("opt_nesterov").isBool);
    QVERIFY((space.spec("opt_nesterov").values == std::vector<double>{1.0, 0.0}));
    QCOMPARE(space.spec("opt_nesterov").defaultValue(), 0.0);
    QVERIFY((space.spec("num_layers").values == std::vector<double>{0, 1, 2, 3, 4, 5}));
    QCOMPARE(space.spec("num_layers").defaultValue(), 4.0);
    QVERIFY((space.spec("ds_image_size").values == std::vector<double>{16, 20, 24, 28, 32}));
    QCOMPARE(space.spec("ds_image_size").defaultValue(), 28.0);
    QCOMPARE(space.spec("ds_image_size").scope, HParamScope::Generation);
    QCOMPARE(space.spec("ds_crop").defaultValue(), 0.0);
    QCOMPARE(space.spec("ds_area_range_min").defaultValue(), 0.05);
    QCOMPARE(space.spec("ds_aspect_ratio_range_min").defaultValue(), 0.75);
    QCOMPARE(space.spec("ds_flip_left_right").defaultValue(), 0.0);
    QVERIFY((space.spec("ds_brightness_delta").values ==
             std::vector<double>{0.0, 0.01, 0.02, 0.05, 0.1, 0.2}));
    QCOMPARE(space.spec("ds_contrast_delta").defaultValue(), 0.0);

    QCOMPARE(space.childDefaults().size(), std::size_t{8});
    QCOMPARE(space.generationDefaults().size(), std::size_t{7});
    QCOMPARE(space.defaults().size(), std::size_t{15});
    QVERIFY(!space.childDefaults().count("ds_crop"));
    QVERIFY(!space.generationDefaults().count("mu"));
  }

  void optimizerIsCategorical() {
    auto space = SearchSpace::laptopDefaults(4, 28);
    QCOMPARE(categoricalLabels("opt_type"), (std::vector<std::string>{"sgd", "adamw"}));
    QVERIFY(categoricalLabels("opt_lr").empty());
    QCOMPARE(categoricalCode("opt_type", "sgd"), 0.0);
    QCOMPARE(categoricalCode("opt_type", "adamw"), 1.0);
    const auto unknown = configErrorOf([] { categoricalCode("opt_type", "lion"); });
    QVERIFY2(contains(unknown, "search_space.opt_type") && contains(unknown, "sgd, adamw"),
             unknown.c_str());
    QCOMPARE(describe({"opt_type", 0.0, 1.0}), std::string("opt_type sgd\u2192adamw"));
    QCOMPARE(formatHParam("opt_type", 0.0), std::string("sgd"));
    QCOMPARE(formatHParam("ds_crop", 1.0), std::string("true"));
    QCOMPARE(formatHParam("opt_lr", 0.001), std::string("0.001"));
    // The paper's setting: a one-value list is its own default.
    space.override("opt_type", {0.0}, std::nullopt);
    QCOMPARE(space.spec("opt_type").defaultValue(), 0.0);
    // Both: the evolution may switch, one step at a time.
    space.override("opt_type", {0.0, 1.0}, 1.0);
    Rng rng(3);
    std::set<double> seen;
    for (int i = 0; i < 20; ++i)
      seen.insert(mutateIncremental(space.spec("opt_type"), 1.0, rng));
    QCOMPARE(seen, (std::set<double>{0.0, 1.0}));
    const auto bad = configErrorOf([&] { space.override("opt_type", {0.0, 2.0}, 0.0); });
    QVERIFY2(contains(bad, "search_space.opt_type"), bad.c_str());
    const auto negative = configErrorOf([&] { space.override("opt_weight_decay", {-0.1}, {}); });
    QVERIFY2(contains(negative, "search_space.opt_weight_decay"), negative.c_str());
  }

  void nativeImageSizeIsInsertedInOrder() {
    const auto space = SearchSpace::laptopDefaults(2, 26);
    QVERIFY((space.spec("ds_image_size").values == std::vector<double>{16, 20, 24, 26, 28, 32}));
    QCOMPARE(space.spec("ds_image_size").defaultValue(), 26.0);
    QVERIFY((space.spec("num_layers").values == std::vector<double>{0, 1, 2, 3}));
    const auto big = SearchSpace::laptopDefaults(0, 64);
    QCOMPARE(big.spec("ds_image_size").values.back(), 64.0);
    QVERIFY((big.spec("num_layers").values == std::vector<double>{0, 1}));
  }

  void indexOfFindsNearestAndRejectsOthers() {
    const auto space = SearchSpace::laptopDefaults(4, 28);
    QCOMPARE(space.indexOf("opt_lr", 0.01), std::size_t{6});
    QCOMPARE(space.indexOf("opt_lr", 0.1 + 1e-15), std::size_t{9});
    QCOMPARE(space.indexOf("mu", 0.1 + 0.02 * 3), std::size_t{3});
    const auto message = configErrorOf([&] { space.indexOf("opt_lr", 0.015); });
    QVERIFY2(contains(message, "search_space.opt_lr"), message.c_str());
    QVERIFY(!configErrorOf([&] { space.indexOf("nope", 1.0); }).empty());
  }

  void overrideAcceptsValidLists() {
    auto space = SearchSpace::laptopDefaults(4, 28);
    space.override("opt_lr", {0.001, 0.01, 0.1}, 0.1);
    QVERIFY((space.spec("opt_lr").values == std::vector<double>{0.001, 0.01, 0.1}));
    QCOMPARE(space.spec("opt_lr").defaultValue(), 0.1);
    // No default given: the old one (0.9) is kept when it is still in the list.
    space.override("opt_momentum", {0.8, 0.9}, std::nullopt);
    QCOMPARE(space.spec("opt_momentum").defaultValue(), 0.9);
    space.override("ds_crop", {0.0, 1.0}, 0.0);
    QVERIFY(space.spec("ds_crop").isBool);
    QCOMPARE(space.spec("ds_crop").defaultValue(), 0.0);
  }

  void overrideErrorsNameTheKey() {
    auto space = SearchSpace::laptopDefaults(4, 28);
    const auto before = space.spec("opt_lr").values;
    struct Case {
      std::string name;
      std::vector<double> values;
      std::optional<double> def;
      std::string what;
    };
    const std::vector<Case> cases = {
        {"learning_rate", {0.1}, 0.1, "unknown"},
        {"opt_lr", {}, std::nullopt, "empty"},
        {"opt_lr", {0.1, 0.2}, 0.3, "not in the list"},
        {"opt_lr", {0.1, 0.2}, std::nullopt, "not in the list"},  // old default 0.01 missing
        {"opt_lr", {0.1, 0.1}, 0.1, "twice"},
        {"opt_lr", {0.1, NAN}, 0.1, "not finite"},
        {"ds_crop", {1.0, 0.5}, 1.0, "boolean"},
        {"mu", {0.1, 1.5}, 0.1, "probability"},
        {"num_layers", {1, 2.5}, 1, "integer"},
        {"ds_image_size", {0, 28}, 28, "positive"},
    };
    for (const auto& c : cases) {
      const auto message = configErrorOf([&] { space.override(c.name, c.values, c.def); });
      QVERIFY2(contains(message, "search_space." + c.name), (c.name + ": " + message).c_str());
      QVERIFY2(contains(message, c.what), (c.name + ": " + message).c_str());
    }
    QVERIFY(space.spec("opt_lr").values == before);  // a refused override changes nothing
    const auto unknown = configErrorOf([&] { space.spec("foo"); });
    QVERIFY2(contains(unknown, "search_space.foo"), unknown.c_str());
  }

  void incrementalStepsOnlyToNeighboursAboutHalfEach() {
    const auto space = SearchSpace::laptopDefaults(4, 28);
    const auto& lr = space.spec("opt_lr");
    Rng rng(123);
    const int n = 20000;
    int up = 0, down = 0;
    for (int i = 0; i < n; ++i) {
      const double v = mutateIncremental(lr, 0.01, rng);  // index 6
      if (v == lr.values[7]) {
        ++up;
      } else if (v == lr.values[5]) {
        ++down;
      } else {
        QFAIL("mutation left the neighbourhood of the current value");
      }
    }
    QCOMPARE(up + down, n);
    QVERIFY2(std::abs(up - n / 2) < n / 50, std::to_string(up).c_str());  // within 2%
  }

  void incrementalClampsAtBothEnds() {
    const auto space = SearchSpace::laptopDefaults(4, 28);
    const auto& lr = space.spec("opt_lr");
    Rng rng(5);
    const int n = 10000;
    int stayedLow = 0, stayedHigh = 0;
    for (int i = 0; i < n; ++i) {
      const double low = mutateIncremental(lr, lr.values.front(), rng);
      QVERIFY(low == lr.values[0] || low == lr.values[1]);
      stayedLow += low == lr.values[0];
      const double high = mutateIncremental(lr, lr.values.back(), rng);
      QVERIFY(high == lr.values[11] || high == lr.values[10]);
      stayedHigh += high == lr.values[11];
    }
    QVERIFY(std::abs(stayedLow - n / 2) < n / 25);
    QVERIFY(std::abs(stayedHigh - n / 2) < n / 25);
  }

  void booleansFlipHalfTheTime() {
    const auto space = SearchSpace::laptopDefaults(4, 28);
    const auto& nesterov = space.spec("opt_nesterov");
    Rng rng(9);
    const int n = 10000;
    int flippedFromFalse = 0, flippedFromTrue = 0;
    for (int i = 0; i < n; ++i) {
      const double a = mutateIncremental(nesterov, 0.0, rng);
      QVERIFY(a == 0.0 || a == 1.0);
      flippedFromFalse += a == 1.0;
      const double b = mutateIncremental(nesterov, 1.0, rng);
      QVERIFY(b == 0.0 || b == 1.0);
      flippedFromTrue += b == 0.0;
    }
    QVERIFY(std::abs(flippedFromFalse - n / 2) < n / 25);
    QVERIFY(std::abs(flippedFromTrue - n / 2) < n / 25);
    QVERIFY_EXCEPTION_THROWN(mutateIncremental(nesterov, 0.5, rng), ConfigError);
  }

  void describeFormatsValues() {
    QCOMPARE(describe({"opt_lr", 0.01, 0.02}), std::string("opt_lr 0.01\u21920.02"));
    QCOMPARE(describe({"ds_crop", 1.0, 0.0}), std::string("ds_crop true\u2192false"));
    QCOMPARE(describe({"opt_nesterov", 0.0, 1.0}), std::string("opt_nesterov false\u2192true"));
    QCOMPARE(describe({"num_layers", 4, 5}), std::string("num_layers 4\u21925"));
  }

  void muIsMutatedFirstAndTheNewMuGovernsTheRest() {
    // With mu restricted to {0, 1} and a parent μ of 1, μ always mutates: up keeps 1, down gives
    // 0. The other hyperparameters then follow the child's μ, not the parent's: a child with
    // μ = 0 has no other change, a child with μ = 1 has every other (mid-list) value changed.
    auto space = SearchSpace::laptopDefaults(4, 28);
    space.override("mu", {0.0, 1.0}, 1.0);
    HParams parent = space.childDefaults();
    parent["mu"] = 1.0;
    parent["opt_nesterov"] = 1.0;
    Rng rng(77);
    int childrenWithMuZero = 0, childrenWithMuOne = 0;
    for (int i = 0; i < 2000; ++i) {
      std::vector<Mutation> mutations;
      const auto child = mutateChildHParams(space, parent, rng, &mutations);
      if (child.at("mu") == 0.0) {
        ++childrenWithMuZero;
        QCOMPARE(mutations.size(), std::size_t{1});
        QCOMPARE(mutations[0], (Mutation{"mu", 1.0, 0.0}));
      } else {
        ++childrenWithMuOne;
        // opt_lr, warmup, momentum, num_layers sit mid-list and must move; nesterov and
        // weight decay (at an end) move half the time; opt_type (one value) never changes.
        QVERIFY(mutations.size() >= 4 && mutations.size() <= 6);
        QCOMPARE(child.at("opt_type"), parent.at("opt_type"));
        QCOMPARE(mutations[0].name, std::string("opt_lr"));
        QVERIFY(child.at("opt_lr") != parent.at("opt_lr"));
        QVERIFY(child.at("num_layers") != parent.at("num_layers"));
      }
    }
    QVERIFY(childrenWithMuZero > 800 && childrenWithMuOne > 800);
  }

  void mutationRateFollowsParentMu() {
    // Expected real changes per child among the 7 other child hyperparameters: E[child μ] ×
    // (4 mid-list values that always move + nesterov and weight decay at an end, each moving
    // half the time + opt_type, whose single value never changes) = E[child μ] × 5.
    // Parent μ 0.10 → child μ is 0.12 w.p. 0.05, else 0.10: E = 0.101, rate 0.505.
    // Parent μ 0.30 → child μ is 0.28 w.p. 0.15, else 0.30: E = 0.297, rate 1.485.
    const auto space = SearchSpace::laptopDefaults(4, 28);
    auto rate = [&](double parentMu, std::uint64_t seed) {
      HParams parent = space.childDefaults();
      parent["mu"] = parentMu;
      Rng rng(seed);
      const int n = 40000;
      long changes = 0;
      for (int i = 0; i < n; ++i) {
        std::vector<Mutation> mutations;
        mutateChildHParams(space, parent, rng, &mutations);
        for (const auto& m : mutations)
          changes += m.name != "mu";
      }
      return static_cast<double>(changes) / n;
    };
    const double low = rate(0.10, 1), high = rate(0.30, 1);
    QVERIFY2(std::abs(low - 0.505) < 0.02, std::to_string(low).c_str());
    QVERIFY2(std::abs(high - 1.485) < 0.04, std::to_string(high).c_str());
  }

  void childMutationIsDeterministicAndRecordsOnlyRealChanges() {
    const auto space = SearchSpace::laptopDefaults(4, 28);
    HParams parent = space.defaults();
    parent["mu"] = 0.30;
    parent["opt_lr"] = 0.5;  // at the top end: an upward step is not a change
    parent["ds_crop"] = 0.0;
    parent["custom_key"] = 42;  // unknown to the space: carried over unchanged
    Rng a(2024), b(2024);
    int recorded = 0;
    for (int i = 0; i < 3000; ++i) {
      std::vector<Mutation> ma, mb;
      const auto ca = mutateChildHParams(space, parent, a, &ma);
      const auto cb = mutateChildHParams(space, parent, b, &mb);
      QVERIFY(ca == cb);
      QVERIFY(ma == mb);
      std::set<std::string> changed;
      for (const auto& [name, value] : ca)
        if (value != parent.at(name)) changed.insert(name);
      std::set<std::string> listed;
      for (std::size_t j = 0; j < ma.size(); ++j) {
        const auto& m = ma[j];
        QVERIFY(m.from != m.to);
        QCOMPARE(m.from, parent.at(m.name));
        QCOMPARE(m.to, ca.at(m.name));
        QVERIFY(space.spec(m.name).scope == HParamScope::Child);
        if (m.name == "mu") QCOMPARE(j, std::size_t{0});
        listed.insert(m.name);
      }
      QVERIFY(changed == listed);
      QCOMPARE(ca.at("ds_crop"), 0.0);
      QCOMPARE(ca.at("custom_key"), 42.0);
      recorded += static_cast<int>(ma.size());
    }
    QVERIFY(recorded > 1000);
    // A different seed gives a different sequence.
    Rng c(2025);
    Rng d(2024);
    bool differs = false;
    for (int i = 0; i < 50 && !differs; ++i)
      differs = mutateChildHParams(space, parent, c, nullptr) !=
                mutateChildHParams(space, parent, d, nullptr);
    QVERIFY(differs);
  }

  void missingParentKeysTakeDefaults() {
    const auto space = SearchSpace::laptopDefaults(4, 28);
    auto zeroMu = space;
    zeroMu.override("mu", {0.0, 0.2}, 0.0);
    Rng rng(3);
    const auto child = mutateChildHParams(zeroMu, HParams{{"mu", 0.0}}, rng, nullptr);
    QVERIFY(child == zeroMu.defaults());
    QVERIFY_EXCEPTION_THROWN(mutateChildHParams(space, HParams{{"opt_lr", 0.0123}}, rng, nullptr),
                             ConfigError);
  }

  void generationStartsFromTaskBestAndUsesDefaultMu() {
    auto space = SearchSpace::laptopDefaults(4, 28);
    HParams best = space.defaults();
    best["ds_image_size"] = 20;
    best["ds_crop"] = 0.0;
    best["ds_brightness_delta"] = 0.05;
    best["mu"] = 0.30;

    // Default μ 0: nothing mutates, whatever the best path's own μ; output = best's ds_* only.
    auto frozen = space;
    frozen.override("mu", {0.0, 0.3}, 0.0);
    Rng rng(11);
    std::vector<Mutation> none;
    const auto same = sampleGenerationHParams(frozen, &best, rng, &none);
    QVERIFY(none.empty());
    QCOMPARE(same.size(), std::size_t{7});
    QCOMPARE(same.at("ds_image_size"), 20.0);
    QCOMPARE(same.at("ds_crop"), 0.0);
    QCOMPARE(same.at("ds_brightness_delta"), 0.05);
    QVERIFY(!same.count("mu"));
    // No best path: the defaults.
    QVERIFY(sampleGenerationHParams(frozen, nullptr, rng, nullptr) == space.generationDefaults());

    // Default μ 0.2 and a best path whose μ is 0.3: the attempt rate is 0.2. Start every ds_*
    // mid-list (booleans excepted) so that an attempt is a change except for the two booleans.
    HParams mid = best;
    mid["ds_image_size"] = 24;
    mid["ds_area_range_min"] = 0.1;
    mid["ds_aspect_ratio_range_min"] = 0.5;
    mid["ds_brightness_delta"] = 0.05;
    mid["ds_contrast_delta"] = 0.05;
    const int n = 40000;
    long changes = 0;
    for (int i = 0; i < n; ++i) {
      std::vector<Mutation> mutations;
      const auto g = sampleGenerationHParams(space, &mid, rng, &mutations);
      for (const auto& m : mutations) {
        QVERIFY(m.name.rfind("ds_", 0) == 0);
        QCOMPARE(m.from, mid.at(m.name));
        QCOMPARE(m.to, g.at(m.name));
      }
      changes += static_cast<long>(mutations.size());
    }
    const double expected = 0.2 * (5 + 2 * 0.5);  // 1.2 changes per generation
    const double measured = static_cast<double>(changes) / n;
    QVERIFY2(std::abs(measured - expected) < 0.03, std::to_string(measured).c_str());
  }
};

QTEST_GUILESS_MAIN(TstSearchSpace)
#include "tst_search_space.moc"
