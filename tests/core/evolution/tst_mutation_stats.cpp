// Mutation statistics on hand-built children: the rows and their order, counts and improved
// counts per hyperparameter and per layer origin, the score change counted only against a parent
// of the same task (mean and median), the task filter, and the scatter's points.
#include <QtTest/QtTest>

#include "mu2net/evolution/MutationStats.h"

using namespace mu2net;

namespace {

using K = SlotOrigin::Kind;

ChildFinishedEvent child(const std::string& task, const std::string& parentTask, bool improved,
                         double score, double parentScore, std::vector<Mutation> mutations,
                         std::vector<K> kinds) {
  ChildFinishedEvent c;
  c.task = task;
  c.parentTask = parentTask;
  c.improved = improved;
  c.score = score;
  c.parentScore = parentScore;
  c.mutations = std::move(mutations);
  const char* slots[] = {"embedding", "block_0", "head"};
  for (std::size_t i = 0; i < kinds.size(); ++i)
    c.slots.push_back({slots[i], -1, -1, kinds[i], false});
  c.hparams = {{"opt_lr", 0.01}, {"opt_type", 1}};
  for (const auto& m : c.mutations)
    c.hparams[m.name] = m.to;
  return c;
}

std::vector<ChildFinishedEvent> sampleChildren() {
  return {
      // a first child of task a: its parent is the root (no score change counted)
      child("a", "root", true, 0.9, 0.0, {{"opt_lr", 0.01, 0.02}}, {K::Cloned, K::Shared, K::New}),
      child("a", "a", false, 0.8, 0.9, {{"opt_lr", 0.02, 0.01}, {"mu", 0.2, 0.3}},
            {K::Shared, K::Shared, K::Cloned}),
      child("a", "a", true, 0.95, 0.9, {}, {K::Cloned, K::Cloned, K::Cloned}),
      // task b's child of a's model: score change not counted
      child("b", "a", true, 0.7, 0.95, {{"mu", 0.2, 0.1}}, {K::Shared, K::Cloned, K::New}),
  };
}

const MutationStat* row(const std::vector<MutationStat>& rows, const std::string& label) {
  for (const auto& r : rows)
    if (r.label == label) return &r;
  return nullptr;
}

}  // namespace

class TstMutationStats : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void rowsComeInOrder() {
    const auto rows = mutationStats(sampleChildren());
    std::vector<std::string> labels;
    for (const auto& r : rows)
      labels.push_back(r.label);
    const std::vector<std::string> expected = {"all children",
                                               "no hyperparameter mutation",
                                               "mu",
                                               "opt_lr",
                                               "shares a layer",
                                               "shares no layer",
                                               "embedding shared",
                                               "embedding cloned",
                                               "block_0 shared",
                                               "block_0 cloned",
                                               "head cloned",
                                               "head new"};
    QCOMPARE(labels, expected);
  }

  void countsAndImproved() {
    const auto rows = mutationStats(sampleChildren());
    QCOMPARE(row(rows, "all children")->children, 4);
    QCOMPARE(row(rows, "all children")->improved, 3);
    QCOMPARE(row(rows, "no hyperparameter mutation")->children, 1);
    QCOMPARE(row(rows, "mu")->children, 2);
    QCOMPARE(row(rows, "mu")->improved, 1);
    QCOMPARE(row(rows, "mu")->improvedRate(), 0.5);
    QCOMPARE(row(rows, "opt_lr")->children, 2);
    QCOMPARE(row(rows, "shares a layer")->children, 3);
    QCOMPARE(row(rows, "shares no layer")->children, 1);
    QCOMPARE(row(rows, "head new")->children, 2);
    QCOMPARE(row(rows, "head new")->improved, 2);
    QCOMPARE(row(rows, "head new")->kind, MutationStat::Kind::Layer);
    QCOMPARE(row(rows, "head new")->slot, std::string("head"));
    QCOMPARE(row(rows, "head new")->slotKind, K::New);
    // every child counts once per slot
    for (const char* slot : {"embedding", "block_0", "head"}) {
      int64_t n = 0;
      for (const auto& r : rows)
        if (r.kind == MutationStat::Kind::Layer && r.slot == slot) n += r.children;
      QCOMPARE(n, 4);
    }
  }

  void scoreChangeOnlyAgainstTheSameTask() {
    const auto rows = mutationStats(sampleChildren());
    const MutationStat* all = row(rows, "all children");
    QCOMPARE(all->withDelta, 2);  // the root's child and b's child of a's model are left out
    QVERIFY(qFuzzyCompare(all->meanDelta, (-0.1 + 0.05) / 2));
    QVERIFY(qFuzzyCompare(all->medianDelta, (-0.1 + 0.05) / 2));
    const MutationStat* lr = row(rows, "opt_lr");
    QCOMPARE(lr->withDelta, 1);
    QVERIFY(qFuzzyCompare(lr->meanDelta, -0.1));
    QCOMPARE(row(rows, "mu")->withDelta, 1);
    QCOMPARE(row(rows, "head new")->withDelta, 0);
    QCOMPARE(row(rows, "head new")->meanDelta, 0.0);
  }

  void medianOfAnOddCount() {
    auto cs = sampleChildren();
    cs.push_back(child("a", "a", false, 0.5, 0.9, {}, {}));  // change -0.4
    const auto rows = mutationStats(cs);
    QCOMPARE(row(rows, "all children")->withDelta, 3);
    QVERIFY(qFuzzyCompare(row(rows, "all children")->medianDelta, -0.1));
  }

  void oneTask() {
    const auto rows = mutationStats(sampleChildren(), "b");
    QCOMPARE(row(rows, "all children")->children, 1);
    QCOMPARE(row(rows, "mu")->children, 1);
    QVERIFY(!row(rows, "opt_lr"));
    QVERIFY(!row(rows, "no hyperparameter mutation"));
    const auto nothing = mutationStats(sampleChildren(), "unknown");
    QCOMPARE(nothing.size(), std::size_t(1));
    QCOMPARE(nothing[0].children, 0);
    QCOMPARE(nothing[0].improvedRate(), 0.0);
  }

  void scatterPoints() {
    const auto points = scoreAgainst(sampleChildren(), "opt_lr");
    QCOMPARE(points.size(), std::size_t(4));
    QCOMPARE(points[0].value, 0.02);
    QCOMPARE(points[0].score, 0.9);
    QCOMPARE(points[3].task, std::string("b"));
    QVERIFY(points[3].improved);
    QCOMPARE(scoreAgainst(sampleChildren(), "mu").size(), std::size_t(2));  // only those holding it
    QCOMPARE(scoreAgainst(sampleChildren(), "opt_lr", "a").size(), std::size_t(3));
    const std::vector<std::string> names = {"mu", "opt_lr", "opt_type"};
    QCOMPARE(hparamNames(sampleChildren()), names);
  }
};

QTEST_GUILESS_MAIN(TstMutationStats)
#include "tst_mutation_stats.moc"
