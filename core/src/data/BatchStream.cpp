#include "mu2net/data/BatchStream.h"

#include <numeric>
#include <stdexcept>
#include <string>

namespace mu2net {

BatchStream::BatchStream(std::int64_t setSize, std::int64_t batchSize, std::uint64_t seed)
    : setSize_(setSize), batchSize_(batchSize), rng_(seed) {
  if (setSize <= 0 || batchSize <= 0)
    throw std::invalid_argument("BatchStream: set size " + std::to_string(setSize) +
                                " and batch size " + std::to_string(batchSize) +
                                " must both be positive");
  permutation_.resize(static_cast<std::size_t>(setSize_));
  startEpoch();
}

void BatchStream::startEpoch() {
  // Shuffling the identity (not the previous permutation) makes the epoch's order a function of
  // the Rng state alone, which is what lets the state omit the permutation.
  epochRng_ = rng_.state();
  std::iota(permutation_.begin(), permutation_.end(), std::int64_t{0});
  rng_.shuffle(permutation_.begin(), permutation_.end());
  position_ = 0;
}

std::vector<std::int64_t> BatchStream::next() {
  std::vector<std::int64_t> batch;
  next(batch);
  return batch;
}

void BatchStream::next(std::vector<std::int64_t>& batch) {
  batch.resize(static_cast<std::size_t>(batchSize_));
  for (auto& index : batch) {
    index = permutation_[static_cast<std::size_t>(position_++)];
    // Start the next epoch as soon as this one is used up, so that position_ < setSize_ always
    // holds between calls and a saved state never points past the end.
    if (position_ == setSize_) {
      ++epoch_;
      startEpoch();
    }
  }
}

BatchStreamState BatchStream::state() const {
  return {setSize_, batchSize_, epoch_, position_, epochRng_};
}

void BatchStream::setState(const BatchStreamState& state) {
  if (state.setSize != setSize_ || state.batchSize != batchSize_)
    throw std::invalid_argument("BatchStream::setState: state is for set size " +
                                std::to_string(state.setSize) + ", batch size " +
                                std::to_string(state.batchSize) + "; this stream has " +
                                std::to_string(setSize_) + ", " + std::to_string(batchSize_));
  if (state.position < 0 || state.position >= setSize_ || state.epoch < 0)
    throw std::invalid_argument("BatchStream::setState: position " +
                                std::to_string(state.position) + " or epoch " +
                                std::to_string(state.epoch) + " out of range");
  rng_.setState(state.epochRng);
  startEpoch();
  epoch_ = state.epoch;
  position_ = state.position;
}

}  // namespace mu2net
