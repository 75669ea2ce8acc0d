// Pretraining a root (Pretrain.h): batches drawn from the sources as a pure function of the step,
// a RouteTrainer over the root's slots and a temporary head, resumable state files, and the root
// file with its metadata at the end.
#include "mu2net/engine/Pretrain.h"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/types.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "common/Sha256.h"
#include "model/ComponentFile.h"
#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/OutputFile.h"
#include "mu2net/common/Rng.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/InputPipeline.h"
#include "mu2net/model/RuntimeInfo.h"

namespace mu2net {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr double kReportInterval = 1.0;  // seconds between progress reports

// One source, ready to draw from.
struct Source {
  const PretrainSource* spec = nullptr;
  std::unique_ptr<SyntheticGlyphs> glyphs;
  TaskData data;
  int numClasses = 0;
  int classOffset = 0;  // its labels in the joint label space start here
};

std::string fileSha256(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  Sha256 h;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    h.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return h.hexDigest();
}

void writeTextAtomically(const std::filesystem::path& file, const std::string& text) {
  writeOutputFile(file, text);
}

// The configuration as it identifies a run: everything but the thread count.
std::string identity(PretrainConfig c) {
  c.threads = 1;
  return pretrainConfigToJson(c);
}

std::string describeSources(const PretrainConfig& c) {
  double total = 0;
  for (const auto& s : c.sources)
    total += s.weight;
  std::string out;
  for (const auto& s : c.sources) {
    std::ostringstream part;
    if (s.kind == PretrainSource::Kind::SyntheticGlyphs)
      part << "synthetic " << (s.glyphs.family == GlyphFamily::Glyphs ? "glyphs" : "contours")
           << " (" << s.glyphs.numClasses << " classes, data-free)";
    else
      part << s.dataset.name << " (" << formatName(s.dataset.format) << " "
           << s.dataset.path.string() << ")";
    if (c.sources.size() > 1) part << " " << static_cast<int>(100 * s.weight / total + 0.5) << "%";
    out += (out.empty() ? "" : " + ") + part.str();
  }
  return out;
}

class Run {
 public:
  explicit Run(const PretrainConfig& config) : c_(config) {
    validate(c_.architecture);
    if (c_.sources.empty()) throw ConfigError("config key 'sources': no source given");
    int offset = 0;
    double total = 0;
    for (std::size_t i = 0; i < c_.sources.size(); ++i) {
      Source s;
      s.spec = &c_.sources[i];
      if (s.spec->kind == PretrainSource::Kind::SyntheticGlyphs) {
        s.glyphs = std::make_unique<SyntheticGlyphs>(
            deriveSeed(c_.seed, {hashTag("pretrain-glyphs"), i}), s.spec->glyphs);
        s.numClasses = s.glyphs->numClasses();
      } else {
        s.data = loadTask(s.spec->dataset, c_.seed);
        if (s.data.train.count == 0 || s.data.test.count == 0)
          throw DataError("sources[" + std::to_string(i) + "] '" + s.spec->dataset.name +
                          "': the train and test splits must not be empty");
        s.numClasses = s.data.numClasses;
      }
      s.classOffset = offset;
      offset += s.numClasses;
      total += s.spec->weight;
      cumulative_.push_back(total);
      sources_.push_back(std::move(s));
    }
    for (auto& w : cumulative_)
      w /= total;
    numClasses_ = offset;
    const int64_t size = c_.architecture.imageSize;
    imageFloats_ = 3 * size * size;
    glyphBuffer_.resize(static_cast<std::size_t>(size * size));
  }

  int numClasses() const { return numClasses_; }

  // Writes example k of the training (evaluation == false) or evaluation stream.
  void example(int64_t k, bool evaluation, float* image, int64_t* label) {
    Rng r(deriveSeed(c_.seed,
                     {hashTag(evaluation ? "pretrain-eval" : "pretrain-train"), std::uint64_t(k)}));
    const double u = r.uniform();
    std::size_t i = 0;
    while (i + 1 < sources_.size() && u >= cumulative_[i])
      ++i;
    Source& s = sources_[i];
    const int size = c_.architecture.imageSize;
    if (s.glyphs) {
      const int cls = static_cast<int>(r.below(static_cast<std::uint64_t>(s.numClasses)));
      s.glyphs->render(cls, r.next(), size, glyphBuffer_.data());
      for (int64_t p = 0; p < size * size; ++p) {
        const float v = static_cast<float>(glyphBuffer_[static_cast<std::size_t>(p)]) / 127.5f - 1;
        image[p] = image[size * size + p] = image[2 * size * size + p] = v;
      }
      *label = s.classOffset + cls;
      return;
    }
    const ImageSet& set = evaluation ? s.data.test : s.data.train;
    const int64_t index = static_cast<int64_t>(r.below(static_cast<std::uint64_t>(set.count)));
    DataHParams hp;
    hp.imageSize = size;
    hp.crop = s.spec->cropAreaMin < 1.0;
    hp.areaRangeMin = s.spec->cropAreaMin;
    Rng augment(r.next());
    assembleBatch(set, std::span<const int64_t>(&index, 1), hp, !evaluation, augment, image, label);
    *label += s.classOffset;
  }

  void batch(int64_t first, int64_t count, bool evaluation, torch::Tensor& images,
             torch::Tensor& labels) {
    float* img = images.data_ptr<float>();
    int64_t* lab = labels.data_ptr<int64_t>();
    for (int64_t j = 0; j < count; ++j)
      example(first + j, evaluation, img + j * imageFloats_, lab + j);
  }

 private:
  const PretrainConfig& c_;
  std::vector<Source> sources_;
  std::vector<double> cumulative_;
  int numClasses_ = 0;
  int64_t imageFloats_ = 0;
  std::vector<std::uint8_t> glyphBuffer_;
};

std::filesystem::path statePath(const std::filesystem::path& out) {
  return out.string() + ".partial";
}
std::filesystem::path stateJsonPath(const std::filesystem::path& out) {
  return out.string() + ".partial.json";
}

}  // namespace

PretrainResult pretrainRoot(const PretrainConfig& config, const std::filesystem::path& out,
                            const std::function<void(const PretrainProgress&)>& progress,
                            const std::atomic<bool>* stop, const std::string& command) {
  PretrainConfig c = config;
  if (c.name.empty()) c.name = out.stem().string();
  std::filesystem::path metadata = out;
  metadata.replace_extension(".json");
  // Never overwrite a file that is not a root's metadata (e.g. the configuration itself).
  if (std::filesystem::exists(metadata)) {
    try {
      readRootMetadata(metadata);
    } catch (const ConfigError&) {
      throw ConfigError(metadata.string() +
                        " exists and is not a root's metadata; the root's metadata would "
                        "overwrite it: choose another --out");
    }
  }
  const ArchitectureConfig& a = c.architecture;
  at::set_num_threads(c.threads);
  Run run(c);
  const int size = a.imageSize;

  // The model: the root's slots and a head over every source's classes.
  Rng init(deriveSeed(c.seed, {hashTag("pretrain-init")}));
  const std::vector<std::string> slots = routeSlots(a, a.depth);
  std::vector<std::shared_ptr<ComponentTensors>> route;
  for (const auto& slot : slots)
    route.push_back(initComponent(a, slot, run.numClasses(), size, init));
  OptimizerHParams h;
  h.optimizer = c.optimizer;
  h.learningRate = c.learningRate;
  h.momentum = c.momentum;
  h.weightDecay = c.weightDecay;
  h.warmupRatio = c.warmupRatio;
  h.totalSteps = c.steps;
  RouteTrainer trainer(a, route, std::vector<bool>(route.size(), true), h);

  PretrainResult result;
  double earlierSeconds = 0;
  // Continue a saved state of the same configuration.
  if (std::filesystem::exists(stateJsonPath(out))) {
    json state;
    try {
      std::ifstream in(stateJsonPath(out));
      state = json::parse(in);
      if (state.at("format") != "mu2net-pretrain-state") throw std::runtime_error("format");
    } catch (const std::exception&) {
      throw std::runtime_error(stateJsonPath(out).string() +
                               " is not a pretraining state; remove it to start afresh");
    }
    if (state.value("config", std::string()) != identity(c))
      throw ConfigError(stateJsonPath(out).string() +
                        " belongs to another pretraining configuration; use the same "
                        "configuration to continue it, or remove it (and " +
                        statePath(out).string() + ") to start afresh");
    if (fileSha256(statePath(out)) != state.value("sha256", std::string()))
      throw std::runtime_error(statePath(out).string() + " does not match " +
                               stateJsonPath(out).string() +
                               " (interrupted while saving?); remove both to start afresh");
    const SlotTensors saved = loadComponentFile(statePath(out));
    std::vector<at::Tensor> moments;
    std::size_t next = 0;
    for (const auto& [slot, tensors] : saved) {
      if (slot == "adam") {
        moments = tensors->params;
        continue;
      }
      if (next >= route.size() || slot != slots[next] ||
          !fitsShapes(*tensors, route[next]->shapes()))
        throw std::runtime_error(statePath(out).string() + ": slot '" + slot +
                                 "' does not fit the configured root");
      at::NoGradGuard noGrad;
      for (std::size_t i = 0; i < tensors->params.size(); ++i)
        route[next]->params[i].copy_(tensors->params[i]);
      ++next;
    }
    if (next != route.size())
      throw std::runtime_error(statePath(out).string() + ": slots are missing");
    result.resumedFrom = state.at("step").get<int64_t>();
    trainer.restore(result.resumedFrom, moments);
    earlierSeconds = state.value("seconds", 0.0);
    result.accuracy = state.value("accuracy", 0.0);
  }

  const auto saveState = [&](double seconds) {
    SlotTensors state;
    for (std::size_t i = 0; i < route.size(); ++i)
      state.emplace_back(slots[i], route[i]);
    std::vector<std::string> names;
    const auto moments = trainer.adamState();
    for (std::size_t i = 0; i < moments.size(); ++i)
      names.push_back(std::to_string(i));
    if (!moments.empty()) state.emplace_back("adam", ComponentTensors::create(names, moments));
    saveComponentFile(statePath(out), state);
    const json meta = {{"format", "mu2net-pretrain-state"},
                       {"step", trainer.stepsDone()},
                       {"config", identity(c)},
                       {"sha256", fileSha256(statePath(out))},
                       {"seconds", seconds},
                       {"accuracy", result.accuracy}};
    writeTextAtomically(stateJsonPath(out), meta.dump(2));
  };

  // The fixed held-out examples, assembled once.
  const int64_t evalCount = c.evaluationExamples;
  torch::Tensor evalImages = torch::empty({evalCount, 3, size, size}, torch::kFloat);
  torch::Tensor evalLabels = torch::empty({evalCount}, torch::kLong);
  run.batch(0, evalCount, true, evalImages, evalLabels);
  const auto evaluate = [&] {
    std::vector<const ComponentTensors*> raw;
    for (const auto& r : route)
      raw.push_back(r.get());
    return static_cast<double>(countCorrect(a, raw, evalImages, evalLabels)) /
           static_cast<double>(evalCount);
  };

  const auto t0 = Clock::now();
  const auto elapsed = [&] {
    return earlierSeconds + std::chrono::duration<double>(Clock::now() - t0).count();
  };
  torch::Tensor images = torch::empty({c.batchSize, 3, size, size}, torch::kFloat);
  torch::Tensor labels = torch::empty({c.batchSize}, torch::kLong);
  auto lastReport = Clock::now();
  double lossSum = 0;
  int64_t lossCount = 0;
  while (trainer.stepsDone() < c.steps) {
    if (stop && stop->load()) {
      saveState(elapsed());
      result.interrupted = true;
      result.step = trainer.stepsDone();
      result.seconds = elapsed();
      return result;
    }
    const int64_t step = trainer.stepsDone();
    run.batch(step * c.batchSize, c.batchSize, false, images, labels);
    const double loss = trainer.step(images, labels);
    if (!std::isfinite(loss))
      throw std::runtime_error("pretraining diverged at step " + std::to_string(step + 1) +
                               " (loss " + std::to_string(loss) +
                               "); lower training.learning_rate");
    lossSum += loss;
    ++lossCount;
    const int64_t done = trainer.stepsDone();
    const bool evaluateNow = done % c.evaluateEvery == 0 || done == c.steps;
    if (evaluateNow) result.accuracy = evaluate();
    const double since = std::chrono::duration<double>(Clock::now() - lastReport).count();
    if (progress && (evaluateNow || since >= kReportInterval)) {
      PretrainProgress p;
      p.step = done;
      p.steps = c.steps;
      p.loss = lossSum / static_cast<double>(lossCount);
      p.imagesPerSecond = static_cast<double>(lossCount * c.batchSize) / std::max(since, 1e-9);
      if (evaluateNow) p.evaluationAccuracy = result.accuracy;
      progress(p);
      lastReport = Clock::now();
      lossSum = 0;
      lossCount = 0;
    }
    if (done % c.checkpointEvery == 0 && done < c.steps) saveState(elapsed());
  }

  // The root: every slot but the head.
  SlotTensors root;
  int64_t parameters = 0;
  for (std::size_t i = 0; i + 1 < route.size(); ++i) {
    root.emplace_back(slots[i], route[i]);
    parameters += route[i]->numel();
  }
  saveComponentFile(out, root);
  result.step = trainer.stepsDone();
  result.seconds = elapsed();
  const RuntimeInfo runtime = runtimeInfo();
  const json meta = {{"format", "mu2net-root"},
                     {"name", c.name},
                     {"checkpoint", out.filename().string()},
                     {"sha256", fileSha256(out)},
                     {"architecture", json::parse(architectureToJson(a))},
                     {"parameters", parameters},
                     {"pretraining",
                      {{"source", describeSources(c)},
                       {"classes", run.numClasses()},
                       {"steps", c.steps},
                       {"examples", c.steps * c.batchSize},
                       {"accuracy", result.accuracy},
                       {"evaluation_examples", evalCount},
                       {"seconds", result.seconds},
                       {"threads", c.threads},
                       {"resumed", result.resumedFrom >= 0},
                       {"config", json::parse(pretrainConfigToJson(c))}}},
                     {"command", command},
                     {"versions",
                      {{"mu2net", MU2NET_VERSION},
                       {"libtorch", runtime.torchVersion},
                       {"compiler", __VERSION__}}}};
  writeTextAtomically(metadata, meta.dump(2) + "\n");
  std::error_code ec;
  std::filesystem::remove(statePath(out), ec);
  std::filesystem::remove(stateJsonPath(out), ec);
  result.root = readRootMetadata(metadata);
  return result;
}

}  // namespace mu2net
