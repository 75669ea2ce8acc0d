#pragma once
// Reading a root checkpoint for the engine: the project's own format (ComponentFile.h, as
// `mu2net pretrain` writes it or Python's torch.save of a "slot/param" dict) or a timm ViT in
// `.safetensors` (TimmImport.h), chosen by the file's extension.
#include <filesystem>

#include "model/ComponentFile.h"
#include "mu2net/model/Architecture.h"

namespace mu2net {

/// The root's components of `file` for the architecture `arch` (its slots embedding … norm; a
/// head in the file is ignored). A ViT position embedding stored for another image size is
/// re-interpolated to arch.imageSize (resizePosEmbed). Every parameter must be finite. Throws
/// ConfigError naming `root.checkpoint`, the file and the slot when the file is unusable.
SlotTensors loadRootCheckpoint(const std::filesystem::path& file, const ArchitectureConfig& arch);

}  // namespace mu2net
