// The torch model layer: component shapes and initialisation, the forward pass of both
// architectures, and RouteTrainer (the optimisers, the learning-rate schedule, gradient clipping).
// Longer than 500 lines: all of it reads the one parameter layout of Network.h, kept in one
// place; RouteTrainer (from learningRateAt on) is the natural cut when it grows.
#include "model/Network.h"

#include <ATen/autocast_mode.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace mu2net {

namespace {

enum class SlotKind { Embedding, Cls, PosEmbed, Block, Norm, Head };

struct ParamSpec {
  std::string name;
  std::vector<int64_t> shape;
};

SlotKind slotKind(const ArchitectureConfig& arch, const std::string& slot) {
  if (slot == "embedding") return SlotKind::Embedding;
  if (slot == "norm") return SlotKind::Norm;
  if (slot == "head") return SlotKind::Head;
  if (parseBlockSlot(slot, nullptr)) return SlotKind::Block;
  if (arch.kind == ArchitectureKind::Vit) {
    if (slot == "cls") return SlotKind::Cls;
    if (slot == "posembed") return SlotKind::PosEmbed;
  }
  throw std::invalid_argument("the " + toString(arch.kind) + " architecture has no slot '" + slot +
                              "'");
}

std::vector<ParamSpec> slotSpec(const ArchitectureConfig& arch, const std::string& slot,
                                int numClasses, int imageSize) {
  validate(arch);
  const SlotKind kind = slotKind(arch, slot);
  const int64_t d = arch.width;
  const bool vit = arch.kind == ArchitectureKind::Vit;
  switch (kind) {
    case SlotKind::Embedding: {
      if (!vit) return {{"weight", {d, 3, 3, 3}}, {"bias", {d}}};
      if (arch.stem == StemKind::Patch)
        return {{"weight", {d, 3, arch.patchSize, arch.patchSize}}, {"bias", {d}}};
      std::vector<ParamSpec> specs;
      int64_t in = 3;
      const auto channels = convStemChannels(arch);
      for (std::size_t j = 0; j < channels.size(); ++j) {
        const std::string conv = "conv" + std::to_string(j);
        specs.push_back({conv + ".weight", {channels[j], in, 3, 3}});
        specs.push_back({conv + ".bias", {channels[j]}});
        in = channels[j];
      }
      return specs;
    }
    case SlotKind::Cls:
      return {{"token", {1, 1, d}}};
    case SlotKind::PosEmbed: {
      if (imageSize <= 0 || imageSize % arch.patchSize != 0)
        throw std::invalid_argument("posembed: image size " + std::to_string(imageSize) +
                                    " is not a positive multiple of the patch size " +
                                    std::to_string(arch.patchSize));
      const int64_t g = imageSize / arch.patchSize;
      return {{"embedding", {1, g * g + 1, d}}};
    }
    case SlotKind::Block:
      if (vit) {
        const int64_t m = arch.mlpDim;
        return {{"ln1.weight", {d}},   {"ln1.bias", {d}},       {"qkv.weight", {3 * d, d}},
                {"qkv.bias", {3 * d}}, {"proj.weight", {d, d}}, {"proj.bias", {d}},
                {"ln2.weight", {d}},   {"ln2.bias", {d}},       {"fc1.weight", {m, d}},
                {"fc1.bias", {m}},     {"fc2.weight", {d, m}},  {"fc2.bias", {d}}};
      }
      return {{"conv1.weight", {d, d, 3, 3}},
              {"conv1.bias", {d}},
              {"conv2.weight", {d, d, 3, 3}},
              {"conv2.bias", {d}}};
    case SlotKind::Norm:
      return {{"weight", {d}}, {"bias", {d}}};
    case SlotKind::Head:
      if (numClasses <= 0)
        throw std::invalid_argument("head: numClasses must be positive, got " +
                                    std::to_string(numClasses));
      return {{"weight", {numClasses, d}}, {"bias", {numClasses}}};
  }
  throw std::logic_error("unreachable slot kind");
}

enum class Init { Zeros, Ones, Normal, Uniform };

// Fills a new float tensor from the Rng in row-major order: the project's determinism contract
// forbids torch's global generator.
at::Tensor makeTensor(const std::vector<int64_t>& shape, Init init, double scale, Rng& rng) {
  if (init == Init::Zeros) return at::zeros(shape, at::kFloat);
  if (init == Init::Ones) return at::ones(shape, at::kFloat);
  at::Tensor t = at::empty(shape, at::kFloat);
  float* data = t.data_ptr<float>();
  const int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i)
    data[i] = static_cast<float>(init == Init::Normal ? scale * rng.normal()
                                                      : rng.uniform(-scale, scale));
  return t;
}

double xavierBound(int64_t fanIn, int64_t fanOut) {
  return std::sqrt(6.0 / static_cast<double>(fanIn + fanOut));
}

// Checks the structure the forward pass relies on; a mismatch here would otherwise surface as an
// obscure ATen shape error deep inside a matmul.
void requireParams(const ComponentTensors* c, std::size_t count, std::size_t index,
                   const char* what) {
  if (c == nullptr)
    throw std::invalid_argument("route component " + std::to_string(index) + " is null");
  if (c->params.size() != count)
    throw std::invalid_argument("route component " + std::to_string(index) + " (" + what +
                                ") has " + std::to_string(c->params.size()) +
                                " tensors, expected " + std::to_string(count));
}

at::Tensor vitBlock(const at::Tensor& x, const ComponentTensors& c, int heads) {
  const auto& p = c.params;
  const int64_t n = x.size(0), t = x.size(1), d = x.size(2);
  const int64_t dh = d / heads;
  at::Tensor h = at::layer_norm(x, {d}, p[0], p[1], kLayerNormEps);
  // One fused projection for q, k and v, then split per head: [3, N, heads, T, dh].
  at::Tensor qkv = at::linear(h, p[2], p[3]).view({n, t, 3, heads, dh}).permute({2, 0, 3, 1, 4});
  // Scaling q (N*T*D values) is cheaper than scaling the attention matrix (N*heads*T*T).
  at::Tensor q = qkv.select(0, 0) * (1.0 / std::sqrt(static_cast<double>(dh)));
  at::Tensor attention = at::softmax(at::matmul(q, qkv.select(0, 1).transpose(-2, -1)), -1);
  at::Tensor o = at::matmul(attention, qkv.select(0, 2)).transpose(1, 2).reshape({n, t, d});
  at::Tensor y = x + at::linear(o, p[4], p[5]);
  h = at::layer_norm(y, {d}, p[6], p[7], kLayerNormEps);
  h = at::gelu(at::linear(h, p[8], p[9]));
  return y + at::linear(h, p[10], p[11]);
}

at::Tensor cnnBlock(const at::Tensor& x, const ComponentTensors& c) {
  const auto& p = c.params;
  // In-place ReLUs act on fresh outputs whose producers (conv, add) do not need them for backward.
  at::Tensor h = at::conv2d(x, p[0], p[1], 1, 1).relu_();
  return (x + at::conv2d(h, p[2], p[3], 1, 1)).relu_();
}

// Adds the time from construction to destruction to a ComputeTime field.
class ScopedTimer {
 public:
  explicit ScopedTimer(double& seconds) : seconds_(seconds) {}
  ~ScopedTimer() {
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  double& seconds_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

ComputeTime& threadComputeTime() {
  thread_local ComputeTime time;
  return time;
}

std::vector<std::vector<int64_t>> componentShapes(const ArchitectureConfig& arch,
                                                  const std::string& slot, int numClasses,
                                                  int imageSize) {
  std::vector<std::vector<int64_t>> out;
  for (auto& spec : slotSpec(arch, slot, numClasses, imageSize))
    out.push_back(spec.shape);
  return out;
}

std::vector<std::string> componentParamNames(const ArchitectureConfig& arch,
                                             const std::string& slot) {
  // Names do not depend on the class count or image size; any valid values will do.
  const int anySize = arch.kind == ArchitectureKind::Vit ? arch.patchSize : 1;
  std::vector<std::string> out;
  for (auto& spec : slotSpec(arch, slot, 1, anySize))
    out.push_back(spec.name);
  return out;
}

bool fitsShapes(const ComponentTensors& component,
                const std::vector<std::vector<int64_t>>& shapes) {
  if (component.params.size() != shapes.size()) return false;
  for (std::size_t i = 0; i < shapes.size(); ++i)
    if (!component.params[i].defined() || component.params[i].sizes() != at::IntArrayRef(shapes[i]))
      return false;
  return true;
}

std::shared_ptr<ComponentTensors> initComponent(const ArchitectureConfig& arch,
                                                const std::string& slot, int numClasses,
                                                int imageSize, Rng& rng) {
  const auto specs = slotSpec(arch, slot, numClasses, imageSize);
  const SlotKind kind = slotKind(arch, slot);
  const bool vit = arch.kind == ArchitectureKind::Vit;
  std::vector<std::string> names;
  std::vector<at::Tensor> params;
  for (const auto& spec : specs) {
    const std::string& name = spec.name;
    const auto& shape = spec.shape;
    const bool isBias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
    Init init = Init::Zeros;
    double scale = 0.0;
    switch (kind) {
      case SlotKind::Embedding:
        if (!isBias) {
          init = Init::Normal;
          const double fanIn = static_cast<double>(shape[1] * shape[2] * shape[3]);
          // The ViT's last stem layer projects linearly to tokens (LeCun); layers followed by a
          // ReLU (the CNN stem, the conv stem's inner convolutions) use Kaiming's gain.
          const bool linearOut = vit && &spec == &specs.back() - 1;
          scale = linearOut ? 1.0 / std::sqrt(fanIn) : std::sqrt(2.0 / fanIn);
        }
        break;
      case SlotKind::Cls:
        break;
      case SlotKind::PosEmbed:
        init = Init::Normal;
        scale = 0.02;
        break;
      case SlotKind::Block:
        if (isBias) break;
        if (name.rfind("ln", 0) == 0) {
          init = Init::Ones;
        } else if (vit) {
          init = Init::Uniform;
          // qkv is three stacked D x D projections: bound each as its own matrix.
          const int64_t fanOut = name == "qkv.weight" ? shape[0] / 3 : shape[0];
          scale = xavierBound(shape[1], fanOut);
        } else {
          init = Init::Normal;
          scale = std::sqrt(2.0 / static_cast<double>(shape[1] * shape[2] * shape[3]));
          if (name == "conv2.weight") scale *= kCnnResidualInitScale;
        }
        break;
      case SlotKind::Norm:
        if (!isBias) init = Init::Ones;
        break;
      case SlotKind::Head:
        break;
    }
    names.push_back(name);
    params.push_back(makeTensor(shape, init, scale, rng));
  }
  return ComponentTensors::create(std::move(names), std::move(params));
}

std::shared_ptr<ComponentTensors> resizePosEmbed(const ComponentTensors& posembed,
                                                 const ArchitectureConfig& arch, int fromImageSize,
                                                 int toImageSize) {
  const auto fromShapes = componentShapes(arch, "posembed", 1, fromImageSize);
  const auto toShapes = componentShapes(arch, "posembed", 1, toImageSize);
  if (!fitsShapes(posembed, fromShapes))
    throw std::invalid_argument(
        "resizePosEmbed: the position embedding does not have the shape "
        "of image size " +
        std::to_string(fromImageSize));
  if (fromImageSize == toImageSize) {
    auto copy = posembed.clone();
    for (auto& m : copy->momentum)
      m.zero_();
    return copy;
  }
  at::NoGradGuard noGrad;
  const at::Tensor& pos = posembed.params[0];
  const int64_t d = pos.size(2);
  const int64_t gFrom = fromImageSize / arch.patchSize;
  const int64_t gTo = toImageSize / arch.patchSize;
  const at::Tensor cls = pos.narrow(1, 0, 1);
  const at::Tensor grid =
      pos.narrow(1, 1, gFrom * gFrom).reshape({1, gFrom, gFrom, d}).permute({0, 3, 1, 2});
  const at::Tensor resized = at::upsample_bilinear2d(grid, {gTo, gTo}, /*align_corners=*/false)
                                 .permute({0, 2, 3, 1})
                                 .reshape({1, gTo * gTo, d});
  at::Tensor out = at::cat({cls, resized}, 1).contiguous();
  return ComponentTensors::create(posembed.names, {out});
}

namespace {

// bfloat16 autocast on the calling thread while it lives (as Python's torch.autocast("cpu")):
// the cast weights it caches are dropped when the outermost guard ends, as trained weights change.
class Bf16Autocast {
 public:
  explicit Bf16Autocast(bool on) : on_(on) {
    if (!on_) return;
    previous_ = at::autocast::is_cpu_enabled();
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::increment_nesting();
  }
  ~Bf16Autocast() {
    if (!on_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_cpu_enabled(previous_);
  }
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  bool on_;
  bool previous_ = false;
};

}  // namespace

torch::Tensor forwardRoute(const ArchitectureConfig& arch,
                           const std::vector<const ComponentTensors*>& route,
                           const torch::Tensor& images, std::size_t firstTrainable,
                           Precision precision) {
  return forwardSlots(arch, route, images, 0, route.size(), firstTrainable, precision);
}

torch::Tensor forwardSlots(const ArchitectureConfig& arch,
                           const std::vector<const ComponentTensors*>& route,
                           const torch::Tensor& input, std::size_t begin, std::size_t end,
                           std::size_t firstTrainable, Precision precision) {
  if (precision == Precision::Auto)
    throw std::invalid_argument("forwardSlots: resolve Precision::Auto first");
  const bool vit = arch.kind == ArchitectureKind::Vit;
  const std::size_t fixedSlots = vit ? 5 : 3;
  if (route.size() < fixedSlots)
    throw std::invalid_argument("forwardRoute: a " + toString(arch.kind) +
                                " route needs at least " + std::to_string(fixedSlots) +
                                " components, got " + std::to_string(route.size()));
  if (begin > end || end > route.size())
    throw std::invalid_argument("forwardSlots: components [" + std::to_string(begin) + ", " +
                                std::to_string(end) + ") of a route of " +
                                std::to_string(route.size()));
  if (begin == 0 && (input.dim() != 4 || input.size(1) != 3))
    throw std::invalid_argument("forwardRoute: images must be [N,3,H,W], got " +
                                std::to_string(input.dim()) + " dimensions");
  const torch::Tensor& images = input;
  const std::size_t firstBlock = vit ? 3 : 1;
  const std::size_t endBlocks = route.size() - 2;

  // The frozen prefix runs without autograd: its output is a plain tensor, so backward stops
  // at the first trainable component and no activations of the prefix are kept.
  at::Tensor x = input;
  const auto apply = [&](std::size_t i) {
    const ComponentTensors* c = route[i];
    if (i == 0) {
      if (!(vit && arch.stem == StemKind::Conv)) requireParams(c, 2, i, "embedding");
      if (vit && arch.stem == StemKind::Conv) {
        const std::size_t convs = convStemChannels(arch).size();
        requireParams(c, 2 * convs, i, "embedding");
        x = images;
        for (std::size_t j = 0; j < convs; ++j) {
          x = at::conv2d(x, c->params[2 * j], c->params[2 * j + 1], 2, 1);
          if (j + 1 < convs) x = x.relu_();
        }
        x = x.flatten(2).transpose(1, 2);
      } else if (vit) {
        // [N,D,g,g] -> [N,g*g,D] tokens in row-major patch order.
        x = at::conv2d(images, c->params[0], c->params[1], arch.patchSize)
                .flatten(2)
                .transpose(1, 2);
      } else {
        x = at::conv2d(images, c->params[0], c->params[1], 2, 1).relu_();
      }
    } else if (vit && i == 1) {
      requireParams(c, 1, i, "cls");
      const at::Tensor& token = c->params[0];
      x = at::cat({token.expand({x.size(0), 1, token.size(2)}), x}, 1);
    } else if (vit && i == 2) {
      requireParams(c, 1, i, "posembed");
      const at::Tensor& pos = c->params[0];
      if (pos.dim() != 3 || pos.size(1) != x.size(1))
        throw std::invalid_argument(
            "forwardRoute: the position embedding has " +
            std::to_string(pos.dim() == 3 ? pos.size(1) : -1) + " tokens but " +
            (begin == 0
                 ? std::to_string(images.size(2)) + "x" + std::to_string(images.size(3)) + " images"
                 : std::string("the input")) +
            " give " + std::to_string(x.size(1)) + "; resize it with resizePosEmbed");
      x = x + pos;
    } else if (i >= firstBlock && i < endBlocks) {
      requireParams(c, vit ? 12 : 4, i, "block");
      x = vit ? vitBlock(x, *c, arch.heads) : cnnBlock(x, *c);
    } else if (i == endBlocks) {
      requireParams(c, 2, i, "norm");
      // LayerNorm is per token, so normalising only the class token equals norm(x)[:, 0].
      at::Tensor features = vit ? x.select(1, 0) : x.mean({2, 3});
      x = at::layer_norm(features, {features.size(1)}, c->params[0], c->params[1], kLayerNormEps);
    } else {
      requireParams(c, 2, i, "head");
      x = at::linear(x, c->params[0], c->params[1]);
    }
  };
  // Under autocast a component's output returns to float32 before the next component, so a
  // pass split anywhere (a shared prefix, a cached activation) equals the whole pass.
  const auto run = [&](std::size_t i) {
    apply(i);
    if (x.scalar_type() != at::kFloat) x = x.to(at::kFloat);
  };
  const std::size_t prefixEnd = std::clamp(firstTrainable, begin, end);
  std::size_t i = begin;
  if (i < prefixEnd) {
    at::NoGradGuard noGrad;
    const Bf16Autocast autocast(precision != Precision::Float32);
    for (; i < prefixEnd; ++i)
      run(i);
  }
  if (i < end) {
    const Bf16Autocast autocast(precision == Precision::Bf16);
    for (; i < end; ++i)
      run(i);
  }
  return x;
}

torch::Tensor predictClasses(const ArchitectureConfig& arch,
                             const std::vector<const ComponentTensors*>& route,
                             const torch::Tensor& images) {
  return predictClassesFrom(arch, route, images, 0, route.size(), Precision::Float32);
}

torch::Tensor predictClassesFrom(const ArchitectureConfig& arch,
                                 const std::vector<const ComponentTensors*>& route,
                                 const torch::Tensor& input, std::size_t begin,
                                 std::size_t firstTrainable, Precision precision) {
  // Inference mode skips autograd bookkeeping entirely; chunks bound the attention memory.
  c10::InferenceMode inference;
  constexpr int64_t kChunk = 512;
  std::vector<at::Tensor> predictions;
  const int64_t n = input.size(0);
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t len = std::min(kChunk, n - start);
    predictions.push_back(forwardSlots(arch, route, input.narrow(0, start, len), begin,
                                       route.size(), firstTrainable, precision)
                              .argmax(1));
  }
  return predictions.empty() ? torch::empty({0}, torch::kLong) : torch::cat(predictions);
}

int64_t countCorrect(const ArchitectureConfig& arch,
                     const std::vector<const ComponentTensors*>& route, const torch::Tensor& images,
                     const torch::Tensor& labels) {
  if (labels.dim() != 1 || labels.size(0) != images.size(0))
    throw std::invalid_argument("countCorrect: labels must be [N] with N = number of images");
  ComputeTime& timing = threadComputeTime();
  timing.evalImages += images.size(0);
  const ScopedTimer timer(timing.evalSeconds);
  c10::InferenceMode inference;
  return predictClasses(arch, route, images).eq(labels).sum().item<int64_t>();
}

double learningRateAt(const OptimizerHParams& hparams, int64_t step) {
  const double lr = hparams.learningRate;
  const int64_t total = hparams.totalSteps;
  if (step < 0) return lr / 100.0;
  if (total <= 0 || step >= total) return 0.0;
  const auto warmup = std::min<int64_t>(
      total, static_cast<int64_t>(std::llround(hparams.warmupRatio * static_cast<double>(total))));
  if (step < warmup) {
    const double start = lr / 100.0;
    return start + (lr - start) * static_cast<double>(step) / static_cast<double>(warmup);
  }
  const double progress = static_cast<double>(step - warmup) / static_cast<double>(total - warmup);
  return lr * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

RouteTrainer::RouteTrainer(const ArchitectureConfig& arch,
                           std::vector<std::shared_ptr<ComponentTensors>> route,
                           std::vector<bool> trainable, OptimizerHParams hparams,
                           Precision precision)
    : arch_(arch),
      route_(std::move(route)),
      trainable_(std::move(trainable)),
      hparams_(hparams),
      precision_(effectivePrecision(precision)) {
  validate(arch_);
  if (trainable_.size() != route_.size())
    throw std::invalid_argument("RouteTrainer: " + std::to_string(trainable_.size()) +
                                " trainable flags for " + std::to_string(route_.size()) +
                                " components");
  if (hparams_.totalSteps <= 0)
    throw std::invalid_argument("RouteTrainer: totalSteps must be positive");
  firstTrainable_ = route_.size();
  for (std::size_t i = 0; i < route_.size(); ++i) {
    ComponentTensors* c = route_[i].get();
    if (c == nullptr)
      throw std::invalid_argument("RouteTrainer: route component " + std::to_string(i) +
                                  " is null");
    rawRoute_.push_back(c);
    const bool train = trainable_[i];
    if (train && firstTrainable_ == route_.size()) firstTrainable_ = i;
    if (train) c->momentum.resize(c->params.size());
    for (std::size_t j = 0; j < c->params.size(); ++j) {
      at::Tensor& p = c->params[j];
      // Only write the flag when it changes: frozen components may be read concurrently by
      // other trainers, and they never need a different value.
      if (p.requires_grad() != train) p.requires_grad_(train);
      if (!train) continue;
      const std::string name = j < c->names.size() ? c->names[j] : std::to_string(j);
      at::Tensor& m = c->momentum[j];
      if (!m.defined()) m = at::zeros_like(p);
      if (m.sizes() != p.sizes())
        throw std::invalid_argument("RouteTrainer: momentum of '" + name + "' in route component " +
                                    std::to_string(i) + " does not match its parameter's shape");
      if (hparams_.optimizer == OptimizerKind::AdamW) {
        m.zero_();
        adamFirst_.push_back(at::zeros_like(p));
        adamSecond_.push_back(at::zeros_like(p));
      }
      const bool weight = name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0;
      decay_.push_back(weight && p.dim() >= 2);
      params_.push_back(p);
      momentum_.push_back(m);
    }
  }
  if (hparams_.weightDecay < 0)
    throw std::invalid_argument("RouteTrainer: weightDecay must be >= 0");
}

std::vector<torch::Tensor> RouteTrainer::adamState() const {
  std::vector<torch::Tensor> out = adamFirst_;
  out.insert(out.end(), adamSecond_.begin(), adamSecond_.end());
  return out;
}

void RouteTrainer::restore(int64_t stepsDone, const std::vector<torch::Tensor>& adamState) {
  if (stepsDone < 0) throw std::invalid_argument("RouteTrainer::restore: negative step count");
  const std::size_t n = adamFirst_.size();
  if (adamState.size() != 2 * n)
    throw std::invalid_argument("RouteTrainer::restore: " + std::to_string(adamState.size()) +
                                " optimiser tensors, expected " + std::to_string(2 * n));
  at::NoGradGuard noGrad;
  for (std::size_t i = 0; i < 2 * n; ++i) {
    at::Tensor& target = i < n ? adamFirst_[i] : adamSecond_[i - n];
    if (!adamState[i].defined() || adamState[i].sizes() != target.sizes() ||
        adamState[i].scalar_type() != at::kFloat)
      throw std::invalid_argument("RouteTrainer::restore: optimiser tensor " + std::to_string(i) +
                                  " does not match its parameter");
    target.copy_(adamState[i]);
  }
  steps_ = stepsDone;
}

RouteTrainer::~RouteTrainer() {
  // Leave the components as they were found: parameters at rest never require grad.
  for (auto& p : params_)
    if (p.defined() && p.requires_grad()) p.requires_grad_(false);
}

double RouteTrainer::step(const torch::Tensor& images, const torch::Tensor& labels) {
  return stepFrom(images, 0, labels);
}

double RouteTrainer::stepFrom(const torch::Tensor& input, std::size_t begin,
                              const torch::Tensor& labels) {
  if (begin > firstTrainable_)
    throw std::invalid_argument("RouteTrainer::stepFrom: component " + std::to_string(begin) +
                                " is past the frozen prefix of " + std::to_string(firstTrainable_));
  ComputeTime& timing = threadComputeTime();
  ++timing.trainSteps;
  const ScopedTimer timer(timing.trainSeconds);
  const double lr = learningRateAt(hparams_, steps_);
  ++steps_;
  at::Tensor logits =
      forwardSlots(arch_, rawRoute_, input, begin, rawRoute_.size(), firstTrainable_, precision_);
  at::Tensor loss = at::cross_entropy_loss(logits, labels);
  const double lossValue = loss.item<double>();
  if (params_.empty()) {
    lastGradNorm_ = 0.0;
    return lossValue;
  }
  loss.backward();

  at::NoGradGuard noGrad;
  // Global norm in one reduction: a single synchronising item() instead of one per tensor.
  std::vector<at::Tensor> squares;
  squares.reserve(params_.size());
  for (const auto& p : params_)
    if (p.grad().defined()) squares.push_back(p.grad().square().sum());
  const double norm = squares.empty() ? 0.0 : std::sqrt(at::stack(squares).sum().item<double>());
  lastGradNorm_ = norm;
  const double coef = norm > kGradClipNorm ? kGradClipNorm / (norm + 1e-6) : 1.0;
  const double m = hparams_.momentum;
  const double decay = 1.0 - lr * hparams_.weightDecay;
  if (hparams_.weightDecay > 0)
    for (std::size_t i = 0; i < params_.size(); ++i)
      if (decay_[i]) params_[i].mul_(decay);
  if (hparams_.optimizer == OptimizerKind::AdamW) {
    const auto t = static_cast<double>(steps_);
    const double correction1 = 1.0 - std::pow(m, t);
    const double sqrtCorrection2 = std::sqrt(1.0 - std::pow(kAdamBeta2, t));
    for (std::size_t i = 0; i < params_.size(); ++i) {
      at::Tensor& p = params_[i];
      at::Tensor& g = p.mutable_grad();
      at::Tensor& a = adamFirst_[i];
      at::Tensor& b = adamSecond_[i];
      if (g.defined()) {
        // Clipping folded in: the clipped gradient is coef * g.
        a.mul_(m).add_(g, (1.0 - m) * coef);
        b.mul_(kAdamBeta2).addcmul_(g, g, (1.0 - kAdamBeta2) * coef * coef);
      } else {
        a.mul_(m);
        b.mul_(kAdamBeta2);
      }
      const at::Tensor denom = (b.sqrt() / sqrtCorrection2).add_(kAdamEpsilon);
      p.addcdiv_(a, denom, -lr / correction1);
      g = at::Tensor();
    }
    return lossValue;
  }
  for (std::size_t i = 0; i < params_.size(); ++i) {
    at::Tensor& p = params_[i];
    at::Tensor& g = p.mutable_grad();
    // A parameter the loss does not reach (e.g. unused) has no gradient: treat it as zero.
    if (!g.defined()) {
      momentum_[i].mul_(m);
    } else {
      // Clipping folded into the update: scale g by coef instead of rewriting the gradient.
      momentum_[i].mul_(m).add_(g, coef);
    }
    if (hparams_.nesterov) {
      if (g.defined()) p.add_(g, -lr * coef);
      p.add_(momentum_[i], -lr * m);
    } else {
      p.add_(momentum_[i], -lr);
    }
    g = at::Tensor();
  }
  return lossValue;
}

}  // namespace mu2net
