#include "mu2net/evolution/LayerCloning.h"

#include "mu2net/model/Architecture.h"

namespace mu2net {
namespace {

// The clone draw for a layer the fixed rules leave open. Only Mu draws, so the baselines' plans
// consume no randomness and μ2Net's draw sequence is unchanged.
bool policyClones(const CloneRules& rules, const std::string& slot, Rng& rng) {
  switch (rules.policy) {
    case ClonePolicy::Mu:
      return rng.bernoulli(rules.mu);
    case ClonePolicy::All:
      return true;
    case ClonePolicy::FreezeBottom: {
      int block = 0;
      if (parseBlockSlot(slot, &block)) return block >= rules.freezeBlocks;
      return slot != "embedding" && slot != "cls" && slot != "posembed";
    }
  }
  return true;
}

}  // namespace

std::vector<SlotOrigin> planLayers(const System& system, int64_t parentId, const std::string& task,
                                   const std::vector<std::string>& slots, const SlotFits& fits,
                                   const CloneRules& rules, Rng& rng) {
  const int64_t rootId = system.rootPath();
  std::vector<int64_t> chain;
  for (int64_t id = parentId; id >= 0; id = system.path(id).parentId) {
    chain.push_back(id);
    if (id == rootId) break;
  }
  // Re-pointed parents always lead to the root; guard anyway so the root is the last resort.
  if (rootId >= 0 && (chain.empty() || chain.back() != rootId)) chain.push_back(rootId);

  std::vector<SlotOrigin> plan;
  plan.reserve(slots.size());
  for (const auto& slot : slots) {
    SlotOrigin origin;
    origin.slot = slot;
    const Component* source = nullptr;
    for (int64_t ancestorId : chain) {
      const Path& ancestor = system.path(ancestorId);
      // Heads are task-specific: another task's head is never reused, walk further up.
      if (slot == "head" && ancestor.task != task) continue;
      for (int64_t cid : ancestor.componentIds) {
        const Component& c = system.component(cid);
        if (c.slot == slot && fits(c, slot)) {
          source = &c;
          break;
        }
      }
      if (source) break;
    }
    if (source) {
      origin.sourceComponentId = source->id;
      const bool untrainedRoot = rules.cloneUntrainedRoot && !rules.rootTrained &&
                                 source->creatorTask == System::kRootTask;
      bool clone = source->trainable() || slot == "norm" || untrainedRoot;
      if (!clone) clone = policyClones(rules, slot, rng);
      origin.kind = clone ? SlotOrigin::Kind::Cloned : SlotOrigin::Kind::Shared;
      if (!clone) origin.componentId = source->id;
    } else if (slot == "posembed" && rootId >= 0) {
      for (int64_t cid : system.path(rootId).componentIds)
        if (system.component(cid).slot == "posembed") origin.sourceComponentId = cid;
      origin.kind =
          origin.sourceComponentId >= 0 ? SlotOrigin::Kind::Cloned : SlotOrigin::Kind::New;
      origin.reinterpolated = origin.sourceComponentId >= 0;
    } else {
      origin.kind = SlotOrigin::Kind::New;
    }
    plan.push_back(origin);
  }
  return plan;
}

}  // namespace mu2net
