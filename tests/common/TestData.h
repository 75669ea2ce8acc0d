#pragma once
// Where tests find real datasets. MU2NET_DATA_DIR overrides the default ../shared/data beside
// the checkout; MU2NET_FASHION_MNIST_DIR overrides Debian's Fashion-MNIST folder. A missing
// folder is a test failure (QFAIL via requireDir), never a skip.
#include <cstdlib>
#include <filesystem>
#include <string>

namespace mu2net::testdata {

inline std::filesystem::path dataDir() {
  const char* env = std::getenv("MU2NET_DATA_DIR");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(MU2NET_DEFAULT_DATA_DIR);
}

inline std::filesystem::path fashionMnistDir() {
  const char* env = std::getenv("MU2NET_FASHION_MNIST_DIR");
  return env && *env ? std::filesystem::path(env)
                     : std::filesystem::path(MU2NET_DEFAULT_FASHION_DIR);
}

inline std::filesystem::path mnistDir() {
  return dataDir() / "mnist";
}
inline std::filesystem::path banglaIdxDir() {
  return dataDir() / "cmaterdb-bangla" / "idx";
}
inline std::filesystem::path banglaCifarDir() {
  return dataDir() / "cmaterdb-bangla" / "cifar-bin";
}
inline std::filesystem::path omniglot28Dir() {
  return dataDir() / "omniglot-background-small" / "idx28";
}

}  // namespace mu2net::testdata

/// Fails the current Qt test (never skips) when a data folder is missing.
#define MU2NET_REQUIRE_DIR(dir)                                                        \
  do {                                                                                 \
    if (!std::filesystem::is_directory(dir))                                           \
      QFAIL(qPrintable(QStringLiteral("required test data folder is missing: %1 (set " \
                                      "MU2NET_DATA_DIR or MU2NET_FASHION_MNIST_DIR)")  \
                           .arg(QString::fromStdString((dir).string()))));             \
  } while (0)
