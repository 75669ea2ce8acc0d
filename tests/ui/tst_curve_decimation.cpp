// Golden tests of the min/max curve decimation used by the plots.
#include <QtTest/QtTest>

#include "CurveDecimation.h"

using mu2net::ui::CurvePoints;
using mu2net::ui::decimateMinMax;

namespace {

CurvePoints sample() {
  CurvePoints c;
  const double y[] = {0, 5, -1, 2, 3, 9, 1, 1, 4, -7, 0, 0, 0, 0, 0, 2, 8, -3, 1, 6};
  for (int i = 0; i < 20; ++i) {
    c.x.push_back(i);
    c.y.push_back(y[i]);
  }
  return c;
}

}  // namespace

class TstCurveDecimation : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void twoColumnsKeepFirstMinMaxLast() {
    // Column 0 holds x 0..9, column 1 x 10..19 (x = 19 closes the last column).
    const CurvePoints out = decimateMinMax(sample(), 0, 19, 2);
    const CurvePoints expected{{0, 5, 9, 10, 16, 17, 19}, {0, 9, -7, 0, 8, -3, 6}};
    QCOMPARE(out.x, expected.x);
    QCOMPARE(out.y, expected.y);
  }

  void zoomedViewKeepsOneNeighbourEachSide() {
    // Inside [5, 12]: 8 points > 4 per column. Max ties (none here) go to the earliest; x 4 and
    // 13 are kept so the line reaches the view's edges.
    const CurvePoints out = decimateMinMax(sample(), 5, 12, 1);
    const CurvePoints expected{{4, 5, 9, 12, 13}, {3, 9, -7, 0, 0}};
    QCOMPARE(out, expected);
  }

  void fewPointsPassThrough() {
    QCOMPARE(decimateMinMax(sample(), 0, 19, 10), sample());
    QCOMPARE(decimateMinMax(sample(), 0, 19, 0), sample());
    QCOMPARE(decimateMinMax(sample(), 5, 5, 3).x, (std::vector<double>{4, 5, 6}));
  }

  void flatColumnKeepsOnlyItsEnds() {
    CurvePoints flat;
    for (int i = 0; i < 10; ++i) {
      flat.x.push_back(i);
      flat.y.push_back(1.5);
    }
    const CurvePoints out = decimateMinMax(flat, 0, 9, 1);
    QCOMPARE(out, (CurvePoints{{0, 9}, {1.5, 1.5}}));
  }

  void spikesSurviveInALongSeries() {
    // 100 000 points across 100 columns: at most 4 per column, and the single spike is kept.
    CurvePoints c;
    for (int i = 0; i < 100000; ++i) {
      c.x.push_back(i * 0.001);
      c.y.push_back(i == 31337 ? 100.0 : std::sin(i * 0.01));
    }
    const CurvePoints out = decimateMinMax(c, 0, 99.999, 100);
    QVERIFY(out.x.size() <= 400);
    QVERIFY(std::find(out.y.begin(), out.y.end(), 100.0) != out.y.end());
    QVERIFY(std::is_sorted(out.x.begin(), out.x.end()));
    QCOMPARE(out.x.front(), 0.0);
    QCOMPARE(out.x.back(), 99.999);
  }

  void emptyAndOutsideViews() {
    QCOMPARE(decimateMinMax(CurvePoints{}, 0, 1, 10), CurvePoints{});
    // Everything left of the view: only the nearest point remains.
    QCOMPARE(decimateMinMax(sample(), 30, 40, 10), (CurvePoints{{19}, {6}}));
  }
};

QTEST_GUILESS_MAIN(TstCurveDecimation)
#include "tst_curve_decimation.moc"
