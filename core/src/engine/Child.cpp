#include "engine/Child.h"

#include <utility>

namespace mu2net {

int64_t addChildToSystem(System& system, Child& child, const std::string& task,
                         int64_t generation) {
  ChildPlan& plan = child.plan;
  Path path;
  path.task = task;
  path.parentId = plan.parentId;
  path.hparams = plan.hparams;
  for (std::size_t k = 0; k < plan.slots.size(); ++k) {
    if (!child.trainable[k]) {
      path.componentIds.push_back(plan.origins[k].componentId);
      continue;
    }
    Component c;
    c.slot = plan.slots[k];
    c.creatorTask = task;
    c.generation = generation;
    c.tensors = child.tensors[k];
    c.paramCount = child.slotParams[k];
    const int64_t id = system.addComponent(std::move(c));
    plan.origins[k].componentId = id;
    path.componentIds.push_back(id);
  }
  path.metrics.validationQuality = child.bestQuality;
  path.metrics.score = child.bestScore;
  path.metrics.generation = generation;
  path.metrics.improved = true;
  path.metrics.trainSeconds = child.seconds;
  path.metrics.mutations = plan.mutations;
  path.metrics.validationHistory = child.history;
  return system.addPath(std::move(path));
}

namespace {

// What the start and the end of a child's training report alike.
template <typename ChildEvent>
ChildEvent childEvent(const Child& child, const std::string& task, int64_t generation) {
  ChildEvent e;
  e.task = task;
  e.generation = generation;
  e.childIndex = child.plan.index;
  e.parentId = child.plan.parentId;
  e.parentTask = child.plan.parentTask;
  e.mutations = child.plan.mutations;
  e.hparams = child.plan.hparams;
  e.slots = child.plan.origins;
  e.trainableParams = child.trainableParams;
  e.totalParams = child.totalParams;
  return e;
}

}  // namespace

ChildStartedEvent childStartedEvent(const Child& child, const std::string& task, int64_t generation,
                                    int64_t totalSteps) {
  auto e = childEvent<ChildStartedEvent>(child, task, generation);
  e.totalSteps = totalSteps;
  return e;
}

ChildFinishedEvent childFinishedEvent(const Child& child, const std::string& task,
                                      int64_t generation, int64_t pathId) {
  auto e = childEvent<ChildFinishedEvent>(child, task, generation);
  e.pathId = pathId;
  e.improved = child.improved;
  e.divergedAtStep = child.divergedAtStep;
  e.quality = child.bestQuality;
  e.score = child.bestScore;
  e.parentScore = child.plan.parentScore;
  e.accountedParams = child.accountedParams;
  e.validationHistory = child.history;
  e.seconds = child.seconds;
  return e;
}

}  // namespace mu2net
