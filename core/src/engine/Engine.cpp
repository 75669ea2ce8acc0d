#include "mu2net/engine/Engine.h"

#include <ATen/Parallel.h>
#include <torch/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>

#include "model/ComponentFile.h"
#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "model/RootCheckpoint.h"
#include "mu2net/common/Rng.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/InputPipeline.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/evolution/LayerCloning.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {
namespace {

using Clock = std::chrono::steady_clock;

// Thrown at a safe point when stop() was requested; never leaves the engine.
struct StopRequested {};

constexpr int64_t kEvalBatch = 256;
constexpr double kProgressInterval = 0.2;  // seconds between TrainingProgress events

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct TaskState {
  TaskSpec spec;
  TaskData data;
  std::vector<int64_t> validationIndices;  // fixed, seeded subset used for every validation
  std::vector<int64_t> testIndices;
  int64_t childrenTried = 0;
  int64_t childrenImproved = 0;
  int iterationsDone = 0;
};

// A seeded, fixed subset of [0, count): the evaluation examples of a split. Seeded rather than
// "the first n" because some sources (CMATERdb) are sorted by class.
std::vector<int64_t> evaluationSubset(int64_t count, int64_t maxExamples, std::uint64_t seed) {
  std::vector<int64_t> idx(static_cast<std::size_t>(count));
  std::iota(idx.begin(), idx.end(), 0);
  if (maxExamples > 0 && maxExamples < count) {
    Rng rng(seed);
    rng.shuffle(idx.begin(), idx.end());
    idx.resize(static_cast<std::size_t>(maxExamples));
    std::sort(idx.begin(), idx.end());
  }
  return idx;
}

// One child under construction: its route, where each slot came from, what it trains.
struct Child {
  int index = 0;
  int64_t parentId = -1;
  std::string parentTask;
  double parentScore = 0;
  HParams hparams;
  std::vector<Mutation> mutations;
  std::vector<std::string> slots;
  std::vector<std::shared_ptr<ComponentTensors>> tensors;
  std::vector<int64_t> sharedIds;  // component id for shared slots, -1 for cloned/new
  std::vector<SlotOrigin> origins;
  std::vector<bool> trainable;
  int64_t trainableParams = 0;
  int64_t totalParams = 0;
  double accountedParams = 0;
  // Results.
  double bestQuality = -1;
  double bestScore = -std::numeric_limits<double>::infinity();
  bool improved = false;
  std::vector<double> history;
  double seconds = 0;
};

}  // namespace

struct Engine::Impl {
  ExperimentConfig config;
  EventSink* sink = nullptr;
  SearchSpace space;
  System system;
  std::deque<TaskState> tasks;
  int64_t rootPathId = -1;
  bool rootTrained = false;
  int64_t generationCounter = 0;
  int64_t totalChildren = 0;
  ExperimentStore* store = nullptr;
  StoreProgress progress;
  std::vector<StoredEvent> pendingStoredEvents;
  std::vector<ChildRecord> history;  // children committed before this engine was created
  mutable std::map<int64_t, std::string> hashCache;  // component id -> SHA-256 of its tensors

  // Control, shared with other threads.
  mutable std::mutex controlMutex;
  std::condition_variable controlCv;
  bool pauseRequested = false;
  int pausedTrainers = 0;  // children waiting at a safe point while paused
  std::atomic<bool> stopRequested{false};
  // Set when a child trained in parallel failed: the others stop at their next safe point.
  std::atomic<bool> generationFailed{false};
  // Children of a generation may train on several threads; events reach the sink one at a time.
  std::mutex emitMutex;
  std::vector<TaskSpec> pendingTasks;
  // Guards `system` structure for snapshot() from other threads.
  mutable std::mutex systemMutex;

  Impl(ExperimentConfig c, EventSink* s, ExperimentStore* st)
      : config(std::move(c)),
        sink(s),
        space(SearchSpace::laptopDefaults(config.root.architecture.depth,
                                          config.root.architecture.imageSize, config.imageSizes)) {
    store = st;
    validate(config.root.architecture);
    for (const auto& [name, o] : config.searchSpace)
      space.override(name, o.values, o.defaultValue);
    {
      DatasetCache cache;  // tasks that are class subsets of one source read it once
      for (const auto& spec : config.tasks)
        tasks.push_back(loadTaskState(spec, &cache));
    }
    if (store && store->hasState()) {
      restore();
    } else {
      for (const auto& t : tasks)
        system.addTask(t.spec.name);
      createRoot();
      persist({}, nullptr);
    }
  }

  // Continues from the store's last commit: the system with its tensors, the loop position and
  // the per-task counters. Tasks of the configuration the store does not know are introduced.
  void restore() {
    StoreState st = store->load();
    history = store->children();
    system = System(std::move(st.system));
    rootPathId = system.rootPath();
    rootTrained = !config.root.checkpoint.empty();
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

  std::vector<StoreTask> storeTasks() const {
    std::vector<StoreTask> out;
    for (const auto& t : tasks)
      out.push_back(
          {t.spec, t.data.numClasses, t.childrenTried, t.childrenImproved, t.iterationsDone});
    return out;
  }

  // Commits the current state (between generations only, so the store always holds a state the
  // loop can continue from exactly).
  void persist(const std::vector<ChildRecord>& children, const GenerationRecord* generation) {
    if (!store || store->mode() != ExperimentStore::Mode::ReadWrite) return;
    progress.generationCounter = generationCounter;
    std::lock_guard lock(systemMutex);
    store->commit(system.state(), progress, storeTasks(), children, pendingStoredEvents,
                  generation);
    pendingStoredEvents.clear();
  }

  void emit(Event e) {
    std::lock_guard lock(emitMutex);
    if (auto stored = toStoredEvent(e)) pendingStoredEvents.push_back(std::move(*stored));
    if (sink) sink->handle(e);
  }

  TaskState loadTaskState(const TaskSpec& spec, DatasetCache* cache = nullptr) {
    TaskState t;
    t.spec = spec;
    t.data = cache ? loadTask(spec, config.seed, *cache) : loadTask(spec, config.seed);
    if (t.data.train.count == 0 || t.data.validation.count == 0 || t.data.test.count == 0)
      throw DataError("task '" + spec.name + "' (" + spec.path.string() +
                      "): train, validation and test splits must all be non-empty");
    const auto tag = hashTag(spec.name);
    t.validationIndices =
        evaluationSubset(t.data.validation.count, config.training.validationExamplesMax,
                         deriveSeed(config.seed, {hashTag("validation-subset"), tag}));
    t.testIndices = evaluationSubset(t.data.test.count, config.training.testExamplesMax,
                                     deriveSeed(config.seed, {hashTag("test-subset"), tag}));
    return t;
  }

  TaskState& task(const std::string& name) {
    for (auto& t : tasks)
      if (t.spec.name == name) return t;
    throw std::out_of_range("unknown task " + name);
  }
  const TaskState& task(const std::string& name) const {
    return const_cast<Impl*>(this)->task(name);
  }

  const ArchitectureConfig& arch() const { return config.root.architecture; }

  void createRoot() {
    const auto& a = arch();
    std::vector<std::string> slots = routeSlots(a, a.depth);
    slots.pop_back();  // the root has no head: heads belong to tasks
    std::map<std::string, std::shared_ptr<ComponentTensors>> loaded;
    if (!config.root.checkpoint.empty()) {
      for (auto& [slot, tensors] : loadRootCheckpoint(config.root.checkpoint, a))
        loaded[slot] = tensors;
      rootTrained = true;
    }
    Rng rng(deriveSeed(config.seed, {hashTag("root-init")}));
    Path root;
    root.task = System::kRootTask;
    root.hparams = space.defaults();
    for (const auto& slot : slots) {
      Component c;
      c.slot = slot;
      c.creatorTask = System::kRootTask;
      c.generation = 0;
      const auto shapes = componentShapes(a, slot, 1, a.imageSize);
      if (rootTrained) {
        const auto it = loaded.find(slot);
        if (it == loaded.end())
          throw ConfigError("root.checkpoint " + config.root.checkpoint.string() +
                            ": no tensors for slot '" + slot + "'");
        if (!fitsShapes(*it->second, shapes))
          throw ConfigError("root.checkpoint " + config.root.checkpoint.string() + ": slot '" +
                            slot + "' does not match the configured root architecture");
        c.tensors = it->second;
      } else {
        c.tensors = initComponent(a, slot, 1, a.imageSize, rng);
      }
      c.paramCount = c.tensors->numel();
      root.componentIds.push_back(system.addComponent(std::move(c)));
    }
    rootPathId = system.addPath(std::move(root));
    system.setRootPath(rootPathId);
  }

  // ---- control ------------------------------------------------------------------------------

  // Called between mini-batches: blocks while paused, throws StopRequested on stop. With
  // children training in parallel, the first to wait announces the pause and the last to leave
  // announces the resumption.
  void safePoint() {
    if (stopRequested.load() || generationFailed.load()) throw StopRequested{};
    std::unique_lock lock(controlMutex);
    if (!pauseRequested) return;
    const bool first = pausedTrainers++ == 0;
    lock.unlock();
    if (first) emit(PausedEvent{true});
    lock.lock();
    controlCv.wait(lock, [&] { return !pauseRequested || stopRequested.load(); });
    const bool last = --pausedTrainers == 0;
    lock.unlock();
    if (last) emit(PausedEvent{false});
    if (stopRequested.load()) throw StopRequested{};
  }

  void applyPendingTasks() {
    std::vector<TaskSpec> pending;
    {
      std::lock_guard lock(controlMutex);
      pending.swap(pendingTasks);
    }
    for (const auto& spec : pending) {
      try {
        for (const auto& t : tasks)
          if (t.spec.name == spec.name)
            throw ConfigError("a task named '" + spec.name + "' already exists");
        TaskState state = loadTaskState(spec);
        {
          std::lock_guard lock(systemMutex);
          system.addTask(spec.name);
          tasks.push_back(std::move(state));
        }
        config.tasks.push_back(spec);
        if (store && store->mode() == ExperimentStore::Mode::ReadWrite)
          store->replaceConfig(config);
        totalChildren += childrenPerIteration() * config.evolution.taskIterations;
        emit(TaskAddedEvent{spec.name});
      } catch (const std::exception& e) {
        emit(ErrorEvent{"cannot add task '" + spec.name + "': " + e.what()});
      }
    }
  }

  int64_t generationsPerIteration() const {
    const int g = config.evolution.generationSize;
    return (config.evolution.childrenPerTaskIteration + g - 1) / g;
  }
  int64_t childrenPerIteration() const {
    return generationsPerIteration() * config.evolution.generationSize;
  }

  // ---- building a child (ALGORITHM.md §4.1) --------------------------------------------------

  Child sampleChild(const std::string& taskName, const HParams& ds, Rng& rng, int index) {
    const TaskState& t = task(taskName);
    Child child;
    child.index = index;
    const auto parentId = system.selectParent(taskName, rng);
    if (!parentId) throw std::logic_error("no parent candidate for task " + taskName);
    child.parentId = *parentId;
    system.recordOffspring(child.parentId, taskName);
    const Path& parent = system.path(child.parentId);
    child.parentTask = parent.task;
    child.parentScore = parent.metrics.score;

    child.hparams = mutateChildHParams(space, parent.hparams, rng, &child.mutations);
    for (const auto& [k, v] : ds)
      child.hparams[k] = v;
    const double mu = child.hparams.at("mu");
    const int numBlocks = static_cast<int>(std::lround(child.hparams.at("num_layers")));
    const int imageSize = static_cast<int>(std::lround(ds.at("ds_image_size")));

    child.slots = routeSlots(arch(), numBlocks);
    const SlotFits fits = [&](const Component& c, const std::string& slot) {
      return fitsShapes(*c.tensors, componentShapes(arch(), slot, t.data.numClasses, imageSize));
    };
    const CloneRules rules{mu, config.evolution.cloneUntrainedRoot, rootTrained,
                           config.evolution.clonePolicy, config.evolution.freezeBlocks};
    child.origins = planLayers(system, child.parentId, taskName, child.slots, fits, rules, rng);
    for (const SlotOrigin& origin : child.origins) {
      std::shared_ptr<ComponentTensors> tensors;
      const bool trainable = origin.kind != SlotOrigin::Kind::Shared;
      if (origin.kind == SlotOrigin::Kind::Shared) {
        tensors = system.component(origin.sourceComponentId).tensors;
      } else if (origin.reinterpolated) {
        tensors = resizePosEmbed(*system.component(origin.sourceComponentId).tensors, arch(),
                                 arch().imageSize, imageSize);
      } else if (origin.kind == SlotOrigin::Kind::Cloned) {
        tensors = system.component(origin.sourceComponentId).tensors->clone();
      } else {
        tensors = initComponent(arch(), origin.slot, t.data.numClasses, imageSize, rng);
      }
      const int64_t params = tensors->numel();
      child.totalParams += params;
      if (trainable) {
        child.trainableParams += params;
        child.accountedParams += static_cast<double>(params);
      } else {
        // A shared component's parameters are divided among the tasks that use it (§5).
        std::set<std::string> owners = system.component(origin.sourceComponentId).locks;
        owners.insert(taskName);
        owners.erase(System::kRootTask);
        child.accountedParams += static_cast<double>(params) / static_cast<double>(owners.size());
      }
      child.tensors.push_back(std::move(tensors));
      child.sharedIds.push_back(origin.componentId);
      child.trainable.push_back(trainable);
    }
    return child;
  }

  // ---- training and evaluation (ALGORITHM.md §5) ---------------------------------------------

  double evaluate(const std::vector<std::shared_ptr<ComponentTensors>>& route, const ImageSet& set,
                  const std::vector<int64_t>& indices, const DataHParams& ds) {
    if (indices.empty()) return 0;
    std::vector<const ComponentTensors*> r;
    for (const auto& c : route)
      r.push_back(c.get());
    const int64_t s = ds.imageSize;
    torch::Tensor images = torch::empty({kEvalBatch, 3, s, s}, torch::kFloat);
    torch::Tensor labels = torch::empty({kEvalBatch}, torch::kLong);
    Rng unused(0);
    int64_t correct = 0;
    for (std::size_t start = 0; start < indices.size(); start += kEvalBatch) {
      const auto n = static_cast<int64_t>(
          std::min<std::size_t>(static_cast<std::size_t>(kEvalBatch), indices.size() - start));
      assembleBatch(set, std::span<const int64_t>(indices.data() + start, n), ds, false, unused,
                    images.data_ptr<float>(), labels.data_ptr<int64_t>());
      correct += countCorrect(arch(), r, images.narrow(0, 0, n), labels.narrow(0, 0, n));
    }
    return static_cast<double>(correct) / static_cast<double>(indices.size());
  }

  double scoreOf(double quality, double accountedParams) const {
    const double s = config.evolution.scaleFactor;
    if (s >= 1.0) return quality;
    return quality * std::pow(s, accountedParams / config.evolution.referenceParams);
  }

  void trainChild(Child& child, const std::string& taskName, int64_t generation,
                  const HParams& ds) {
    TaskState& t = task(taskName);
    const auto& tr = config.training;
    const DataHParams dataHp = toDataHParams(ds);
    const int64_t between =
        std::min<int64_t>(t.data.train.count, tr.trainExamplesBetweenValidations);
    const int64_t stepsPerValidation = (between + tr.batchSize - 1) / tr.batchSize;
    const int64_t totalSteps = stepsPerValidation * tr.validationsPerChild;

    OptimizerHParams opt;
    opt.optimizer = static_cast<OptimizerKind>(std::lround(child.hparams.at("opt_type")));
    opt.learningRate = child.hparams.at("opt_lr");
    opt.momentum = child.hparams.at("opt_momentum");
    opt.nesterov = child.hparams.at("opt_nesterov") != 0.0;
    opt.warmupRatio = child.hparams.at("opt_lr_warmup_ratio");
    opt.weightDecay = child.hparams.at("opt_weight_decay");
    opt.totalSteps = totalSteps;

    ChildStartedEvent started;
    started.task = taskName;
    started.generation = generation;
    started.childIndex = child.index;
    started.parentId = child.parentId;
    started.parentTask = child.parentTask;
    started.mutations = child.mutations;
    started.hparams = child.hparams;
    started.slots = child.origins;
    started.trainableParams = child.trainableParams;
    started.totalParams = child.totalParams;
    started.totalSteps = totalSteps;
    emit(started);

    const auto t0 = Clock::now();
    RouteTrainer trainer(arch(), child.tensors, child.trainable, opt);
    // Every child of a generation sees the same batch stream and the same augmentation draws.
    BatchStream stream(t.data.train.count, tr.batchSize,
                       deriveSeed(config.seed, {hashTag("batches"), std::uint64_t(generation)}));
    Rng augment(deriveSeed(config.seed, {hashTag("augment"), std::uint64_t(generation)}));
    const int64_t s = dataHp.imageSize;
    torch::Tensor images = torch::empty({tr.batchSize, 3, s, s}, torch::kFloat);
    torch::Tensor labels = torch::empty({tr.batchSize}, torch::kLong);
    std::vector<int64_t> batch;
    std::vector<std::shared_ptr<ComponentTensors>> best;
    const bool sameTaskParent = child.parentTask == taskName;
    child.improved = !sameTaskParent;

    auto lastProgress = Clock::now();
    int64_t samplesSinceProgress = 0;
    int64_t step = 0;
    for (int v = 1; v <= tr.validationsPerChild; ++v) {
      for (int64_t i = 0; i < stepsPerValidation; ++i) {
        safePoint();
        stream.next(batch);
        assembleBatch(t.data.train, batch, dataHp, true, augment, images.data_ptr<float>(),
                      labels.data_ptr<int64_t>());
        const double loss = trainer.step(images, labels);
        ++step;
        samplesSinceProgress += tr.batchSize;
        const double dt = secondsSince(lastProgress);
        if (dt >= kProgressInterval || step == totalSteps) {
          emit(TrainingProgressEvent{taskName, generation, child.index, step, totalSteps, loss,
                                     samplesSinceProgress / std::max(dt, 1e-9)});
          lastProgress = Clock::now();
          samplesSinceProgress = 0;
        }
      }
      const double quality =
          evaluate(child.tensors, t.data.validation, t.validationIndices, dataHp);
      const double score = scoreOf(quality, child.accountedParams);
      child.history.push_back(quality);
      if (score > child.bestScore) {
        child.bestScore = score;
        child.bestQuality = quality;
        best.clear();
        for (std::size_t k = 0; k < child.tensors.size(); ++k)
          best.push_back(child.trainable[k] ? child.tensors[k]->clone() : child.tensors[k]);
      }
      if (sameTaskParent && score >= child.parentScore) child.improved = true;
      emit(ValidationEvent{taskName, generation, child.index, v, quality, score});
    }
    // A child's final parameters are those of its best validation.
    child.tensors = std::move(best);
    child.seconds = secondsSince(t0);
  }

  // How many children of a generation train at once: training.parallel_children, or by default
  // one per thread. Each child is independent of the others (own clones, own optimiser, the same
  // batch stream replayed), so a child's result does not depend on which thread trains it.
  int childParallelism() const {
    const auto& tr = config.training;
    const int wanted = tr.parallelChildren > 0 ? tr.parallelChildren : tr.threads;
    return std::clamp(wanted, 1, config.evolution.generationSize);
  }

  void trainChildren(std::vector<Child>& children, const std::string& taskName, int64_t generation,
                     const HParams& ds) {
    const int parallel = childParallelism();
    if (parallel <= 1) {
      for (auto& child : children) {
        trainChild(child, taskName, generation, ds);
        applyPendingTasks();
      }
      return;
    }
    // The threads are split among the children that train at once (at least one each). LibTorch's
    // OpenMP thread count is per calling thread, so every worker sets its own.
    const int perChild = std::max(1, config.training.threads / parallel);
    std::atomic<std::size_t> next{0};
    std::mutex failureMutex;
    std::exception_ptr failure;
    std::atomic<bool> stopped{false};
    const auto work = [&] {
      at::set_num_threads(perChild);
      for (;;) {
        const std::size_t i = next++;
        if (i >= children.size()) return;
        try {
          trainChild(children[i], taskName, generation, ds);
        } catch (const StopRequested&) {
          stopped = true;
          return;
        } catch (...) {
          std::lock_guard lock(failureMutex);
          if (!failure) failure = std::current_exception();
          generationFailed = true;
          return;
        }
      }
    };
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(parallel));
    for (int w = 0; w < parallel; ++w)
      workers.emplace_back(work);
    for (auto& w : workers)
      w.join();
    generationFailed = false;
    if (failure) std::rethrow_exception(failure);
    if (stopped) throw StopRequested{};
    applyPendingTasks();
  }

  // Adds an improved child to the system: its cloned and new components, then its path.
  int64_t addChildToSystem(Child& child, const std::string& taskName, int64_t generation) {
    std::lock_guard lock(systemMutex);
    Path path;
    path.task = taskName;
    path.parentId = child.parentId;
    path.hparams = child.hparams;
    for (std::size_t k = 0; k < child.slots.size(); ++k) {
      if (!child.trainable[k]) {
        path.componentIds.push_back(child.sharedIds[k]);
        continue;
      }
      Component c;
      c.slot = child.slots[k];
      c.creatorTask = taskName;
      c.generation = generation;
      c.tensors = child.tensors[k];
      c.paramCount = c.tensors->numel();
      const int64_t id = system.addComponent(std::move(c));
      child.origins[k].componentId = id;
      path.componentIds.push_back(id);
    }
    path.metrics.validationQuality = child.bestQuality;
    path.metrics.score = child.bestScore;
    path.metrics.generation = generation;
    path.metrics.improved = true;
    path.metrics.trainSeconds = child.seconds;
    path.metrics.mutations = child.mutations;
    path.metrics.validationHistory = child.history;
    return system.addPath(std::move(path));
  }

  std::vector<std::shared_ptr<ComponentTensors>> routeTensors(int64_t pathId) const {
    std::vector<std::shared_ptr<ComponentTensors>> r;
    for (int64_t cid : system.path(pathId).componentIds)
      r.push_back(system.component(cid).tensors);
    return r;
  }

  double testPath(int64_t pathId) {
    const Path& p = system.path(pathId);
    TaskState& t = task(p.task);
    return evaluate(routeTensors(pathId), t.data.test, t.testIndices, toDataHParams(p.hparams));
  }

  void evaluateMissingTests() {
    for (const auto& t : tasks) {
      const int64_t id = system.retainedPath(t.spec.name);
      if (id < 0 || system.path(id).metrics.testQuality) continue;
      const double q = testPath(id);
      {
        std::lock_guard lock(systemMutex);
        system.path(id).metrics.testQuality = q;
      }
      emit(TestEvaluatedEvent{t.spec.name, id, q, static_cast<int64_t>(t.testIndices.size())});
    }
  }

  const HParams* bestHParams(const std::string& taskName) const {
    const Path* best = nullptr;
    for (int64_t id : system.population(taskName)) {
      const Path& p = system.path(id);
      if (!best || p.metrics.score > best->metrics.score ||
          (p.metrics.score == best->metrics.score && p.id > best->id))
        best = &p;
    }
    return best ? &best->hparams : nullptr;
  }

  // One task iteration of §3: generations of children, then end_task and test evaluation.
  void runTaskIteration(const std::string& taskName) {
    TaskState& t = task(taskName);
    const int iteration = t.iterationsDone + 1;
    emit(TaskIterationStartedEvent{taskName, iteration});
    if (!progress.taskStarted) {
      std::lock_guard lock(systemMutex);
      Rng startRng(deriveSeed(
          config.seed, {hashTag("start-task"), hashTag(taskName), std::uint64_t(iteration)}));
      system.startTask(taskName, startRng);
      progress.taskStarted = true;
      progress.nextGeneration = 0;
      system.applyParentPolicy(config.evolution.parentPolicy, taskName);  // baselines only
    }
    try {
      for (int64_t g = progress.nextGeneration; g < generationsPerIteration(); ++g) {
        const int64_t generation = ++generationCounter;
        Rng rng(deriveSeed(config.seed, {hashTag("generation"), std::uint64_t(generation)}));
        GenerationRecord record;
        record.generation = generation;
        record.task = taskName;
        record.iteration = iteration;
        record.rng = rng.state();
        GenerationStartedEvent gs;
        gs.task = taskName;
        gs.iteration = iteration;
        gs.generation = generation;
        gs.dataHParams =
            sampleGenerationHParams(space, bestHParams(taskName), rng, &gs.dataMutations);
        record.dataHParams = gs.dataHParams;
        record.dataMutations = gs.dataMutations;
        emit(gs);
        // Sampling changes the system's offspring counters and draws from the generation's
        // generator; training touches neither, so every child is sampled first.
        std::vector<Child> children;
        for (int c = 0; c < config.evolution.generationSize; ++c)
          children.push_back(sampleChild(taskName, gs.dataHParams, rng, c));
        trainChildren(children, taskName, generation, gs.dataHParams);
        t.childrenTried += static_cast<int64_t>(children.size());
        std::vector<ChildRecord> records;
        for (auto& child : children) {
          int64_t pathId = -1;
          if (child.improved) {
            pathId = addChildToSystem(child, taskName, generation);
            ++t.childrenImproved;
          }
          ChildFinishedEvent f;
          f.task = taskName;
          f.generation = generation;
          f.childIndex = child.index;
          f.pathId = pathId;
          f.parentId = child.parentId;
          f.parentTask = child.parentTask;
          f.improved = child.improved;
          f.quality = child.bestQuality;
          f.score = child.bestScore;
          f.parentScore = child.parentScore;
          f.trainableParams = child.trainableParams;
          f.totalParams = child.totalParams;
          f.accountedParams = child.accountedParams;
          f.mutations = child.mutations;
          f.hparams = child.hparams;
          f.slots = child.origins;
          f.validationHistory = child.history;
          f.seconds = child.seconds;
          emit(f);
          records.push_back(std::move(f));
        }
        progress.nextGeneration = g + 1;
        persist(records, &record);
      }
    } catch (const StopRequested&) {
      // Discard the interrupted generation; keep the task's best model so far (a task stopped
      // in its very first generation has none and stays without a model). The store keeps the
      // last committed generation, from which a resumed run continues exactly.
      --generationCounter;
      std::lock_guard lock(systemMutex);
      if (!system.population(taskName).empty()) system.endTask(taskName);
      throw;
    }
    {
      std::lock_guard lock(systemMutex);
      system.endTask(taskName);
    }
    ++t.iterationsDone;
    evaluateMissingTests();
    TaskIterationEndedEvent e;
    e.task = taskName;
    e.iteration = iteration;
    e.retainedPathId = system.retainedPath(taskName);
    e.validationQuality = system.path(e.retainedPathId).metrics.validationQuality;
    e.systemSize = system.systemSize();
    e.graph = snapshotLocked();
    emit(e);
    ++progress.taskIndex;
    progress.taskStarted = false;
    progress.nextGeneration = 0;
    persist({}, nullptr);
  }

  // The system's snapshot with every component's SHA-256 (cached: components never change once
  // they are in the system).
  GraphSnapshot snapshotLocked() const {
    std::lock_guard lock(systemMutex);
    GraphSnapshot g = system.snapshot();
    for (auto& n : g.nodes) {
      auto it = hashCache.find(n.id);
      if (it == hashCache.end())
        it = hashCache.emplace(n.id, system.component(n.id).tensors->sha256Hex()).first;
      n.sha256 = it->second;
    }
    return g;
  }

  RunReport makeReport(double wall, bool stopped) const {
    std::lock_guard lock(systemMutex);
    RunReport r;
    r.wallSeconds = wall;
    r.stopped = stopped;
    r.threads = config.training.threads;
    r.generations = generationCounter;
    r.systemSize = system.systemSize();
    r.numComponents = static_cast<int64_t>(system.componentIds().size());
    r.graph = system.snapshot();
    for (const auto& t : tasks) {
      TaskReport tr;
      tr.name = t.spec.name;
      tr.numClasses = t.data.numClasses;
      tr.childrenTried = t.childrenTried;
      tr.childrenImproved = t.childrenImproved;
      tr.retainedPathId = system.retainedPath(t.spec.name);
      if (tr.retainedPathId >= 0) {
        const Path& p = system.path(tr.retainedPathId);
        tr.route = p.componentIds;
        tr.validationQuality = p.metrics.validationQuality;
        tr.testQuality = p.metrics.testQuality;
        tr.activatedParams = system.activatedParams(p.id);
        tr.accountedParams = system.accountedParams(p.id);
        tr.hparams = p.hparams;
        int64_t reused = 0;
        for (int64_t cid : p.componentIds) {
          const Component& c = system.component(cid);
          tr.routeSlots.push_back(c.slot);
          if (c.creatorTask != t.spec.name) reused += c.paramCount;
        }
        tr.reusedShare = tr.activatedParams > 0
                             ? static_cast<double>(reused) / static_cast<double>(tr.activatedParams)
                             : 0.0;
      }
      r.tasks.push_back(std::move(tr));
    }
    return r;
  }
};

Engine::Engine(ExperimentConfig config, EventSink* sink, ExperimentStore* store)
    : impl_(std::make_unique<Impl>(std::move(config), sink, store)) {}

Engine::~Engine() = default;

RunReport Engine::run() {
  auto& d = *impl_;
  if (d.store && d.store->mode() != ExperimentStore::Mode::ReadWrite)
    throw StoreError(d.store->directory().string() + " is open read-only; it cannot be run");
  at::set_num_threads(d.config.training.threads);
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
  d.emit(started);
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
        const TaskState& t = d.tasks[static_cast<std::size_t>(d.progress.taskIndex)];
        if (t.iterationsDone >= iterations || t.iterationsDone >= d.progress.iteration) {
          ++d.progress.taskIndex;
          continue;
        }
        d.runTaskIteration(t.spec.name);  // advances progress.taskIndex when the task ends
      }
    }
    d.progress.finished = true;
    d.persist({}, nullptr);
  } catch (const StopRequested&) {
    stopped = true;
  } catch (const std::exception& e) {
    d.emit(ErrorEvent{e.what()});
    throw;
  }
  RunReport report = d.makeReport(secondsSince(t0), stopped);
  d.emit(RunFinishedEvent{stopped, report.wallSeconds, report.graph});
  return report;
}

void Engine::pause() {
  std::lock_guard lock(impl_->controlMutex);
  impl_->pauseRequested = true;
}

void Engine::resume() {
  {
    std::lock_guard lock(impl_->controlMutex);
    impl_->pauseRequested = false;
  }
  impl_->controlCv.notify_all();
}

void Engine::stop() {
  impl_->stopRequested = true;
  impl_->controlCv.notify_all();
}

bool Engine::isPaused() const {
  std::lock_guard lock(impl_->controlMutex);
  return impl_->pauseRequested;
}

void Engine::addTask(const TaskSpec& task) {
  std::lock_guard lock(impl_->controlMutex);
  impl_->pendingTasks.push_back(task);
}

const ExperimentConfig& Engine::config() const {
  return impl_->config;
}

GraphSnapshot Engine::snapshot() const {
  return impl_->snapshotLocked();
}

double Engine::evaluateTest(const std::string& task) {
  at::set_num_threads(impl_->config.training.threads);
  const int64_t id = impl_->system.retainedPath(task);
  if (id < 0) throw std::out_of_range("task '" + task + "' has no retained model");
  return impl_->testPath(id);
}

RetainedModel Engine::retainedModel(const std::string& task) const {
  std::lock_guard lock(impl_->systemMutex);
  const int64_t id = impl_->system.retainedPath(task);
  if (id < 0) throw std::out_of_range("task '" + task + "' has no retained model");
  const Path& p = impl_->system.path(id);
  const TaskState& t = impl_->task(task);
  RetainedModel m;
  m.task = task;
  m.architecture = impl_->arch();
  m.imageSize = static_cast<int>(std::lround(p.hparams.at("ds_image_size")));
  m.numClasses = t.data.numClasses;
  m.classNames = t.data.classNames;
  for (int64_t cid : p.componentIds) {
    const Component& c = impl_->system.component(cid);
    m.slots.push_back(c.slot);
    m.componentIds.push_back(cid);
    m.tensors.push_back(c.tensors);
  }
  return m;
}

std::vector<std::pair<int64_t, std::string>> Engine::lockedComponentHashes() const {
  std::lock_guard lock(impl_->systemMutex);
  std::vector<std::pair<int64_t, std::string>> out;
  for (int64_t id : impl_->system.componentIds()) {
    const Component& c = impl_->system.component(id);
    if (!c.trainable()) out.emplace_back(id, c.tensors->sha256Hex());
  }
  return out;
}

double Engine::evaluateTestWithTrunk(const std::string& task, const std::string& trunkTask) {
  auto& d = *impl_;
  const int64_t own = d.system.retainedPath(task);
  const int64_t trunk = d.system.retainedPath(trunkTask);
  if (own < 0 || trunk < 0)
    throw std::out_of_range("task '" + (own < 0 ? task : trunkTask) + "' has no retained model");
  std::vector<std::shared_ptr<ComponentTensors>> route = d.routeTensors(trunk);
  route.back() = d.routeTensors(own).back();  // the head is always the last slot
  const TaskState& t = d.task(task);
  return d.evaluate(route, t.data.test, t.testIndices, toDataHParams(d.system.path(trunk).hparams));
}

}  // namespace mu2net
