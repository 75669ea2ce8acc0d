// Agents against one run (issue 17): the same four small tasks grown by one `mu2net run` (2
// threads) and by two `mu2net agents` processes (one per core, 1 thread each) on a local
// PostgreSQL server; children per minute, final test accuracies side by side, and the store's
// overhead per generation (commit latency, bytes written, from each process's "store:" line).
// Not run by CTest; prints a table.
//
// Usage: bench_agents [--config EXPERIMENT.json] [--processes N=2] [--cli PATH]
// The default configuration: the built-in pretrained root; MNIST 0-4 and 5-9, Fashion-MNIST tops
// and footwear; 2 task iterations of 4 children (generations of 2); 2,048 training examples per
// validation, 2 validations. Starts its own throwaway server (tests/postgres/test-server.sh, with
// fsync on).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "TestData.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct Leg {
  std::string name;
  double seconds = 0;
  json status;
  int64_t commits = 0;
  double commitSeconds = 0;  // summed over the processes
  double maxCommitMs = 0;
  int64_t components = 0;
  double mib = 0;
};

std::string capture(const std::string& command, int* code = nullptr) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, p))
    out.append(buffer, n);
  const int status = ::pclose(p);
  if (code) *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Adds every "store: N commits, X ms each on average (longest Y ms), C components (M MiB)" line.
void readStoreLines(const std::string& out, Leg& leg) {
  const std::regex line(
      R"(store: (\d+) commits, ([0-9.]+) ms each on average \(longest ([0-9.]+) ms\), (\d+) components \(([0-9.]+) MiB\))");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    const int64_t n = std::stoll(m[1]);
    leg.commits += n;
    leg.commitSeconds += static_cast<double>(n) * std::stod(m[2]) / 1000.0;
    leg.maxCommitMs = std::max(leg.maxCommitMs, std::stod(m[3]));
    leg.components += std::stoll(m[4]);
    leg.mib += std::stod(m[5]);
  }
}

std::string defaultConfig(const fs::path& dir) {
  const std::string mnist = mu2net::testdata::mnistDir().string();
  const std::string fashion = mu2net::testdata::fashionMnistDir().string();
  const json config = {
      {"seed", 3},
      {"root", {{"pretrained", "glyphs-vit"}}},
      {"tasks",
       {{{"name", "mnist-low"}, {"format", "idx"}, {"path", mnist}, {"classes", {0, 1, 2, 3, 4}}},
        {{"name", "mnist-high"}, {"format", "idx"}, {"path", mnist}, {"classes", {5, 6, 7, 8, 9}}},
        {{"name", "fashion-tops"}, {"format", "idx"}, {"path", fashion}, {"classes", {0, 2, 4, 6}}},
        {{"name", "fashion-footwear"},
         {"format", "idx"},
         {"path", fashion},
         {"classes", {5, 7, 9}}}}},
      {"evolution",
       {{"generation_size", 2}, {"children_per_task_iteration", 4}, {"task_iterations", 2}}},
      {"training",
       {{"batch_size", 64},
        {"validations_per_child", 2},
        {"train_examples_between_validations", 2048},
        {"validation_examples_max", 512},
        {"test_examples_max", 1000},
        {"threads", 2}}}};
  const fs::path file = dir / "bench-agents.json";
  std::ofstream(file) << config.dump(2);
  return file.string();
}

}  // namespace

int main(int argc, char** argv) {
  std::string config, cli = MU2NET_CLI_PATH;
  int processes = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc)
      config = argv[++i];
    else if (a == "--processes" && i + 1 < argc)
      processes = std::atoi(argv[++i]);
    else if (a == "--cli" && i + 1 < argc)
      cli = argv[++i];
    else {
      std::cerr << "usage: bench_agents [--config EXPERIMENT.json] [--processes N] [--cli PATH]\n";
      return 2;
    }
  }
  const fs::path work = fs::temp_directory_path() / ("bench-agents-" + std::to_string(::getpid()));
  fs::create_directories(work);
  if (config.empty()) config = defaultConfig(work);
  const std::string server = MU2NET_SOURCE_DIR "/tests/postgres/test-server.sh";
  int code = 0;
  // A server that flushes its commits to disk, as a real one does.
  capture("MU2NET_PG_FSYNC=on bash " + quote(server) + " start " + quote(work.string()), &code);
  if (code != 0) {
    std::cerr << "bench_agents: cannot start the PostgreSQL server\n";
    return 1;
  }
  std::string base;
  std::getline(std::ifstream(work / "url"), base);
  auto database = [&](const std::string& name) {
    capture("psql -q " + quote(base) + " -c 'CREATE DATABASE " + name + "'");
    const auto slash = base.find("/postgres?");
    return base.substr(0, slash) + "/" + name + base.substr(slash + 9);
  };

  std::vector<Leg> legs;
  auto runLeg = [&](const std::string& name, const std::string& store, const std::string& command) {
    Leg leg;
    leg.name = name;
    const auto t0 = std::chrono::steady_clock::now();
    int rc = 0;
    const std::string out = capture(command + " 2>&1", &rc);
    leg.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rc != 0) std::cerr << name << " failed (exit " << rc << "):\n" << out << "\n";
    readStoreLines(out, leg);
    leg.status =
        json::parse(capture(quote(cli) + " status " + quote(store) + " --json"), nullptr, false);
    legs.push_back(leg);
    std::cerr << name << ": " << std::fixed << std::setprecision(1) << leg.seconds << " s\n";
  };
  const std::string runStore = database("bench_run");
  runLeg("mu2net run (2 threads)", runStore,
         "OMP_WAIT_POLICY=PASSIVE " + quote(cli) + " run " + quote(config) + " --store " +
             quote(runStore) + " --threads 2");
  const std::string agentsStore = database("bench_agents");
  runLeg("mu2net agents (" + std::to_string(processes) + " x 1 thread)", agentsStore,
         "OMP_WAIT_POLICY=PASSIVE " + quote(cli) + " agents --store " + quote(agentsStore) +
             " --processes " + std::to_string(processes) + " " + quote(config) +
             " --threads-per-agent 1");
  capture("bash " + quote(server) + " stop " + quote(work.string()));
  fs::remove_all(work);

  std::cout << "| | wall s | children | children/min | commits | commit ms (mean / max) | "
               "components written | MiB written | KiB per generation |";
  const json& tasks = legs.front().status["tasks"];
  for (const auto& t : tasks)
    std::cout << " " << t["name"].get<std::string>() << " test acc |";
  std::cout << "\n|---|---|---|---|---|---|---|---|---|";
  for (std::size_t i = 0; i < tasks.size(); ++i)
    std::cout << "---|";
  std::cout << "\n";
  for (const auto& leg : legs) {
    if (!leg.status.is_object()) continue;
    const int64_t children = leg.status.value("children_trained", int64_t{0});
    const int64_t generations = leg.status.value("generations", int64_t{1});
    std::cout << std::fixed << "| " << leg.name << " | " << std::setprecision(1) << leg.seconds
              << " | " << children << " | " << 60.0 * static_cast<double>(children) / leg.seconds
              << " | " << leg.commits << " | "
              << 1000.0 * leg.commitSeconds / static_cast<double>(std::max<int64_t>(1, leg.commits))
              << " / " << leg.maxCommitMs << " | " << leg.components << " | "
              << std::setprecision(2) << leg.mib << " | " << std::setprecision(0)
              << leg.mib * 1024.0 / static_cast<double>(std::max<int64_t>(1, generations)) << " |";
    for (const auto& t : leg.status["tasks"])
      std::cout << " " << std::setprecision(4)
                << (t["test_accuracy"].is_number() ? t["test_accuracy"].get<double>() : 0.0)
                << " |";
    std::cout << "\n";
  }
  return 0;
}
