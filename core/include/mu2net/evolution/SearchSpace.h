#pragma once
// The hyperparameter search space of μ2Net (ALGORITHM.md §4.2–§4.3) and the incremental mutations
// that move a path's hyperparameters through it. Torch-free and Qt-free: pure logic over doubles.
//
// Every hyperparameter has an ordered list of valid values and a default that is in the list.
// Values are stored as doubles whatever their meaning: integers (num_layers, ds_image_size) are
// exact small integers, booleans are the two-element list {1.0 (true), 0.0 (false)}, and a
// categorical hyperparameter (opt_type) stores the code of its label: the label's index in
// categoricalLabels(name) (opt_type: 0 = "sgd", 1 = "adamw").
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mu2net/common/ConfigError.h"
#include "mu2net/common/Rng.h"
#include "mu2net/data/InputPipeline.h"
#include "mu2net/model/OptimizerKind.h"

namespace mu2net {

/// Who owns a hyperparameter's value. Child: drawn per child from its parent (μ, optimiser,
/// architecture depth). Generation: drawn once per generation and shared by its children
/// (the data pipeline, names beginning `ds_`).
enum class HParamScope { Child, Generation };

/// One hyperparameter: its ordered list of valid values and its default.
/// Invariants (kept by SearchSpace): `values` is non-empty and has no duplicates,
/// `defaultIndex < values.size()`, and a boolean's values are exactly {1, 0} in some order.
struct HParamSpec {
  std::string name;
  std::vector<double> values;  ///< ordered: an incremental mutation moves to a neighbour
  std::size_t defaultIndex = 0;
  HParamScope scope = HParamScope::Child;
  bool isBool = false;

  double defaultValue() const { return values.at(defaultIndex); }
  /// Index of the list entry nearest to `value`; throws ConfigError when no entry is within a
  /// relative tolerance of 1e-9 (the value is not in the list).
  std::size_t indexOf(double value) const;
};

/// A path's hyperparameters by name (see SearchSpace for the names). A map, so iteration order
/// is alphabetical and stable.
using HParams = std::map<std::string, double>;

/// The set of hyperparameters a search may vary, in the fixed order of the table in
/// ALGORITHM.md §4.3. Construct with laptopDefaults() and adjust with override().
class SearchSpace {
 public:
  /// The laptop-scale table of ALGORITHM.md §4.3, with this project's additions (opt_type,
  /// opt_weight_decay) and defaults (README, "Deviations from the paper").
  /// `rootDepth` (number of transformer blocks / conv stages of the root, >= 0) sets num_layers
  /// to 0 … rootDepth + 1 with default rootDepth. `nativeImageSize` (pixels, > 0) is the default
  /// of ds_image_size and is inserted in order into `imageSizes` when missing.
  /// Throws ConfigError on a negative depth or a non-positive size.
  static SearchSpace laptopDefaults(int rootDepth, int nativeImageSize,
                                    std::vector<int> imageSizes = {16, 20, 24, 28, 32});

  /// Replaces the value list of `name` and, when given, its default. Without a default, a
  /// one-value list's value is the default; a longer list keeps the old default, which must then
  /// be in it. Throws ConfigError naming
  /// `search_space.<name>` when the name is unknown, the list is empty, contains a non-finite
  /// value or a duplicate, a boolean value is not 0/1, the default is not in the list, or a value
  /// is outside its meaningful range: mu, opt_lr_warmup_ratio, opt_weight_decay and the ds_*
  /// deltas in [0, 1]; opt_lr, ds_area_range_min, ds_aspect_ratio_range_min in (0, 1];
  /// opt_momentum in [0, 1); num_layers a whole number in [0, root depth + 1]; ds_image_size a
  /// whole number in [4, 512]. The spec is unchanged when it throws.
  void override(const std::string& name, std::vector<double> values,
                std::optional<double> defaultValue);

  bool has(const std::string& name) const;
  /// The spec of `name`; throws ConfigError for an unknown name.
  const HParamSpec& spec(const std::string& name) const;
  /// All specs in the table's order (mu first, then the optimiser, num_layers, then ds_*).
  /// The order of the optimiser's entries: opt_type, opt_lr, opt_lr_warmup_ratio, opt_momentum,
  /// opt_nesterov, opt_weight_decay.
  std::vector<HParamSpec> specs() const { return specs_; }
  /// Default value of every hyperparameter.
  HParams defaults() const;
  /// Defaults of the child-scope hyperparameters only.
  HParams childDefaults() const;
  /// Defaults of the generation-scope (ds_*) hyperparameters only.
  HParams generationDefaults() const;
  /// Index of `value` in the list of `name` (nearest entry); throws ConfigError when unknown or
  /// not in the list.
  std::size_t indexOf(const std::string& name, double value) const;

 private:
  std::vector<HParamSpec> specs_;
  int maxNumLayers_ = 1;  ///< root depth + 1: the largest num_layers a search may offer
};

/// One step up or down the ordered list with probability ½ each, starting from `current` (which
/// must be in the list). At an end, the step that would leave the list keeps the value, so a value
/// at an end changes with probability ½ — including a boolean, which then flips. Consumes exactly
/// one draw of `rng`.
double mutateIncremental(const HParamSpec& spec, double current, Rng& rng);

/// One actual change of a hyperparameter (from != to).
struct Mutation {
  std::string name;
  double from = 0;
  double to = 0;
  bool operator==(const Mutation&) const = default;
};

/// True for the names whose values are booleans in the table (opt_nesterov, ds_crop,
/// ds_flip_left_right): they stay booleans under override().
bool isBooleanHParam(const std::string& name);

/// The labels of a categorical hyperparameter, indexed by code (opt_type: {"sgd", "adamw"});
/// empty for every other name.
const std::vector<std::string>& categoricalLabels(const std::string& name);
/// The code of `label` for categorical `name`; throws ConfigError naming search_space.<name> and
/// the valid labels when it is not one of them.
double categoricalCode(const std::string& name, const std::string& label);

/// A value as a reader wants to see it: "true"/"false" for booleans, the label of a categorical,
/// else the shortest decimal that reads back exactly ("0.01", "28").
std::string formatHParam(const std::string& name, double value);

/// Human-readable form, e.g. "opt_lr 0.01→0.02", "ds_crop true→false" or "opt_type sgd→adamw".
/// Numbers use the shortest representation that reads back exactly.
std::string describe(const Mutation& mutation);

/// The child's hyperparameters (§4.2). Starts from `parent` (a key of the space missing there
/// takes its default; keys unknown to the space are copied unchanged). Then:
///   1. `mu` is mutated incrementally with probability = the parent's μ;
///   2. the child's new μ is the probability of mutating each other child-scope hyperparameter,
///      visited in specs() order: opt_type, opt_lr, opt_lr_warmup_ratio, opt_momentum,
///      opt_nesterov, opt_weight_decay, num_layers.
/// Generation-scope keys are copied unchanged (the engine overlays the generation's sample).
/// Appends to `mutations` (if non-null) only the hyperparameters whose value actually changed,
/// in the order they were mutated (so a change of mu is always first).
/// Throws ConfigError when a parent value is not in its list.
HParams mutateChildHParams(const SearchSpace& space, const HParams& parent, Rng& rng,
                           std::vector<Mutation>* mutations);

/// One generation's data-pipeline hyperparameters (§4.2): the generation-scope keys only,
/// starting from `taskBest`'s values (the hyperparameters of the task's current best path; null
/// or a missing key → defaults), each mutated incrementally with probability
/// spec("mu").defaultValue(), in specs() order. Appends actual changes to `mutations`.
HParams sampleGenerationHParams(const SearchSpace& space, const HParams* taskBest, Rng& rng,
                                std::vector<Mutation>* mutations);

/// The data-pipeline settings named by a path's or generation's ds_* hyperparameters.
DataHParams toDataHParams(const HParams& hp);

}  // namespace mu2net
