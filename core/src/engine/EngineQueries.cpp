// What the GUI, the CLI and the tests ask of an engine besides running it: control requests,
// snapshots, test evaluations of retained paths, retained models, hashes and the final report.
#include <cmath>

#include "engine/EngineImpl.h"
#include "model/ComponentIO.h"

namespace mu2net {

TaskState& Engine::Impl::task(const std::string& name) {
  for (auto& t : tasks)
    if (t.spec.name == name) return t;
  throw std::out_of_range("unknown task " + name);
}

EvalRoute Engine::Impl::evalRoute(int64_t pathId) const {
  EvalRoute r;
  for (int64_t cid : system.path(pathId).componentIds) {
    r.tensors.push_back(system.component(cid).tensors);
    r.frozenIds.push_back(cid);
  }
  return r;
}

namespace {

EvalSubset testSubset(const TaskState& t) {
  return {t.data.test, t.testIndices, t.spec.name + "/test"};
}

}  // namespace

double Engine::Impl::testPath(int64_t pathId) {
  const Path& p = system.path(pathId);
  const TaskState& t = task(p.task);
  return trainer.evaluate(evalRoute(pathId), testSubset(t), toDataHParams(p.hparams));
}

// The system's snapshot with every component's SHA-256 (cached: components never change once
// they are in the system).
GraphSnapshot Engine::Impl::snapshotLocked() const {
  std::lock_guard lock(systemMutex);
  GraphSnapshot g = system.snapshot();
  for (auto& n : g.nodes) {
    auto it = hashCache.find(n.id);
    if (it == hashCache.end())
      it = hashCache.emplace(n.id, componentSha256(*system.component(n.id).tensors)).first;
    n.sha256 = it->second;
  }
  return g;
}

RunReport Engine::Impl::makeReport(double wall, bool stopped) const {
  std::lock_guard lock(systemMutex);
  std::vector<TaskReport> reports;
  for (const auto& t : tasks)
    reports.push_back(makeTaskReport(system, t.spec.name, t.data.numClasses, t.childrenTried,
                                     t.childrenImproved));
  RunReport report = makeRunReport(system, std::move(reports), generationCounter, wall, stopped,
                                   config.training.threads);
  report.precision = trainer.precision();
  return report;
}

void Engine::pause() {
  impl_->control.pause();
}
void Engine::resume() {
  impl_->control.resume();
}
void Engine::stop() {
  impl_->control.stop();
}
bool Engine::isPaused() const {
  return impl_->control.isPaused();
}
void Engine::addTask(const TaskSpec& task) {
  impl_->control.addTask(task);
}

const ExperimentConfig& Engine::config() const {
  return impl_->config;
}

GraphSnapshot Engine::snapshot() const {
  return impl_->snapshotLocked();
}

double Engine::evaluateTest(const std::string& task) {
  impl_->trainer.useAllThreads();
  const int64_t id = impl_->system.retainedPath(task);
  if (id < 0) throw std::out_of_range("task '" + task + "' has no retained model");
  return impl_->testPath(id);
}

ConfusionMatrix Engine::evaluateConfusion(const std::string& task) {
  auto& d = *impl_;
  d.trainer.useAllThreads();
  const int64_t id = d.system.retainedPath(task);
  if (id < 0) throw std::out_of_range("task '" + task + "' has no retained model");
  const TaskState& t = d.task(task);
  ConfusionMatrix m;
  m.task = task;
  m.classNames = t.data.classNames;
  m.counts = d.trainer.confusion(d.evalRoute(id), testSubset(t),
                                 toDataHParams(d.system.path(id).hparams), t.data.numClasses);
  return m;
}

RetainedModel Engine::retainedModel(const std::string& task) const {
  std::lock_guard lock(impl_->systemMutex);
  const int64_t id = impl_->system.retainedPath(task);
  if (id < 0) throw std::out_of_range("task '" + task + "' has no retained model");
  const Path& p = impl_->system.path(id);
  const TaskState& t = impl_->task(task);
  RetainedModel m;
  m.task = task;
  m.architecture = impl_->config.root.architecture;
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
    if (!c.trainable()) out.emplace_back(id, componentSha256(*c.tensors));
  }
  return out;
}

ComputeSavings Engine::computeSavings() const {
  const FrozenWork work = impl_->trainer.frozenWork();
  const ActivationCacheStats cache = impl_->trainer.cacheStats();
  ComputeSavings s;
  s.frozenNeeded = work.needed;
  s.frozenComputed = work.computed;
  s.cacheHits = cache.hits;
  s.cacheMisses = cache.misses;
  s.cacheEvicted = cache.evicted;
  s.cacheEntries = static_cast<int64_t>(cache.entries);
  s.cacheBytes = static_cast<int64_t>(cache.bytes);
  return s;
}

Precision Engine::precision() const {
  return impl_->trainer.precision();
}

double Engine::evaluateTestWithTrunk(const std::string& task, const std::string& trunkTask) {
  auto& d = *impl_;
  const int64_t own = d.system.retainedPath(task);
  const int64_t trunk = d.system.retainedPath(trunkTask);
  if (own < 0 || trunk < 0)
    throw std::out_of_range("task '" + (own < 0 ? task : trunkTask) + "' has no retained model");
  EvalRoute route = d.evalRoute(trunk);
  // The head is always the last slot.
  const EvalRoute ownRoute = d.evalRoute(own);
  route.tensors.back() = ownRoute.tensors.back();
  route.frozenIds.back() = ownRoute.frozenIds.back();
  const TaskState& t = d.task(task);
  return d.trainer.evaluate(route, testSubset(t), toDataHParams(d.system.path(trunk).hparams));
}

}  // namespace mu2net
