#include "engine/GenerationTrainer.h"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/types.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/common/Rng.h"
#include "mu2net/data/BatchStream.h"
#include "mu2net/data/InputPipeline.h"

namespace mu2net {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kEvalBatch = 256;
constexpr double kProgressInterval = 0.2;  // seconds between TrainingProgress events
// How many batches may be prepared ahead of the slowest child: enough for a worker to prepare
// the next batch while the others still train on this one.
constexpr int64_t kLookahead = 2;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// False when a trainable slot of the child holds a NaN or infinite parameter.
bool trainableFinite(const Child& child) {
  for (std::size_t k = 0; k < child.tensors.size(); ++k)
    if (child.trainable[k])
      for (const auto& p : child.tensors[k]->params)
        if (!torch::isfinite(p).all().item<bool>()) return false;
  return true;
}

std::vector<const ComponentTensors*> rawRoute(
    const std::vector<std::shared_ptr<ComponentTensors>>& route) {
  std::vector<const ComponentTensors*> r;
  for (const auto& c : route)
    r.push_back(c.get());
  return r;
}

// The subset's identity in the cache: its name, its size and a digest of its indices.
std::string subsetKey(const EvalSubset& subset) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the indices' bytes
  for (int64_t i : subset.indices)
    for (int b = 0; b < 8; ++b) {
      h ^= (static_cast<std::uint64_t>(i) >> (8 * b)) & 0xff;
      h *= 1099511628211ULL;
    }
  return subset.name + "#" + std::to_string(subset.indices.size()) + ":" + std::to_string(h);
}

}  // namespace

GenerationTrainer::GenerationTrainer(const ExperimentConfig& config, RunControl& control,
                                     EventRelay& events)
    : arch_(config.root.architecture),
      training_(config.training),
      evolution_(config.evolution),
      seed_(config.seed),
      precision_(effectivePrecision(config.training.precision)),
      control_(control),
      events_(events) {
  if (training_.activationCacheMib > 0)
    cache_ = std::make_unique<ActivationCache>(
        static_cast<std::size_t>(training_.activationCacheMib) << 20);
}

void GenerationTrainer::useAllThreads() const {
  at::set_num_threads(training_.threads);
}

void GenerationTrainer::safePoint() {
  if (generationFailed_.load()) throw StopRequested{};
  control_.safePoint();
}

ActivationCacheStats GenerationTrainer::cacheStats() const {
  return cache_ ? cache_->stats() : ActivationCacheStats{};
}

FrozenWork GenerationTrainer::frozenWork() const {
  return {frozenNeeded_.load(), frozenComputed_.load()};
}

// ---- Evaluation -------------------------------------------------------------------------------

void GenerationTrainer::forEachPrediction(
    const EvalRoute& route, const EvalSubset& subset, const DataHParams& ds,
    const std::function<void(const at::Tensor& predicted, const at::Tensor& labels)>& f) const {
  const auto r = rawRoute(route.tensors);
  const std::vector<int64_t>& indices = subset.indices;
  const auto n = static_cast<int64_t>(indices.size());
  const std::size_t frozen = std::min(route.frozenIds.size(), r.size());
  // Activations are kept up to the last block: norm and head are cheap, and the blocks' output
  // is what other routes share.
  const std::size_t cacheLen = cache_ && r.size() >= 2 ? std::min(frozen, r.size() - 2) : 0;
  const int64_t s = ds.imageSize;
  const auto batchCount = (n + kEvalBatch - 1) / kEvalBatch;
  const auto batchLength = [&](int64_t b) { return std::min(kEvalBatch, n - b * kEvalBatch); };
  const auto labelsOf = [&](int64_t b) {
    torch::Tensor labels = torch::empty({batchLength(b)}, torch::kLong);
    for (int64_t i = 0; i < batchLength(b); ++i)
      labels.data_ptr<int64_t>()[i] = subset.set.labels[static_cast<std::size_t>(
          indices[static_cast<std::size_t>(b * kEvalBatch + i)])];
    return labels;
  };
  const auto imagesOf = [&](int64_t b) {
    torch::Tensor images = torch::empty({batchLength(b), 3, s, s}, torch::kFloat);
    torch::Tensor labels = torch::empty({batchLength(b)}, torch::kLong);
    Rng unused(0);
    assembleBatch(subset.set,
                  std::span<const int64_t>(indices.data() + b * kEvalBatch,
                                           static_cast<std::size_t>(batchLength(b))),
                  ds, false, unused, images.data_ptr<float>(), labels.data_ptr<int64_t>());
    return images;
  };
  frozenNeeded_ += static_cast<int64_t>(frozen) * n;
  if (cacheLen == 0) {
    frozenComputed_ += static_cast<int64_t>(frozen) * n;
    for (int64_t b = 0; b < batchCount; ++b)
      f(predictClassesFrom(arch_, r, imagesOf(b), 0, frozen, precision_), labelsOf(b));
    return;
  }
  const std::string subsetName = subsetKey(subset);
  const auto keyOf = [&](std::size_t len) {
    ActivationKey key;
    key.componentIds.assign(route.frozenIds.begin(),
                            route.frozenIds.begin() + static_cast<std::ptrdiff_t>(len));
    key.imageSize = static_cast<int>(s);
    key.subset = subsetName;
    key.precision = static_cast<int>(precision_);
    return key;
  };
  std::size_t computedLen = 0;
  const auto cached = cache_->getOrCompute(keyOf(cacheLen), [&] {
    // Continue from the longest shorter prefix already cached, if any.
    std::shared_ptr<const ActivationCache::Batches> from;
    std::size_t fromLen = cacheLen;
    while (!from && --fromLen > 0)
      from = cache_->find(keyOf(fromLen));
    computedLen = cacheLen - fromLen;
    c10::InferenceMode inference;
    ActivationCache::Batches out;
    for (int64_t b = 0; b < batchCount; ++b)
      out.push_back(forwardSlots(arch_, r,
                                 from ? (*from)[static_cast<std::size_t>(b)] : imagesOf(b), fromLen,
                                 cacheLen, frozen, precision_)
                        .contiguous());
    return out;
  });
  frozenComputed_ += static_cast<int64_t>(computedLen + frozen - cacheLen) * n;
  for (int64_t b = 0; b < batchCount; ++b)
    f(predictClassesFrom(arch_, r, (*cached)[static_cast<std::size_t>(b)], cacheLen, frozen,
                         precision_),
      labelsOf(b));
}

double GenerationTrainer::evaluate(const EvalRoute& route, const EvalSubset& subset,
                                   const DataHParams& ds) const {
  if (subset.indices.empty()) return 0;
  ComputeTime& timing = threadComputeTime();
  const auto t0 = Clock::now();
  int64_t correct = 0;
  forEachPrediction(route, subset, ds, [&](const at::Tensor& predicted, const at::Tensor& labels) {
    correct += predicted.eq(labels).sum().item<int64_t>();
  });
  timing.evalImages += static_cast<int64_t>(subset.indices.size());
  timing.evalSeconds += secondsSince(t0);
  return static_cast<double>(correct) / static_cast<double>(subset.indices.size());
}

std::vector<std::vector<int64_t>> GenerationTrainer::confusion(const EvalRoute& route,
                                                               const EvalSubset& subset,
                                                               const DataHParams& ds,
                                                               int numClasses) const {
  const auto k = static_cast<std::size_t>(numClasses);
  std::vector<std::vector<int64_t>> counts(k, std::vector<int64_t>(k, 0));
  forEachPrediction(
      route, subset, ds, [&](const at::Tensor& predictedIn, const at::Tensor& truthIn) {
        const torch::Tensor predicted = predictedIn.contiguous();
        const torch::Tensor truth = truthIn.contiguous();
        for (int64_t i = 0; i < truth.size(0); ++i) {
          const int64_t t = truth.data_ptr<int64_t>()[i], p = predicted.data_ptr<int64_t>()[i];
          if (t < 0 || p < 0 || t >= numClasses || p >= numClasses)
            throw std::out_of_range("confusion: a label or prediction outside the task's classes");
          ++counts[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
        }
      });
  return counts;
}

double GenerationTrainer::scoreOf(double quality, double accountedParams) const {
  const double s = evolution_.scaleFactor;
  if (s >= 1.0) return quality;
  return quality * std::pow(s, accountedParams / evolution_.referenceParams);
}

// ---- Training a generation ----------------------------------------------------------------------

// A prefix of frozen components shared by several children: its activations are computed once per
// batch, from those of its parent (a shorter shared prefix) or from the images.
struct GenerationTrainer::PrefixNode {
  std::vector<const ComponentTensors*> components;  // the prefix, in route order
  // The whole route of a child that begins so (forwardSlots reads only the prefix's components),
  // held so that its pointers stay valid while the generation trains.
  std::vector<std::shared_ptr<ComponentTensors>> route;
  std::optional<std::size_t> parent;  // index of the next shorter node
};

// One child on its way through the generation.
struct GenerationTrainer::ChildRun {
  Child* child = nullptr;
  std::unique_ptr<RouteTrainer> trainer;
  std::vector<int64_t> frozenIds;  // ids of its leading shared components
  std::vector<std::shared_ptr<ComponentTensors>> best;
  bool sameTaskParent = false;
  std::optional<std::size_t> node;  // the shared prefix it starts from
  int64_t step = 0;                 // steps taken
  bool busy = false;
  bool done = false;
  Clock::time_point lastProgress;
  int64_t samplesSinceProgress = 0;
  double seconds = 0;  // its own steps plus its share of the prepared batches
};

// A prepared batch: the images, the labels and each shared prefix's activations.
struct GenerationTrainer::StepData {
  int64_t step = 0;
  torch::Tensor images;
  torch::Tensor labels;
  std::vector<torch::Tensor> prefixes;  // one per PrefixNode
};

// The state the workers of one generation share (guarded by `mutex`, except the read-only parts).
struct GenerationTrainer::Schedule {
  const TaskState& task;
  int64_t generation = 0;
  DataHParams data;
  int64_t stepsPerValidation = 0;
  int64_t totalSteps = 0;
  std::vector<ChildRun> runs;
  std::vector<PrefixNode> nodes;
  // The batch stream and augmentation draws every child would replay: advanced by prepare() only,
  // one batch after another.
  BatchStream stream;
  Rng augment;

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<StepData> prepared;  // batches [prepared.front().step, nextPrepare)
  int64_t nextPrepare = 0;
  bool preparing = false;
  bool stopped = false;
  std::exception_ptr failure;

  Schedule(const TaskState& t, int64_t g, DataHParams ds, int64_t batchSize,
           std::uint64_t batchSeed, std::uint64_t augmentSeed)
      : task(t),
        generation(g),
        data(ds),
        stream(t.data.train.count, batchSize, batchSeed),
        augment(augmentSeed) {}
  // The step of the slowest child still training (totalSteps when all are done).
  int64_t slowest() const {
    int64_t m = totalSteps;
    for (const auto& r : runs)
      if (!r.done) m = std::min(m, r.step);
    return m;
  }
};

std::vector<GenerationTrainer::PrefixNode> GenerationTrainer::planPrefixes(
    std::vector<ChildRun>& runs) const {
  std::vector<PrefixNode> nodes;
  if (!training_.shareFrozenPrefix) return nodes;
  std::vector<std::vector<const ComponentTensors*>> frozen;
  for (const auto& run : runs) {
    const auto raw = rawRoute(run.child->tensors);
    frozen.emplace_back(raw.begin(),
                        raw.begin() + static_cast<std::ptrdiff_t>(run.trainer->frozenPrefix()));
  }
  // Candidates: the longest prefix common to each pair of children.
  std::map<std::vector<const ComponentTensors*>, std::size_t> candidates;  // → a child
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (std::size_t j = i + 1; j < runs.size(); ++j) {
      std::size_t c = 0;
      while (c < frozen[i].size() && c < frozen[j].size() && frozen[i][c] == frozen[j][c])
        ++c;
      if (c > 0) candidates.emplace(std::vector(frozen[i].begin(), frozen[i].begin() + c), i);
    }
  std::vector<std::vector<const ComponentTensors*>> prefixes;
  std::vector<std::size_t> owner;
  for (const auto& [p, child] : candidates) {
    prefixes.push_back(p);
    owner.push_back(child);
  }
  const auto isPrefix = [](const auto& shorter, const auto& longer) {
    return shorter.size() <= longer.size() &&
           std::equal(shorter.begin(), shorter.end(), longer.begin());
  };
  // Each child starts from the longest candidate its frozen prefix begins with; each candidate
  // from the longest shorter one. A candidate with fewer than two consumers saves nothing: it is
  // dropped (its consumer starts further up) until every one left is shared.
  std::vector<bool> alive(prefixes.size(), true);
  std::vector<std::optional<std::size_t>> start(runs.size()), parent(prefixes.size());
  for (bool changed = true; changed;) {
    changed = false;
    // The longest live candidate that is a prefix of `seq` (shorter than `seq` when `proper`).
    const auto longest = [&](const auto& seq, bool proper) {
      std::optional<std::size_t> best;
      for (std::size_t k = 0; k < prefixes.size(); ++k)
        if (alive[k] && (!proper || prefixes[k].size() < seq.size()) &&
            isPrefix(prefixes[k], seq) && (!best || prefixes[k].size() > prefixes[*best].size()))
          best = k;
      return best;
    };
    std::vector<int> consumers(prefixes.size(), 0);
    for (std::size_t i = 0; i < runs.size(); ++i)
      if ((start[i] = longest(frozen[i], false))) ++consumers[*start[i]];
    for (std::size_t k = 0; k < prefixes.size(); ++k)
      if (alive[k] && (parent[k] = longest(prefixes[k], true))) ++consumers[*parent[k]];
    for (std::size_t k = 0; k < prefixes.size(); ++k)
      if (alive[k] && consumers[k] < 2) {
        alive[k] = false;
        changed = true;
        break;
      }
  }
  // Number the surviving nodes shortest first, so that a parent is always computed first.
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < prefixes.size(); ++k)
    if (alive[k]) order.push_back(k);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return prefixes[a].size() < prefixes[b].size();
  });
  std::map<std::size_t, std::size_t> number;
  for (std::size_t k : order) {
    number[k] = nodes.size();
    PrefixNode node;
    node.components = prefixes[k];
    node.route = runs[owner[k]].child->tensors;
    if (parent[k]) node.parent = number.at(*parent[k]);
    nodes.push_back(std::move(node));
  }
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (start[i]) runs[i].node = number.at(*start[i]);
  return nodes;
}

GenerationTrainer::StepData GenerationTrainer::prepare(Schedule& schedule, int64_t step) const {
  StepData d;
  d.step = step;
  const int64_t b = training_.batchSize, s = schedule.data.imageSize;
  d.images = torch::empty({b, 3, s, s}, torch::kFloat);
  d.labels = torch::empty({b}, torch::kLong);
  std::vector<int64_t> batch;
  schedule.stream.next(batch);
  assembleBatch(schedule.task.data.train, batch, schedule.data, true, schedule.augment,
                d.images.data_ptr<float>(), d.labels.data_ptr<int64_t>());
  for (const auto& node : schedule.nodes) {
    const std::size_t from = node.parent ? schedule.nodes[*node.parent].components.size() : 0;
    const torch::Tensor& input = node.parent ? d.prefixes[*node.parent] : d.images;
    const std::size_t to = node.components.size();
    d.prefixes.push_back(
        forwardSlots(arch_, rawRoute(node.route), input, from, to, to, precision_));
    frozenComputed_ += static_cast<int64_t>(node.components.size() - from) * b;
  }
  return d;
}

void GenerationTrainer::finish(ChildRun& run) const {
  Child& child = *run.child;
  // A child's final parameters are those of its best validation.
  if (!run.best.empty()) child.tensors = std::move(run.best);
  if (child.divergedAtStep) {
    child.improved = false;
    if (child.history.empty()) child.bestQuality = child.bestScore = 0;
  }
  run.trainer.reset();
}

void GenerationTrainer::validate(Schedule& schedule, ChildRun& run) {
  Child& child = *run.child;
  const TaskState& t = schedule.task;
  const double quality =
      evaluate(EvalRoute{child.tensors, run.frozenIds},
               EvalSubset{t.data.validation, t.validationIndices, t.spec.name + "/validation"},
               schedule.data);
  const double score = scoreOf(quality, child.accountedParams);
  child.history.push_back(quality);
  if (score > child.bestScore) {
    child.bestScore = score;
    child.bestQuality = quality;
    run.best.clear();
    for (std::size_t k = 0; k < child.tensors.size(); ++k)
      run.best.push_back(child.trainable[k] ? child.tensors[k]->clone() : child.tensors[k]);
  }
  if (run.sameTaskParent && score >= child.plan.parentScore) child.improved = true;
  events_.emit(ValidationEvent{t.spec.name, schedule.generation, child.plan.index,
                               static_cast<int>(child.history.size()), quality, score});
}

bool GenerationTrainer::advance(Schedule& schedule, ChildRun& run, const StepData& data) {
  Child& child = *run.child;
  const std::size_t begin = run.node ? schedule.nodes[*run.node].components.size() : 0;
  const torch::Tensor& input = run.node ? data.prefixes[*run.node] : data.images;
  const double loss = run.trainer->stepFrom(input, begin, data.labels);
  const auto frozen = static_cast<int64_t>(run.trainer->frozenPrefix());
  frozenNeeded_ += frozen * training_.batchSize;
  frozenComputed_ += (frozen - static_cast<int64_t>(begin)) * training_.batchSize;
  const int64_t step = run.step + 1;
  if (!std::isfinite(loss)) {
    child.divergedAtStep = step;
    finish(run);
    return true;
  }
  run.samplesSinceProgress += training_.batchSize;
  const double dt = secondsSince(run.lastProgress);
  if (dt >= kProgressInterval || step == schedule.totalSteps) {
    events_.emit(TrainingProgressEvent{schedule.task.spec.name, schedule.generation,
                                       child.plan.index, step, schedule.totalSteps, loss,
                                       run.samplesSinceProgress / std::max(dt, 1e-9)});
    run.lastProgress = Clock::now();
    run.samplesSinceProgress = 0;
  }
  if (step % schedule.stepsPerValidation != 0) return false;
  // A loss that became NaN or infinite (a learning rate far too high) leaves weights that mean
  // nothing: the child stops here and is never an improvement (the last step's update is
  // checked through the weights, as its loss was computed before it).
  if (!trainableFinite(child)) {
    child.divergedAtStep = step;
    finish(run);
    return true;
  }
  validate(schedule, run);
  if (step < schedule.totalSteps) return false;
  finish(run);
  return true;
}

void GenerationTrainer::work(Schedule& sc) {
  std::unique_lock lock(sc.mutex);
  for (;;) {
    if (sc.stopped || sc.failure) return;
    const int64_t slowest = sc.slowest();
    if (slowest >= sc.totalSteps) {
      sc.changed.notify_all();
      return;
    }
    try {
      if (!sc.preparing && sc.nextPrepare < sc.totalSteps &&
          sc.nextPrepare < slowest + kLookahead) {
        sc.preparing = true;
        const int64_t step = sc.nextPrepare;
        lock.unlock();
        const auto t0 = Clock::now();
        safePoint();
        StepData d = prepare(sc, step);
        const double seconds = secondsSince(t0);
        threadComputeTime().trainSeconds += seconds;
        lock.lock();
        sc.preparing = false;
        // The batch's cost is shared by the children that use it.
        int active = 0;
        for (const auto& r : sc.runs)
          active += r.done ? 0 : 1;
        for (auto& r : sc.runs)
          if (!r.done) r.seconds += seconds / std::max(active, 1);
        sc.prepared.push_back(std::move(d));
        ++sc.nextPrepare;
        sc.changed.notify_all();
        continue;
      }
      // The child furthest behind whose batch is ready.
      ChildRun* run = nullptr;
      for (ChildRun& r : sc.runs)
        if (!r.done && !r.busy && r.step < sc.nextPrepare && (!run || r.step < run->step)) run = &r;
      if (run == nullptr) {
        sc.changed.wait(lock);
        continue;
      }
      run->busy = true;
      const StepData& data =
          sc.prepared[static_cast<std::size_t>(run->step - sc.prepared.front().step)];
      lock.unlock();
      const auto t0 = Clock::now();
      bool done = false;
      try {
        safePoint();
        done = advance(sc, *run, data);
      } catch (...) {
        lock.lock();
        run->busy = false;
        throw;
      }
      const double seconds = secondsSince(t0);
      lock.lock();
      run->busy = false;
      run->done = done;
      ++run->step;
      run->seconds += seconds;
      // Batches every child still training has passed are no longer needed.
      const int64_t first = sc.slowest();
      while (!sc.prepared.empty() && sc.prepared.front().step < first)
        sc.prepared.pop_front();
      sc.changed.notify_all();
    } catch (const StopRequested&) {
      if (!lock.owns_lock()) lock.lock();
      sc.preparing = false;
      sc.stopped = true;
      sc.changed.notify_all();
      return;
    } catch (...) {
      if (!lock.owns_lock()) lock.lock();
      sc.preparing = false;
      if (!sc.failure) sc.failure = std::current_exception();
      generationFailed_ = true;
      sc.changed.notify_all();
      return;
    }
  }
}

// training.parallel_children, or by default one per thread. A child's result does not depend on
// which thread trains it: every worker runs LibTorch on the same number of threads.
int GenerationTrainer::childParallelism() const {
  const int wanted =
      training_.parallelChildren > 0 ? training_.parallelChildren : training_.threads;
  return std::clamp(wanted, 1, evolution_.generationSize);
}

void GenerationTrainer::train(std::vector<Child>& children, const TaskState& task,
                              int64_t generation, const HParams& dataHParams) {
  const auto& tr = training_;
  const int64_t between =
      std::min<int64_t>(task.data.train.count, tr.trainExamplesBetweenValidations);
  Schedule sc(task, generation, toDataHParams(dataHParams), tr.batchSize,
              deriveSeed(seed_, {hashTag("batches"), std::uint64_t(generation)}),
              deriveSeed(seed_, {hashTag("augment"), std::uint64_t(generation)}));
  sc.stepsPerValidation = (between + tr.batchSize - 1) / tr.batchSize;
  sc.totalSteps = sc.stepsPerValidation * tr.validationsPerChild;
  for (auto& child : children) {
    const HParams& hp = child.plan.hparams;
    OptimizerHParams opt;
    opt.optimizer = static_cast<OptimizerKind>(std::lround(hp.at("opt_type")));
    opt.learningRate = hp.at("opt_lr");
    opt.momentum = hp.at("opt_momentum");
    opt.nesterov = hp.at("opt_nesterov") != 0.0;
    opt.warmupRatio = hp.at("opt_lr_warmup_ratio");
    opt.weightDecay = hp.at("opt_weight_decay");
    opt.totalSteps = sc.totalSteps;
    ChildRun run;
    run.child = &child;
    run.trainer =
        std::make_unique<RouteTrainer>(arch_, child.tensors, child.trainable, opt, precision_);
    for (std::size_t k = 0; k < run.trainer->frozenPrefix(); ++k)
      run.frozenIds.push_back(child.plan.origins[k].sourceComponentId);
    run.sameTaskParent = child.plan.parentTask == task.spec.name;
    child.improved = !run.sameTaskParent;
    sc.runs.push_back(std::move(run));
  }
  sc.nodes = planPrefixes(sc.runs);
  for (auto& run : sc.runs) {
    events_.emit(childStartedEvent(*run.child, task.spec.name, generation, sc.totalSteps));
    run.lastProgress = Clock::now();
  }

  const int parallel = childParallelism();
  if (parallel <= 1) {
    work(sc);
  } else {
    // The threads are split among the workers (at least one each). LibTorch's OpenMP thread
    // count is per calling thread, so every worker sets its own.
    const int perWorker = std::max(1, tr.threads / parallel);
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(parallel));
    for (int w = 0; w < parallel; ++w)
      workers.emplace_back([&] {
        at::set_num_threads(perWorker);
        work(sc);
      });
    for (auto& w : workers)
      w.join();
  }
  generationFailed_ = false;
  if (sc.failure) std::rethrow_exception(sc.failure);
  if (sc.stopped) throw StopRequested{};
  for (auto& run : sc.runs)
    run.child->seconds = run.seconds;
}

}  // namespace mu2net
