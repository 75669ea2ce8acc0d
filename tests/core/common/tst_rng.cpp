#include <QtTest/QtTest>

#include <algorithm>
#include <numeric>
#include <vector>

#include "mu2net/common/Rng.h"

using mu2net::Rng;

class TstRng : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void sameSeedSameSequence() {
    Rng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
      const auto x = a.next();
      QCOMPARE(x, b.next());
      differs |= (x != c.next());
    }
    QVERIFY(differs);
  }

  void stateRoundTrip() {
    Rng a(7);
    for (int i = 0; i < 10; ++i)
      a.next();
    const auto saved = a.state();
    std::vector<double> first;
    for (int i = 0; i < 20; ++i)
      first.push_back(a.uniform());
    a.setState(saved);
    for (int i = 0; i < 20; ++i)
      QCOMPARE(a.uniform(), first[i]);
  }

  void uniformRangeAndMean() {
    Rng r(1);
    double sum = 0;
    for (int i = 0; i < 100000; ++i) {
      const double u = r.uniform();
      QVERIFY(u >= 0.0 && u < 1.0);
      sum += u;
    }
    QVERIFY(std::abs(sum / 100000 - 0.5) < 0.01);
  }

  void belowIsUnbiasedAndInRange() {
    Rng r(3);
    std::vector<int> counts(6, 0);
    for (int i = 0; i < 60000; ++i) {
      const auto k = r.below(6);
      QVERIFY(k < 6);
      ++counts[k];
    }
    for (int c : counts)
      QVERIFY(std::abs(c - 10000) < 500);
  }

  void normalMoments() {
    Rng r(5);
    double sum = 0, sq = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
      const double x = r.normal();
      sum += x;
      sq += x * x;
    }
    QVERIFY(std::abs(sum / n) < 0.02);
    QVERIFY(std::abs(sq / n - 1.0) < 0.03);
  }

  void bernoulliEdges() {
    Rng r(9);
    for (int i = 0; i < 100; ++i) {
      QVERIFY(!r.bernoulli(0.0));
      QVERIFY(r.bernoulli(1.0));
    }
  }

  void shuffleIsPermutationAndSeeded() {
    std::vector<int> v(50), w(50);
    std::iota(v.begin(), v.end(), 0);
    w = v;
    Rng a(11), b(11);
    a.shuffle(v.begin(), v.end());
    b.shuffle(w.begin(), w.end());
    QCOMPARE(v, w);
    QVERIFY(!std::is_sorted(v.begin(), v.end()));
    std::sort(v.begin(), v.end());
    for (int i = 0; i < 50; ++i)
      QCOMPARE(v[i], i);
  }

  void derivedSeedsDiffer() {
    const auto s1 = mu2net::deriveSeed(1, {0, 1});
    const auto s2 = mu2net::deriveSeed(1, {1, 0});
    const auto s3 = mu2net::deriveSeed(2, {0, 1});
    QVERIFY(s1 != s2);
    QVERIFY(s1 != s3);
    QCOMPARE(mu2net::deriveSeed(1, {0, 1}), s1);
    QVERIFY(mu2net::hashTag("mnist") != mu2net::hashTag("fashion"));
  }
};

QTEST_GUILESS_MAIN(TstRng)
#include "tst_rng.moc"
