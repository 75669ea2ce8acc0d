#include "engine/RouteBuilder.h"

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "model/RootCheckpoint.h"

namespace mu2net {

int64_t RouteBuilder::createRoot(System& system, const RootOptions& root, const HParams& hparams,
                                 std::uint64_t seed) const {
  const auto& a = arch_;
  std::vector<std::string> slots = routeSlots(a, a.depth);
  slots.pop_back();  // the root has no head: heads belong to tasks
  std::map<std::string, std::shared_ptr<ComponentTensors>> loaded;
  if (root.trained()) {
    for (auto& [slot, tensors] : loadRootCheckpoint(root.checkpoint, a))
      loaded[slot] = tensors;
  }
  Rng rng(deriveSeed(seed, {hashTag("root-init")}));
  Path path;
  path.task = System::kRootTask;
  path.hparams = hparams;
  for (const auto& slot : slots) {
    Component c;
    c.slot = slot;
    c.creatorTask = System::kRootTask;
    c.generation = 0;
    const auto shapes = componentShapes(a, slot, 1, a.imageSize);
    if (root.trained()) {
      const auto it = loaded.find(slot);
      if (it == loaded.end())
        throw ConfigError("root.checkpoint " + root.checkpoint.string() +
                          ": no tensors for slot '" + slot + "'");
      if (!fitsShapes(*it->second, shapes))
        throw ConfigError("root.checkpoint " + root.checkpoint.string() + ": slot '" + slot +
                          "' does not match the configured root architecture");
      c.tensors = it->second;
    } else {
      c.tensors = initComponent(a, slot, 1, a.imageSize, rng);
    }
    c.paramCount = c.tensors->numel();
    path.componentIds.push_back(system.addComponent(std::move(c)));
  }
  const int64_t id = system.addPath(std::move(path));
  system.setRootPath(id);
  return id;
}

SlotFits RouteBuilder::fits(int numClasses, int imageSize) const {
  return [arch = arch_, numClasses, imageSize](const Component& c, const std::string& slot) {
    return fitsShapes(*c.tensors, componentShapes(arch, slot, numClasses, imageSize));
  };
}

Child RouteBuilder::build(ChildPlan plan, const System& system, const std::string& task,
                          int numClasses, Rng& rng) const {
  Child child;
  child.plan = std::move(plan);
  for (const SlotOrigin& origin : child.plan.origins) {
    std::shared_ptr<ComponentTensors> tensors;
    const bool trainable = origin.kind != SlotOrigin::Kind::Shared;
    if (origin.kind == SlotOrigin::Kind::Shared) {
      tensors = system.component(origin.sourceComponentId).tensors;
    } else if (origin.reinterpolated) {
      tensors = resizePosEmbed(*system.component(origin.sourceComponentId).tensors, arch_,
                               arch_.imageSize, child.plan.imageSize);
    } else if (origin.kind == SlotOrigin::Kind::Cloned) {
      tensors = system.component(origin.sourceComponentId).tensors->clone();
    } else {
      tensors = initComponent(arch_, origin.slot, numClasses, child.plan.imageSize, rng);
    }
    const int64_t params = tensors->numel();
    child.totalParams += params;
    if (trainable) {
      child.trainableParams += params;
      child.accountedParams += static_cast<double>(params);
    } else {
      // A shared component's parameters are divided among the tasks that use it (§5).
      std::set<std::string> owners = system.component(origin.sourceComponentId).locks;
      owners.insert(task);
      owners.erase(System::kRootTask);
      child.accountedParams += static_cast<double>(params) / static_cast<double>(owners.size());
    }
    child.tensors.push_back(std::move(tensors));
    child.trainable.push_back(trainable);
    child.slotParams.push_back(params);
  }
  return child;
}

}  // namespace mu2net
