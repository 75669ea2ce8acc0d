// Per-class test accuracy: the confusion matrix of a retained model over its test split agrees
// exactly with the engine's test accuracy, its rows sum to the split's class counts, it names the
// task's classes, and a task without a model is refused.
#include <QtTest/QtTest>

#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "TestConfigs.h"
#include "TestData.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/engine/Engine.h"

using namespace mu2net;

class TstConfusion : public QObject {
  Q_OBJECT
  std::unique_ptr<Engine> engine_;
  std::vector<int64_t> testClassCounts_ = std::vector<int64_t>(3, 0);  // of the test split

 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    ExperimentConfig c =
        testdata::tinyVitConfig(5, {.batchSize = 32,
                                    .validations = 1,
                                    .examples = 256,
                                    .validationMax = 128,
                                    .testMax = 1'000'000});  // the whole test split
    c.training.threads = 1;
    // Three classes so that the matrix is not square by accident of a binary task.
    c.tasks = {testdata::idxTask("digits", testdata::mnistDir(), {3, 5, 7})};
    const TaskData data = loadTask(c.tasks[0], c.seed);
    for (int32_t label : data.test.labels)
      ++testClassCounts_[static_cast<std::size_t>(label)];
    engine_ = std::make_unique<Engine>(c);
    engine_->run();
  }

  void diagonalOverTotalIsTheTestAccuracy() {
    const ConfusionMatrix m = engine_->evaluateConfusion("digits");
    QCOMPARE(m.task, std::string("digits"));
    QCOMPARE(m.counts.size(), std::size_t{3});
    for (const auto& row : m.counts)
      QCOMPARE(row.size(), std::size_t{3});
    QCOMPARE(m.total(), testClassCounts_[0] + testClassCounts_[1] + testClassCounts_[2]);
    const double accuracy = static_cast<double>(m.correct()) / static_cast<double>(m.total());
    QCOMPARE(accuracy, engine_->evaluateTest("digits"));  // exactly: the same predictions
  }

  // Rows are the true classes: each sums to that class's test examples, in the task's class
  // order (the source's class indices as names for IDX folders).
  void rowsSumToTheClassCounts() {
    const ConfusionMatrix m = engine_->evaluateConfusion("digits");
    QCOMPARE(m.classNames, (std::vector<std::string>{"3", "5", "7"}));
    for (std::size_t c = 0; c < 3; ++c) {
      QVERIFY(testClassCounts_[c] > 800);  // MNIST's test split has ~1,000 of each digit
      QCOMPARE(m.examplesOf(c), testClassCounts_[c]);
      QVERIFY(m.classAccuracy(c) >= 0.0 && m.classAccuracy(c) <= 1.0);
    }
  }

  void aTaskWithoutAModelIsRefused() {
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, engine_->evaluateConfusion("nonexistent"));
  }
};

QTEST_GUILESS_MAIN(TstConfusion)
#include "tst_confusion.moc"
