#include "ChildLossHistory.h"

#include <algorithm>

namespace mu2net::ui {

void ChildLossHistory::clear() {
  losses_.clear();
  trainingNow_.clear();
}

void ChildLossHistory::started(const Key& child) {
  const bool sameGeneration = !trainingNow_.empty() &&
                              std::get<0>(trainingNow_.front()) == std::get<0>(child) &&
                              std::get<1>(trainingNow_.front()) == std::get<1>(child);
  if (!sameGeneration) trainingNow_.clear();
  if (std::find(trainingNow_.begin(), trainingNow_.end(), child) == trainingNow_.end())
    trainingNow_.push_back(child);
  losses_[child] = {};
}

void ChildLossHistory::append(const Key& child, double step, double loss) {
  CurvePoints& points = losses_[child];
  points.x.push_back(step);
  points.y.push_back(loss);
  if (points.x.size() > kMaxPoints)
    points =
        decimateMinMax(points, points.x.front(), points.x.back(), static_cast<int>(kMaxPoints / 8));
}

const CurvePoints* ChildLossHistory::find(const Key& child) const {
  const auto it = losses_.find(child);
  return it == losses_.end() ? nullptr : &it->second;
}

}  // namespace mu2net::ui
