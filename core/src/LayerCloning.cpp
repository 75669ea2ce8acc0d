#include "mu2net/LayerCloning.h"

namespace mu2net {

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
      const bool clone =
          source->trainable() || slot == "norm" || untrainedRoot || rng.bernoulli(rules.mu);
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
