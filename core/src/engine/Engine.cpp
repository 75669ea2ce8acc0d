// The engine's loop (ALGORITHM.md §3), orchestrating its parts:
//   ChildSampler (evolution/)  a generation's data hyperparameters and its children's plans
//   RouteBuilder               the tensors of the root and of each child
//   GenerationTrainer          trains a generation's children (§5), evaluates routes
//   RunControl, EventRelay     pause/stop/add-task requests and safe points; events out
//   ExperimentStore            one commit per generation and per task iteration
// Torch-free: the parts above hold every use of tensors. The queries a GUI or CLI makes of a run
// or of a finished system are in EngineQueries.cpp.
#include "mu2net/engine/Engine.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "engine/Child.h"
#include "engine/EngineImpl.h"
#include "evolution/SearchSpaceFit.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/common/Rng.h"

namespace mu2net {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

Engine::Impl::Impl(ExperimentConfig c, EventSink* sink, ExperimentStore* st)
    : config(std::move(c)),
      space(SearchSpace::laptopDefaults(config.root.architecture.depth,
                                        config.root.architecture.imageSize, config.imageSizes)),
      events(sink),
      control(events),
      sampler(space, config),
      routes(config.root.architecture),
      trainer(config, control, events),
      store(st) {
  validate(config.root.architecture);
  for (const auto& [name, o] : config.searchSpace)
    space.override(name, o.values, o.defaultValue);
  // Before any data is read: an engine that may run refuses a value its root cannot use (an
  // engine on a read-only store only inspects what was run).
  if (!store || store->mode() == ExperimentStore::Mode::ReadWrite)
    checkSearchSpaceFitsRoot(space, config);
  {
    DatasetCache cache;  // tasks that are class subsets of one source read it once
    for (const auto& spec : config.tasks)
      tasks.push_back(loadTaskState(spec, config, &cache));
  }
  if (store && store->hasState()) {
    restore();
  } else {
    // Committed with the first generation, not now: until a generation is committed the store
    // holds no state, and a corrected configuration may replace this one.
    for (const auto& t : tasks)
      system.addTask(t.spec.name);
    routes.createRoot(system, config.root, space.defaults(), config.seed);
  }
}

// Continues from the store's last commit: the system with its tensors, the loop position and
// the per-task counters. Tasks of the configuration the store does not know are introduced.
void Engine::Impl::restore() {
  StoreState st = store->load();
  history = store->children();
  system = System(std::move(st.system));
  progress = st.progress;
  generationCounter = progress.generationCounter;
  for (auto& t : tasks) {
    for (const auto& known : st.tasks) {
      if (known.spec.name != t.spec.name) continue;
      t.childrenTried = known.childrenTried;
      t.childrenImproved = known.childrenImproved;
      t.iterationsDone = known.iterationsDone;
    }
    system.addTask(t.spec.name);  // no-op for known tasks
  }
}

// Commits the current state (between generations only, so the store always holds a state the
// loop can continue from exactly).
void Engine::Impl::persist(const std::vector<ChildRecord>& children,
                           const GenerationRecord* generation) {
  if (!store || store->mode() != ExperimentStore::Mode::ReadWrite) return;
  progress.generationCounter = generationCounter;
  std::vector<StoreTask> stored;
  for (const auto& t : tasks)
    stored.push_back(
        {t.spec, t.data.numClasses, t.childrenTried, t.childrenImproved, t.iterationsDone});
  std::lock_guard lock(systemMutex);
  store->commit(system.state(), progress, stored, children, events.takeStored(), generation);
}

int64_t Engine::Impl::generationsPerIteration() const {
  const int g = config.evolution.generationSize;
  return (config.evolution.childrenPerTaskIteration + g - 1) / g;
}
int64_t Engine::Impl::childrenPerIteration() const {
  return generationsPerIteration() * config.evolution.generationSize;
}

void Engine::Impl::applyPendingTasks() {
  for (const auto& spec : control.takePendingTasks()) {
    try {
      for (const auto& t : tasks)
        if (t.spec.name == spec.name)
          throw ConfigError("a task named '" + spec.name + "' already exists");
      TaskState state = loadTaskState(spec, config);
      {
        std::lock_guard lock(systemMutex);
        system.addTask(spec.name);
        tasks.push_back(std::move(state));
      }
      config.tasks.push_back(spec);
      if (store && store->mode() == ExperimentStore::Mode::ReadWrite) store->replaceConfig(config);
      totalChildren += childrenPerIteration() * config.evolution.taskIterations;
      events.emit(TaskAddedEvent{spec.name});
    } catch (const std::exception& e) {
      events.emit(ErrorEvent{"cannot add task '" + spec.name + "': " + errorText(e)});
    }
  }
}

// One task iteration of §3: start_task, generations of children, end_task, test evaluation.
void Engine::Impl::runTaskIteration(TaskState& t) {
  const std::string& name = t.spec.name;
  const int iteration = t.iterationsDone + 1;
  events.emit(TaskIterationStartedEvent{name, iteration});
  if (!progress.taskStarted) {
    std::lock_guard lock(systemMutex);
    Rng startRng(
        deriveSeed(config.seed, {hashTag("start-task"), hashTag(name), std::uint64_t(iteration)}));
    system.startTask(name, startRng);
    progress.taskStarted = true;
    progress.nextGeneration = 0;
    system.applyParentPolicy(config.evolution.parentPolicy, name);  // baselines only
  }
  try {
    for (int64_t g = progress.nextGeneration; g < generationsPerIteration(); ++g)
      runGeneration(t, iteration, g);
  } catch (const StopRequested&) {
    // Discard the interrupted generation; keep the task's best model so far (a task stopped
    // in its very first generation has none and stays without a model). The store keeps the
    // last committed generation, from which a resumed run continues exactly.
    --generationCounter;
    std::lock_guard lock(systemMutex);
    if (!system.population(name).empty()) system.endTask(name);
    throw;
  }
  {
    std::lock_guard lock(systemMutex);
    // Only children whose training diverged are never kept for a task without a model: then
    // the task has nothing to keep, and saying why beats endTask's internal error.
    if (system.population(name).empty())
      throw std::runtime_error(
          "task '" + name +
          "': no child could be kept, the loss of every child became NaN or infinite; lower "
          "the learning rates (search_space.opt_lr) or check the root's weights");
    system.endTask(name);
  }
  ++t.iterationsDone;
  evaluateMissingTests();
  TaskIterationEndedEvent e;
  e.task = name;
  e.iteration = iteration;
  e.retainedPathId = system.retainedPath(name);
  e.validationQuality = system.path(e.retainedPathId).metrics.validationQuality;
  e.systemSize = system.systemSize();
  e.graph = snapshotLocked();
  events.emit(e);
  ++progress.taskIndex;
  progress.taskStarted = false;
  progress.nextGeneration = 0;
  persist({}, nullptr);
}

// Generation g (from 0) of a task iteration (§3): its data hyperparameters, its children
// sampled, trained together, every improved child added to the task's population; committed.
void Engine::Impl::runGeneration(TaskState& t, int iteration, int64_t g) {
  const std::string& name = t.spec.name;
  const int64_t generation = ++generationCounter;
  Rng rng(deriveSeed(config.seed, {hashTag("generation"), std::uint64_t(generation)}));
  GenerationRecord record;
  record.generation = generation;
  record.task = name;
  record.iteration = iteration;
  record.rng = rng.state();
  GenerationStartedEvent started;
  started.task = name;
  started.iteration = iteration;
  started.generation = generation;
  started.dataHParams = sampler.sampleGeneration(system, name, rng, &started.dataMutations);
  record.dataHParams = started.dataHParams;
  record.dataMutations = started.dataMutations;
  events.emit(started);
  // Sampling changes the system's offspring counters and draws from the generation's
  // generator; training touches neither, so every child is sampled first.
  const HParams& ds = started.dataHParams;
  const SlotFits fits = routes.fits(t.data.numClasses, toDataHParams(ds).imageSize);
  std::vector<Child> children;
  for (int c = 0; c < config.evolution.generationSize; ++c)
    children.push_back(routes.build(sampler.sample(system, name, ds, fits, rng, c), system, name,
                                    t.data.numClasses, rng));
  trainer.train(children, t, generation, ds);
  applyPendingTasks();
  t.childrenTried += static_cast<int64_t>(children.size());
  std::vector<ChildRecord> records;
  for (auto& child : children) {
    int64_t pathId = -1;
    if (child.improved) {
      std::lock_guard lock(systemMutex);
      pathId = addChildToSystem(system, child, name, generation);
      ++t.childrenImproved;
    }
    records.push_back(childFinishedEvent(child, name, generation, pathId));
    events.emit(records.back());
  }
  progress.nextGeneration = g + 1;
  persist(records, &record);
}

void Engine::Impl::evaluateMissingTests() {
  for (const auto& t : tasks) {
    const int64_t id = system.retainedPath(t.spec.name);
    if (id < 0 || system.path(id).metrics.testQuality) continue;
    const double q = testPath(id);
    {
      std::lock_guard lock(systemMutex);
      system.path(id).metrics.testQuality = q;
    }
    events.emit(TestEvaluatedEvent{t.spec.name, id, q, static_cast<int64_t>(t.testIndices.size())});
  }
}

Engine::Engine(ExperimentConfig config, EventSink* sink, ExperimentStore* store)
    : impl_(std::make_unique<Impl>(std::move(config), sink, store)) {}

Engine::~Engine() = default;

RunReport Engine::run() {
  auto& d = *impl_;
  if (d.store && d.store->mode() != ExperimentStore::Mode::ReadWrite)
    throw StoreError(d.store->directory().string() + " is open read-only; it cannot be run");
  d.trainer.useAllThreads();
  const auto t0 = Clock::now();
  const int iterations = d.config.evolution.taskIterations;
  d.totalChildren = 0;
  for (const auto& t : d.tasks)
    d.totalChildren += std::max(0, iterations - t.iterationsDone) * d.childrenPerIteration();
  if (d.progress.taskStarted)
    d.totalChildren -= d.progress.nextGeneration * d.config.evolution.generationSize;
  RunStartedEvent started;
  for (const auto& t : d.tasks)
    started.tasks.push_back(t.spec.name);
  started.taskIterations = iterations;
  started.childrenPerTaskIteration = static_cast<int>(d.childrenPerIteration());
  started.generationSize = d.config.evolution.generationSize;
  started.totalChildren = d.totalChildren;
  started.graph = d.snapshotLocked();
  started.history = std::move(d.history);
  d.history.clear();
  d.events.emit(started);
  d.progress.finished = false;
  bool stopped = false;
  try {
    // Round-robin passes (ALGORITHM.md §3). A task runs in a pass while it has done fewer task
    // iterations than the pass number and than task_iterations, so a task introduced later (by
    // add-task or on resume) joins the round-robin and still gets all its iterations.
    for (;; ++d.progress.iteration, d.progress.taskIndex = 0) {
      d.applyPendingTasks();
      bool allDone = true;
      for (const auto& t : d.tasks)
        allDone = allDone && t.iterationsDone >= iterations;
      if (allDone) break;
      while (d.progress.taskIndex < static_cast<int64_t>(d.tasks.size())) {
        d.applyPendingTasks();
        TaskState& t = d.tasks[static_cast<std::size_t>(d.progress.taskIndex)];
        if (t.iterationsDone >= iterations || t.iterationsDone >= d.progress.iteration) {
          ++d.progress.taskIndex;
          continue;
        }
        d.runTaskIteration(t);  // advances progress.taskIndex when the task ends
      }
    }
    d.progress.finished = true;
    d.persist({}, nullptr);
  } catch (const StopRequested&) {
    stopped = true;
  } catch (const std::exception& e) {
    d.events.emit(ErrorEvent{errorText(e)});
    throw;
  }
  // The components of children that were not kept are no longer referenced by the last commit.
  if (d.store) d.store->removeUnreferencedFiles();
  RunReport report = d.makeReport(secondsSince(t0), stopped);
  d.events.emit(RunFinishedEvent{stopped, report.wallSeconds, report.graph});
  return report;
}

}  // namespace mu2net
