#include "mu2net/model/Precision.h"

#include <fstream>
#include <sstream>

namespace mu2net {

std::string toString(Precision p) {
  switch (p) {
    case Precision::Auto:
      return "auto";
    case Precision::Float32:
      return "float32";
    case Precision::Bf16Frozen:
      return "bf16-frozen";
    case Precision::Bf16:
      return "bf16";
  }
  return "auto";
}

std::optional<Precision> parsePrecision(const std::string& text) {
  for (Precision p : {Precision::Auto, Precision::Float32, Precision::Bf16Frozen, Precision::Bf16})
    if (toString(p) == text) return p;
  return std::nullopt;
}

bool cpuHasNativeBf16() {
  // The kernel's view of the CPU (what a hypervisor passes through), read once.
  static const bool native = [] {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
      if (line.rfind("flags", 0) != 0) continue;
      std::istringstream flags(line.substr(line.find(':') + 1));
      std::string flag;
      while (flags >> flag)
        if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
      return false;
    }
    return false;
  }();
  return native;
}

Precision effectivePrecision(Precision p) {
  if (p != Precision::Auto) return p;
  // bfloat16 training holds accuracy (bench_engine_speed --sections generation, and the default
  // experiment: resources/benchmarks/RESULTS.md, issue 16), so native CPUs use it throughout.
  return cpuHasNativeBf16() ? Precision::Bf16 : Precision::Float32;
}

}  // namespace mu2net
