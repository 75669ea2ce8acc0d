#include "mu2net/evolution/SearchSpace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

#include "mu2net/common/InputLimits.h"

namespace mu2net {
namespace {

constexpr double kAdamW = static_cast<double>(OptimizerKind::AdamW);
// Chosen by measurement for AdamW on small images (README, "Deviations from the paper").
constexpr double kDefaultLearningRate = 1e-3;
constexpr double kDefaultWeightDecay = 0.0;

constexpr std::array<std::string_view, 3> kBooleanNames = {"opt_nesterov", "ds_crop",
                                                           "ds_flip_left_right"};

std::string key(const std::string& name) {
  return "search_space." + printable(name);  // the name comes from the file
}

// Shortest round-trip text, so that messages and mutation descriptions show exactly the value
// that is stored (0.01 rather than 0.010000000000000000208).
std::string formatNumber(double value) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

std::string formatValue(const std::string& name, double value) {
  return formatHParam(name, value);
}

std::string formatList(const std::vector<double>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += formatNumber(values[i]);
  }
  return out + "]";
}

// Values come from JSON and decimal literals: compare with a relative tolerance so that 0.1
// written by hand matches 0.1 computed as 0.10 + 0.02 * 0 or read back from SQLite.
bool sameValue(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::max(std::abs(a), std::abs(b)));
}

HParamSpec makeSpec(std::string name, std::vector<double> values, double defaultValue,
                    HParamScope scope) {
  HParamSpec spec;
  spec.name = std::move(name);
  spec.values = std::move(values);
  spec.scope = scope;
  spec.isBool = isBooleanHParam(spec.name);
  spec.defaultIndex = spec.indexOf(defaultValue);
  return spec;
}

std::vector<double> boolValues() {
  return {1.0, 0.0};
}

bool isInteger(double v) {
  return std::floor(v) == v;
}

// The meaningful values of a hyperparameter (README, "The algorithm's knobs").
struct ValueRange {
  bool known = false;
  double lo = 0, hi = 0;
  bool openLow = false, openHigh = false;
  const char* meaning = "";

  bool contains(double v) const {
    return (openLow ? v > lo : v >= lo) && (openHigh ? v < hi : v <= hi);
  }
  std::string text() const {
    return std::string(openLow ? "(" : "[") + formatNumber(lo) + ", " + formatNumber(hi) +
           (openHigh ? ")" : "]");
  }
};

ValueRange valueRange(const std::string& name, int maxNumLayers) {
  const auto range = [](double lo, double hi, bool openLow, bool openHigh, const char* meaning) {
    return ValueRange{true, lo, hi, openLow, openHigh, meaning};
  };
  if (name == "mu") return range(0, 1, false, false, "μ is a probability");
  if (name == "opt_lr") return range(0, 1, true, false, "a learning rate");
  if (name == "opt_lr_warmup_ratio")
    return range(0, 1, false, false, "the share of a child's steps spent warming up");
  if (name == "opt_momentum")
    return range(0, 1, false, true, "SGD's momentum or AdamW's beta1, below 1");
  if (name == "opt_weight_decay") return range(0, 1, false, false, "decoupled weight decay");
  if (name == "num_layers")
    return range(0, maxNumLayers, false, false, "0 to the root's depth + 1 blocks");
  if (name == "ds_image_size")
    return range(4, 512, false, false, "a positive number of pixels, as image_sizes");
  if (name == "ds_area_range_min" || name == "ds_aspect_ratio_range_min")
    return range(0, 1, true, false, "a share of the image");
  if (name == "ds_brightness_delta" || name == "ds_contrast_delta")
    return range(0, 1, false, false, "a change of at most the whole intensity range");
  return {};
}

// Mutates `name` in `values` with probability `probability`; records a real change.
void maybeMutate(const HParamSpec& spec, double probability, HParams& values, Rng& rng,
                 std::vector<Mutation>* mutations) {
  if (!rng.bernoulli(probability)) return;
  const double from = values[spec.name];
  const double to = mutateIncremental(spec, from, rng);
  values[spec.name] = to;
  if (mutations && to != from) mutations->push_back({spec.name, from, to});
}

}  // namespace

bool isBooleanHParam(const std::string& name) {
  return std::find(kBooleanNames.begin(), kBooleanNames.end(), name) != kBooleanNames.end();
}

const std::vector<std::string>& categoricalLabels(const std::string& name) {
  static const std::vector<std::string> optimizers = {"sgd", "adamw"};
  static const std::vector<std::string> none;
  return name == "opt_type" ? optimizers : none;
}

double categoricalCode(const std::string& name, const std::string& label) {
  const auto& labels = categoricalLabels(name);
  const auto it = std::find(labels.begin(), labels.end(), label);
  if (it != labels.end()) return static_cast<double>(it - labels.begin());
  std::string valid;
  for (const auto& l : labels)
    valid += (valid.empty() ? "" : ", ") + l;
  throw ConfigError(key(name) + ": '" + printable(label) + "' is not one of: " + valid);
}

std::string formatHParam(const std::string& name, double value) {
  if (isBooleanHParam(name)) return value != 0.0 ? "true" : "false";
  const auto& labels = categoricalLabels(name);
  if (!labels.empty() && value >= 0 && isInteger(value) &&
      value < static_cast<double>(labels.size()))
    return labels[static_cast<std::size_t>(value)];
  return formatNumber(value);
}

std::size_t HParamSpec::indexOf(double value) const {
  std::size_t best = values.size();
  double bestDistance = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!sameValue(values[i], value)) continue;
    const double distance = std::abs(values[i] - value);
    if (best == values.size() || distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  if (best == values.size())
    throw ConfigError(key(name) + ": value " + formatNumber(value) + " is not in the list " +
                      formatList(values));
  return best;
}

SearchSpace SearchSpace::laptopDefaults(int rootDepth, int nativeImageSize,
                                        std::vector<int> imageSizes) {
  if (rootDepth < 0)
    throw ConfigError(key("num_layers") + ": root depth must be >= 0, got " +
                      std::to_string(rootDepth));
  if (nativeImageSize <= 0)
    throw ConfigError(key("ds_image_size") + ": native image size must be > 0, got " +
                      std::to_string(nativeImageSize));

  // 0.10 … 0.30 step 0.02, rounded to two decimals so that the values equal their literals.
  std::vector<double> mu;
  for (int i = 0; i <= 10; ++i)
    mu.push_back(std::round((0.10 + 0.02 * i) * 100.0) / 100.0);

  std::vector<double> layers;
  for (int i = 0; i <= rootDepth + 1; ++i)
    layers.push_back(i);

  if (std::find(imageSizes.begin(), imageSizes.end(), nativeImageSize) == imageSizes.end()) {
    const auto at = std::find_if(imageSizes.begin(), imageSizes.end(),
                                 [&](int s) { return s > nativeImageSize; });
    imageSizes.insert(at, nativeImageSize);
  }
  std::vector<double> sizes(imageSizes.begin(), imageSizes.end());

  const std::vector<double> deltas = {0.0, 0.01, 0.02, 0.05, 0.1, 0.2};
  using S = HParamScope;
  SearchSpace space;
  space.maxNumLayers_ = rootDepth + 1;
  space.specs_ = {
      makeSpec("mu", mu, 0.20, S::Child),
      // AdamW only by default: its learning rates are ~10x smaller than SGD's, so a child that
      // switched optimiser at its parent's rate would be wasted. ["sgd"] is the paper's setting.
      makeSpec("opt_type", {kAdamW}, kAdamW, S::Child),
      makeSpec("opt_lr", {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5},
               kDefaultLearningRate, S::Child),
      makeSpec("opt_lr_warmup_ratio", {0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4}, 0.05, S::Child),
      makeSpec("opt_momentum", {0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99}, 0.9, S::Child),
      makeSpec("opt_nesterov", boolValues(), 0.0, S::Child),
      makeSpec("opt_weight_decay", {0.0, 1e-4, 1e-3, 0.01, 0.05, 0.1}, kDefaultWeightDecay,
               S::Child),
      makeSpec("num_layers", layers, rootDepth, S::Child),
      makeSpec("ds_image_size", sizes, nativeImageSize, S::Generation),
      // No random resized crop by default: on small images and laptop budgets it costs accuracy
      // (README, "Deviations from the paper"); it stays in the search space.
      makeSpec("ds_crop", boolValues(), 0.0, S::Generation),
      makeSpec("ds_area_range_min", {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0}, 0.05, S::Generation),
      makeSpec("ds_aspect_ratio_range_min", {0.25, 0.5, 0.75, 1.0}, 0.75, S::Generation),
      makeSpec("ds_flip_left_right", boolValues(), 0.0, S::Generation),
      makeSpec("ds_brightness_delta", deltas, 0.0, S::Generation),
      makeSpec("ds_contrast_delta", deltas, 0.0, S::Generation),
  };
  return space;
}

void SearchSpace::override(const std::string& name, std::vector<double> values,
                           std::optional<double> defaultValue) {
  if (!has(name))
    throw ConfigError(key(name) + ": unknown hyperparameter (not in the search space)");
  const HParamSpec& current = spec(name);
  const std::string k = key(name);
  if (values.empty()) throw ConfigError(k + ": the list of values is empty");
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) throw ConfigError(k + ": value " + formatNumber(v) + " is not finite");
    for (std::size_t j = 0; j < i; ++j)
      if (sameValue(values[j], v))
        throw ConfigError(k + ": value " + formatNumber(v) + " appears twice in " +
                          formatList(values));
    if (current.isBool && v != 0.0 && v != 1.0)
      throw ConfigError(k + ": a boolean takes only true/false (1/0), got " + formatNumber(v));
    const auto& labels = categoricalLabels(name);
    if (!labels.empty() && (v < 0 || !isInteger(v) || v >= static_cast<double>(labels.size())))
      throw ConfigError(k + ": " + formatNumber(v) + " is not the code of a label (0 .. " +
                        std::to_string(labels.size() - 1) + ")");
    if ((name == "num_layers" || name == "ds_image_size") && !isInteger(v))
      throw ConfigError(k + ": expected an integer, got " + formatNumber(v));
    // Every value must make sense on its own: a learning rate of 1e10 or a momentum of 5 trains
    // nothing but NaN, and a child full of NaN must never look like an improvement.
    const ValueRange range = valueRange(name, maxNumLayers_);
    if (range.known && !range.contains(v))
      throw ConfigError(k + ": value " + formatNumber(v) + " is outside " + range.text() + " (" +
                        range.meaning + ")");
  }
  // A single value is its own default; otherwise the old default is kept unless one is given.
  const double wantedDefault =
      defaultValue.value_or(values.size() == 1 ? values.front() : current.defaultValue());
  HParamSpec updated = current;
  updated.values = std::move(values);
  try {
    updated.defaultIndex = updated.indexOf(wantedDefault);
  } catch (const ConfigError&) {
    throw ConfigError(k + ": the default " + formatValue(name, wantedDefault) +
                      (defaultValue ? "" : " (kept from before)") + " is not in the list " +
                      formatList(updated.values));
  }
  for (auto& s : specs_)
    if (s.name == name) s = std::move(updated);
}

bool SearchSpace::has(const std::string& name) const {
  return std::any_of(specs_.begin(), specs_.end(),
                     [&](const HParamSpec& s) { return s.name == name; });
}

const HParamSpec& SearchSpace::spec(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return s;
  throw ConfigError(key(name) + ": unknown hyperparameter (not in the search space)");
}

HParams SearchSpace::defaults() const {
  HParams out;
  for (const auto& s : specs_)
    out[s.name] = s.defaultValue();
  return out;
}

HParams SearchSpace::childDefaults() const {
  HParams out;
  for (const auto& s : specs_)
    if (s.scope == HParamScope::Child) out[s.name] = s.defaultValue();
  return out;
}

HParams SearchSpace::generationDefaults() const {
  HParams out;
  for (const auto& s : specs_)
    if (s.scope == HParamScope::Generation) out[s.name] = s.defaultValue();
  return out;
}

std::size_t SearchSpace::indexOf(const std::string& name, double value) const {
  return spec(name).indexOf(value);
}

double mutateIncremental(const HParamSpec& spec, double current, Rng& rng) {
  const std::size_t index = spec.indexOf(current);
  // Draw the direction first and always, so that the number of draws does not depend on where
  // the value sits in its list (keeps later draws aligned across runs with edited lists).
  const bool up = rng.uniform() < 0.5;
  if (up) return index + 1 < spec.values.size() ? spec.values[index + 1] : spec.values[index];
  return index > 0 ? spec.values[index - 1] : spec.values[index];
}

std::string describe(const Mutation& mutation) {
  return mutation.name + " " + formatValue(mutation.name, mutation.from) + "\u2192" +
         formatValue(mutation.name, mutation.to);
}

HParams mutateChildHParams(const SearchSpace& space, const HParams& parent, Rng& rng,
                           std::vector<Mutation>* mutations) {
  HParams child = space.defaults();
  for (const auto& [name, value] : parent)
    child[name] = value;
  // Snap the inherited values to their list entries (throws when one is not in its list), so
  // that the child never carries a value that merely rounds to a list entry.
  for (const auto& s : space.specs())
    child[s.name] = s.values[s.indexOf(child[s.name])];

  // μ governs its own mutation with the parent's value, then every other draw with the child's.
  const HParamSpec& muSpec = space.spec("mu");
  maybeMutate(muSpec, child["mu"], child, rng, mutations);
  const double mu = child["mu"];
  for (const auto& s : space.specs()) {
    if (s.scope != HParamScope::Child || s.name == "mu") continue;
    maybeMutate(s, mu, child, rng, mutations);
  }
  return child;
}

HParams sampleGenerationHParams(const SearchSpace& space, const HParams* taskBest, Rng& rng,
                                std::vector<Mutation>* mutations) {
  HParams out = space.generationDefaults();
  if (taskBest) {
    for (auto& [name, value] : out) {
      const auto it = taskBest->find(name);
      if (it != taskBest->end()) value = space.spec(name).values[space.indexOf(name, it->second)];
    }
  }
  // The data pipeline is not under the task's evolved μ: it uses the default μ (§4.2).
  const double mu = space.spec("mu").defaultValue();
  for (const auto& s : space.specs())
    if (s.scope == HParamScope::Generation) maybeMutate(s, mu, out, rng, mutations);
  return out;
}

DataHParams toDataHParams(const HParams& hp) {
  DataHParams d;
  d.imageSize = static_cast<int>(std::lround(hp.at("ds_image_size")));
  d.crop = hp.at("ds_crop") != 0.0;
  d.areaRangeMin = hp.at("ds_area_range_min");
  d.aspectRatioRangeMin = hp.at("ds_aspect_ratio_range_min");
  d.flipLeftRight = hp.at("ds_flip_left_right") != 0.0;
  d.brightnessDelta = hp.at("ds_brightness_delta");
  d.contrastDelta = hp.at("ds_contrast_delta");
  return d;
}

}  // namespace mu2net
