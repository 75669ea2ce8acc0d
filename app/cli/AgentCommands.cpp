// `mu2net agent` and `mu2net agents`: growing one system with several agents on a shared
// PostgreSQL store (Engine::runAgent).
//   mu2net agent --store URL (--task NAME [--task NAME …] | --share K/N) [--config CONFIG.json]
//                [--threads N] [--lease-seconds S] [--wait]
//   mu2net agents --store URL --processes N CONFIG.json [--threads-per-agent N] [--lease-seconds S]
// `agents` starts N local `agent` processes over the configuration's tasks (task i to process
// i mod N) and waits for them, each process's lines prefixed with its name; a cluster runs the
// same `agent` command through its own scheduler (resources/deploy/).
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <random>
#include <thread>

#include "Commands.h"
#include "RunOutput.h"
#include "StopOnSignal.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetFolderCheck.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/engine/ExperimentRun.h"
#include "mu2net/model/RuntimeInfo.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::cli {
namespace {

int agentUsage(std::ostream& err) {
  err << "usage: mu2net agent --store URL (--task NAME [--task NAME ...] | --share K/N)\n"
         "                    [--config CONFIG.json] [--threads N] [--lease-seconds S] [--wait]\n"
         "  evolves the named tasks of the experiment in the PostgreSQL store URL, as one of\n"
         "  several agents that may run at once on any machines.\n"
         "  --share K/N: the tasks at positions i of the configuration with i mod N = K (K from "
         "0):\n"
         "               agent K of N (a scheduler's array index, resources/deploy/)\n"
         "  --config CONFIG.json: create the store from it when the database holds none yet\n"
         "  --threads N: training threads (default: the configuration's)\n"
         "  --lease-seconds S: a task whose agent stops renewing its lease for S seconds may be\n"
         "                     taken over by another agent (default 30)\n"
         "  --wait: wait for a task another live agent holds instead of exiting (code 3)\n";
  return 2;
}

int agentsUsage(std::ostream& err) {
  err << "usage: mu2net agents --store URL --processes N CONFIG.json [--threads-per-agent N]\n"
         "                     [--lease-seconds S]\n"
         "  creates (or continues) the experiment of CONFIG.json in the PostgreSQL store URL and\n"
         "  runs N `mu2net agent` processes on this machine over its tasks (task i to process\n"
         "  i mod N), each with --threads-per-agent threads (default: the cores / N)\n";
  return 2;
}

bool parsePositive(const std::string& text, double max, double& value) {
  try {
    std::size_t used = 0;
    value = std::stod(text, &used);
    return used == text.size() && value > 0 && value <= max;
  } catch (const std::exception&) {
    return false;
  }
}

// A whole number from 1 to `max`.
bool parseCount(const std::string& text, int max, int& value) {
  double v = 0;
  if (!parsePositive(text, max, v) || v != static_cast<int>(v)) return false;
  value = static_cast<int>(v);
  return true;
}

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

AgentIdentity myIdentity() {
  AgentIdentity me;
  me.host = hostName();
  me.pid = ::getpid();
  std::random_device random;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", random());
  me.id = me.host + ":" + std::to_string(me.pid) + ":" + suffix;
  return me;
}

RunMetadata metadataFor(const ExperimentConfig& config) {
  RunMetadata meta;
  meta.projectVersion = MU2NET_VERSION;
  meta.torchVersion = runtimeInfo().torchVersion;
  meta.threads = config.training.threads;
  meta.configHash = configHash(config);
  return meta;
}

// Refuses (DataError naming `where`) a task of `tasks` whose dataset folder is missing or wrong.
void checkTaskFolders(const std::vector<TaskSpec>& tasks, const std::string& where) {
  if (const auto problems = taskFolderProblems(tasks); !problems.empty()) {
    std::string text = where;
    for (const auto& p : problems)
      text += (text == where ? ": " : "; ") + p;
    throw DataError(text);
  }
}

ExperimentConfig loadCheckedConfig(const std::string& path) {
  ExperimentConfig config = loadExperimentConfig(path);
  checkTaskFolders(config.tasks, path);
  return config;
}

}  // namespace

int runAgentCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string url, configPath;
  AgentOptions options;
  int threads = 0;
  int shareIndex = -1, shareCount = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool hasValue = i + 1 < args.size();
    double value = 0;
    if (a == "--help" || a == "-h") {
      agentUsage(out);
      return 0;
    } else if (a == "--store" && hasValue && url.empty()) {
      url = args[++i];
    } else if (a == "--task" && hasValue) {
      options.tasks.push_back(args[++i]);
    } else if (a == "--config" && hasValue && configPath.empty()) {
      configPath = args[++i];
    } else if (a == "--threads" && hasValue && parseCount(args[i + 1], 256, threads)) {
      ++i;
    } else if (a == "--lease-seconds" && hasValue && parsePositive(args[i + 1], 86400, value)) {
      options.leaseSeconds = value;
      ++i;
    } else if (a == "--wait") {
      options.wait = true;
    } else if (a == "--share" && hasValue && shareCount == 0) {
      const std::string share = args[++i];
      const auto slash = share.find('/');
      try {
        std::size_t used = 0;
        shareIndex = slash == std::string::npos ? -1 : std::stoi(share.substr(0, slash), &used);
        shareCount = std::stoi(share.substr(slash + 1));
        if (used != slash) shareIndex = -1;
      } catch (const std::exception&) {
        shareIndex = -1;
      }
      if (shareIndex < 0 || shareCount < 1 || shareIndex >= shareCount) {
        err << "error: --share takes K/N with 0 <= K < N (agent K of N), not '" << share << "'\n";
        return 2;
      }
    } else {
      err << "error: unexpected argument '" << a << "'\n";
      return agentUsage(err);
    }
  }
  if (url.empty() || options.tasks.empty() == (shareCount == 0)) return agentUsage(err);
  try {
    if (!isStoreUrl(url))
      throw StoreError(url +
                       ": agents share a database store (postgresql://…); a directory "
                       "store is copied into one with `mu2net store copy`");
    // An agent needs only its own tasks' data: another machine may hold the others.
    if (!configPath.empty()) {
      const ExperimentConfig config = loadExperimentConfig(configPath);
      ExperimentStore::createForAgents(url, config, metadataFor(config));
    }
    auto store = ExperimentStore::openForAgent(url);
    ExperimentConfig config = store->config();
    if (threads > 0) config.training.threads = threads;
    for (std::size_t i = 0; shareCount > 0 && i < config.tasks.size(); ++i)
      if (static_cast<int>(i % static_cast<std::size_t>(shareCount)) == shareIndex)
        options.tasks.push_back(config.tasks[i].name);
    if (options.tasks.empty()) {
      out << "agent " << shareIndex << " of " << shareCount << ": the experiment has "
          << config.tasks.size() << " tasks, none for this agent\n";
      return 0;
    }
    std::vector<TaskSpec> own;
    for (const auto& t : config.tasks)
      if (std::find(options.tasks.begin(), options.tasks.end(), t.name) != options.tasks.end())
        own.push_back(t);
    checkTaskFolders(own, configPath.empty() ? store->directory().string() : configPath);
    options.identity = myIdentity();
    ConsoleSink sink(out, isatty(STDERR_FILENO) == 1);
    Engine engine(config, &sink, store.get(), options.tasks);
    out << "agent " << options.identity.id << " on " << store->directory().string() << ": tasks";
    for (const auto& t : options.tasks)
      out << " " << t;
    out << "\n" << std::flush;
    RunReport report;
    {
      // Ctrl-C, or SIGTERM from a scheduler ending the job: a stop at the next safe point.
      StopOnSignal signals({SIGINT, SIGTERM}, [&] { engine.stop(); });
      report = engine.runAgent(options);
    }
    printTable(report, out);
    printCommitStats(store->commitStats(), out);
    return report.stopped ? 130 : 0;
  } catch (const TaskHeldError& e) {
    err << "error: " << errorText(e) << "\n";
    return 3;
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

int runAgentsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string url, configPath;
  int processes = 0, threadsPerAgent = 0;
  std::string lease;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool hasValue = i + 1 < args.size();
    double value = 0;
    if (a == "--help" || a == "-h") {
      agentsUsage(out);
      return 0;
    } else if (a == "--store" && hasValue && url.empty()) {
      url = args[++i];
    } else if (a == "--processes" && hasValue && parseCount(args[i + 1], 256, processes)) {
      ++i;
    } else if (a == "--threads-per-agent" && hasValue &&
               parseCount(args[i + 1], 256, threadsPerAgent)) {
      ++i;
    } else if (a == "--lease-seconds" && hasValue && parsePositive(args[i + 1], 86400, value)) {
      lease = args[++i];
    } else if (!a.empty() && a[0] != '-' && configPath.empty()) {
      configPath = a;
    } else {
      err << "error: unexpected argument '" << a << "'\n";
      return agentsUsage(err);
    }
  }
  if (url.empty() || configPath.empty() || processes < 1) return agentsUsage(err);
  std::vector<std::vector<std::string>> groups;
  try {
    if (!isStoreUrl(url))
      throw StoreError(url + ": agents share a database store (postgresql://…)");
    // The store, created or continued with this configuration (everything validated, the tasks'
    // data read) before any agent starts.
    ExperimentConfig config = loadCheckedConfig(configPath);
    {
      PreparedRun prepared = prepareRun(config, url, nullptr, metadataFor(config));
      config = prepared.engine->config();
    }
    const std::size_t n =
        std::min<std::size_t>(static_cast<std::size_t>(processes), config.tasks.size());
    groups.resize(n);
    for (std::size_t i = 0; i < config.tasks.size(); ++i)
      groups[i % n].push_back(config.tasks[i].name);
    if (threadsPerAgent == 0)
      threadsPerAgent =
          std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / static_cast<int>(n));
  } catch (const std::exception& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }

  // The agents, each writing to a pipe read here, line by line, prefixed with its name.
  struct Agent {
    pid_t pid = -1;
    int fd = -1;
    std::string name, pending;
    int status = 0;
  };
  std::vector<Agent> agents(groups.size());
  for (std::size_t k = 0; k < groups.size(); ++k) {
    std::vector<std::string> argv = {
        "/proc/self/exe", "agent", "--store", url, "--threads", std::to_string(threadsPerAgent)};
    if (!lease.empty()) argv.insert(argv.end(), {"--lease-seconds", lease});
    for (const auto& t : groups[k])
      argv.insert(argv.end(), {"--task", t});
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      err << "error: cannot create a pipe: " << std::strerror(errno) << "\n";
      return 1;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      std::vector<char*> cargs;
      for (auto& s : argv)
        cargs.push_back(s.data());
      cargs.push_back(nullptr);
      ::execv(cargs[0], cargs.data());
      _exit(127);
    }
    ::close(fds[1]);
    agents[k].pid = pid;
    agents[k].fd = fds[0];
    agents[k].name = "agent " + std::to_string(k + 1);
    out << agents[k].name << " (process " << pid << "): tasks";
    for (const auto& t : groups[k])
      out << " " << t;
    out << "\n" << std::flush;
  }
  std::atomic<bool> forward{false};
  StopOnSignal signals({SIGINT, SIGTERM}, [&] { forward = true; });
  std::size_t open = agents.size();
  while (open > 0) {
    if (forward.exchange(false))
      for (const auto& a : agents)
        if (a.fd >= 0) ::kill(a.pid, SIGINT);  // each stops at its next safe point
    std::vector<pollfd> polls;
    for (const auto& a : agents)
      polls.push_back({a.fd, POLLIN, 0});
    if (::poll(polls.data(), polls.size(), 200) <= 0) continue;
    for (std::size_t k = 0; k < agents.size(); ++k) {
      Agent& a = agents[k];
      if (a.fd < 0 || !(polls[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[4096];
      const ssize_t got = ::read(a.fd, buffer, sizeof buffer);
      if (got > 0) a.pending.append(buffer, static_cast<std::size_t>(got));
      for (std::size_t nl; (nl = a.pending.find('\n')) != std::string::npos;) {
        out << "[" << a.name << "] " << a.pending.substr(0, nl + 1);
        a.pending.erase(0, nl + 1);
      }
      if (got <= 0) {
        if (!a.pending.empty()) out << "[" << a.name << "] " << a.pending << "\n";
        ::close(a.fd);
        a.fd = -1;
        --open;
      }
    }
    out << std::flush;
  }
  int result = 0;
  for (auto& a : agents) {
    ::waitpid(a.pid, &a.status, 0);
    const int code = WIFEXITED(a.status) ? WEXITSTATUS(a.status) : 1;
    out << a.name << " ended with exit code " << code << "\n";
    if (code != 0 && result == 0) result = code;
  }
  out << std::flush;
  if (result == 0) runStatusCommand({url}, out, err);
  return result;
}

}  // namespace mu2net::cli
