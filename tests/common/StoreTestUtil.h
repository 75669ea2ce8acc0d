#pragma once
// Small helpers of the store tests: the run metadata of a test store, and the message of a
// StoreError a call throws.
#include <QString>

#include "mu2net/store/ExperimentStore.h"

namespace mu2net::testdata {

/// The metadata a test writes with `c`.
inline RunMetadata testMetadata(const ExperimentConfig& c) {
  return {"test", "1.13", c.training.threads, configHash(c)};
}

/// The StoreError `f` throws, as text; empty when it throws none.
template <typename F>
QString storeError(F&& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

}  // namespace mu2net::testdata
