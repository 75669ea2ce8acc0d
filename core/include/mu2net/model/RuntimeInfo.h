#pragma once
// Facts about the numerical runtime this process really uses, for start-up checks and reports.
#include <string>

namespace mu2net {

struct RuntimeInfo {
  std::string torchVersion;  ///< LibTorch's version, e.g. "1.13.1"
  /// Resolved path of the BLAS library mapped into this process (after a matrix product has
  /// forced it to load), e.g. /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3; empty if
  /// none could be found.
  std::string blasLibrary;
  std::string blasLibraries;          ///< every BLAS library mapped, space-separated
  bool blasIsOpenMpOpenBlas = false;  ///< all of them are the OpenMP OpenBLAS build
  int threads = 0;                    ///< LibTorch intra-op threads of the calling thread
};

/// Runs one small matrix product through LibTorch, then reads /proc/self/maps.
RuntimeInfo runtimeInfo();

}  // namespace mu2net
