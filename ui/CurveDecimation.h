#pragma once
// Decimation of long curves for drawing: keeps, per pixel column, the first, the lowest, the
// highest and the last point (in their original order), so the drawn envelope of the curve is
// exactly that of the full data — spikes are never lost, and nothing is sampled at random.
// A pure function, golden-tested (tests/ui/tst_curve_decimation.cpp).
#include <vector>

namespace mu2net::ui {

/// Points of a curve: x ascending (not strictly), y the values. Same length.
struct CurvePoints {
  std::vector<double> x;
  std::vector<double> y;
  bool operator==(const CurvePoints&) const = default;
};

/// The points of `curve` to draw when [xMin, xMax] is shown across `columns` pixel columns.
///
/// Points outside [xMin, xMax] are dropped except the nearest one on each side (so lines leaving
/// the view are still drawn to its edge). Inside, the range is cut into `columns` equal columns
/// (column = floor((x - xMin) / (xMax - xMin) × columns), the last one closed at xMax); each column
/// keeps at most four points: its first, its minimum, its maximum and its last, in index order,
/// each once (ties: the earliest). When there are no more than 4 × columns points inside, or
/// columns < 1, or xMax <= xMin, every inside point is kept. Returns points in original order.
/// Precondition: curve.x.size() == curve.y.size() and x is sorted ascending.
CurvePoints decimateMinMax(const CurvePoints& curve, double xMin, double xMax, int columns);

}  // namespace mu2net::ui
