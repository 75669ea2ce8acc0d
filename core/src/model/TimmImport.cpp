#include "model/TimmImport.h"

#include <algorithm>
#include <climits>
#include <set>
#include <stdexcept>

#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "model/SafetensorsTensor.h"

namespace mu2net {

namespace {

[[noreturn]] void fail(const SafetensorsHeader& header, const std::string& what) {
  throw std::runtime_error("timm ViT file " + header.file.string() + ": " + what);
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// Our parameter name within a block -> timm's name within blocks.<i>.
const std::vector<std::pair<std::string, std::string>>& blockNames() {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"ln1.weight", "norm1.weight"},      {"ln1.bias", "norm1.bias"},
      {"qkv.weight", "attn.qkv.weight"},   {"qkv.bias", "attn.qkv.bias"},
      {"proj.weight", "attn.proj.weight"}, {"proj.bias", "attn.proj.bias"},
      {"ln2.weight", "norm2.weight"},      {"ln2.bias", "norm2.bias"},
      {"fc1.weight", "mlp.fc1.weight"},    {"fc1.bias", "mlp.fc1.bias"},
      {"fc2.weight", "mlp.fc2.weight"},    {"fc2.bias", "mlp.fc2.bias"}};
  return names;
}

// timm's name of parameter `param` of our component `slot`.
std::string timmName(const std::string& slot, const std::string& param) {
  if (slot == "embedding") return "patch_embed.proj." + param;
  if (slot == "cls" && param == "token") return "cls_token";
  if (slot == "posembed" && param == "embedding") return "pos_embed";
  if (slot == "norm" || slot == "head") return slot + "." + param;
  int index = 0;
  if (parseBlockSlot(slot, &index))
    for (const auto& [ours, theirs] : blockNames())
      if (ours == param) return "blocks." + std::to_string(index) + "." + theirs;
  throw std::logic_error("no timm name for " + slot + "/" + param);
}

bool optionalTensor(const std::string& timm) {
  return timm.size() > 14 && timm.compare(timm.size() - 14, 14, ".attn.qkv.bias") == 0;
}

// The index i of a name "blocks.<i>.<rest>" with a canonical decimal i, or -1.
int blockIndex(const std::string& name) {
  constexpr std::string_view prefix = "blocks.";
  if (name.rfind(prefix, 0) != 0) return -1;
  const auto dot = name.find('.', prefix.size());
  if (dot == std::string::npos) return -1;
  const std::string digits = name.substr(prefix.size(), dot - prefix.size());
  if (digits.empty() || digits.size() > 6 || (digits.size() > 1 && digits[0] == '0') ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoi(digits);
}

// Why a tensor outside the mapping rules the model out, for the variants timm is known to have.
std::string unsupportedReason(const std::string& name) {
  const auto has = [&](std::string_view part) { return name.find(part) != std::string::npos; };
  const auto starts = [&](std::string_view prefix) { return name.rfind(prefix, 0) == 0; };
  if (name == "reg_token") return "register tokens are not supported";
  if (name == "dist_token" || starts("head_dist.")) return "distillation tokens are not supported";
  if (starts("fc_norm.")) return "global-pool models with fc_norm are not supported";
  if (starts("norm_pre.") || starts("ln_pre."))
    return "a norm before the blocks (pre-norm) is not supported";
  if (blockIndex(name) >= 0 && (has(".ls1.") || has(".ls2."))) return "LayerScale is not supported";
  if (blockIndex(name) >= 0 && (has(".q_norm.") || has(".k_norm.")))
    return "query/key norms are not supported";
  if (starts("patch_embed.norm.")) return "a norm after the patch embedding is not supported";
  if (starts("attn_pool.")) return "attention-pooling heads are not supported";
  return "it is not part of the standard timm ViT that the engine reproduces";
}

// A dimension of a shape read from the file that must be a positive int.
int positiveInt(const SafetensorsHeader& header, const SafetensorsEntry& entry, std::size_t dim,
                const char* what) {
  const int64_t v = entry.shape[dim];
  if (v < 1 || v > INT_MAX)
    fail(header, "tensor '" + entry.name + "' of shape " + shapeText(entry.shape) + " gives " +
                     what + " " + std::to_string(v) + ", which is not a usable size");
  return static_cast<int>(v);
}

const SafetensorsEntry& require(const SafetensorsHeader& header, const std::string& name,
                                std::size_t rank) {
  const SafetensorsEntry* e = header.find(name);
  if (e == nullptr) fail(header, "the required tensor '" + name + "' is missing");
  if (e->shape.size() != rank)
    fail(header, "tensor '" + name + "' has shape " + shapeText(e->shape) + ", expected rank " +
                     std::to_string(rank));
  return *e;
}

// The architecture with a head count valid for componentShapes(), which ignores the heads.
ArchitectureConfig shapeArch(const TimmVitInfo& info) {
  ArchitectureConfig a = info.arch;
  a.heads = 1;
  return a;
}

std::optional<int> metadataHeads(const SafetensorsHeader& header, int width) {
  std::optional<int> heads;
  for (const char* key : {"num_heads", "heads"}) {
    const auto it = header.metadata.find(key);
    if (it == header.metadata.end()) continue;
    const std::string& text = it->second;
    int value = 0;
    const bool digits =
        !text.empty() && text.size() <= 6 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) value = std::stoi(text);
    if (value < 1 || width % value != 0)
      fail(header, "metadata \"" + std::string(key) + "\" is '" + text +
                       "', not a positive divisor of the width " + std::to_string(width));
    if (heads && *heads != value)
      fail(header, "metadata \"num_heads\" (" + std::to_string(*heads) + ") and \"heads\" (" +
                       std::to_string(value) + ") disagree");
    heads = value;
  }
  return heads;
}

void requireEqual(const SafetensorsHeader& header, const char* field, int file, int target) {
  if (file != target)
    throw std::runtime_error("timm ViT file " + header.file.string() + ": the target " + field +
                             " is " + std::to_string(target) + " but the file holds " + field +
                             " " + std::to_string(file));
}

}  // namespace

TimmVitInfo inspectTimmVit(const SafetensorsHeader& header) {
  // Depth first: the set of expected names depends on it.
  std::set<int> indices;
  for (const auto& e : header.entries)
    if (const int i = blockIndex(e.name); i >= 0) indices.insert(i);
  if (indices.empty()) fail(header, "there are no blocks.0.* tensors (no transformer blocks)");
  const int depth = *indices.rbegin() + 1;
  if (static_cast<int>(indices.size()) != depth) {
    int missing = 0;
    while (indices.count(missing))
      ++missing;
    fail(header, "the blocks are not numbered contiguously from 0: blocks." +
                     std::to_string(missing) + ".* is missing but blocks." +
                     std::to_string(depth - 1) + ".* exists");
  }

  // Every tensor must be one that the mapping consumes (or the optional head).
  std::set<std::string> expected = {"patch_embed.proj.weight",
                                    "patch_embed.proj.bias",
                                    "cls_token",
                                    "pos_embed",
                                    "norm.weight",
                                    "norm.bias",
                                    "head.weight",
                                    "head.bias"};
  for (int i = 0; i < depth; ++i)
    for (const auto& [ours, theirs] : blockNames())
      expected.insert("blocks." + std::to_string(i) + "." + theirs);
  for (const auto& e : header.entries)
    if (!expected.count(e.name))
      fail(header, "tensor '" + e.name + "' cannot be imported: " + unsupportedReason(e.name));

  TimmVitInfo info;
  info.arch.kind = ArchitectureKind::Vit;
  info.arch.depth = depth;

  const SafetensorsEntry& patch = require(header, "patch_embed.proj.weight", 4);
  info.arch.width = positiveInt(header, patch, 0, "width");
  if (patch.shape[1] != 3)
    fail(header, "tensor 'patch_embed.proj.weight' of shape " + shapeText(patch.shape) + " takes " +
                     std::to_string(patch.shape[1]) +
                     " input channels; only 3-channel (RGB) patch embeddings are supported");
  if (patch.shape[2] != patch.shape[3])
    fail(header, "tensor 'patch_embed.proj.weight' of shape " + shapeText(patch.shape) +
                     " has non-square patches");
  info.arch.patchSize = positiveInt(header, patch, 2, "patch size");

  const SafetensorsEntry& pos = require(header, "pos_embed", 3);
  // pos_embed holds 1 + g*g tokens (class slot first) or g*g (no_embed_class); g >= 1. The two
  // cases cannot be confused: only 0 and 1 are consecutive squares, and g = 0 is not a grid.
  const int64_t tokens = pos.shape[1];
  const auto squareRoot = [](int64_t n) -> int64_t {
    if (n < 1) return 0;
    int64_t r = 1;
    while ((r + 1) * (r + 1) <= n)
      ++r;
    return r * r == n ? r : 0;
  };
  int64_t grid = tokens > 1 && tokens < (int64_t{1} << 40) ? squareRoot(tokens - 1) : 0;
  info.posEmbedHasClassSlot = grid > 0;
  if (grid == 0 && tokens < (int64_t{1} << 40)) grid = squareRoot(tokens);
  if (grid == 0)
    fail(header, "tensor 'pos_embed' of shape " + shapeText(pos.shape) + " holds " +
                     std::to_string(tokens) + " tokens, neither g*g nor 1+g*g for an integer g");
  if (grid * info.arch.patchSize > INT_MAX)
    fail(header, "tensor 'pos_embed' of shape " + shapeText(pos.shape) +
                     " gives an image size too large to use");
  info.arch.imageSize = static_cast<int>(grid) * info.arch.patchSize;

  info.arch.mlpDim =
      positiveInt(header, require(header, "blocks.0.mlp.fc1.weight", 2), 0, "mlp dim");

  // Shapes: those the engine's own components have at the native size (the class-slot-free
  // position embedding aside).
  const ArchitectureConfig shapes = shapeArch(info);
  info.qkvBias = true;
  for (const auto& slot : routeSlots(shapes, depth)) {
    if (slot == "head") continue;
    const auto names = componentParamNames(shapes, slot);
    const auto expectedShapes = componentShapes(shapes, slot, 1, info.arch.imageSize);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string timm = timmName(slot, names[i]);
      std::vector<int64_t> want = expectedShapes[i];
      if (slot == "posembed" && !info.posEmbedHasClassSlot) want[1] -= 1;
      const SafetensorsEntry* e = header.find(timm);
      if (e == nullptr) {
        if (optionalTensor(timm)) {
          info.qkvBias = false;
          continue;
        }
        fail(header, "the required tensor '" + timm + "' is missing");
      }
      if (e->shape != want)
        fail(header, "tensor '" + timm + "' has shape " + shapeText(e->shape) + ", expected " +
                         shapeText(want) + " (width " + std::to_string(info.arch.width) +
                         ", mlp dim " + std::to_string(info.arch.mlpDim) + ", patch " +
                         std::to_string(info.arch.patchSize) + ")");
    }
  }

  const SafetensorsEntry* headWeight = header.find("head.weight");
  const SafetensorsEntry* headBias = header.find("head.bias");
  if ((headWeight == nullptr) != (headBias == nullptr))
    fail(header, std::string("the head has '") + (headWeight ? "head.weight" : "head.bias") +
                     "' but not '" + (headWeight ? "head.bias" : "head.weight") + "'");
  if (headWeight != nullptr) {
    const SafetensorsEntry& w = require(header, "head.weight", 2);
    const int classes = positiveInt(header, w, 0, "class count");
    const std::vector<int64_t> wantWeight = {classes, info.arch.width}, wantBias = {classes};
    if (w.shape != wantWeight)
      fail(header, "tensor 'head.weight' has shape " + shapeText(w.shape) + ", expected " +
                       shapeText(wantWeight));
    if (headBias->shape != wantBias)
      fail(header, "tensor 'head.bias' has shape " + shapeText(headBias->shape) + ", expected " +
                       shapeText(wantBias));
    info.headClasses = classes;
  }

  info.heads = metadataHeads(header, info.arch.width);
  info.arch.heads = info.heads.value_or(0);
  return info;
}

TimmVitInfo inspectTimmVit(const std::filesystem::path& file) {
  return inspectTimmVit(readSafetensorsHeader(file));
}

TimmVitWeights loadTimmVit(const std::filesystem::path& file, const ArchitectureConfig& target) {
  const SafetensorsHeader header = readSafetensorsHeader(file);
  TimmVitWeights out;
  out.info = inspectTimmVit(header);
  const TimmVitInfo& info = out.info;
  if (target.kind != ArchitectureKind::Vit)
    throw std::runtime_error("timm ViT file " + file.string() + ": the target architecture is a " +
                             toString(target.kind) + ", not a vit");
  validate(target);
  requireEqual(header, "width", info.arch.width, target.width);
  requireEqual(header, "depth", info.arch.depth, target.depth);
  requireEqual(header, "patchSize", info.arch.patchSize, target.patchSize);
  requireEqual(header, "mlpDim", info.arch.mlpDim, target.mlpDim);
  if (info.heads) requireEqual(header, "heads", *info.heads, target.heads);
  ArchitectureConfig native = target;
  native.imageSize = info.arch.imageSize;

  // Reads one tensor as float32, refusing non-finite values (they would silently poison every
  // task that shares the root).
  const auto read = [&](const std::string& timm) {
    const SafetensorsEntry* e = header.find(timm);
    if (e == nullptr) return at::Tensor();
    at::Tensor t = readSafetensorsTensor(header, *e);
    if (!at::isfinite(t).all().item<bool>())
      fail(header, "tensor '" + timm + "' holds NaN or infinite values");
    return t;
  };
  const auto component = [&](const std::string& slot, int classes, int imageSize) {
    const auto names = componentParamNames(target, slot);
    const auto shapes = componentShapes(target, slot, classes, imageSize);
    std::vector<at::Tensor> params;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string timm = timmName(slot, names[i]);
      at::Tensor t = read(timm);
      if (!t.defined() && optionalTensor(timm)) t = at::zeros(shapes[i], at::kFloat);
      if (!t.defined()) fail(header, "the required tensor '" + timm + "' is missing");
      if (slot == "posembed" && !info.posEmbedHasClassSlot)
        t = at::cat({at::zeros({1, 1, t.size(2)}, at::kFloat), t}, 1);
      params.push_back(std::move(t));
    }
    auto c = ComponentTensors::create(names, std::move(params));
    if (!fitsShapes(*c, shapes))
      fail(header, "the tensors of slot '" + slot + "' do not have the engine's shapes");
    return c;
  };

  for (const auto& slot : routeSlots(target, target.depth)) {
    if (slot == "head") continue;
    if (slot == "posembed") {
      const auto pos = component(slot, 1, native.imageSize);
      out.slots.emplace_back(slot,
                             resizePosEmbed(*pos, native, native.imageSize, target.imageSize));
    } else {
      out.slots.emplace_back(slot, component(slot, 1, target.imageSize));
    }
  }
  if (info.headClasses) out.head = component("head", *info.headClasses, target.imageSize);
  return out;
}

}  // namespace mu2net
