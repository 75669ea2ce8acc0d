// GenerationProgress: the children of a generation in training, one after another and side by
// side, as the CLI's progress line and the workbench's status and progress bars read them.
#include <QtTest/QtTest>

#include "mu2net/evolution/GenerationProgress.h"

using mu2net::GenerationProgress;
using mu2net::TrainingProgressEvent;

namespace {

TrainingProgressEvent progress(int child, int64_t step, int64_t total, double speed) {
  return TrainingProgressEvent{"digits", 1, child, step, total, 0.5, speed};
}

}  // namespace

class TstGenerationProgress : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // One child after another: a finished child counts once, through the caller's count of
  // finished children, not again as a share of the generation in progress.
  void childrenOneAfterAnother() {
    GenerationProgress g;
    QCOMPARE(g.unfinishedShare(), 0.0);
    QVERIFY(!g.doneTraining(0));
    g.update(progress(0, 5, 10, 100));
    QCOMPARE(g.unfinishedShare(), 0.5);
    QCOMPARE(g.samplesPerSecond(), 100.0);
    g.update(progress(0, 10, 10, 120));
    QVERIFY(g.doneTraining(0));  // validating: done training, not yet finished
    QCOMPARE(g.validating(), 1);
    QVERIFY(g.onlyValidating());
    QCOMPARE(g.unfinishedShare(), 1.0);
    QVERIFY(g.training().empty());
    QCOMPARE(g.samplesPerSecond(), 0.0);
    g.finish(0);
    QCOMPARE(g.validating(), 0);
    QCOMPARE(g.unfinishedShare(), 0.0);
    QVERIFY(g.doneTraining(0));
    g.update(progress(1, 2, 10, 90));
    QCOMPARE(g.unfinishedShare(), 0.2);
    QCOMPARE(g.training().size(), std::size_t{1});
    QCOMPARE(g.training().front().childIndex, 1);
  }

  // Children side by side: each keeps its own latest step; speeds of those training add up.
  void childrenSideBySide() {
    GenerationProgress g;
    g.start(0);
    g.start(1);
    QVERIFY(!g.onlyValidating());
    g.update(progress(1, 4, 4, 200));  // child 1 validates while child 0 has not reported yet
    QCOMPARE(g.validating(), 1);
    QVERIFY(!g.onlyValidating());
    g.update(progress(1, 3, 4, 200));
    g.update(progress(0, 1, 4, 250));
    g.update(progress(1, 4, 4, 210));
    g.update(progress(0, 2, 4, 240));
    const auto training = g.training();
    QCOMPARE(training.size(), std::size_t{1});
    QCOMPARE(training[0].childIndex, 0);
    QCOMPARE(training[0].step, int64_t{2});
    QCOMPARE(g.samplesPerSecond(), 240.0);
    QCOMPARE(g.validating(), 1);
    QCOMPARE(g.unfinishedShare(), 1.5);
    g.update(progress(2, 1, 4, 230));
    QCOMPARE(g.samplesPerSecond(), 470.0);
    QCOMPARE(g.training().size(), std::size_t{2});
    QCOMPARE(g.training()[1].childIndex, 2);  // in child-index order
    g.finish(1);
    QCOMPARE(g.validating(), 0);
    QVERIFY(!g.onlyValidating());
    QCOMPARE(g.unfinishedShare(), 0.75);
    g.update(progress(0, 4, 4, 240));
    QVERIFY(!g.onlyValidating());  // child 2 still runs its steps
    g.update(progress(2, 4, 4, 230));
    QVERIFY(g.onlyValidating());  // every unfinished child has run its steps
    QCOMPARE(g.validating(), 2);
    QCOMPARE(g.unfinishedShare(), 2.0);
    g.clear();  // the next generation
    QVERIFY(g.training().empty());
    QVERIFY(!g.doneTraining(1));
    QCOMPARE(g.unfinishedShare(), 0.0);
  }

  // A child finished without progress events (e.g. zero steps) or with a step count past its
  // total never adds more than one child's worth.
  void oddEventsStayBounded() {
    GenerationProgress g;
    g.update(progress(0, 12, 10, 100));
    QCOMPARE(g.unfinishedShare(), 1.0);
    g.update(progress(1, 0, 0, 0));
    QCOMPARE(g.unfinishedShare(), 1.0);
    QVERIFY(!g.doneTraining(1));
    g.finish(3);
    QVERIFY(g.doneTraining(3));
    QCOMPARE(g.unfinishedShare(), 1.0);
  }
};

QTEST_MAIN(TstGenerationProgress)
#include "tst_generation_progress.moc"
