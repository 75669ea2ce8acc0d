#pragma once
// The training loss of every child seen training, kept in memory so that any child's loss can be
// shown, live or after it finished. A long series is min/max-decimated in place (decimateMinMax)
// once it passes kMaxPoints, so memory stays bounded and the drawn envelope stays exact at the
// resolution kept. Also knows which children train now: those of the generation started last
// (a generation of two trains its two children side by side).
#include <QtGlobal>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "CurveDecimation.h"

namespace mu2net::ui {

class ChildLossHistory {
 public:
  /// task, global generation, child index within the generation.
  using Key = std::tuple<std::string, qint64, int>;
  static constexpr std::size_t kMaxPoints = 2048;

  void clear();
  /// A child started: it trains now, with the others of its generation.
  void started(const Key& child);
  /// One loss report of `child` at `step`.
  void append(const Key& child, double step, double loss);
  /// The loss of `child`, or nullptr when none was seen.
  const CurvePoints* find(const Key& child) const;
  /// The children of the generation started last, in start order.
  const std::vector<Key>& trainingNow() const { return trainingNow_; }

 private:
  std::map<Key, CurvePoints> losses_;
  std::vector<Key> trainingNow_;
};

}  // namespace mu2net::ui
