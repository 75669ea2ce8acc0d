// A commit's cost against the system's size (issue 17's 69-task estimate): synthetic systems of
// 4, 30 and 69 tasks (each task's retained path: 10 components of 2,000 parameters, sharing the
// root's stem), and per size 20 commits of one generation (one new path of 5 new components, as a
// kept child adds) into a directory store, a PostgreSQL database, and a database as an agent
// while another agent commits between each two (so that every commit first reads the latest
// state). Prints milliseconds per commit. Not run by CTest; starts its own PostgreSQL server
// (tests/postgres/test-server.sh, fsync on).
//
// Usage: bench_store_commit [--commits N=20]
#include <unistd.h>

#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>

#include "model/ComponentTensors.h"
#include "mu2net/common/Rng.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace fs = std::filesystem;
using namespace mu2net;

namespace {

using Clock = std::chrono::steady_clock;

Component component(const std::string& slot, const std::string& task, int64_t generation) {
  Component c;
  c.slot = slot;
  c.creatorTask = task;
  c.generation = generation;
  c.paramCount = 2000;
  c.tensors = ComponentTensors::create({"weight"}, {torch::randn({40, 50})});
  return c;
}

// A path of `task` over the root's first five components and five new ones.
int64_t addPath(System& system, const std::vector<int64_t>& stem, const std::string& task,
                int64_t generation) {
  Path p;
  p.task = task;
  p.parentId = system.rootPath();
  p.componentIds = stem;
  for (int k = 0; k < 5; ++k)
    p.componentIds.push_back(
        system.addComponent(component("block_" + std::to_string(k), task, generation)));
  p.hparams = {{"mu", 0.2}};
  p.metrics.validationQuality = 0.5;
  p.metrics.score = 0.5;
  p.metrics.generation = generation;
  return system.addPath(p);
}

System syntheticSystem(int tasks, std::vector<int64_t>& stem) {
  System system;
  Path root;
  root.task = System::kRootTask;
  for (int k = 0; k < 10; ++k)
    root.componentIds.push_back(
        system.addComponent(component("root_" + std::to_string(k), System::kRootTask, 0)));
  stem.assign(root.componentIds.begin(), root.componentIds.begin() + 5);
  system.setRootPath(system.addPath(root));
  Rng rng(1);
  for (int t = 0; t < tasks; ++t) {
    const std::string task = "task-" + std::to_string(t);
    system.startTask(task, rng);
    addPath(system, stem, task, t + 1);
    system.endTask(task);
  }
  return system;
}

ExperimentConfig configFor(int tasks) {
  ExperimentConfig c;
  c.seed = 1;
  for (int t = 0; t < tasks; ++t) {
    TaskSpec spec;
    spec.name = "task-" + std::to_string(t);
    spec.path = "/nonexistent";
    c.tasks.push_back(spec);
  }
  return c;
}

std::vector<StoreTask> tasksOf(const ExperimentConfig& c) {
  std::vector<StoreTask> tasks;
  for (const auto& spec : c.tasks)
    tasks.push_back({spec, 10, 8, 4, 1});
  return tasks;
}

std::string readUrl(const fs::path& state) {
  std::string url;
  std::getline(std::ifstream(state / "url"), url);
  return url;
}

std::string database(const std::string& server, const std::string& name) {
  std::system(("psql -q '" + server + "' -c 'CREATE DATABASE " + name + "'").c_str());
  const auto slash = server.find("/postgres?");
  return server.substr(0, slash) + "/" + name + server.substr(slash + 9);
}

}  // namespace

int main(int argc, char** argv) {
  int commits = 20;
  if (argc == 3 && std::string(argv[1]) == "--commits") commits = std::atoi(argv[2]);
  const fs::path work = fs::temp_directory_path() / ("bench-commit-" + std::to_string(::getpid()));
  fs::create_directories(work);
  const std::string script = MU2NET_SOURCE_DIR "/tests/postgres/test-server.sh";
  if (std::system(
          ("MU2NET_PG_FSYNC=on bash '" + script + "' start '" + work.string() + "' >/dev/null")
              .c_str()) != 0) {
    std::cerr << "bench_store_commit: cannot start the PostgreSQL server\n";
    return 1;
  }
  const std::string server = readUrl(work);
  std::cout << "| tasks | components | directory ms/commit | database ms/commit | database, "
               "another agent committing in between, ms/commit |\n|---|---|---|---|---|\n";
  for (const int tasks : {4, 30, 69}) {
    const ExperimentConfig config = configFor(tasks);
    const RunMetadata meta{"bench", "1.13", 1, configHash(config)};
    double ms[3] = {0, 0, 0};
    std::size_t components = 0;
    for (int kind = 0; kind < 3; ++kind) {
      std::vector<int64_t> stem;
      System system = syntheticSystem(tasks, stem);
      const std::string name = "c" + std::to_string(tasks) + "_" + std::to_string(kind);
      const fs::path location = kind == 0 ? work / name : fs::path(database(server, name));
      auto store = ExperimentStore::create(location, config, meta);
      const std::vector<StoreTask> storeTasks = tasksOf(config);
      StoreProgress progress;
      store->commit(system.state(), progress, storeTasks, {}, {}, nullptr);
      std::unique_ptr<ExperimentStore> agentA, agentB;
      if (kind == 2) {
        store.reset();
        agentA = ExperimentStore::openForAgent(location);
        agentB = ExperimentStore::openForAgent(location);
      }
      double total = 0;
      for (int i = 0; i < commits; ++i) {
        const int64_t generation = tasks + 1 + i;
        addPath(system, stem, "task-0", generation);
        GenerationRecord record;
        record.generation = generation;
        record.task = "task-0";
        record.iteration = 2;
        progress.generationCounter = generation;
        if (kind == 2) {
          // The other agent commits the same state (its version moves), then this one commits
          // its generation: it reads the latest state first.
          agentB->commitAgent("b", system.state(),
                              [&](const StoreState*, const std::set<int64_t>&) {
                                AgentCommit c;
                                c.system = system.state();
                                c.progress = progress;
                                c.tasks = storeTasks;
                                return c;
                              });
          const auto t0 = Clock::now();
          agentA->commitAgent("a", system.state(),
                              [&](const StoreState*, const std::set<int64_t>&) {
                                AgentCommit c;
                                c.system = system.state();
                                c.progress = progress;
                                c.tasks = storeTasks;
                                c.generation = record;
                                return c;
                              });
          total += std::chrono::duration<double>(Clock::now() - t0).count();
        } else {
          const auto t0 = Clock::now();
          store->commit(system.state(), progress, storeTasks, {}, {}, &record);
          total += std::chrono::duration<double>(Clock::now() - t0).count();
        }
      }
      ms[kind] = 1000.0 * total / commits;
      components = system.componentIds().size();
    }
    std::cout << "| " << tasks << " | " << components << " | " << std::fixed << std::setprecision(1)
              << ms[0] << " | " << ms[1] << " | " << ms[2] << " |\n"
              << std::flush;
  }
  std::system(("bash '" + script + "' stop '" + work.string() + "' >/dev/null").c_str());
  fs::remove_all(work);
  return 0;
}
