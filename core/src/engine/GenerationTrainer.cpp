#include "engine/GenerationTrainer.h"

#include <ATen/Parallel.h>
#include <torch/types.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
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

}  // namespace

GenerationTrainer::GenerationTrainer(const ExperimentConfig& config, RunControl& control,
                                     EventRelay& events)
    : arch_(config.root.architecture),
      training_(config.training),
      evolution_(config.evolution),
      seed_(config.seed),
      control_(control),
      events_(events) {}

void GenerationTrainer::useAllThreads() const {
  at::set_num_threads(training_.threads);
}

void GenerationTrainer::safePoint() {
  if (generationFailed_.load()) throw StopRequested{};
  control_.safePoint();
}

namespace {

// Calls f(images, labels) for the examples `indices` of `set` in batches of kEvalBatch, prepared
// as `ds` says (no augmentation).
template <typename F>
void forEachEvalBatch(const ImageSet& set, const std::vector<int64_t>& indices,
                      const DataHParams& ds, F&& f) {
  const int64_t s = ds.imageSize;
  torch::Tensor images = torch::empty({kEvalBatch, 3, s, s}, torch::kFloat);
  torch::Tensor labels = torch::empty({kEvalBatch}, torch::kLong);
  Rng unused(0);
  for (std::size_t start = 0; start < indices.size(); start += kEvalBatch) {
    const auto n = static_cast<int64_t>(
        std::min<std::size_t>(static_cast<std::size_t>(kEvalBatch), indices.size() - start));
    assembleBatch(set, std::span<const int64_t>(indices.data() + start, n), ds, false, unused,
                  images.data_ptr<float>(), labels.data_ptr<int64_t>());
    f(images.narrow(0, 0, n), labels.narrow(0, 0, n));
  }
}

std::vector<const ComponentTensors*> rawRoute(
    const std::vector<std::shared_ptr<ComponentTensors>>& route) {
  std::vector<const ComponentTensors*> r;
  for (const auto& c : route)
    r.push_back(c.get());
  return r;
}

}  // namespace

double GenerationTrainer::evaluate(const std::vector<std::shared_ptr<ComponentTensors>>& route,
                                   const ImageSet& set, const std::vector<int64_t>& indices,
                                   const DataHParams& ds) const {
  if (indices.empty()) return 0;
  const auto r = rawRoute(route);
  int64_t correct = 0;
  forEachEvalBatch(set, indices, ds, [&](const torch::Tensor& images, const torch::Tensor& labels) {
    correct += countCorrect(arch_, r, images, labels);
  });
  return static_cast<double>(correct) / static_cast<double>(indices.size());
}

std::vector<std::vector<int64_t>> GenerationTrainer::confusion(
    const std::vector<std::shared_ptr<ComponentTensors>>& route, const ImageSet& set,
    const std::vector<int64_t>& indices, const DataHParams& ds, int numClasses) const {
  const auto k = static_cast<std::size_t>(numClasses);
  std::vector<std::vector<int64_t>> counts(k, std::vector<int64_t>(k, 0));
  const auto r = rawRoute(route);
  forEachEvalBatch(set, indices, ds, [&](const torch::Tensor& images, const torch::Tensor& labels) {
    const torch::Tensor predicted = predictClasses(arch_, r, images).contiguous();
    const torch::Tensor truth = labels.contiguous();
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

void GenerationTrainer::trainChild(Child& child, const TaskState& t, int64_t generation,
                                   const HParams& ds) {
  const std::string& taskName = t.spec.name;
  const auto& tr = training_;
  const HParams& hp = child.plan.hparams;
  const DataHParams dataHp = toDataHParams(ds);
  const int64_t between = std::min<int64_t>(t.data.train.count, tr.trainExamplesBetweenValidations);
  const int64_t stepsPerValidation = (between + tr.batchSize - 1) / tr.batchSize;
  const int64_t totalSteps = stepsPerValidation * tr.validationsPerChild;

  OptimizerHParams opt;
  opt.optimizer = static_cast<OptimizerKind>(std::lround(hp.at("opt_type")));
  opt.learningRate = hp.at("opt_lr");
  opt.momentum = hp.at("opt_momentum");
  opt.nesterov = hp.at("opt_nesterov") != 0.0;
  opt.warmupRatio = hp.at("opt_lr_warmup_ratio");
  opt.weightDecay = hp.at("opt_weight_decay");
  opt.totalSteps = totalSteps;

  events_.emit(childStartedEvent(child, taskName, generation, totalSteps));

  const auto t0 = Clock::now();
  RouteTrainer trainer(arch_, child.tensors, child.trainable, opt);
  // Every child of a generation sees the same batch stream and the same augmentation draws.
  BatchStream stream(t.data.train.count, tr.batchSize,
                     deriveSeed(seed_, {hashTag("batches"), std::uint64_t(generation)}));
  Rng augment(deriveSeed(seed_, {hashTag("augment"), std::uint64_t(generation)}));
  const int64_t s = dataHp.imageSize;
  torch::Tensor images = torch::empty({tr.batchSize, 3, s, s}, torch::kFloat);
  torch::Tensor labels = torch::empty({tr.batchSize}, torch::kLong);
  std::vector<int64_t> batch;
  std::vector<std::shared_ptr<ComponentTensors>> best;
  const bool sameTaskParent = child.plan.parentTask == taskName;
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
      if (!std::isfinite(loss)) {
        child.divergedAtStep = step;
        break;
      }
      samplesSinceProgress += tr.batchSize;
      const double dt = secondsSince(lastProgress);
      if (dt >= kProgressInterval || step == totalSteps) {
        events_.emit(TrainingProgressEvent{taskName, generation, child.plan.index, step, totalSteps,
                                           loss, samplesSinceProgress / std::max(dt, 1e-9)});
        lastProgress = Clock::now();
        samplesSinceProgress = 0;
      }
    }
    // A loss that became NaN or infinite (a learning rate far too high) leaves weights that mean
    // nothing: the child stops here and is never an improvement (the last step's update is
    // checked through the weights, as its loss was computed before it).
    if (!child.divergedAtStep && !trainableFinite(child)) child.divergedAtStep = step;
    if (child.divergedAtStep) break;
    const double quality = evaluate(child.tensors, t.data.validation, t.validationIndices, dataHp);
    const double score = scoreOf(quality, child.accountedParams);
    child.history.push_back(quality);
    if (score > child.bestScore) {
      child.bestScore = score;
      child.bestQuality = quality;
      best.clear();
      for (std::size_t k = 0; k < child.tensors.size(); ++k)
        best.push_back(child.trainable[k] ? child.tensors[k]->clone() : child.tensors[k]);
    }
    if (sameTaskParent && score >= child.plan.parentScore) child.improved = true;
    events_.emit(ValidationEvent{taskName, generation, child.plan.index, v, quality, score});
  }
  // A child's final parameters are those of its best validation.
  if (!best.empty()) child.tensors = std::move(best);
  if (child.divergedAtStep) {
    child.improved = false;
    if (child.history.empty()) child.bestQuality = child.bestScore = 0;
  }
  child.seconds = secondsSince(t0);
}

// training.parallel_children, or by default one per thread. Each child is independent of the
// others (own clones, own optimiser, the same batch stream replayed), so a child's result does
// not depend on which thread trains it.
int GenerationTrainer::childParallelism() const {
  const int wanted =
      training_.parallelChildren > 0 ? training_.parallelChildren : training_.threads;
  return std::clamp(wanted, 1, evolution_.generationSize);
}

void GenerationTrainer::train(std::vector<Child>& children, const TaskState& task,
                              int64_t generation, const HParams& dataHParams,
                              const std::function<void()>& betweenChildren) {
  const int parallel = childParallelism();
  if (parallel <= 1) {
    for (auto& child : children) {
      trainChild(child, task, generation, dataHParams);
      betweenChildren();
    }
    return;
  }
  // The threads are split among the children that train at once (at least one each). LibTorch's
  // OpenMP thread count is per calling thread, so every worker sets its own.
  const int perChild = std::max(1, training_.threads / parallel);
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
        trainChild(children[i], task, generation, dataHParams);
      } catch (const StopRequested&) {
        stopped = true;
        return;
      } catch (...) {
        std::lock_guard lock(failureMutex);
        if (!failure) failure = std::current_exception();
        generationFailed_ = true;
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
  generationFailed_ = false;
  if (failure) std::rethrow_exception(failure);
  if (stopped) throw StopRequested{};
  betweenChildren();
}

}  // namespace mu2net
