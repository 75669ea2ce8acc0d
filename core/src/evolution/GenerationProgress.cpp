#include "mu2net/evolution/GenerationProgress.h"

#include <algorithm>

namespace mu2net {

void GenerationProgress::clear() {
  children_.clear();
}

void GenerationProgress::start(int childIndex) {
  children_[childIndex];
}

void GenerationProgress::update(const TrainingProgressEvent& e) {
  children_[e.childIndex].latest = e;
}

void GenerationProgress::finish(int childIndex) {
  children_[childIndex].finished = true;
}

std::vector<TrainingProgressEvent> GenerationProgress::training() const {
  std::vector<TrainingProgressEvent> out;
  for (const auto& [index, c] : children_)
    if (!c.finished && c.latest.step < c.latest.totalSteps) out.push_back(c.latest);
  return out;
}

bool GenerationProgress::doneTraining(int childIndex) const {
  const auto it = children_.find(childIndex);
  if (it == children_.end()) return false;
  return it->second.finished || it->second.ranAllSteps();
}

int GenerationProgress::validating() const {
  int count = 0;
  for (const auto& [index, c] : children_)
    if (!c.finished && c.ranAllSteps()) ++count;
  return count;
}

bool GenerationProgress::onlyValidating() const {
  bool anyValidating = false;
  for (const auto& [index, c] : children_) {
    if (c.finished) continue;
    if (!c.ranAllSteps()) return false;  // still running steps, or not reported yet
    anyValidating = true;
  }
  return anyValidating;
}

double GenerationProgress::samplesPerSecond() const {
  double sum = 0;
  for (const auto& p : training())
    sum += p.samplesPerSecond;
  return sum;
}

double GenerationProgress::unfinishedShare() const {
  double sum = 0;
  for (const auto& [index, c] : children_)
    if (!c.finished && c.latest.totalSteps > 0)
      sum += static_cast<double>(std::min(c.latest.step, c.latest.totalSteps)) /
             static_cast<double>(c.latest.totalSteps);
  return sum;
}

}  // namespace mu2net
