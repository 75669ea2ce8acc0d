// The engine's speed, measured (issue 6): not run by CTest, prints tables, asserts nothing.
//
//   speed     training throughput (samples/s) of RouteTrainer::step for the default ViT and CNN
//             roots at batch 64, alone on a fixed pool of random batches and with the real data
//             pipeline (BatchStream + assembleBatch on MNIST, default ds_* hyperparameters),
//             against tests/benchmarks/reference_train_step.py (the same models, batch and
//             optimiser in PyTorch, Debian's python3-torch) run in the same process tree, with 1
//             and 2 intra-op threads. The ratio is engine / Python (> 1: the engine is faster).
//   frozen    a child with no block, half the blocks and every block frozen (the stem with them;
//             norm and head always train), against a forward-only pass of the whole route.
//   overhead  a small real Engine run (MNIST, one generation of 4 children): the share of each
//             generation's wall time not spent in model compute (RouteTrainer::step and
//             countCorrect, timed by ComputeTime), and the data pipeline's part of it.
//   threads   one generation of 4 children of a real Engine run (ViT and CNN) on 1 thread, on 2
//             threads inside each step (parallel_children 1), and on two workers of one thread
//             each (the default): wall time and samples per second.
//   bounded   a real Engine run growing a system of 8 MNIST class-subset tasks: per task, the
//             activated parameters and inference time per image as the system grows.
//   generation  generation-level compute (issue 16): one generation of 4 children of the
//             built-in pretrained root (glyphs-vit) whose routes share the frozen stem and blocks
//             0-1 (clone_policy freeze_bottom, freeze_blocks 2: the typical μ2Net child), 2
//             validations of 1,024 MNIST images included, 2 threads, in a real Engine run with
//             sharing, caching and bfloat16 off and on, against the same 4 children trained one
//             after another by reference_train_step.py --generation (1 and 2 threads, the faster
//             counts). Prints "generation speedup vs reference: X.XX" for the default settings,
//             the fraction of frozen-forward work saved, and each child's validation accuracy per
//             setting (the accuracy-parity check).
//
// Every measurement is the best of --repeats runs of --seconds each; the load average is printed
// with each table because the timings are only comparable on an otherwise quiet machine.
// Recommended: OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep instead of spinning; the
// Python child inherits the environment, so both sides run under the same policy).
//
// Usage: bench_engine_speed [--seconds S] [--repeats R] [--sections a,b,...] [--no-python]
//                           [--overhead-examples N]
//
// Longer than 500 lines: one program for the six sections, which share their setup and tables.
#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/version.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "TestConfigs.h"
#include "TestData.h"
#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/common/Rng.h"
#include "mu2net/data/BatchStream.h"
#include "mu2net/data/InputPipeline.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/model/Architecture.h"
#include "mu2net/model/Precision.h"

using namespace mu2net;

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kBatch = 64;
constexpr int kClasses = 10;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Options {
  double seconds = 3.0;
  int repeats = 3;
  bool python = true;
  int64_t overheadExamples = 2048;
  std::vector<std::string> sections = {"speed",   "frozen",  "overhead",
                                       "threads", "bounded", "generation"};
  bool wants(const std::string& s) const {
    return std::find(sections.begin(), sections.end(), s) != sections.end();
  }
};

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

void printLoad(const char* when) {
  std::printf("[load average %s: %s]\n", when, loadAverage().c_str());
}

ArchitectureConfig rootOf(ArchitectureKind kind) {
  ArchitectureConfig a;  // the documented defaults: 28 px, patch 4, width 64, 4 heads, MLP 128
  a.kind = kind;
  return a;
}

// Number of blocks frozen for a label: -1 means every block.
int frozenCount(const ArchitectureConfig& arch, int frozenBlocks) {
  return frozenBlocks < 0 ? arch.depth : std::min(frozenBlocks, arch.depth);
}

// A fresh child of the root: the stem and the first `frozenBlocks` blocks frozen (none when 0;
// -1: all), norm and head trainable, as the engine builds a child that shares a bottom.
struct Model {
  std::vector<std::shared_ptr<ComponentTensors>> route;
  std::vector<bool> trainable;
};

Model makeModel(const ArchitectureConfig& arch, int frozenBlocks) {
  Rng rng(1);
  Model m;
  const int frozen = frozenCount(arch, frozenBlocks);
  for (const auto& slot : routeSlots(arch, arch.depth)) {
    m.route.push_back(initComponent(arch, slot, kClasses, arch.imageSize, rng));
    int block = 0;
    const bool isBlock = parseBlockSlot(slot, &block);
    const bool stem = slot == "embedding" || slot == "cls" || slot == "posembed";
    m.trainable.push_back(frozen == 0 || (isBlock && block >= frozen) || (!isBlock && !stem));
  }
  return m;
}

// CPU seconds used by every thread of this process (the Python reference's time.process_time()).
double processCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// A throughput measured two ways: per wall-clock second, and per CPU-second of the process. On a
// machine shared with other work the second is the steadier measure of what a step costs; the
// first is what a user waits for, and the only one that shows a gain from a second thread.
struct Rate {
  double wall = 0;
  double cpu = 0;
  friend Rate operator*(double k, const Rate& r) { return {k * r.wall, k * r.cpu}; }
  void keepBest(const Rate& r) {
    wall = std::max(wall, r.wall);
    cpu = std::max(cpu, r.cpu);
  }
};

// Runs `body` for `seconds` after 5 warm-up calls; returns calls per second.
Rate callsPerSecond(const std::function<void()>& body, double seconds) {
  for (int i = 0; i < 5; ++i)
    body();
  const auto start = Clock::now();
  const double cpuStart = processCpuSeconds();
  int64_t calls = 0;
  double elapsed = 0;
  do {
    body();
    ++calls;
    elapsed = secondsSince(start);
  } while (elapsed < seconds);
  const double cpu = processCpuSeconds() - cpuStart;
  return {static_cast<double>(calls) / elapsed, static_cast<double>(calls) / cpu};
}

// A fixed pool of random batches (as the Python reference), so only the step is measured.
struct RandomBatches {
  std::vector<torch::Tensor> images, labels;
  RandomBatches(int imageSize, Rng& rng) {
    for (int i = 0; i < 8; ++i) {
      torch::Tensor x = torch::empty({kBatch, 3, imageSize, imageSize});
      float* px = x.data_ptr<float>();
      for (int64_t j = 0; j < x.numel(); ++j)
        px[j] = static_cast<float>(rng.uniform(-1, 1));
      torch::Tensor y = torch::empty({kBatch}, torch::kLong);
      for (int64_t j = 0; j < kBatch; ++j)
        y.data_ptr<int64_t>()[j] = static_cast<int64_t>(rng.below(kClasses));
      images.push_back(x);
      labels.push_back(y);
    }
  }
};

// Engine training throughput in samples/s; with `data`, every step first assembles its batch
// from the real training split with the default training augmentation.
Rate engineRate(const ArchitectureConfig& arch, int threads, int frozenBlocks, double seconds,
                const TaskData* data) {
  at::set_num_threads(threads);
  Model m = makeModel(arch, frozenBlocks);
  RouteTrainer trainer(arch, m.route, m.trainable,
                       OptimizerHParams{0.01, 0.9, false, 0.05, 1000000});
  Rng rng(2);
  if (!data) {
    RandomBatches pool(arch.imageSize, rng);
    int64_t i = 0;
    return static_cast<double>(kBatch) * callsPerSecond(
                                             [&] {
                                               trainer.step(pool.images[i % 8], pool.labels[i % 8]);
                                               ++i;
                                             },
                                             seconds);
  }
  DataHParams hp;
  hp.imageSize = arch.imageSize;
  BatchStream stream(data->train.count, kBatch, 3);
  torch::Tensor images = torch::empty({kBatch, 3, hp.imageSize, hp.imageSize});
  torch::Tensor labels = torch::empty({kBatch}, torch::kLong);
  std::vector<int64_t> batch;
  return static_cast<double>(kBatch) * callsPerSecond(
                                           [&] {
                                             stream.next(batch);
                                             assembleBatch(data->train, batch, hp, true, rng,
                                                           images.data_ptr<float>(),
                                                           labels.data_ptr<int64_t>());
                                             trainer.step(images, labels);
                                           },
                                           seconds);
}

// Forward-only (graph-free) throughput of the whole route, samples/s; with `inference`, through
// countCorrect (inference mode, as the engine's evaluations).
Rate forwardRate(const ArchitectureConfig& arch, int threads, double seconds, bool inference) {
  at::set_num_threads(threads);
  Model m = makeModel(arch, 0);
  std::vector<const ComponentTensors*> raw;
  for (const auto& c : m.route)
    raw.push_back(c.get());
  Rng rng(2);
  RandomBatches pool(arch.imageSize, rng);
  int64_t i = 0;
  return static_cast<double>(kBatch) *
         callsPerSecond(
             [&] {
               if (inference)
                 (void)countCorrect(arch, raw, pool.images[i % 8], pool.labels[i % 8]);
               else
                 (void)forwardRoute(arch, raw, pool.images[i % 8], raw.size());
               ++i;
             },
             seconds);
}

// Runs the Python reference with `arguments`; its JSON line, or "" if it could not be run.
std::string runReference(const std::string& arguments) {
  const std::string cmd =
      std::string(MU2NET_PYTHON) + " " + MU2NET_REFERENCE_SCRIPT + " " + arguments;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {};
  std::string out;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe))
    out += buf.data();
  if (pclose(pipe) != 0) {
    std::fprintf(stderr, "reference script failed: %s\n%s\n", cmd.c_str(), out.c_str());
    return {};
  }
  return out;
}

// A number of the reference's JSON line (0 when absent).
double referenceField(const std::string& out, const std::string& key) {
  const auto at = out.find("\"" + key + "\": ");
  return at == std::string::npos ? 0.0 : std::atof(out.c_str() + at + key.size() + 4);
}

// The Python reference's samples/s (0 if it could not be run).
Rate pythonRate(const ArchitectureConfig& arch, int threads, int frozenBlocks, double seconds) {
  std::ostringstream args;
  args << "--arch " << toString(arch.kind) << " --threads " << threads << " --seconds " << seconds
       << " --batch " << kBatch << " --classes " << kClasses << " --frozen-blocks " << frozenBlocks;
  const std::string out = runReference(args.str());
  return {referenceField(out, "samples_per_s"), referenceField(out, "samples_per_cpu_s")};
}

TaskSpec mnistTask(const std::string& name, std::vector<int> classes = {}) {
  return testdata::idxTask(name, testdata::mnistDir(), std::move(classes));
}

// ---- sections ---------------------------------------------------------------------------------

void speedSection(const Options& o, const TaskData& mnist) {
  std::printf("\n== Training throughput, batch %lld, samples per second (best of %d x %.1f s) ==\n",
              static_cast<long long>(kBatch), o.repeats, o.seconds);
  std::printf("/s: per wall-clock second; /cpu-s: per CPU-second of the process (all threads).\n");
  printLoad("before");
  std::printf("%-4s %3s | %13s | %13s | %13s | %-23s\n", "", "", "engine step", "engine + data",
              "python", "engine / python");
  std::printf("%-4s %3s | %6s %6s | %6s %6s | %6s %6s | %5s %5s %5s %5s\n", "arch", "thr", "/s",
              "/cpu-s", "/s", "/cpu-s", "/s", "/cpu-s", "wall", "cpu", "+d/w", "+d/c");
  for (auto kind : {ArchitectureKind::Vit, ArchitectureKind::Cnn})
    for (int threads : {1, 2}) {
      const ArchitectureConfig arch = rootOf(kind);
      Rate step, withData, py;
      // Interleaved repeats: a load spike hits both sides rather than one.
      for (int r = 0; r < o.repeats; ++r) {
        step.keepBest(engineRate(arch, threads, 0, o.seconds, nullptr));
        withData.keepBest(engineRate(arch, threads, 0, o.seconds, &mnist));
        if (o.python) py.keepBest(pythonRate(arch, threads, 0, o.seconds));
      }
      const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
      std::printf("%-4s %3d | %6.0f %6.0f | %6.0f %6.0f | %6.0f %6.0f | %5.2f %5.2f %5.2f %5.2f\n",
                  toString(kind).c_str(), threads, step.wall, step.cpu, withData.wall, withData.cpu,
                  py.wall, py.cpu, ratio(step.wall, py.wall), ratio(step.cpu, py.cpu),
                  ratio(withData.wall, py.wall), ratio(withData.cpu, py.cpu));
      std::fflush(stdout);
    }
  printLoad("after");
}

void frozenSection(const Options& o) {
  std::printf(
      "\n== Frozen layers, 1 thread, CPU ms per step of batch %lld (best of %d x %.1f s) ==\n",
      static_cast<long long>(kBatch), o.repeats, o.seconds);
  std::printf("frozen = the stem and the first k blocks; norm and head always train.\n");
  std::printf(
      "'forward' = one graph-free forward pass of the whole route (the floor); 'eval\n"
      "forward' = the same through countCorrect (inference mode), as evaluations run.\n");
  printLoad("before");
  std::printf("%-5s %-13s | %10s %10s %12s | %10s %12s\n", "arch", "frozen", "engine ms", "vs none",
              "vs forward", "python ms", "python/eng");
  for (auto kind : {ArchitectureKind::Vit, ArchitectureKind::Cnn}) {
    const ArchitectureConfig arch = rootOf(kind);
    struct Row {
      std::string label;
      double ms = 0, pyMs = 0;
      bool training = true;
    };
    std::vector<Row> rows;
    for (int frozen : {0, arch.depth / 2, -1}) {
      Rate rate, py;
      for (int r = 0; r < o.repeats; ++r) {
        rate.keepBest(engineRate(arch, 1, frozen, o.seconds, nullptr));
        if (o.python) py.keepBest(pythonRate(arch, 1, frozen, o.seconds));
      }
      rows.push_back({frozen == 0    ? "none"
                      : frozen == -1 ? "all " + std::to_string(arch.depth) + " blocks"
                                     : std::to_string(frozen) + " blocks",
                      1000.0 * kBatch / rate.cpu, py.cpu > 0 ? 1000.0 * kBatch / py.cpu : 0.0});
    }
    for (bool inference : {false, true}) {
      Rate fwd;
      for (int r = 0; r < o.repeats; ++r)
        fwd.keepBest(forwardRate(arch, 1, o.seconds, inference));
      rows.push_back({inference ? "eval forward" : "forward", 1000.0 * kBatch / fwd.cpu, 0, false});
    }
    const double noneMs = rows[0].ms;
    const double fwdMs = std::min(rows[3].ms, rows[4].ms);
    for (const Row& r : rows) {
      std::printf("%-5s %-13s | %10.1f %9.2fx %11.2fx |", toString(kind).c_str(), r.label.c_str(),
                  r.ms, r.ms / noneMs, r.ms / fwdMs);
      if (r.training) std::printf(" %10.1f %12.2f", r.pyMs, r.pyMs > 0 ? r.pyMs / r.ms : 0.0);
      std::printf("\n");
    }
    std::fflush(stdout);
  }
  printLoad("after");
}

// Measures one generation boundary to the next on the engine thread.
class GenerationTimer : public EventSink {
 public:
  struct Generation {
    HParams ds;
    double wall = 0;
    ComputeTime compute;  // accumulated during the generation
    int64_t evalImages = 0;
  };
  std::vector<Generation> generations;
  int generationSize = 0;

  void handle(const Event& e) override {
    if (const auto* g = std::get_if<GenerationStartedEvent>(&e)) {
      start_ = Clock::now();
      at_ = threadComputeTime();
      generations.push_back({g->dataHParams, 0, {}, 0});
    } else if (const auto* f = std::get_if<ChildFinishedEvent>(&e)) {
      // The children's ChildFinished events close the generation (after its bookkeeping).
      if (f->childIndex != generationSize - 1 || generations.empty()) return;
      Generation& current = generations.back();
      current.wall = secondsSince(start_);
      const ComputeTime now = threadComputeTime();
      current.compute.trainSeconds = now.trainSeconds - at_.trainSeconds;
      current.compute.trainSteps = now.trainSteps - at_.trainSteps;
      current.compute.evalSeconds = now.evalSeconds - at_.evalSeconds;
      current.compute.evalImages = now.evalImages - at_.evalImages;
    }
  }

 private:
  Clock::time_point start_;
  ComputeTime at_;
};

// Seconds per image of assembleBatch, training (augmenting) or evaluation.
double pipelineSecondsPerImage(const TaskData& data, const DataHParams& hp, bool training) {
  BatchStream stream(data.train.count, kBatch, 5);
  torch::Tensor images = torch::empty({kBatch, 3, hp.imageSize, hp.imageSize});
  torch::Tensor labels = torch::empty({kBatch}, torch::kLong);
  std::vector<int64_t> batch;
  Rng rng(6);
  const double calls = callsPerSecond(
                           [&] {
                             stream.next(batch);
                             assembleBatch(data.train, batch, hp, training, rng,
                                           images.data_ptr<float>(), labels.data_ptr<int64_t>());
                           },
                           1.0)
                           .cpu;
  return 1.0 / (calls * kBatch);
}

// A real run on MNIST: one task iteration of generations of 4 children, 2 validations each.
ExperimentConfig mnistRun(const Options& o, ArchitectureKind kind, int children, int threads) {
  ExperimentConfig c;
  c.seed = 5;
  c.root.architecture = rootOf(kind);
  c.tasks = {mnistTask("mnist")};
  c.evolution.generationSize = 4;
  c.evolution.childrenPerTaskIteration = children;
  c.evolution.taskIterations = 1;
  c.training.validationsPerChild = 2;
  c.training.trainExamplesBetweenValidations = o.overheadExamples;
  c.training.validationExamplesMax = 1024;
  c.training.testExamplesMax = 1000;
  c.training.threads = threads;
  return c;
}

void overheadSection(const Options& o, const TaskData& mnist) {
  std::printf("\n== Overhead: a real Engine run (MNIST, ViT root, 1 thread, generation of 4) ==\n");
  printLoad("before");
  const ExperimentConfig c = mnistRun(o, ArchitectureKind::Vit, 8, 1);
  GenerationTimer timer;
  timer.generationSize = c.evolution.generationSize;
  const auto start = Clock::now();
  Engine engine(c, &timer);
  const double constructSeconds = secondsSince(start);
  const ComputeTime before = threadComputeTime();
  const RunReport report = engine.run();
  const ComputeTime after = threadComputeTime();
  std::printf(
      "engine construction (reading MNIST): %.2f s; run: %.2f s, model compute %.2f s\n",
      constructSeconds, report.wallSeconds,
      (after.trainSeconds - before.trainSeconds) + (after.evalSeconds - before.evalSeconds));
  std::printf("%-4s %5s %7s | %8s %8s %8s | %9s %9s %9s\n", "gen", "image", "steps", "wall s",
              "train s", "eval s", "overhead", "pipeline", "other");
  for (std::size_t i = 0; i < timer.generations.size(); ++i) {
    const auto& g = timer.generations[i];
    const DataHParams hp = toDataHParams(g.ds);
    // The pipeline's share is estimated from its measured cost per image, not timed in place.
    const double pipeline =
        static_cast<double>(g.compute.trainSteps * kBatch) *
            pipelineSecondsPerImage(mnist, hp, true) +
        static_cast<double>(g.compute.evalImages) * pipelineSecondsPerImage(mnist, hp, false);
    const double compute = g.compute.trainSeconds + g.compute.evalSeconds;
    const double overhead = g.wall - compute;
    std::printf("%-4zu %5d %7lld | %8.2f %8.2f %8.2f | %8.1f%% %8.1f%% %8.1f%%\n", i + 1,
                hp.imageSize, static_cast<long long>(g.compute.trainSteps), g.wall,
                g.compute.trainSeconds, g.compute.evalSeconds, 100.0 * overhead / g.wall,
                100.0 * pipeline / g.wall, 100.0 * (overhead - pipeline) / g.wall);
  }
  std::printf(
      "overhead = generation wall time not in RouteTrainer::step or countCorrect "
      "(target < 10%%);\npipeline = its data-pipeline part (assembleBatch, measured per "
      "image), other = mutation, cloning, snapshots, events.\n");
  printLoad("after");
}

// Throughput of whole generations: what 2 threads buy in a real run, where the engine's workers
// train the children of a generation (two workers of one thread each, or one worker with both
// threads inside each training step: parallel_children 1).
void threadsSection(const Options& o) {
  std::printf(
      "\n== Threads: one generation of 4 children in a real Engine run (MNIST, %lld "
      "training examples per child) ==\n",
      static_cast<long long>(2 * o.overheadExamples));
  printLoad("before");
  std::printf("%-4s %-44s | %8s %10s %8s\n", "arch", "threads", "wall s", "samples/s", "vs 1");
  struct Setting {
    const char* name;
    int threads;
    int parallelChildren;
  };
  const Setting settings[] = {{"1 (one worker)", 1, 1},
                              {"2, intra-op (parallel_children 1: one worker)", 2, 1},
                              {"2, two workers, one thread each (the default)", 2, 0}};
  for (auto kind : {ArchitectureKind::Vit, ArchitectureKind::Cnn}) {
    double base = 0;
    for (const Setting& setting : settings) {
      ExperimentConfig c = mnistRun(o, kind, 4, setting.threads);
      c.training.parallelChildren = setting.parallelChildren;
      GenerationTimer timer;
      timer.generationSize = c.evolution.generationSize;
      Engine engine(c, &timer);
      engine.run();
      const double wall = timer.generations.front().wall;
      const double samples = 4.0 * 2.0 * static_cast<double>(o.overheadExamples) / wall;
      if (base == 0) base = samples;
      std::printf("%-4s %-44s | %8.1f %10.0f %8.2f\n", toString(kind).c_str(), setting.name, wall,
                  samples, samples / base);
      std::fflush(stdout);
    }
  }
  std::printf(
      "samples/s = training examples of the generation / its wall time (validations "
      "included).\n");
  printLoad("after");
}

void boundedSection(const Options& o) {
  std::printf("\n== Bounded compute: 8 MNIST class-subset tasks, ViT root, 1 thread ==\n");
  printLoad("before");
  ExperimentConfig c;
  c.seed = 9;
  const std::vector<std::vector<int>> subsets = {{0, 1}, {2, 3}, {4, 5}, {6, 7},
                                                 {8, 9}, {1, 7}, {3, 8}, {4, 9}};
  for (std::size_t i = 0; i < subsets.size(); ++i)
    c.tasks.push_back(
        mnistTask("mnist-" + std::to_string(subsets[i][0]) + "v" + std::to_string(subsets[i][1]),
                  subsets[i]));
  c.evolution.generationSize = 2;
  c.evolution.childrenPerTaskIteration = 2;
  c.evolution.taskIterations = 1;
  c.training.validationsPerChild = 1;
  c.training.trainExamplesBetweenValidations = 512;
  c.training.validationExamplesMax = 256;
  c.training.testExamplesMax = 1000;
  c.training.threads = 1;
  struct Sizes : EventSink {
    std::vector<double> systemSize;
    void handle(const Event& e) override {
      if (const auto* t = std::get_if<TaskIterationEndedEvent>(&e))
        systemSize.push_back(t->systemSize);
    }
  } sizes;
  Engine engine(c, &sizes);
  const RunReport report = engine.run();
  std::printf("%-5s %-10s %12s | %10s %7s %6s | %13s %13s\n", "tasks", "new task", "system params",
              "activated", "blocks", "image", "cpu us/image", "wall us/img");
  for (std::size_t i = 0; i < report.tasks.size(); ++i) {
    const TaskReport& t = report.tasks[i];
    // CPU time of this (single-threaded) process: steadier than wall time on a shared machine.
    double cpuPerImage = 1e9, wallPerImage = 1e9;
    for (int r = 0; r < o.repeats; ++r) {
      const ComputeTime before = threadComputeTime();
      const auto start = Clock::now();
      const double cpuStart = processCpuSeconds();
      (void)engine.evaluateTest(t.name);
      const double cpu = processCpuSeconds() - cpuStart;
      const double wall = secondsSince(start);
      const ComputeTime after = threadComputeTime();
      const double images = static_cast<double>(after.evalImages - before.evalImages);
      cpuPerImage = std::min(cpuPerImage, cpu / images);
      wallPerImage = std::min(wallPerImage, wall / images);
    }
    int64_t blocks = 0;
    for (const auto& slot : t.routeSlots)
      blocks += parseBlockSlot(slot, nullptr) ? 1 : 0;
    std::printf("%-5zu %-10s %12.0f | %10lld %7lld %6.0f | %13.1f %13.1f\n", i + 1, t.name.c_str(),
                i < sizes.systemSize.size() ? sizes.systemSize[i] : 0.0,
                static_cast<long long>(t.activatedParams), static_cast<long long>(blocks),
                t.hparams.at("ds_image_size"), 1e6 * cpuPerImage, 1e6 * wallPerImage);
  }
  std::printf(
      "activated = parameters of the task's own route; the system grows, a task's route\n"
      "stays one backbone (its block count and image size are its own hyperparameters).\n"
      "us/image: evaluateTest (data pipeline + forward) on %lld test images, best of %d.\n",
      static_cast<long long>(c.training.testExamplesMax), o.repeats);
  printLoad("after");
}

}  // namespace

// ---- generation-level compute -------------------------------------------------------------------

// The reference's wall seconds for a generation (0 if it could not be run).
double pythonGenerationSeconds(int threads, int steps, int validateEvery, int validation) {
  std::ostringstream args;
  args << "--generation --threads " << threads << " --children 4 --frozen-blocks 2 --batch "
       << kBatch << " --steps " << steps << " --validate-every " << validateEvery
       << " --validation " << validation;
  return referenceField(runReference(args.str()), "seconds");
}

// Times the first generation (its first child's start to its last child's end) and keeps each
// child's validation accuracy and the savings counted when it ended.
class FirstGeneration : public EventSink {
 public:
  const Engine* engine = nullptr;
  double wall = 0;
  std::vector<double> accuracies;
  ComputeSavings savings;
  void handle(const Event& e) override {
    if (const auto* s = std::get_if<ChildStartedEvent>(&e)) {
      if (s->generation == 1 && s->childIndex == 0) start_ = Clock::now();
    } else if (const auto* f = std::get_if<ChildFinishedEvent>(&e)) {
      if (f->generation != 1) return;
      accuracies.push_back(f->quality);
      if (accuracies.size() == 4) {
        wall = secondsSince(start_);
        savings = engine->computeSavings();
      }
    }
  }

 private:
  Clock::time_point start_;
};

void generationSection(const Options& o) {
  constexpr int kSteps = 64, kValidateEvery = 32, kValidation = 1024;
  std::printf(
      "\n== Generation-level compute: 4 children of glyphs-vit sharing the frozen stem and blocks "
      "0-1, %d steps of %lld each, 2 validations of %d MNIST images, 2 threads ==\n",
      kSteps, static_cast<long long>(kBatch), kValidation);
  printLoad("before");
  std::string json = R"({
    "seed": 5,
    "root": {"pretrained": "glyphs-vit"},
    "tasks": [{"name": "mnist", "format": "idx", "path": "@MNIST@"}],
    "evolution": {"generation_size": 4, "children_per_task_iteration": 4, "task_iterations": 1,
                  "clone_policy": "freeze_bottom", "freeze_blocks": 2},
    "training": {"batch_size": 64, "validations_per_child": 2,
                 "train_examples_between_validations": 2048, "validation_examples_max": 1024,
                 "test_examples_max": 1000, "threads": 2},
    "image_sizes": [28]})";
  json.replace(json.find("@MNIST@"), 7, testdata::mnistDir().string());
  const ExperimentConfig base = parseExperimentConfig(json, "/");
  struct Setting {
    const char* name;
    bool share;
    int64_t cacheMib;
    Precision precision;
  };
  const Precision automatic = effectivePrecision(Precision::Auto);
  const Setting settings[] = {
      {"engine, nothing shared, float32", false, 0, Precision::Float32},
      {"+ shared prefix + cache, float32", true, 2048, Precision::Float32},
      {"+ bf16 frozen layers", true, 2048, Precision::Bf16Frozen},
      {"+ bf16 training too", true, 2048, Precision::Bf16},
  };
  struct Row {
    std::string name;
    double wall = 0;
    double saved = 0;
    std::vector<double> accuracies;
  };
  std::vector<Row> rows;
  for (const Setting& setting : settings) {
    Row row{setting.name, 0, 0, {}};
    for (int r = 0; r < o.repeats; ++r) {
      ExperimentConfig c = base;
      c.training.shareFrozenPrefix = setting.share;
      c.training.activationCacheMib = setting.cacheMib;
      c.training.precision = setting.precision;
      FirstGeneration timer;
      Engine engine(c, &timer);
      timer.engine = &engine;
      engine.run();
      if (row.wall == 0 || timer.wall < row.wall) row.wall = timer.wall;
      row.saved = timer.savings.savedFraction();
      row.accuracies = timer.accuracies;
    }
    rows.push_back(row);
  }
  double python = 0;
  int pythonThreads = 0;
  if (o.python)
    for (int threads : {1, 2})
      for (int r = 0; r < o.repeats; ++r) {
        const double s = pythonGenerationSeconds(threads, kSteps, kValidateEvery, kValidation);
        if (s > 0 && (python == 0 || s < python)) {
          python = s;
          pythonThreads = threads;
        }
      }
  std::printf("%-36s | %8s %10s %12s | %s\n", "setting", "wall s", "vs Python", "frozen saved",
              "validation accuracy of children 1-4 (%)");
  const auto accuracyText = [](const std::vector<double>& a) {
    std::string t;
    for (double v : a) {
      char buf[16];
      std::snprintf(buf, sizeof buf, " %5.1f", 100 * v);
      t += buf;
    }
    return t;
  };
  double autoWall = 0;
  for (const Row& row : rows) {
    std::printf("%-36s | %8.2f %10.2f %11.1f%% |%s\n", row.name.c_str(), row.wall,
                python > 0 ? python / row.wall : 0.0, 100 * row.saved,
                accuracyText(row.accuracies).c_str());
    const std::size_t index = static_cast<std::size_t>(&row - rows.data());
    if (settings[index].share && settings[index].precision == automatic) autoWall = row.wall;
  }
  if (python > 0)
    std::printf("%-36s | %8.2f %10.2f %12s |\n",
                (std::string("PyTorch reference, one child after another, ") +
                 std::to_string(pythonThreads) + " thr")
                    .c_str(),
                python, 1.0, "");
  double worst = 0;
  for (std::size_t i = 0; i < rows[2].accuracies.size() && i < rows[0].accuracies.size(); ++i)
    worst = std::max(worst, std::abs(rows[2].accuracies[i] - rows[0].accuracies[i]));
  double worstTraining = 0;
  for (std::size_t i = 0; i < rows[3].accuracies.size() && i < rows[0].accuracies.size(); ++i)
    worstTraining =
        std::max(worstTraining, std::abs(rows[3].accuracies[i] - rows[0].accuracies[i]));
  std::printf(
      "accuracy parity: shared + cached float32 %s the unshared engine's; bf16 frozen layers "
      "differ by at most %.1f points, bf16 training by at most %.1f.\n",
      rows[1].accuracies == rows[0].accuracies ? "equals" : "DIFFERS FROM", 100 * worst,
      100 * worstTraining);
  std::printf("default precision on this CPU (training.precision auto): %s\n",
              toString(automatic).c_str());
  if (python > 0 && autoWall > 0)
    std::printf("generation speedup vs reference: %.2f\n", python / autoWall);
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (settings[i].share && settings[i].precision == automatic)
      std::printf("frozen-forward work saved (default settings): %.1f%%\n", 100 * rows[i].saved);
  printLoad("after");
}

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool hasValue = i + 1 < argc;
    if (a == "--seconds" && hasValue) {
      o.seconds = std::atof(argv[++i]);
    } else if (a == "--repeats" && hasValue) {
      o.repeats = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--no-python") {
      o.python = false;
    } else if (a == "--overhead-examples" && hasValue) {
      o.overheadExamples = std::max<int64_t>(kBatch, std::atoll(argv[++i]));
    } else if (a == "--sections" && hasValue) {
      o.sections.clear();
      std::stringstream ss(argv[++i]);
      for (std::string s; std::getline(ss, s, ',');)
        o.sections.push_back(s);
    } else {
      std::fprintf(stderr,
                   "usage: bench_engine_speed [--seconds S] [--repeats R] [--no-python]\n"
                   "       [--overhead-examples N]\n"
                   "       [--sections speed,frozen,overhead,threads,bounded,generation]\n");
      return 2;
    }
  }
  const char* wait = std::getenv("OMP_WAIT_POLICY");
  std::printf("bench_engine_speed: LibTorch %s, OMP_WAIT_POLICY=%s, reference %s\n", TORCH_VERSION,
              wait ? wait : "(unset)", MU2NET_REFERENCE_SCRIPT);
  const bool needMnist = o.wants("speed") || o.wants("overhead");
  TaskData mnist;
  if (needMnist) mnist = loadTask(mnistTask("mnist"), 1);
  if (o.wants("speed")) speedSection(o, mnist);
  if (o.wants("frozen")) frozenSection(o);
  if (o.wants("overhead")) overheadSection(o, mnist);
  if (o.wants("threads")) threadsSection(o);
  if (o.wants("bounded")) boundedSection(o);
  if (o.wants("generation")) generationSection(o);
  return 0;
}
