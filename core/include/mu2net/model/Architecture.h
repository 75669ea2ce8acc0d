#pragma once
// The two root architectures of the workbench and how they are sliced into components.
//
// A model is a route: an ordered list of components, one per slot, in forward order (routeSlots).
// This header is torch-free; the tensors and the forward pass live in core/src/model/Network.h,
// the JSON form of an ArchitectureConfig in core/src/model/ArchitectureJson.cpp.
#include <string>
#include <string_view>
#include <vector>

namespace mu2net {

/// The family of the root model. Every component of a system belongs to the root's family.
enum class ArchitectureKind {
  Vit,  ///< Vision Transformer (pre-LayerNorm), sliced into embedding, cls, posembed, blocks, ...
  Cnn,  ///< Residual convolutional network without normalisation layers inside the blocks.
};

/// How a ViT turns an image into tokens (the `embedding` slot).
enum class StemKind {
  /// One p×p convolution of stride p (the paper's ViT): a linear projection of each patch.
  Patch,
  /// A small convolutional stem: log2(p) 3×3 convolutions of stride 2 and padding 1, ReLU between
  /// them, channels doubling up to the width (Xiao et al. 2021, "Early convolutions help
  /// transformers see better"). Same token grid as Patch; learns small images much faster from
  /// few examples (README, "Deviations"). Needs a power-of-two patch size >= 2.
  Conv,
};

/// Hyperparameters of a root architecture. Sizes are counts (pixels, channels, features).
/// Invariants (checked by validate()): every size is positive; for Vit, imageSize is a multiple
/// of patchSize and width a multiple of heads.
struct ArchitectureConfig {
  /// Which family (Vit or Cnn).
  ArchitectureKind kind = ArchitectureKind::Vit;
  /// Native input side length in pixels (square images) of the root. For Vit it fixes the root's
  /// position-embedding grid (imageSize / patchSize per side); the Cnn works at any size.
  int imageSize = 28;
  /// Vit only: side length in pixels of the square, non-overlapping patches.
  int patchSize = 4;
  /// Vit only: the tokeniser in the `embedding` slot.
  StemKind stem = StemKind::Patch;
  /// Vit: token feature dimension D. Cnn: number of channels W of every residual block.
  int width = 64;
  /// Vit only: number of self-attention heads; width / heads is the per-head dimension.
  int heads = 4;
  /// Vit only: hidden dimension M of the two-layer MLP in each block.
  int mlpDim = 128;
  /// Number of blocks (Vit: transformer blocks, Cnn: residual blocks) of the root model.
  int depth = 4;

  bool operator==(const ArchitectureConfig&) const = default;
};

/// Throws std::invalid_argument naming the offending field when the configuration is unusable.
void validate(const ArchitectureConfig& config);

/// "vit" or "cnn".
std::string toString(ArchitectureKind kind);
/// Inverse of toString(ArchitectureKind); throws std::invalid_argument for anything else.
ArchitectureKind parseArchitectureKind(std::string_view text);
/// "patch" or "conv".
std::string toString(StemKind stem);
/// Inverse of toString(StemKind); throws std::invalid_argument for anything else.
StemKind parseStemKind(std::string_view text);

/// Vit with StemKind::Conv: the output channels of each stem convolution, in order (the last is
/// the width). log2(patchSize) entries: width / 2^(k-1-j) for convolution j of k.
std::vector<int> convStemChannels(const ArchitectureConfig& config);

/// The slot name of the i-th block: "block_<i>" (i >= 0).
std::string blockSlot(int i);
/// True iff slot is exactly "block_<i>" with a canonical non-negative decimal i (no sign, no
/// leading zeros except "0"); then stores i in *index when index is not null.
bool parseBlockSlot(std::string_view slot, int* index);

/// The slots of a route with numBlocks blocks (numBlocks >= 0), in forward order.
/// Vit: embedding, cls, posembed, block_0 .. block_{n-1}, norm, head.
/// Cnn: embedding, block_0 .. block_{n-1}, norm, head.
std::vector<std::string> routeSlots(const ArchitectureConfig& config, int numBlocks);

/// A root architecture as the JSON object of the configuration's `root` keys ("architecture",
/// "stem", "image_size", "patch_size", "width", "heads", "mlp_dim", "depth"): for root metadata.
std::string architectureToJson(const ArchitectureConfig& architecture);
/// Reads such an object (every key optional, defaults as ArchitectureConfig; unknown keys
/// refused). `where` prefixes messages (a file name and key). Throws ConfigError.
ArchitectureConfig parseArchitectureJson(const std::string& jsonText, const std::string& where);

}  // namespace mu2net
