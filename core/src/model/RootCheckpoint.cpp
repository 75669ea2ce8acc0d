#include "model/RootCheckpoint.h"

#include <cmath>

#include "model/Network.h"
#include "model/TimmImport.h"
#include "mu2net/common/ConfigError.h"

namespace mu2net {
namespace {

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& problem) {
  throw ConfigError("config key 'root.checkpoint': " + file.string() + ": " + problem);
}

// The image size whose patch grid a position embedding [1, 1 + g*g, width] was made for, or 0.
int posEmbedImageSize(const ComponentTensors& pos, const ArchitectureConfig& arch) {
  if (pos.params.size() != 1 || pos.params[0].dim() != 3 || pos.params[0].size(0) != 1 ||
      pos.params[0].size(2) != arch.width)
    return 0;
  const int64_t tokens = pos.params[0].size(1) - 1;
  const auto g = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(tokens))));
  return g > 0 && g * g == tokens ? static_cast<int>(g) * arch.patchSize : 0;
}

}  // namespace

SlotTensors loadRootCheckpoint(const std::filesystem::path& file, const ArchitectureConfig& arch) {
  SlotTensors slots;
  try {
    if (file.extension() == ".safetensors")
      slots = loadTimmVit(file, arch).slots;
    else
      slots = loadComponentFile(file);
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    refuse(file, e.what());
  }
  for (auto& [slot, tensors] : slots) {
    if (arch.kind == ArchitectureKind::Vit && slot == "posembed") {
      const auto want = componentShapes(arch, slot, 1, arch.imageSize);
      if (!fitsShapes(*tensors, want)) {
        // Another grid of the same width: re-interpolate. Anything else is refused by the
        // engine, which names the slot that does not fit the architecture.
        const int from = posEmbedImageSize(*tensors, arch);
        if (from > 0) tensors = resizePosEmbed(*tensors, arch, from, arch.imageSize);
      }
    }
    for (std::size_t i = 0; i < tensors->params.size(); ++i)
      if (!tensors->params[i].isfinite().all().item<bool>())
        refuse(file, "slot '" + slot + "' parameter '" + tensors->names[i] +
                         "' holds NaN or infinite values");
  }
  return slots;
}

}  // namespace mu2net
