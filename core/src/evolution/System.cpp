#include "mu2net/evolution/System.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mu2net {
namespace {

const std::vector<std::int64_t> kEmptyPopulation;

std::string idText(std::int64_t id) {
  return std::to_string(id);
}

}  // namespace

System::System(SystemState state) : s_(std::move(state)) {
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("System state is inconsistent: " + what);
  };
  for (const auto& [id, c] : s_.components) {
    if (c.id != id) fail("component stored under id " + idText(id) + " says " + idText(c.id));
    if (id < 0 || id >= s_.nextComponentId)
      fail("component id " + idText(id) + " not below the next id " + idText(s_.nextComponentId));
  }
  for (const auto& [id, p] : s_.paths) {
    if (p.id != id) fail("path stored under id " + idText(id) + " says " + idText(p.id));
    if (id < 0 || id >= s_.nextPathId)
      fail("path id " + idText(id) + " not below the next id " + idText(s_.nextPathId));
    for (auto c : p.componentIds)
      if (!hasComponent(c))
        fail("path " + idText(id) + " references missing component " + idText(c));
    if (p.parentId != -1 && !hasPath(p.parentId))
      fail("path " + idText(id) + " has parent " + idText(p.parentId) + ", which is not live");
  }
  if (s_.rootPathId != -1 && (!hasPath(s_.rootPathId) || path(s_.rootPathId).task != kRootTask))
    fail("root path " + idText(s_.rootPathId) + " is missing or not of task root");
  for (const auto& [task, ids] : s_.populations) {
    if (std::find(s_.tasks.begin(), s_.tasks.end(), task) == s_.tasks.end())
      fail("population of unknown task '" + task + "'");
    for (auto id : ids)
      if (!hasPath(id) || path(id).task != task)
        fail("population of '" + task + "' names path " + idText(id) +
             ", which is missing or of another task");
  }
  for (const auto& [task, id] : s_.retained)
    if (!hasPath(id) || path(id).task != task)
      fail("retained path " + idText(id) + " of '" + task + "' is missing or of another task");
  for (auto id : s_.seedPool)
    if (!hasPath(id)) fail("seed pool names missing path " + idText(id));
}

std::int64_t System::addComponent(Component component) {
  component.id = s_.nextComponentId++;
  const auto id = component.id;
  s_.components.emplace(id, std::move(component));
  return id;
}

std::int64_t System::addPath(Path p) {
  for (auto c : p.componentIds)
    if (!hasComponent(c))
      throw std::invalid_argument("addPath: component " + idText(c) + " is not live");
  if (p.parentId != -1 && !hasPath(p.parentId))
    throw std::invalid_argument("addPath: parent path " + idText(p.parentId) + " is not live");
  if (p.task != kRootTask) addTask(p.task);
  p.id = s_.nextPathId++;
  const auto id = p.id;
  const std::string task = p.task;
  s_.paths.emplace(id, std::move(p));
  if (task != kRootTask) s_.populations[task].push_back(id);
  return id;
}

void System::setRootPath(std::int64_t pathId) {
  if (s_.rootPathId != -1 && s_.rootPathId != pathId)
    throw std::logic_error("setRootPath: the root path is already " + idText(s_.rootPathId));
  Path& p = path(pathId);
  if (p.task != kRootTask)
    throw std::invalid_argument("setRootPath: path " + idText(pathId) + " belongs to task '" +
                                p.task + "', not to root");
  s_.rootPathId = pathId;
  for (auto c : p.componentIds)
    component(c).locks.insert(kRootTask);
}

Component& System::component(std::int64_t id) {
  const auto it = s_.components.find(id);
  if (it == s_.components.end()) throw std::out_of_range("unknown component id " + idText(id));
  return it->second;
}

const Component& System::component(std::int64_t id) const {
  const auto it = s_.components.find(id);
  if (it == s_.components.end()) throw std::out_of_range("unknown component id " + idText(id));
  return it->second;
}

Path& System::path(std::int64_t id) {
  const auto it = s_.paths.find(id);
  if (it == s_.paths.end()) throw std::out_of_range("unknown path id " + idText(id));
  return it->second;
}

const Path& System::path(std::int64_t id) const {
  const auto it = s_.paths.find(id);
  if (it == s_.paths.end()) throw std::out_of_range("unknown path id " + idText(id));
  return it->second;
}

std::vector<std::int64_t> System::componentIds() const {
  std::vector<std::int64_t> ids;
  ids.reserve(s_.components.size());
  for (const auto& entry : s_.components)
    ids.push_back(entry.first);
  return ids;
}

std::vector<std::int64_t> System::pathIds() const {
  std::vector<std::int64_t> ids;
  ids.reserve(s_.paths.size());
  for (const auto& entry : s_.paths)
    ids.push_back(entry.first);
  return ids;
}

const std::vector<std::int64_t>& System::population(const std::string& task) const {
  const auto it = s_.populations.find(task);
  return it == s_.populations.end() ? kEmptyPopulation : it->second;
}

void System::addTask(const std::string& task) {
  if (task.empty()) throw std::invalid_argument("addTask: empty task name");
  if (task == kRootTask)
    throw std::invalid_argument("addTask: '" + task + "' is reserved for the root path");
  if (std::find(s_.tasks.begin(), s_.tasks.end(), task) == s_.tasks.end()) s_.tasks.push_back(task);
}

bool System::isPrivate(const std::string& task) {
  return task.rfind("private:", 0) == 0;
}

std::int64_t System::retainedPath(const std::string& task) const {
  const auto it = s_.retained.find(task);
  return it == s_.retained.end() ? -1 : it->second;
}

std::int64_t System::bestPath(const std::string& task) const {
  std::int64_t best = -1;
  for (auto id : population(task)) {
    // Ties go to the newest id: a later path that merely matches the best is kept, because it
    // is the one the search reached most recently (§2).
    if (best == -1 || path(id).metrics.score > path(best).metrics.score ||
        (path(id).metrics.score == path(best).metrics.score && id > best))
      best = id;
  }
  return best;
}

void System::startTask(const std::string& task, Rng& rng) {
  addTask(task);
  s_.seedPool.clear();
  for (const auto& other : s_.tasks) {
    if (other == task || isPrivate(other)) continue;
    const auto id = retainedPath(other);
    if (id != -1) s_.seedPool.push_back(id);
  }
  if (s_.rootPathId != -1) s_.seedPool.push_back(s_.rootPathId);
  rng.shuffle(s_.seedPool.begin(), s_.seedPool.end());

  // Unlocking only makes the task's own components eligible for cloning without μ; they are
  // still cloned before training (§4.1), so the retained parameters stay untouched.
  const auto own = retainedPath(task);
  if (own != -1)
    for (auto c : path(own).componentIds)
      component(c).locks.erase(task);
}

void System::applyParentPolicy(ParentPolicy policy, const std::string& task) {
  if (policy == ParentPolicy::Evolve) return;
  std::int64_t source = -1;
  const auto& order = s_.tasks;
  const auto self = std::find(order.begin(), order.end(), task);
  if (policy == ParentPolicy::PreviousTask && self != order.end()) {
    // Walk backwards, wrapping round: in round-robin order this is the task that ended last.
    const auto n = static_cast<std::ptrdiff_t>(order.size());
    const std::ptrdiff_t at = self - order.begin();
    for (std::ptrdiff_t k = 1; k < n && source == -1; ++k) {
      const std::string& other = order[static_cast<std::size_t>((at - k + n) % n)];
      if (!isPrivate(other)) source = retainedPath(other);
    }
  } else if (policy == ParentPolicy::FirstTask && !order.empty() && order.front() != task &&
             !isPrivate(order.front())) {
    source = retainedPath(order.front());
  }
  s_.seedPool.clear();
  if (source != -1) {
    s_.seedPool.push_back(source);
  } else if (s_.rootPathId != -1) {
    s_.seedPool.push_back(s_.rootPathId);
  }
}

std::optional<std::int64_t> System::selectParent(const std::string& task, Rng& rng) {
  std::vector<std::int64_t> ranked = population(task);
  std::stable_sort(ranked.begin(), ranked.end(), [&](std::int64_t a, std::int64_t b) {
    const double sa = path(a).metrics.score, sb = path(b).metrics.score;
    return sa != sb ? sa > sb : a > b;
  });

  auto accepted = [&](std::int64_t id) {
    const auto& counts = path(id).metrics.offspringCount;
    const auto it = counts.find(task);
    const std::int64_t k = it == counts.end() ? 0 : it->second;
    // One draw per candidate even when k == 0, so the draw count depends only on the visit order.
    return rng.uniform() < std::pow(0.5, static_cast<double>(k));
  };

  for (auto id : ranked)
    if (accepted(id)) return id;

  for (std::size_t i = 0; i < s_.seedPool.size(); ++i) {
    const auto id = s_.seedPool[i];
    if (!accepted(id)) continue;
    // The next search in this task starts with the sources it has not just tried.
    std::rotate(s_.seedPool.begin(), s_.seedPool.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                s_.seedPool.end());
    return id;
  }

  std::vector<std::int64_t> all = ranked;
  all.insert(all.end(), s_.seedPool.begin(), s_.seedPool.end());
  if (all.empty()) return std::nullopt;
  return all[rng.below(all.size())];
}

void System::recordOffspring(std::int64_t parentId, const std::string& task) {
  ++path(parentId).metrics.offspringCount[task];
}

void System::endTask(const std::string& task) {
  const auto best = bestPath(task);
  if (best == -1) throw std::logic_error("endTask: task '" + task + "' has no path to keep");

  // Rebuild the lock from scratch rather than trusting startTask to have lifted it: the lock
  // must name exactly the components of the retained path.
  for (auto& entry : s_.components)
    entry.second.locks.erase(task);
  for (auto c : path(best).componentIds)
    component(c).locks.insert(task);

  for (auto id : population(task)) {
    if (id == best) continue;
    s_.removedParents[id] = path(id).parentId;
    s_.paths.erase(id);
    std::erase(s_.seedPool, id);
  }
  s_.populations[task] = {best};
  s_.retained[task] = best;
  garbageCollect();

  for (auto& entry : s_.paths)
    entry.second.parentId = resolveLiveAncestor(entry.second.parentId);
}

std::int64_t System::resolveLiveAncestor(std::int64_t id) const {
  // Removed paths form a forest of parent links; follow it until a live path (or none).
  while (id != -1 && !hasPath(id)) {
    const auto it = s_.removedParents.find(id);
    id = it == s_.removedParents.end() ? -1 : it->second;
  }
  return id;
}

std::vector<std::int64_t> System::garbageCollect() {
  std::set<std::int64_t> used;
  for (const auto& entry : s_.paths)
    used.insert(entry.second.componentIds.begin(), entry.second.componentIds.end());
  std::vector<std::int64_t> removed;
  for (auto it = s_.components.begin(); it != s_.components.end();) {
    if (used.count(it->first)) {
      ++it;
    } else {
      removed.push_back(it->first);
      it = s_.components.erase(it);
    }
  }
  return removed;
}

double System::accountedParams(std::int64_t pathId) const {
  const Path& p = path(pathId);
  double total = 0;
  for (auto id : p.componentIds) {
    const Component& c = component(id);
    std::set<std::string> users = c.locks;
    users.insert(p.task);
    users.erase(kRootTask);
    // Only the root path itself can leave the set empty: its unshared components are its own.
    const auto sharers = std::max<std::size_t>(1, users.size());
    total += static_cast<double>(c.paramCount) / static_cast<double>(sharers);
  }
  return total;
}

std::int64_t System::activatedParams(std::int64_t pathId) const {
  std::int64_t total = 0;
  for (auto id : path(pathId).componentIds)
    total += component(id).paramCount;
  return total;
}

double System::systemSize() const {
  std::set<std::int64_t> used;
  for (const auto& entry : s_.retained)
    for (auto c : path(entry.second).componentIds)
      used.insert(c);
  double total = 0;
  for (auto c : used)
    total += static_cast<double>(component(c).paramCount);
  return total;
}

GraphSnapshot System::snapshot() const {
  GraphSnapshot snap;
  snap.nodes.reserve(s_.components.size());
  for (const auto& [id, c] : s_.components) {
    snap.nodes.push_back({id,
                          c.slot,
                          c.creatorTask,
                          c.paramCount,
                          std::vector<std::string>(c.locks.begin(), c.locks.end()),
                          c.trainable(),
                          c.generation,
                          {}});
  }
  auto route = [&](const std::string& task, std::int64_t id) {
    const Path& p = path(id);
    snap.routes.push_back(
        {task, id, p.componentIds, p.metrics.validationQuality, p.metrics.testQuality});
  };
  if (s_.rootPathId != -1) route(kRootTask, s_.rootPathId);
  for (const auto& task : s_.tasks) {
    auto id = retainedPath(task);
    if (id == -1) id = bestPath(task);
    if (id != -1) route(task, id);
  }
  return snap;
}

}  // namespace mu2net
