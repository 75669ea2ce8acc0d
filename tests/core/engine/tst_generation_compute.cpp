// Generation-level compute (issue 16) in real runs from the built-in pretrained root on MNIST:
// children sharing frozen prefixes within a generation and the activation cache of validation and
// test subsets save real work, and change nothing: the same seed gives the same report, bit for
// bit, with sharing and caching on or off, on one worker or two, with a cache small enough to
// evict, and under each precision setting (each compared with itself).
#include <QtTest/QtTest>

#include <string>

#include "TestConfigs.h"
#include "TestData.h"
#include "mu2net/engine/Engine.h"

using namespace mu2net;

namespace {

// Two MNIST class-subset tasks from the built-in root, generations of four children (the issue's
// typical μ2Net generation), a tiny budget.
ExperimentConfig smallRun() {
  std::string json = R"({
    "seed": 3,
    "tasks": [{"name": "low", "format": "idx", "path": "@MNIST@", "classes": [0, 1, 2, 3, 4]},
              {"name": "high", "format": "idx", "path": "@MNIST@", "classes": [5, 6, 7, 8, 9]}],
    "evolution": {"generation_size": 4, "children_per_task_iteration": 4, "task_iterations": 1},
    "training": {"batch_size": 32, "validations_per_child": 2,
                 "train_examples_between_validations": 256, "validation_examples_max": 256,
                 "test_examples_max": 300, "threads": 1}})";
  for (std::size_t at; (at = json.find("@MNIST@")) != std::string::npos;)
    json.replace(at, 7, testdata::mnistDir().string());
  return parseExperimentConfig(json, "/");
}

struct Outcome {
  std::string report;
  ComputeSavings savings;
  Precision precision = Precision::Auto;  // as the report states it
};

// The run's report (threads left out: they are reported, and differ on purpose) and savings.
Outcome runOnce(const ExperimentConfig& c) {
  Engine engine(c);
  RunReport report = engine.run();
  report.threads = 1;
  ExperimentConfig shown = smallRun();
  shown.training.precision = c.training.precision;
  return {runReportToJson(report, shown), engine.computeSavings(), report.precision};
}

}  // namespace

class TestGenerationCompute : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void sharingAndCachingChangeNothing_data() {
    QTest::addColumn<int>("precision");
    QTest::newRow("auto") << int(Precision::Auto);
    QTest::newRow("float32") << int(Precision::Float32);
    QTest::newRow("bf16") << int(Precision::Bf16);
  }
  void sharingAndCachingChangeNothing() {
    QFETCH(int, precision);
    ExperimentConfig on = smallRun();
    on.training.precision = static_cast<Precision>(precision);
    const Outcome shared = runOnce(on);
    QVERIFY(shared.precision == effectivePrecision(on.training.precision));

    // The work really was shared and cached.
    const ComputeSavings& s = shared.savings;
    qInfo(
        "frozen work saved: %.1f%% (%lld of %lld component passes computed); cache: %lld hits, "
        "%lld misses, %lld entries, %.1f MiB",
        100 * s.savedFraction(), static_cast<long long>(s.frozenComputed),
        static_cast<long long>(s.frozenNeeded), static_cast<long long>(s.cacheHits),
        static_cast<long long>(s.cacheMisses), static_cast<long long>(s.cacheEntries),
        static_cast<double>(s.cacheBytes) / (1 << 20));
    QVERIFY(s.frozenNeeded > 0);
    QVERIFY2(s.savedFraction() > 0.2, qPrintable(QString::number(s.savedFraction())));
    QVERIFY(s.cacheHits > 0);
    QVERIFY(s.cacheEntries > 0 && s.cacheBytes > 0);

    ExperimentConfig off = on;
    off.training.shareFrozenPrefix = false;
    off.training.activationCacheMib = 0;
    const Outcome alone = runOnce(off);
    QCOMPARE(alone.report, shared.report);
    QCOMPARE(alone.savings.frozenNeeded, s.frozenNeeded);
    QCOMPARE(alone.savings.frozenComputed, alone.savings.frozenNeeded);
    QCOMPARE(alone.savings.cacheHits, int64_t{0});

    // Two workers, each child's steps on either of them.
    ExperimentConfig two = on;
    two.training.threads = 2;
    QCOMPARE(runOnce(two).report, shared.report);

    if (on.training.precision != Precision::Auto) return;
    // A cache with room for about two subsets' activations evicts, and changes nothing.
    ExperimentConfig small = on;
    small.training.activationCacheMib = 8;
    const Outcome evicting = runOnce(small);
    QCOMPARE(evicting.report, shared.report);
    QVERIFY(evicting.savings.cacheEvicted > 0);
    QVERIFY(evicting.savings.cacheBytes <= int64_t{8} << 20);
    // Sharing alone (no cache) and caching alone.
    ExperimentConfig sharingOnly = on;
    sharingOnly.training.activationCacheMib = 0;
    const Outcome sharing = runOnce(sharingOnly);
    QCOMPARE(sharing.report, shared.report);
    QVERIFY(sharing.savings.savedFraction() > 0);
    ExperimentConfig cachingOnly = on;
    cachingOnly.training.shareFrozenPrefix = false;
    const Outcome caching = runOnce(cachingOnly);
    QCOMPARE(caching.report, shared.report);
    QVERIFY(caching.savings.cacheHits > 0);
  }

  // The engine reports the arithmetic it really uses.
  void precisionIsResolvedForThisCpu() {
    ExperimentConfig c = smallRun();
    QVERIFY(Engine(c).precision() == (cpuHasNativeBf16() ? Precision::Bf16 : Precision::Float32));
    c.training.precision = Precision::Float32;
    QVERIFY(Engine(c).precision() == Precision::Float32);
  }
};

QTEST_GUILESS_MAIN(TestGenerationCompute)
#include "tst_generation_compute.moc"
