// The engine as one of several agents on a database store (Engine::runAgent): leases and their
// heartbeat, the loop position each task's lease holds, and commits taken on the latest system.
// What an agent changes between two commits is its own: its task's paths, counters, seed pool and
// the offspring counts of the parents it drew. A commit applies it to the latest committed system
// (other agents' work taken in first) under the store's commit lock, so no agent's work is lost
// and a single agent commits exactly what run() would.
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "engine/Child.h"
#include "engine/EngineImpl.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/ErrorText.h"

namespace mu2net {
namespace {

using json = nlohmann::json;

std::string positionJson(const AgentTaskPosition& p) {
  return json({{"started", p.started},
               {"next_generation", p.nextGeneration},
               {"seed_pool", p.seedPool}})
      .dump();
}

AgentTaskPosition readPosition(const std::string& text) {
  AgentTaskPosition p;
  try {
    const json j = json::parse(text.empty() ? "{}" : text);
    p.started = j.value("started", false);
    p.nextGeneration = j.value("next_generation", int64_t{0});
    p.seedPool = j.value("seed_pool", std::vector<int64_t>{});
  } catch (const json::exception&) {
    p = {};  // a position that cannot be read: the task's iteration starts again
  }
  return p;
}

std::string describeHolder(const TaskLease& l) {
  return "task '" + l.task + "' is held by agent " + l.agent + " on " + l.host + " (process " +
         std::to_string(l.pid) + "), last heard from " +
         std::to_string(static_cast<long long>(l.secondsSinceHeartbeat)) +
         " s ago; its lease expires in " + std::to_string(static_cast<long long>(l.secondsLeft)) +
         " s";
}

}  // namespace

void Engine::Impl::startAgent(const AgentOptions& options) {
  if (!store || !store->isRemote() || store->mode() != ExperimentStore::Mode::ReadWrite)
    throw StoreError("an agent needs a database store opened for agents (postgresql://…)");
  if (options.tasks.empty()) throw ConfigError("an agent needs at least one task (--task NAME)");
  std::string known;
  for (const auto& t : tasks)
    known += (known.empty() ? "" : ", ") + t.spec.name;
  for (const auto& name : options.tasks) {
    const auto t = std::find_if(tasks.begin(), tasks.end(),
                                [&](const TaskState& s) { return s.spec.name == name; });
    if (t == tasks.end())
      throw ConfigError("task '" + name +
                        "' is not in the experiment's configuration (its tasks: " + known + ")");
    if (!t->dataRead)
      throw ConfigError("task '" + name +
                        "': this engine did not read its data (construct it with the agent's "
                        "tasks)");
  }
  agent = std::make_unique<AgentRun>();
  agent->options = options;
  agent->owned.insert(options.tasks.begin(), options.tasks.end());
  agent->storeProgress = progress;
  // Claimed in a fixed order, so that two agents asking for the same tasks never hold one each.
  for (const auto& name : agent->owned) {
    for (;;) {
      const TaskClaim claim = store->claimTask(name, options.identity, options.leaseSeconds);
      if (claim.claimed) {
        agent->positions[name] = readPosition(claim.lease.progressJson);
        break;
      }
      if (!options.wait) {
        endAgent("stopped", "another agent holds task '" + name + "'");
        throw TaskHeldError(describeHolder(claim.lease) +
                            "; start this agent with --wait to take it over when it is free");
      }
      if (control.stopRequested()) {
        endAgent("stopped", "stopped while waiting for task '" + name + "'");
        throw StopRequested();
      }
      const double wait = std::clamp(claim.lease.secondsLeft + 0.1, 0.1, 1.0);
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
  }
  agent->leaseStore = store->anotherAgentConnection();
  AgentRun* a = agent.get();
  agent->heartbeat = std::thread([this, a] {
    const auto period = std::chrono::duration<double>(a->options.leaseSeconds / 4);
    std::unique_lock lock(a->heartbeatMutex);
    while (!a->heartbeatWake.wait_for(lock, period, [a] { return a->heartbeatStop; })) {
      try {
        const auto held =
            a->leaseStore->renewLeases(a->options.identity.id, a->options.leaseSeconds);
        for (const auto& name : a->owned) {
          if (std::find(held.begin(), held.end(), name) != held.end()) continue;
          a->leaseLostMessage = "the lease of task '" + name +
                                "' was taken over by another agent (this one did not renew it in "
                                "time); stopping";
          a->leaseLost = true;
          control.stop();
          return;
        }
      } catch (const std::exception& e) {
        // The next renewal may work; a lease that expires meanwhile is found lost then.
        events.emit(ErrorEvent{"cannot renew the agent's leases: " + errorText(e)});
      }
    }
  });
}

void Engine::Impl::endAgent(const std::string& state, const std::string& message) {
  if (!agent) return;
  if (agent->heartbeat.joinable()) {
    {
      std::lock_guard lock(agent->heartbeatMutex);
      agent->heartbeatStop = true;
    }
    agent->heartbeatWake.notify_all();
    agent->heartbeat.join();
  }
  for (const auto& name : agent->owned) {
    try {
      // A lease lost to another agent stays that agent's.
      store->releaseTask(name, agent->options.identity.id, state, message);
    } catch (const std::exception& e) {
      events.emit(ErrorEvent{"cannot end the lease of task '" + name + "': " + errorText(e)});
    }
  }
}

void Engine::Impl::enterAgentTask(const TaskState& task) {
  const std::string& name = task.spec.name;
  agent->currentTask = name;
  syncAgent();
  const AgentTaskPosition& p = agent->positions[name];
  progress.taskStarted = p.started;
  progress.nextGeneration = p.started ? p.nextGeneration : 0;
  if (!p.started) return;
  // Continuing an iteration (this agent's, or a dead agent's it took over): the task's own seed
  // pool, without the paths removed since.
  SystemState s = system.state();
  s.seedPool.clear();
  for (const int64_t id : p.seedPool)
    if (s.paths.count(id)) s.seedPool.push_back(id);
  std::lock_guard lock(systemMutex);
  system = System(std::move(s));
}

void Engine::Impl::syncAgent() {
  if (agent->leaseLost) throw StopRequested();
  if (auto latest = store->syncAgent(system.state())) rebaseOnto(*latest, true);
}

void Engine::Impl::markInUse(const std::vector<Child>& children) {
  std::vector<int64_t> ids;
  for (const auto& child : children) {
    agent->pendingOffspring.push_back(child.plan.parentId);
    for (std::size_t k = 0; k < child.plan.origins.size(); ++k)
      if (!child.trainable[k]) ids.push_back(child.plan.origins[k].componentId);
  }
  store->markComponentsInUse(agent->options.identity.id, ids);
}

bool Engine::Impl::agentCanKeep(Child& child) {
  for (std::size_t k = 0; k < child.plan.origins.size(); ++k)
    if (!child.trainable[k] && !system.hasComponent(child.plan.origins[k].componentId))
      return false;
  child.plan.parentId = system.liveAncestor(child.plan.parentId);
  return true;
}

void Engine::Impl::rebaseOnto(const StoreState& latest, bool refreshPool) {
  const std::string& task = agent->currentTask;
  SystemState s = latest.system;
  const SystemState& mine = system.state();
  s.seedPool.clear();
  for (const int64_t id : mine.seedPool)
    if (s.paths.count(id)) s.seedPool.push_back(id);
  const auto position = agent->positions.find(task);
  if (refreshPool && position != agent->positions.end() && position->second.started) {
    // Models other agents retained since: candidates from now on.
    for (const auto& other : s.tasks) {
      const auto r = s.retained.find(other);
      if (other == task || System::isPrivate(other) || r == s.retained.end() ||
          !s.paths.count(r->second))
        continue;
      if (std::find(s.seedPool.begin(), s.seedPool.end(), r->second) == s.seedPool.end())
        s.seedPool.push_back(r->second);
    }
  }
  for (const int64_t parent : agent->pendingOffspring)
    if (s.paths.count(parent)) ++s.paths[parent].metrics.offspringCount[task];
  {
    std::lock_guard lock(systemMutex);
    system = System(std::move(s));
  }
  // Other agents' counters, for the commits and the report.
  for (auto& t : tasks)
    if (!owns(t.spec.name)) takeCounters(t, latest.tasks);
  agent->storeProgress = latest.progress;
  generationCounter = std::max(generationCounter, latest.progress.generationCounter);
}

void Engine::Impl::agentCommit(const std::function<void(std::vector<ChildRecord>&)>& op,
                               const GenerationRecord* generation) {
  const std::string& task = agent->currentTask;
  const SystemState known = system.state();
  store->commitAgent(
      agent->options.identity.id, known,
      [&](const StoreState* latest, const std::set<int64_t>& inUse) {
        if (latest) rebaseOnto(*latest, false);
        const auto before = system.state().components;
        std::vector<ChildRecord> records;
        op(records);
        // Components another agent's running child shares stay, however this step changed the
        // system (end_task collects what no path uses).
        bool restore = false;
        for (const int64_t id : inUse)
          restore = restore || (!system.hasComponent(id) && before.count(id));
        if (restore) {
          SystemState s = system.state();
          for (const int64_t id : inUse)
            if (!s.components.count(id) && before.count(id)) {
              Component c = before.at(id);
              c.locks.clear();  // no path uses it any more
              s.components.emplace(id, std::move(c));
            }
          std::lock_guard lock(systemMutex);
          system = System(std::move(s));
        }
        AgentCommit c;
        c.system = system.state();
        c.progress = agent->storeProgress;
        c.progress.generationCounter = std::max(c.progress.generationCounter, generationCounter);
        c.tasks = storedTasks();
        c.progress.finished = std::all_of(c.tasks.begin(), c.tasks.end(), [&](const StoreTask& t) {
          return t.iterationsDone >= config.evolution.taskIterations;
        });
        c.children = std::move(records);
        c.events = events.takeStored();
        if (generation) c.generation = *generation;
        if (!task.empty()) {
          AgentTaskPosition& p = agent->positions[task];
          p.started = progress.taskStarted;
          p.nextGeneration = progress.nextGeneration;
          p.seedPool = system.seedPool();
          c.taskProgress[task] = positionJson(p);
        }
        return c;
      });
  agent->pendingOffspring.clear();
}

RunReport Engine::runAgent(const AgentOptions& options) {
  auto& d = *impl_;
  d.startAgent(options);
  RunReport report;
  try {
    report = d.runLoop();
  } catch (const std::exception& e) {
    d.endAgent("failed", errorText(e));
    d.agent.reset();
    throw;
  }
  const bool lost = d.agent->leaseLost;
  if (lost) d.events.emit(ErrorEvent{d.agent->leaseLostMessage});
  d.endAgent(report.stopped ? "stopped" : "finished",
             lost ? d.agent->leaseLostMessage : std::string());
  d.agent.reset();
  return report;
}

}  // namespace mu2net
