#pragma once
// The μ2Net system of ALGORITHM.md §1–§3.1 and the accounting of §5, as torch-free bookkeeping:
// components (blocks of parameters, shared by reference between paths), paths (a task's model:
// an ordered route of components plus hyperparameters), the root path, per-task populations,
// locks, the seed pool, parent selection, end_task, garbage collection and parameter accounting.
//
// The tensors themselves live behind Component::tensors, which this code never dereferences, so
// the logic is testable with tensors == nullptr. Not thread-safe: the engine thread owns a
// System; other threads receive snapshot() values.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mu2net/common/Rng.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/GraphSnapshot.h"
#include "mu2net/evolution/SearchSpace.h"

namespace mu2net {

/// A component's parameter (and momentum) tensors; defined by the torch side of core.
struct ComponentTensors;

/// One named block of parameters in architecture slot `slot` ("embedding", "cls", "posembed",
/// "block_<i>", "norm", "head", "adapter_<i>").
/// Invariant: trainable iff no task's retained model uses it (locks empty). A locked component's
/// tensors never change.
struct Component {
  std::int64_t id = -1;  ///< assigned by System::addComponent; unique, never reused
  std::string slot;
  std::set<std::string> locks;  ///< tasks whose retained path uses it ("root" for the root's)
  std::int64_t paramCount = 0;  ///< number of scalar parameters (momentum not counted)
  std::string creatorTask;      ///< task that created it ("root" for the root's own)
  std::int64_t generation = 0;  ///< generation it was created in
  std::shared_ptr<ComponentTensors> tensors;  ///< may be null in torch-free code and tests
  bool trainable() const { return locks.empty(); }
};

/// What is known about a path from training and evaluation.
struct PathMetrics {
  double validationQuality = 0;       ///< best validation accuracy, in [0, 1]
  std::optional<double> testQuality;  ///< test accuracy in [0, 1], only for retained paths
  double score = 0;                   ///< selection score (§5): quality × s^(params / P_ref)
  /// Times this path was chosen as a parent, per task it was a parent for. Persistent: it
  /// survives start_task/end_task as long as the path lives (drives the 0.5^k rule of §3.1).
  std::map<std::string, std::int64_t> offspringCount;
  std::int64_t generation = 0;            ///< generation the path was created in
  bool improved = false;                  ///< it passed the retention rule of §3.2
  double trainSeconds = 0;                ///< wall-clock training time, seconds
  std::vector<Mutation> mutations;        ///< hyperparameter changes relative to its parent
  std::vector<double> validationHistory;  ///< validation accuracy after each validation
};

/// A task's model: an ordered route of shared components plus hyperparameters.
struct Path {
  std::int64_t id = -1;                    ///< assigned by System::addPath; unique, never reused
  std::string task;                        ///< owning task, or System::kRootTask for the root path
  std::vector<std::int64_t> componentIds;  ///< in route order, input to head; all live
  HParams hparams;
  std::int64_t parentId = -1;  ///< nearest live ancestor (re-pointed by endTask), -1 if none
  PathMetrics metrics;
};

/// The complete state of a System as plain values, for a store to save and restore
/// (System::state() / System(SystemState)). Everything the algorithm's future depends on is here:
/// the id counters (ids are never reused), the parent links of removed paths (needed to re-point
/// live paths to their nearest live ancestor), the seed pool in its current rotated order, and
/// the offspring counters (inside each path's metrics).
struct SystemState {
  std::int64_t nextComponentId = 0;
  std::int64_t nextPathId = 0;
  std::int64_t rootPathId = -1;
  std::map<std::int64_t, Component> components;  ///< live components by id
  std::map<std::int64_t, Path> paths;            ///< live paths by id (root path included)
  std::vector<std::string> tasks;                ///< introduction order, root excluded
  std::map<std::string, std::vector<std::int64_t>> populations;  ///< live path ids per task
  std::map<std::string, std::int64_t> retained;         ///< task → path kept by its last endTask
  std::vector<std::int64_t> seedPool;                   ///< of the task last started, current order
  std::map<std::int64_t, std::int64_t> removedParents;  ///< removed path id → its parent id
};

class System {
 public:
  /// The pseudo-task that owns the root path; its lock is never removed.
  static constexpr const char* kRootTask = "root";

  System() = default;
  /// Restores a saved state. Throws std::invalid_argument with the offending id when it is
  /// inconsistent (a path referencing a missing component, a population or retained/seed-pool
  /// entry naming a missing path, an id not below its counter).
  explicit System(SystemState state);
  /// The full state, for persistence.
  const SystemState& state() const { return s_; }

  /// Adds a component under the next component id (the given id is ignored) and returns the id.
  std::int64_t addComponent(Component component);
  /// Adds a path under the next path id (the given id is ignored) and returns the id. A path of
  /// a task other than root is appended to that task's population, introducing the task if new.
  /// Throws std::invalid_argument if a component id or the parent id (unless -1) is not live.
  std::int64_t addPath(Path path);
  /// Makes `pathId` (whose task must be kRootTask) the root path and locks its components with
  /// "root". Throws std::invalid_argument otherwise, std::logic_error if a root is already set.
  void setRootPath(std::int64_t pathId);
  /// The root path id, -1 if none.
  std::int64_t rootPath() const { return s_.rootPathId; }

  Component& component(std::int64_t id);
  const Component& component(std::int64_t id) const;
  Path& path(std::int64_t id);
  const Path& path(std::int64_t id) const;
  bool hasComponent(std::int64_t id) const { return s_.components.count(id) != 0; }
  bool hasPath(std::int64_t id) const { return s_.paths.count(id) != 0; }
  /// Live ids in increasing order.
  std::vector<std::int64_t> componentIds() const;
  std::vector<std::int64_t> pathIds() const;

  /// Live paths of `task` in the order they were added (empty if none).
  const std::vector<std::int64_t>& population(const std::string& task) const;
  /// Introduces a task (no-op if known). Throws std::invalid_argument for kRootTask or "".
  void addTask(const std::string& task);
  /// Tasks in introduction order, root excluded.
  const std::vector<std::string>& tasks() const { return s_.tasks; }
  /// True when the task's name begins "private:": it may use others' models, never offers its own.
  static bool isPrivate(const std::string& task);
  /// The path kept by the task's last endTask, -1 if it never ended.
  std::int64_t retainedPath(const std::string& task) const;
  /// The task's best live path (max score, ties → newest id), -1 if it has none.
  std::int64_t bestPath(const std::string& task) const;

  /// start_task (§2, §3): introduces the task if new; seed pool := retained path of every other
  /// public task (introduction order) + the root path, shuffled with `rng`; removes lock `task`
  /// from the components of the task's retained path.
  void startTask(const std::string& task, Rng& rng);
  /// Narrows the seed pool startTask(task) just built to what `policy` allows (see ParentPolicy):
  /// Evolve leaves it unchanged; Isolated keeps the root path; PreviousTask keeps the retained
  /// path of the nearest public task before `task` in introduction order, going round (the last
  /// task precedes the first), and FirstTask that of the first task in introduction order (not
  /// `task` itself); either falls back to the root path when that task has no retained path yet.
  /// Draws nothing, so a run with Evolve is unchanged by the call.
  void applyParentPolicy(ParentPolicy policy, const std::string& task);
  /// The seed pool of the task last started, in its current (shuffled, rotated) order.
  const std::vector<std::int64_t>& seedPool() const { return s_.seedPool; }
  /// Parent selection of §3.1: the task's population by score desc (ties → newest id first),
  /// each accepted with probability 0.5^offspringCount[task]; else the seed pool in order, same
  /// rule, rotating the pool to start after the accepted one; else uniform over population +
  /// seed pool. nullopt only when both are empty. Does not count the offspring: call
  /// recordOffspring when the child is sampled.
  std::optional<std::int64_t> selectParent(const std::string& task, Rng& rng);
  /// Increments path(parentId).metrics.offspringCount[task].
  void recordOffspring(std::int64_t parentId, const std::string& task);
  /// end_task (§2): keeps the best path of the task (max score, ties → newest id), makes the
  /// lock `task` name exactly its components, drops every other path of the task, garbage-
  /// collects, and re-points each live path's parent to its nearest live ancestor.
  /// Throws std::logic_error if the task has no path.
  void endTask(const std::string& task);
  /// `id` if it is a live path, else its nearest live ancestor through the parent links of
  /// removed paths (-1 if none).
  std::int64_t liveAncestor(std::int64_t id) const { return resolveLiveAncestor(id); }
  /// Removes every component that no live path references; returns their ids, increasing.
  std::vector<std::int64_t> garbageCollect();

  /// Accounted parameters of a path of task t (§5): Σ over its components of
  /// paramCount / |locks ∪ {t} \ {root}|. A component locked only by root counts fully for a
  /// task's path; for the root path itself an empty set counts as 1 (full).
  double accountedParams(std::int64_t pathId) const;
  /// All parameters the path runs through (Σ paramCount of its components).
  std::int64_t activatedParams(std::int64_t pathId) const;
  /// System size (§5): parameters of the components used by the retained paths of all tasks,
  /// each counted once. Equals Σ accountedParams over retained paths whenever the locks are
  /// consistent (no task between startTask and endTask); computed from the retained paths
  /// directly so that it is also exact while a task's lock is lifted.
  double systemSize() const;

  /// Value picture for other threads (see GraphSnapshot).
  GraphSnapshot snapshot() const;

 private:
  std::int64_t resolveLiveAncestor(std::int64_t id) const;

  SystemState s_;
};

}  // namespace mu2net
