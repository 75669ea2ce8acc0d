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

Engine::Impl::Impl(ExperimentConfig c, EventSink* sink, ExperimentStore* st,
                   const std::vector<std::string>* ownTasks)
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
    for (const auto& spec : config.tasks) {
      // An agent's engine reads its own tasks' data only (another machine may not have the
      // others'); the others are their names and counters, from the store.
      if (ownTasks && std::find(ownTasks->begin(), ownTasks->end(), spec.name) == ownTasks->end()) {
        TaskState other;
        other.spec = spec;
        other.dataRead = false;
        tasks.push_back(std::move(other));
        continue;
      }
      tasks.push_back(loadTaskState(spec, config, &cache));
    }
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
    takeCounters(t, st.tasks);
    system.addTask(t.spec.name);  // no-op for known tasks
  }
}

// Commits the current state (between generations only, so the store always holds a state the
// loop can continue from exactly).
void Engine::Impl::persist(const std::vector<ChildRecord>& children,
                           const GenerationRecord* generation) {
  if (!store || store->mode() != ExperimentStore::Mode::ReadWrite) return;
  progress.generationCounter = generationCounter;
  const std::vector<StoreTask> stored = storedTasks();
  std::lock_guard lock(systemMutex);
  store->commit(system.state(), progress, stored, children, events.takeStored(), generation);
}

void Engine::Impl::takeCounters(TaskState& task, const std::vector<StoreTask>& stored) {
  for (const auto& known : stored) {
    if (known.spec.name != task.spec.name) continue;
    task.childrenTried = known.childrenTried;
    task.childrenImproved = known.childrenImproved;
    task.iterationsDone = known.iterationsDone;
    if (!task.dataRead) task.data.numClasses = known.numClasses;
  }
}

std::vector<StoreTask> Engine::Impl::storedTasks() const {
  std::vector<StoreTask> stored;
  for (const auto& t : tasks)
    stored.push_back(
        {t.spec, t.data.numClasses, t.childrenTried, t.childrenImproved, t.iterationsDone});
  return stored;
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
    auto start = [&] {
      std::lock_guard lock(systemMutex);
      Rng startRng(deriveSeed(config.seed,
                              {hashTag("start-task"), hashTag(name), std::uint64_t(iteration)}));
      system.startTask(name, startRng);
      progress.taskStarted = true;
      progress.nextGeneration = 0;
      system.applyParentPolicy(config.evolution.parentPolicy, name);  // baselines only
    };
    // An agent commits it at once: the task's lease then says where its iteration stands.
    if (agent)
      agentCommit([&](std::vector<ChildRecord>&) { start(); }, nullptr);
    else
      start();
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
  auto end = [&] {
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
  };
  auto ended = [&] {
    TaskIterationEndedEvent e;
    e.task = name;
    e.iteration = iteration;
    e.retainedPathId = system.retainedPath(name);
    e.validationQuality = system.path(e.retainedPathId).metrics.validationQuality;
    e.systemSize = system.systemSize();
    e.graph = snapshotLocked();
    events.emit(e);
  };
  if (agent) {
    // end_task, then the test evaluations (no commit waits for them), each committed.
    agentCommit(
        [&](std::vector<ChildRecord>&) {
          end();
          progress.taskStarted = false;
          progress.nextGeneration = 0;
        },
        nullptr);
    const auto tests = testMissing();
    agentCommit(
        [&](std::vector<ChildRecord>&) {
          applyTests(tests);
          ended();
        },
        nullptr);
    ++progress.taskIndex;
    return;
  }
  end();
  evaluateMissingTests();
  ended();
  ++progress.taskIndex;
  progress.taskStarted = false;
  progress.nextGeneration = 0;
  persist({}, nullptr);
}

// Generation g (from 0) of a task iteration (§3): its data hyperparameters, its children
// sampled, trained together, every improved child added to the task's population; committed.
void Engine::Impl::runGeneration(TaskState& t, int iteration, int64_t g) {
  const std::string& name = t.spec.name;
  // An agent's generation numbers come from the store (unique among agents), and it samples
  // from the latest committed system.
  const int64_t generation = agent
                                 ? generationCounter = store->allocateGeneration(generationCounter)
                                 : ++generationCounter;
  if (agent) syncAgent();
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
  if (agent) markInUse(children);
  trainer.train(children, t, generation, ds);
  applyPendingTasks();
  t.childrenTried += static_cast<int64_t>(children.size());
  auto addChildren = [&](std::vector<ChildRecord>& records) {
    for (auto& child : children) {
      int64_t pathId = -1;
      if (child.improved && agent && !agentCanKeep(child)) child.improved = false;
      if (child.improved) {
        std::lock_guard lock(systemMutex);
        pathId = addChildToSystem(system, child, name, generation);
        ++t.childrenImproved;
      }
      records.push_back(childFinishedEvent(child, name, generation, pathId));
      events.emit(records.back());
    }
    progress.nextGeneration = g + 1;
  };
  if (agent) {
    agentCommit(addChildren, &record);
    return;
  }
  std::vector<ChildRecord> records;
  addChildren(records);
  persist(records, &record);
}

std::vector<TestEvaluatedEvent> Engine::Impl::testMissing() {
  std::vector<TestEvaluatedEvent> results;
  for (const auto& t : tasks) {
    const int64_t id = system.retainedPath(t.spec.name);
    if (!owns(t.spec.name) || id < 0 || system.path(id).metrics.testQuality) continue;
    results.push_back({t.spec.name, id, testPath(id), static_cast<int64_t>(t.testIndices.size())});
  }
  return results;
}

void Engine::Impl::applyTests(const std::vector<TestEvaluatedEvent>& results) {
  for (const auto& r : results) {
    if (!system.hasPath(r.pathId)) continue;
    {
      std::lock_guard lock(systemMutex);
      system.path(r.pathId).metrics.testQuality = r.testQuality;
    }
    events.emit(r);
  }
}

Engine::Engine(ExperimentConfig config, EventSink* sink, ExperimentStore* store)
    : impl_(std::make_unique<Impl>(std::move(config), sink, store, nullptr)) {}

Engine::Engine(ExperimentConfig config, EventSink* sink, ExperimentStore* store,
               const std::vector<std::string>& ownTasks)
    : impl_(std::make_unique<Impl>(std::move(config), sink, store, &ownTasks)) {}

Engine::~Engine() = default;

RunReport Engine::run() {
  auto& d = *impl_;
  if (d.store && d.store->mode() != ExperimentStore::Mode::ReadWrite)
    throw StoreError(d.store->directory().string() + " is open read-only; it cannot be run");
  return d.runLoop();
}

RunReport Engine::Impl::runLoop() {
  trainer.useAllThreads();
  const auto t0 = Clock::now();
  const int iterations = config.evolution.taskIterations;
  totalChildren = 0;
  for (const auto& t : tasks)
    if (owns(t.spec.name))
      totalChildren += std::max(0, iterations - t.iterationsDone) * childrenPerIteration();
  if (!agent && progress.taskStarted)
    totalChildren -= progress.nextGeneration * config.evolution.generationSize;
  if (agent)
    for (const auto& [name, position] : agent->positions)
      totalChildren -=
          position.started ? position.nextGeneration * config.evolution.generationSize : 0;
  RunStartedEvent started;
  for (const auto& t : tasks)
    started.tasks.push_back(t.spec.name);
  started.taskIterations = iterations;
  started.childrenPerTaskIteration = static_cast<int>(childrenPerIteration());
  started.generationSize = config.evolution.generationSize;
  started.totalChildren = totalChildren;
  started.graph = snapshotLocked();
  started.history = std::move(history);
  history.clear();
  events.emit(started);
  progress.finished = false;
  bool stopped = false;
  try {
    // Round-robin passes (ALGORITHM.md §3). A task runs in a pass while it has done fewer task
    // iterations than the pass number and than task_iterations, so a task introduced later (by
    // add-task or on resume) joins the round-robin and still gets all its iterations. An agent
    // runs its own tasks only.
    for (;; ++progress.iteration, progress.taskIndex = 0) {
      applyPendingTasks();
      bool allDone = true;
      for (const auto& t : tasks)
        allDone = allDone && (!owns(t.spec.name) || t.iterationsDone >= iterations);
      if (allDone) break;
      while (progress.taskIndex < static_cast<int64_t>(tasks.size())) {
        applyPendingTasks();
        TaskState& t = tasks[static_cast<std::size_t>(progress.taskIndex)];
        if (!owns(t.spec.name) || t.iterationsDone >= iterations ||
            t.iterationsDone >= progress.iteration) {
          ++progress.taskIndex;
          continue;
        }
        if (agent) enterAgentTask(t);
        runTaskIteration(t);  // advances progress.taskIndex when the task ends
      }
    }
    progress.finished = true;
    if (!agent) persist({}, nullptr);
    // An agent that took over a task whose last iteration ended without its test evaluation
    // (its agent died in between) evaluates it now.
    if (agent)
      if (const auto tests = testMissing(); !tests.empty())
        agentCommit([&](std::vector<ChildRecord>&) { applyTests(tests); }, nullptr);
  } catch (const StopRequested&) {
    stopped = true;
  } catch (const std::exception& e) {
    events.emit(ErrorEvent{errorText(e)});
    throw;
  }
  // The components of children that were not kept are no longer referenced by the last commit.
  if (store) store->removeUnreferencedFiles();
  RunReport report = makeReport(secondsSince(t0), stopped);
  events.emit(RunFinishedEvent{stopped, report.wallSeconds, report.graph});
  return report;
}

}  // namespace mu2net
