#include "mu2net/evolution/GraphDiff.h"

#include <map>
#include <set>

namespace mu2net {

namespace {

std::set<std::int64_t> nodeIds(const GraphSnapshot& g) {
  std::set<std::int64_t> ids;
  for (const auto& n : g.nodes)
    ids.insert(n.id);
  return ids;
}

// Each id of `a` not in `b`, in order.
std::vector<std::int64_t> missingFrom(const std::set<std::int64_t>& a,
                                      const std::set<std::int64_t>& b) {
  std::vector<std::int64_t> out;
  for (auto id : a)
    if (!b.count(id)) out.push_back(id);
  return out;
}

}  // namespace

GraphDiff diffSnapshots(const GraphSnapshot& before, const GraphSnapshot& after) {
  GraphDiff d;
  const auto was = nodeIds(before);
  const auto is = nodeIds(after);
  d.newComponents = missingFrom(is, was);
  d.removedComponents = missingFrom(was, is);
  std::map<std::string, const GraphSnapshot::Route*> old;
  for (const auto& r : before.routes)
    old.emplace(r.task, &r);
  std::set<std::string> present;
  for (const auto& r : after.routes) {
    present.insert(r.task);
    const auto it = old.find(r.task);
    if (it == old.end())
      d.newRoutes.push_back(r.task);
    else if (it->second->pathId != r.pathId || it->second->componentIds != r.componentIds)
      d.changedRoutes.push_back(r.task);
  }
  for (const auto& r : before.routes)
    if (!present.count(r.task)) d.removedRoutes.push_back(r.task);
  return d;
}

}  // namespace mu2net
