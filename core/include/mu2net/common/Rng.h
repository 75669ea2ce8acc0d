#pragma once
// Deterministic random numbers for every stochastic step of the engine.
//
// Every draw in the project comes from an Rng derived from the experiment seed, so that the same
// seed and thread count give the same result bit for bit, also across pause, stop and resume.
// The generator is SplitMix64-seeded xoshiro256**; the distributions are implemented here (not
// std::uniform_real_distribution, whose output differs between standard libraries), so a run is
// reproducible on any platform. The full state is a value (RngState) that can be saved and
// restored.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace mu2net {

/// The complete state of an Rng: restoring it restores the exact sequence of future draws.
struct RngState {
  std::array<std::uint64_t, 4> s{};
  bool operator==(const RngState&) const = default;
};

/// Mixes a seed with a sequence of stream tags into an independent seed (SplitMix64 finaliser).
/// Use it to derive per-purpose generators: deriveSeed(seed, {taskIndex, generation, child}).
std::uint64_t deriveSeed(std::uint64_t seed, std::initializer_list<std::uint64_t> tags);
/// Stable 64-bit hash of a string (FNV-1a), for use as a stream tag.
std::uint64_t hashTag(std::string_view text);

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  /// Uniform 64-bit integer.
  std::uint64_t next();
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n); n must be > 0. Unbiased (rejection sampling).
  std::uint64_t below(std::uint64_t n);
  /// True with probability p (p <= 0 never, p >= 1 always).
  bool bernoulli(double p);
  /// Standard normal (Box-Muller, no cached second value so the state is fully in RngState).
  double normal();

  /// Fisher-Yates shuffle of [first, last).
  template <typename It>
  void shuffle(It first, It last) {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      const auto j = below(i);
      std::swap(first[i - 1], first[j]);
    }
  }

  RngState state() const { return state_; }
  void setState(const RngState& state) { state_ = state; }

 private:
  RngState state_;
};

}  // namespace mu2net
