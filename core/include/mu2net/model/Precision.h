#pragma once
// The arithmetic a route's forward passes use (training.precision). A model-layer type: the
// configuration stores it, the route trainer and the evaluation run it (core/src/model/Network.h).
//
// bfloat16 runs through LibTorch's CPU autocast: convolutions and matrix products in bfloat16
// (oneDNN kernels, fast on CPUs with AVX-512 BF16 or AMX), everything else (LayerNorm, softmax,
// losses, the residual stream, the optimiser) in float32. Parameters stay float32.
#include <optional>
#include <string>

namespace mu2net {

enum class Precision {
  Auto,        ///< Bf16 where the CPU has native bfloat16 arithmetic, else Float32
  Float32,     ///< everything in float32
  Bf16Frozen,  ///< frozen layers' forward passes in bfloat16; trainable layers in float32
  Bf16,        ///< every forward pass in bfloat16 (training included; backward follows)
};

/// "auto", "float32", "bf16-frozen", "bf16".
std::string toString(Precision p);
/// The inverse of toString; nullopt for any other text.
std::optional<Precision> parsePrecision(const std::string& text);

/// True when this CPU computes bfloat16 natively (AVX-512 BF16 or AMX-BF16), where LibTorch's
/// bfloat16 kernels are faster than float32 ones; elsewhere they are emulated and slower.
bool cpuHasNativeBf16();

/// `p` with Auto resolved for this CPU.
Precision effectivePrecision(Precision p);

}  // namespace mu2net
