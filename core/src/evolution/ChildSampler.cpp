#include "evolution/ChildSampler.h"

#include <cmath>
#include <stdexcept>

namespace mu2net {

ChildSampler::ChildSampler(const SearchSpace& space, const ExperimentConfig& config)
    : space_(space),
      architecture_(config.root.architecture),
      evolution_(config.evolution),
      rootTrained_(config.root.trained()) {}

HParams ChildSampler::sampleGeneration(const System& system, const std::string& task, Rng& rng,
                                       std::vector<Mutation>* mutations) const {
  const int64_t best = system.bestPath(task);
  return sampleGenerationHParams(space_, best >= 0 ? &system.path(best).hparams : nullptr, rng,
                                 mutations);
}

ChildPlan ChildSampler::sample(System& system, const std::string& task, const HParams& generation,
                               const SlotFits& fits, Rng& rng, int index) const {
  ChildPlan child;
  child.index = index;
  const auto parentId = system.selectParent(task, rng);
  if (!parentId) throw std::logic_error("no parent candidate for task " + task);
  child.parentId = *parentId;
  // Counted when sampled, kept or not: the next draw for this task already sees it (§3.1).
  system.recordOffspring(child.parentId, task);
  const Path& parent = system.path(child.parentId);
  child.parentTask = parent.task;
  child.parentScore = parent.metrics.score;

  child.hparams = mutateChildHParams(space_, parent.hparams, rng, &child.mutations);
  for (const auto& [k, v] : generation)
    child.hparams[k] = v;
  const double mu = child.hparams.at("mu");
  const int numBlocks = static_cast<int>(std::lround(child.hparams.at("num_layers")));
  child.imageSize = static_cast<int>(std::lround(generation.at("ds_image_size")));

  child.slots = routeSlots(architecture_, numBlocks);
  const CloneRules rules{mu, evolution_.cloneUntrainedRoot, rootTrained_, evolution_.clonePolicy,
                         evolution_.freezeBlocks};
  child.origins = planLayers(system, child.parentId, task, child.slots, fits, rules, rng);
  return child;
}

}  // namespace mu2net
