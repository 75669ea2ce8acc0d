#pragma once
// Importing a standard pretrained ViT stored as `.safetensors` with timm's parameter names
// (timm / Hugging Face `vit_*` models) as the root of a system.
//
// timm's VisionTransformer with a class token, pre-LN blocks, fused qkv and a LayerNorm before
// the head is the engine's ViT (Network.h), so the mapping is by name:
//   embedding {weight, bias}  <- patch_embed.proj.{weight [D,3,p,p], bias [D]}
//   cls       {token}         <- cls_token [1,1,D]
//   posembed  {embedding}     <- pos_embed [1,1+g*g,D], or [1,g*g,D] for "no_embed_class" models
//                                (the class token gets no position; a zero class slot is added)
//   block_i   {ln1, qkv, proj, ln2, fc1, fc2}.{weight, bias}
//                             <- blocks.i.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}
//                                (a model without qkv bias gets zeros)
//   norm      {weight, bias}  <- norm
//   head      {weight, bias}  <- head.{weight [C,D], bias [C]}, optional, kept apart from the root
// Variants whose forward pass differs (register or distillation tokens, global pooling with
// fc_norm, a pre-norm, LayerScale, q/k norms, patch-embedding norms, ...) are refused: every
// tensor of the file must be one of the above.
//
// This header is torch-free so that configuration code can inspect a file; the import returns
// components (ComponentTensors, torch) through the forward declaration.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/Safetensors.h"
#include "mu2net/model/Architecture.h"

namespace mu2net {

struct ComponentTensors;

/// What a timm ViT file holds, inferred from its header alone.
struct TimmVitInfo {
  /// kind Vit; patchSize p, width D, mlpDim M and depth L as stored; imageSize the native size
  /// g * p of the position embedding's g x g grid; heads = *heads when known, else 0 (the file
  /// does not say, and the tensors do not determine it: pass it in the target architecture).
  ArchitectureConfig arch;
  /// Attention heads, from "__metadata__" key "num_heads" or "heads" when the file records them.
  std::optional<int> heads;
  /// True for pos_embed [1,1+g*g,D] (the class token has a position); false for [1,g*g,D].
  bool posEmbedHasClassSlot = true;
  /// False when the blocks store no attn.qkv.bias (zeros are used).
  bool qkvBias = true;
  /// Number of classes C of the file's head, when it has one (head.weight [C,D], head.bias [C]).
  std::optional<int> headClasses;
};

/// Infers the architecture of a timm ViT from a parsed header (see the mapping above) and checks
/// that the engine reproduces the model exactly: every required tensor present with the expected
/// shape, blocks numbered contiguously from 0, a 3-channel square patch embedding, a square
/// position-embedding grid, no tensor outside the mapping, and a "num_heads"/"heads" metadata
/// value, if any, that is a positive divisor of the width. Throws std::runtime_error naming the
/// file and the offending tensor or key.
TimmVitInfo inspectTimmVit(const SafetensorsHeader& header);

/// inspectTimmVit(readSafetensorsHeader(file)).
TimmVitInfo inspectTimmVit(const std::filesystem::path& file);

/// The components imported from a timm ViT file.
struct TimmVitWeights {
  /// The root in route order: embedding, cls, posembed, block_0 .. block_{L-1}, norm, with the
  /// parameter names and order of componentParamNames(); a SlotTensors (ComponentFile.h).
  std::vector<std::pair<std::string, std::shared_ptr<ComponentTensors>>> slots;
  /// The file's classifier (slot "head": weight [C,D], bias [C]), or null when it has none.
  std::shared_ptr<ComponentTensors> head;
  /// What inspectTimmVit found (arch.imageSize is the file's native size).
  TimmVitInfo info;
};

/// Imports the ViT in `file` for the architecture `target` (kind Vit). target's width, depth,
/// patchSize and mlpDim must equal the file's, and its heads the file's when the file records
/// them; target.imageSize may differ from the native size: the position embedding is then
/// re-interpolated to target.imageSize / p per side with resizePosEmbed (bilinear,
/// align_corners=false, class slot kept). Every tensor is converted to float32 and must be finite.
/// Components are fresh float32 CPU tensors with zero momentum and requires_grad false.
/// Throws std::runtime_error naming the file and the field (with both values) or tensor at fault;
/// std::invalid_argument when target itself is invalid.
TimmVitWeights loadTimmVit(const std::filesystem::path& file, const ArchitectureConfig& target);

}  // namespace mu2net
