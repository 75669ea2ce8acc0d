#include "CurveDecimation.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace mu2net::ui {

CurvePoints decimateMinMax(const CurvePoints& curve, double xMin, double xMax, int columns) {
  const auto& x = curve.x;
  const std::size_t n = std::min(x.size(), curve.y.size());
  // [lo, hi): the points inside the view (x sorted, so binary search).
  const auto lo = static_cast<std::size_t>(
      std::lower_bound(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n), xMin) - x.begin());
  const auto hi = static_cast<std::size_t>(
      std::upper_bound(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n), xMax) - x.begin());

  std::vector<std::size_t> keep;
  if (lo > 0) keep.push_back(lo - 1);
  const bool decimate =
      columns >= 1 && xMax > xMin && hi > lo && hi - lo > 4 * static_cast<std::size_t>(columns);
  if (!decimate) {
    for (std::size_t i = lo; i < hi; ++i)
      keep.push_back(i);
  } else {
    const double width = xMax - xMin;
    std::size_t start = lo;
    while (start < hi) {
      auto columnOf = [&](std::size_t i) {
        const auto c = static_cast<long long>(std::floor((x[i] - xMin) / width * columns));
        return std::clamp<long long>(c, 0, columns - 1);
      };
      const long long column = columnOf(start);
      std::size_t end = start + 1;
      std::size_t minIndex = start, maxIndex = start;
      while (end < hi && columnOf(end) == column) {
        if (curve.y[end] < curve.y[minIndex]) minIndex = end;
        if (curve.y[end] > curve.y[maxIndex]) maxIndex = end;
        ++end;
      }
      std::size_t picked[] = {start, minIndex, maxIndex, end - 1};
      std::sort(std::begin(picked), std::end(picked));
      for (std::size_t k = 0; k < 4; ++k)
        if (k == 0 || picked[k] != picked[k - 1]) keep.push_back(picked[k]);
      start = end;
    }
  }
  if (hi < n) keep.push_back(hi);

  CurvePoints out;
  out.x.reserve(keep.size());
  out.y.reserve(keep.size());
  for (std::size_t i : keep) {
    out.x.push_back(x[i]);
    out.y.push_back(curve.y[i]);
  }
  return out;
}

}  // namespace mu2net::ui
