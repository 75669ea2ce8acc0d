#pragma once
// An endless stream of shuffled mini-batches of sample indices over a set of a fixed size.
//
// Each epoch is a fresh permutation of 0..setSize-1 drawn from the stream's own Rng (seeded by the
// constructor's seed; derive it from the experiment seed). Batches are always full: when an epoch
// has fewer indices left than a batch needs, the batch continues with the next epoch's
// permutation. So within every epoch each index is served exactly once.
//
// The complete position of the stream is a small value (BatchStreamState): saving it and later
// restoring it into a stream of the same set and batch size reproduces the following batches
// exactly (used to resume a run after a stop).
#include <cstdint>
#include <vector>

#include "mu2net/common/Rng.h"

namespace mu2net {

/// Where a BatchStream stands. The current epoch's permutation is not stored: it is regenerated
/// from epochRng, the generator state from which that permutation was drawn.
struct BatchStreamState {
  std::int64_t setSize = 0;
  std::int64_t batchSize = 0;
  std::int64_t epoch = 0;     ///< epochs started before the current one (0 for the first)
  std::int64_t position = 0;  ///< next index of the current permutation to serve, [0, setSize)
  RngState epochRng;          ///< Rng state immediately before the current epoch's shuffle
  bool operator==(const BatchStreamState&) const = default;
};

class BatchStream {
 public:
  /// setSize > 0 and batchSize > 0, else std::invalid_argument. batchSize may exceed setSize
  /// (a batch then spans several epochs).
  BatchStream(std::int64_t setSize, std::int64_t batchSize, std::uint64_t seed);

  /// The next batch of batchSize() indices in [0, setSize()).
  std::vector<std::int64_t> next();
  /// Same, into a caller-owned vector (resized to batchSize(); no allocation once it has the
  /// capacity).
  void next(std::vector<std::int64_t>& batch);

  std::int64_t setSize() const { return setSize_; }
  std::int64_t batchSize() const { return batchSize_; }
  /// Number of the current epoch, counting from 0.
  std::int64_t epoch() const { return epoch_; }

  BatchStreamState state() const;
  /// Restores a state from state(); set and batch size must match this stream's, and position
  /// must be in [0, setSize), else std::invalid_argument.
  void setState(const BatchStreamState& state);

 private:
  void startEpoch();

  std::int64_t setSize_;
  std::int64_t batchSize_;
  std::int64_t epoch_ = 0;
  std::int64_t position_ = 0;
  Rng rng_;
  RngState epochRng_;
  std::vector<std::int64_t> permutation_;
};

}  // namespace mu2net
