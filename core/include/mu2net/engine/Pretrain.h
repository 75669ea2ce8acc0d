#pragma once
// Pretraining a root: `mu2net pretrain CONFIG.json --out ROOT.pt`.
//
// μ2Net extends a pretrained model (ALGORITHM.md §4.1, README "Roots"). This trains the root's
// slots (embedding … norm) plus a temporary head on a mix of sources: datasets in the formats the
// product reads, and the built-in formula-driven synthetic glyphs (SyntheticGlyphs.h), which need
// no data at all. The result is ROOT.pt (the tensors, as root.checkpoint reads them; the head is
// dropped) and ROOT.json (metadata: RootCatalog.h).
//
// Determinism: the examples of step s are a pure function of (seed, s): source, class, sample and
// augmentation are drawn from generators derived from them. With the same configuration and
// thread count a run gives the same file bit for bit, also when it was interrupted and resumed.
// Resumable: every `checkpoint_every` steps, and when stopped, the state (parameters, AdamW
// moments, step) is written to ROOT.pt.partial (+ .json); running the same command again continues
// from it. Torch-free header.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mu2net/data/SyntheticGlyphs.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/evolution/SearchSpace.h"
#include "mu2net/model/Architecture.h"
#include "mu2net/model/RootCatalog.h"

namespace mu2net {

/// One source of pretraining examples: the synthetic glyphs or a dataset's training split.
struct PretrainSource {
  enum class Kind { SyntheticGlyphs, Dataset };
  Kind kind = Kind::SyntheticGlyphs;
  /// Synthetic: the generator's options (its seed derives from the configuration's seed).
  SyntheticGlyphOptions glyphs;
  /// Dataset: format, path and optional class subset (name labels the source in messages).
  TaskSpec dataset;
  /// Dataset only: random resized crop with this minimum area (1 = no crop).
  double cropAreaMin = 1.0;
  /// Share of the examples drawn from this source, relative to the others' weights; > 0.
  double weight = 1.0;
};

/// Everything a pretraining run needs (the JSON keys are in README "mu2net pretrain").
struct PretrainConfig {
  std::string name;  ///< the root's name in its metadata (default: the output file's stem)
  std::uint64_t seed = 1;
  ArchitectureConfig architecture;  ///< imageSize is the pretraining image size
  std::vector<PretrainSource> sources;
  std::int64_t steps = 4000;
  int batchSize = 128;
  OptimizerKind optimizer = OptimizerKind::AdamW;
  double learningRate = 2e-3;
  double momentum = 0.9;  ///< SGD momentum or AdamW β1
  double weightDecay = 0.05;
  double warmupRatio = 0.05;
  int threads = 1;
  std::int64_t evaluationExamples = 2048;  ///< held-out examples per evaluation
  std::int64_t evaluateEvery = 500;        ///< steps between evaluations (and at the end)
  std::int64_t checkpointEvery = 250;      ///< steps between resumable state files
};

/// Parses a pretraining configuration; relative dataset paths resolve against baseDir. Strict like
/// parseExperimentConfig: unknown keys and values out of range are refused with a ConfigError
/// naming the key.
PretrainConfig parsePretrainConfig(const std::string& jsonText,
                                   const std::filesystem::path& baseDir);
/// Reads and parses a file; errors name the file.
PretrainConfig loadPretrainConfig(const std::filesystem::path& file);
/// Canonical JSON of a configuration (every default filled in): what the state file and the
/// metadata record. parsePretrainConfig(toJson(c)) == c. A saved state continues only a run of
/// the same configuration; `threads` may differ (then the result is equal up to rounding, not
/// bit for bit).
std::string pretrainConfigToJson(const PretrainConfig& config);

/// What a progress callback sees, about every second and after each evaluation.
struct PretrainProgress {
  std::int64_t step = 0;  ///< steps done
  std::int64_t steps = 0;
  double loss = 0;  ///< mean training loss since the last report
  double imagesPerSecond = 0;
  std::optional<double> evaluationAccuracy;  ///< set right after an evaluation
};

struct PretrainResult {
  bool interrupted = false;       ///< stopped before the last step; the state is saved
  std::int64_t resumedFrom = -1;  ///< the step a saved state was continued from, or -1
  std::int64_t step = 0;          ///< steps done
  double accuracy = 0;            ///< the last evaluation's accuracy
  double seconds = 0;             ///< wall time of all sessions together
  RootInfo root;                  ///< the written root (when not interrupted)
};

/// Trains the root and writes `out` and its metadata (out with extension .json), or continues a
/// saved state of the same configuration. `stop` (may be null) is polled between steps: when set,
/// the state is saved and the result says interrupted. `command` is recorded in the metadata.
/// Throws ConfigError / DataError / std::runtime_error naming the file or key on bad input, and
/// when a saved state belongs to another configuration.
PretrainResult pretrainRoot(const PretrainConfig& config, const std::filesystem::path& out,
                            const std::function<void(const PretrainProgress&)>& progress,
                            const std::atomic<bool>* stop, const std::string& command);

}  // namespace mu2net
