#include "mu2net/model/RuntimeInfo.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <fstream>
#include <sstream>

namespace mu2net {

RuntimeInfo runtimeInfo() {
  RuntimeInfo info;
  info.torchVersion = TORCH_VERSION;
  info.threads = at::get_num_threads();
  // A float matrix product goes through BLAS sgemm: after it the library is surely mapped.
  const at::Tensor a = at::ones({64, 64});
  const at::Tensor b = at::mm(a, a);
  (void)b.sum().item<float>();
  std::ifstream maps("/proc/self/maps");
  std::string line;
  bool openMpOnly = true;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const auto name = path.substr(path.rfind('/') + 1);
    const bool blas = name.rfind("libblas.so", 0) == 0 || name.rfind("libopenblas", 0) == 0 ||
                      name.rfind("libmkl", 0) == 0;
    if (!blas || info.blasLibraries.find(path) != std::string::npos) continue;
    if (info.blasLibrary.empty()) info.blasLibrary = path;
    info.blasLibraries += (info.blasLibraries.empty() ? "" : " ") + path;
    // Every BLAS mapped must be the OpenMP build: one pthread OpenBLAS is enough to oversubscribe.
    openMpOnly = openMpOnly && path.find("openblas-openmp") != std::string::npos;
  }
  info.blasIsOpenMpOpenBlas = !info.blasLibrary.empty() && openMpOnly;
  return info;
}

}  // namespace mu2net
