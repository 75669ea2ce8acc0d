#include "SelectedRoute.h"

namespace mu2net::ui {

CandidateRoute candidateOf(const ChildStartedEvent& e) {
  CandidateRoute c{e.task, e.generation, e.childIndex, {}};
  for (const auto& s : e.slots) {
    CandidateRoute::Layer layer{s.slot, -1, s.sourceComponentId};
    if (s.kind == SlotOrigin::Kind::Shared)
      layer.sharedId = s.componentId >= 0 ? s.componentId : s.sourceComponentId;
    c.layers.push_back(layer);
  }
  return c;
}

SelectedRoute SelectedRoute::locate(const GraphSnapshot& snapshot,
                                    const std::vector<CandidateRoute>& candidates,
                                    const CandidateRoute& child, qint64 pathId) {
  SelectedRoute found;
  if (pathId >= 0) {
    for (std::size_t r = 0; r < snapshot.routes.size(); ++r) {
      const auto& route = snapshot.routes[r];
      if (route.pathId != pathId || route.task != child.task) continue;
      found.routeIndex = static_cast<int>(r);
      found.components.insert(route.componentIds.begin(), route.componentIds.end());
      return found;
    }
  }
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const auto& c = candidates[k];
    if (c.task != child.task || c.generation != child.generation ||
        c.childIndex != child.childIndex)
      continue;
    found.candidateIndex = static_cast<int>(k);
    for (const auto& layer : c.layers)
      if (layer.sharedId >= 0) found.components.insert(layer.sharedId);
    return found;
  }
  return found;
}

}  // namespace mu2net::ui
