#pragma once
// What changed in a system's graph between two snapshots (e.g. two points of a store's history):
// the components that appeared and disappeared, and the routes that are new (a task's first model)
// or changed (a task's model replaced: another path or another chain of components). A pure
// function of its two arguments.
#include <cstdint>
#include <string>
#include <vector>

#include "mu2net/evolution/GraphSnapshot.h"

namespace mu2net {

struct GraphDiff {
  std::vector<std::int64_t> newComponents;      ///< in `after`, not in `before`; sorted
  std::vector<std::int64_t> removedComponents;  ///< in `before`, not in `after`; sorted
  std::vector<std::string> newRoutes;      ///< tasks with a route in `after` only; `after`'s order
  std::vector<std::string> changedRoutes;  ///< tasks whose path id or components changed
  std::vector<std::string> removedRoutes;  ///< tasks with a route in `before` only
  bool empty() const {
    return newComponents.empty() && removedComponents.empty() && newRoutes.empty() &&
           changedRoutes.empty() && removedRoutes.empty();
  }
};

GraphDiff diffSnapshots(const GraphSnapshot& before, const GraphSnapshot& after);

}  // namespace mu2net
