#pragma once
// The configuration of an experiment, as read from its JSON file.
//
// One struct holds every knob of a run, with the documented laptop-scale defaults of
// ALGORITHM.md §6. parseExperimentConfig() is strict: unknown keys, wrong types and values
// outside their lists are refused with a ConfigError whose message names the key (as a dotted
// path such as `training.batch_size` or `tasks[1].classes[3]`).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mu2net/common/ConfigError.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/model/Architecture.h"
#include "mu2net/model/Precision.h"

namespace mu2net {

/// Where a task's children may come from (config key `evolution.parent_policy`). Everything but
/// Evolve turns the engine into one of the baselines of the quality benchmark, from the same
/// code: the policy only replaces the seed pool of ALGORITHM.md §3.1 at start_task (the task's
/// own population is always searched first).
enum class ParentPolicy {
  Evolve,        ///< "evolve": μ2Net, the seed pool holds every other public task's model + root
  Isolated,      ///< "isolated": the seed pool holds the root only (independent models)
  PreviousTask,  ///< "previous_task": the model of the nearest earlier task in list order that
                 ///< has one (cyclically, so the last task precedes the first), else the root
  FirstTask      ///< "first_task": the first listed task's model (the root for that task itself)
};

/// Which inherited layers a child clones (config key `evolution.clone_policy`). Components that
/// are trainable, the `norm` slot and layers of an untrained root are always cloned (§4.1).
enum class ClonePolicy {
  Mu,           ///< "mu": μ2Net, any other inherited layer is cloned with probability μ
  All,          ///< "all": every inherited layer is cloned (fine-tuning of all layers)
  FreezeBottom  ///< "freeze_bottom": the stem (embedding, cls, posembed) and block_0 …
                ///< block_{freeze_blocks-1} are shared frozen, every other layer is cloned
};

/// Evolutionary search budget and scoring (ALGORITHM.md §3, §5).
struct EvolutionOptions {
  int generationSize = 4;            ///< children per generation, trained on one batch stream
  int childrenPerTaskIteration = 8;  ///< children sampled per task per task iteration
  int taskIterations = 2;            ///< round-robin passes over the task list
  double scaleFactor = 1.0;          ///< s in score = quality × s^(accounted/P_ref); 1 = accuracy
  double referenceParams = 1.0e6;    ///< P_ref, parameters
  bool cloneUntrainedRoot = true;    ///< always clone components inherited from a random root
  ParentPolicy parentPolicy = ParentPolicy::Evolve;  ///< seed pool; non-default: a baseline
  ClonePolicy clonePolicy = ClonePolicy::Mu;         ///< clone rule; non-default: a baseline
  int freezeBlocks = 0;  ///< blocks shared by ClonePolicy::FreezeBottom, in [0, root depth]
};

/// Child training and evaluation budget (ALGORITHM.md §5).
struct TrainingOptions {
  int batchSize = 64;
  int validationsPerChild = 4;
  int64_t trainExamplesBetweenValidations = 8192;  ///< capped at the train split's size
  int64_t validationExamplesMax = 2048;            ///< 0 = the whole validation split
  int64_t testExamplesMax = 0;                     ///< 0 = the whole test split
  int threads = 1;                                 ///< threads the engine trains with
  /// Children of a generation trained at the same time, each on threads / parallel_children
  /// intra-op threads; 0 = one child per thread (capped at the generation size). 1 = one child
  /// after another, each on all the threads.
  int parallelChildren = 0;
  /// Children of a generation whose routes begin with the same frozen components compute those
  /// components' activations once per batch and share them (results identical either way).
  bool shareFrozenPrefix = true;
  /// Memory (MiB) for the activations of frozen route prefixes on the validation and test
  /// subsets, reused across children, generations and test evaluations; 0 = no cache. Results
  /// are identical for any value.
  int64_t activationCacheMib = 2048;
  /// Arithmetic of forward passes (see Precision.h); Auto = bfloat16 autocast on CPUs with
  /// native bfloat16, float32 elsewhere.
  Precision precision = Precision::Auto;
};

/// Override of one search-space dimension (ALGORITHM.md §4.3).
struct SearchSpaceOverride {
  std::vector<double> values;
  std::optional<double> defaultValue;
};

/// Root model: architecture and where its parameters come from.
///
/// In a configuration file (parseExperimentConfig): no `root` key means the built-in default root
/// kDefaultRootName; `root.pretrained` names a built-in root (RootCatalog.h); `root.checkpoint`
/// names a file; a `root` with neither is randomly initialised from the seed. A trained root fixes
/// the architecture (the file's metadata); keys given beside it must agree, except image_size.
/// The C++ default of this struct is a random root of the default architecture.
struct RootOptions {
  ArchitectureConfig architecture;
  /// The name of a built-in root, or empty. When set, `checkpoint` is that root's file.
  std::string pretrained;
  /// Empty: random initialisation from the seed. Otherwise a file of trained root parameters
  /// (see README, "Root checkpoints"); its components then follow the normal cloning rule.
  std::filesystem::path checkpoint;
  /// True when the root's parameters come from a file (a built-in root or a checkpoint).
  bool trained() const { return !checkpoint.empty(); }
};

struct ExperimentConfig {
  std::uint64_t seed = 0;
  RootOptions root;
  std::vector<TaskSpec> tasks;
  EvolutionOptions evolution;
  TrainingOptions training;
  std::map<std::string, SearchSpaceOverride> searchSpace;
  /// Image sizes offered to `ds_image_size` unless search_space overrides it.
  std::vector<int> imageSizes = {16, 20, 24, 28, 32};
};

/// Parses JSON text. Relative task and checkpoint paths are resolved against `baseDir`.
/// Throws ConfigError naming the offending key.
ExperimentConfig parseExperimentConfig(const std::string& jsonText,
                                       const std::filesystem::path& baseDir);
/// Reads and parses a file; errors name the file too.
ExperimentConfig loadExperimentConfig(const std::filesystem::path& file);

/// `p` written plainly: "." and "x/.." removed, no trailing separator. Two paths to one folder
/// written differently compare equal after it (links are not followed).
std::filesystem::path normalPath(const std::filesystem::path& p);
/// The configuration as canonical JSON text (all keys, defaults filled in): what a run stores
/// and what report.json embeds. parseExperimentConfig(toJson(c)) == c.
std::string experimentConfigToJson(const ExperimentConfig& config);

}  // namespace mu2net
