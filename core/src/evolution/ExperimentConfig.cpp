#include "mu2net/evolution/ExperimentConfig.h"

#include <nlohmann/json.hpp>
#include <set>

#include "common/BoundedFile.h"
#include "common/JsonReader.h"
#include "data/TaskSpecJson.h"
#include "model/ArchitectureJson.h"
#include "model/TimmImport.h"
#include "mu2net/evolution/SearchSpace.h"
#include "mu2net/model/RootCatalog.h"

namespace mu2net {
namespace {

using json = nlohmann::json;
using jsonreader::fail;
using jsonreader::ObjectReader;
using jsonreader::resolve;
using jsonreader::typeName;

constexpr long long kMaxCount = 1LL << 40;

// The baseline policies' names in the JSON file, in enum order.
constexpr const char* kParentPolicyNames[] = {"evolve", "isolated", "previous_task", "first_task"};
constexpr const char* kClonePolicyNames[] = {"mu", "all", "freeze_bottom"};

template <typename Enum, std::size_t N>
Enum parseEnumName(const std::string& name, const std::string& key, const char* const (&names)[N]) {
  std::string valid;
  for (std::size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<Enum>(i);
    valid += (i ? ", " : "") + std::string(names[i]);
  }
  fail(key, "'" + name + "' is not one of: " + valid);
}

ParentPolicy parseParentPolicy(const std::string& name, const std::string& key) {
  return parseEnumName<ParentPolicy>(name, key, kParentPolicyNames);
}
ClonePolicy parseClonePolicy(const std::string& name, const std::string& key) {
  return parseEnumName<ClonePolicy>(name, key, kClonePolicyNames);
}
const char* parentPolicyName(ParentPolicy p) {
  return kParentPolicyNames[static_cast<int>(p)];
}
const char* clonePolicyName(ClonePolicy p) {
  return kClonePolicyNames[static_cast<int>(p)];
}

// The value of one architecture key, as text for messages.
std::string architectureValue(const ArchitectureConfig& a, const std::string& key) {
  if (key == "architecture") return toString(a.kind);
  if (key == "stem") return toString(a.stem);
  if (key == "image_size") return std::to_string(a.imageSize);
  if (key == "patch_size") return std::to_string(a.patchSize);
  if (key == "width") return std::to_string(a.width);
  if (key == "heads") return std::to_string(a.heads);
  if (key == "mlp_dim") return std::to_string(a.mlpDim);
  return std::to_string(a.depth);
}

// A trained root fixes its architecture: keys the configuration also gives must agree with it,
// except image_size (a ViT's position embedding is re-interpolated to it when the root is loaded).
ArchitectureConfig mergeRootArchitecture(const ArchitectureConfig& fromRoot,
                                         const ArchitectureConfig& given,
                                         const std::set<std::string>& givenKeys,
                                         const std::string& what) {
  ArchitectureConfig a = fromRoot;
  for (const auto& key : givenKeys) {
    if (key == "image_size") continue;
    const std::string want = architectureValue(fromRoot, key);
    const std::string have = architectureValue(given, key);
    if (want != have)
      fail("root." + key, what + " has " + key + " " + want + ", not " + have +
                              "; leave the key out or set it to " + want);
  }
  if (givenKeys.count("image_size")) a.imageSize = given.imageSize;
  return a;
}

void readRoot(const json& j, RootOptions& root, const std::filesystem::path& baseDir) {
  ObjectReader r(j, "root");
  ArchitectureConfig given;
  std::set<std::string> givenKeys;
  readArchitectureKeys(r, given, givenKeys);
  std::string checkpoint;
  r.string("pretrained", root.pretrained);
  r.string("checkpoint", checkpoint);
  r.finish();
  if (j.contains("pretrained") && root.pretrained.empty())
    fail("root.pretrained", "must name a built-in root (see 'mu2net roots')");
  if (j.contains("checkpoint") && checkpoint.empty()) fail("root.checkpoint", "must name a file");
  if (!root.pretrained.empty() && !checkpoint.empty())
    fail("root", "give either 'pretrained' (a built-in root) or 'checkpoint' (a file), not both");
  if (!root.pretrained.empty()) {
    const RootInfo info = findBuiltinRoot(root.pretrained);  // ConfigError naming the key
    root.checkpoint = info.file;
    root.architecture = mergeRootArchitecture(info.architecture, given, givenKeys,
                                              "the built-in root '" + root.pretrained + "'");
  } else if (!checkpoint.empty()) {
    root.checkpoint = resolve(baseDir, checkpoint);
    // A folder or a FIFO is named as such, not as a missing file.
    if (const std::string problem = notARegularFile(root.checkpoint); !problem.empty())
      fail("root.checkpoint", root.checkpoint.string() + " " + problem);
    const std::string what = "the checkpoint " + root.checkpoint.filename().string();
    if (root.checkpoint.extension() == ".safetensors") {
      // A ViT with timm's names: its sizes come from the file's header; the number of attention
      // heads is not in the tensors' shapes, so it comes from the file's metadata or the key.
      TimmVitInfo info;
      try {
        info = inspectTimmVit(root.checkpoint);
      } catch (const std::exception& e) {
        fail("root.checkpoint", e.what());
      }
      if (!info.heads && !givenKeys.count("heads"))
        fail("root.heads", what +
                               " does not record its number of attention heads; set root.heads "
                               "(timm ViT-Ti: 3, ViT-S: 6, ViT-B: 12)");
      info.arch.heads = info.heads ? *info.heads : given.heads;
      if (!givenKeys.count("heads")) givenKeys.insert("heads"), given.heads = info.arch.heads;
      root.architecture = mergeRootArchitecture(info.arch, given, givenKeys, what);
    } else {
      const std::optional<RootInfo> info = describeRootCheckpoint(root.checkpoint);
      root.architecture =
          info ? mergeRootArchitecture(info->architecture, given, givenKeys, what) : given;
    }
  } else {
    root.architecture = given;
  }
  try {
    validate(root.architecture);
  } catch (const std::exception& e) {
    fail("root", e.what());
  }
}

TaskSpec readTask(const json& j, const std::string& path, const std::filesystem::path& baseDir) {
  ObjectReader r(j, path);
  TaskSpec t = jsonreader::readTaskKeys(r, baseDir);
  if (t.name == "root") fail(r.key("name"), "'root' is reserved for the root model");
  r.number("validation_fraction", t.validationFraction, 0.0, 0.9, true);
  r.finish();
  return t;
}

void readSearchSpace(const json& j, ExperimentConfig& config) {
  ObjectReader r(j, "search_space");
  // Validate against the real search space so that names and defaults are checked here.
  SearchSpace space = SearchSpace::laptopDefaults(
      config.root.architecture.depth, config.root.architecture.imageSize, config.imageSizes);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string name = it.key();
    const std::string key = r.key(name);
    r.find(name);
    SearchSpaceOverride o;
    const json* values = nullptr;
    const json* def = nullptr;
    if (it->is_array()) {
      values = &*it;
    } else {
      ObjectReader d(*it, key);
      values = &d.require("values");
      def = d.find("default");
      d.finish();
    }
    if (!values->is_array()) fail(key + ".values", "expected an array of numbers or booleans");
    const bool categorical = !categoricalLabels(name).empty();
    const auto value = [&](const json& v, const std::string& k) {
      if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
      if (categorical && v.is_string()) return categoricalCode(name, v.get<std::string>());
      return ObjectReader::asNumber(v, k, -1e300, 1e300, false);
    };
    for (std::size_t i = 0; i < values->size(); ++i)
      o.values.push_back(value((*values)[i], key + "[" + std::to_string(i) + "]"));
    if (def) o.defaultValue = value(*def, key + ".default");
    space.override(name, o.values, o.defaultValue);  // throws ConfigError naming the key
    config.searchSpace[name] = o;
  }
  r.finish();
}

}  // namespace

ExperimentConfig parseExperimentConfig(const std::string& jsonText,
                                       const std::filesystem::path& baseDir) {
  const json j = jsonreader::parseConfigJson(jsonText);
  ExperimentConfig c;
  ObjectReader top(j, "");
  if (const json* v = top.find("seed"))
    c.seed = static_cast<std::uint64_t>(ObjectReader::asInteger(*v, "seed", 0, kMaxCount));
  // No root given: the built-in default root (μ2Net extends a pretrained model).
  if (const json* v = top.find("root"))
    readRoot(*v, c.root, baseDir);
  else
    readRoot(json{{"pretrained", kDefaultRootName}}, c.root, baseDir);

  const json& tasks = top.require("tasks");
  if (!tasks.is_array()) fail("tasks", "expected an array, found " + typeName(tasks));
  if (tasks.empty()) fail("tasks", "must list at least one task");
  std::set<std::string> names;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const std::string path = "tasks[" + std::to_string(i) + "]";
    c.tasks.push_back(readTask(tasks[i], path, baseDir));
    if (!names.insert(c.tasks.back().name).second)
      fail(path + ".name", "task name '" + c.tasks.back().name + "' is used twice");
  }

  if (const json* v = top.find("evolution")) {
    ObjectReader r(*v, "evolution");
    auto& e = c.evolution;
    r.integer("generation_size", e.generationSize, 1, 1024);
    r.integer("children_per_task_iteration", e.childrenPerTaskIteration, 1, 1 << 20);
    r.integer("task_iterations", e.taskIterations, 1, 1 << 20);
    r.number("scale_factor", e.scaleFactor, 0.0, 1.0, true);
    r.number("reference_params", e.referenceParams, 0.0, 1e15, true);
    r.boolean("clone_untrained_root", e.cloneUntrainedRoot);
    if (const json* p = r.find("parent_policy"))
      e.parentPolicy = parseParentPolicy(ObjectReader::asString(*p, r.key("parent_policy")),
                                         r.key("parent_policy"));
    if (const json* p = r.find("clone_policy"))
      e.clonePolicy = parseClonePolicy(ObjectReader::asString(*p, r.key("clone_policy")),
                                       r.key("clone_policy"));
    r.integer("freeze_blocks", e.freezeBlocks, 0, c.root.architecture.depth);
    r.finish();
  }
  if (const json* v = top.find("training")) {
    ObjectReader r(*v, "training");
    auto& t = c.training;
    r.integer("batch_size", t.batchSize, 1, 65536);
    r.integer("validations_per_child", t.validationsPerChild, 1, 1000);
    r.integer("train_examples_between_validations", t.trainExamplesBetweenValidations, 1,
              kMaxCount);
    r.integer("validation_examples_max", t.validationExamplesMax, 0, kMaxCount);
    r.integer("test_examples_max", t.testExamplesMax, 0, kMaxCount);
    r.integer("threads", t.threads, 1, 256);
    r.integer("parallel_children", t.parallelChildren, 0, 256);
    r.boolean("share_frozen_prefix", t.shareFrozenPrefix);
    r.integer("activation_cache_mib", t.activationCacheMib, 0, 1 << 20);
    if (const json* p = r.find("precision")) {
      const std::string key = r.key("precision");
      const std::string name = ObjectReader::asString(*p, key);
      const auto precision = parsePrecision(name);
      if (!precision) fail(key, "'" + name + "' is not one of: auto, float32, bf16-frozen, bf16");
      t.precision = *precision;
    }
    r.finish();
  }
  if (const json* v = top.find("image_sizes")) {
    if (!v->is_array() || v->empty()) fail("image_sizes", "expected a non-empty array");
    c.imageSizes.clear();
    for (std::size_t i = 0; i < v->size(); ++i)
      c.imageSizes.push_back(static_cast<int>(
          ObjectReader::asInteger((*v)[i], "image_sizes[" + std::to_string(i) + "]", 4, 512)));
  }
  if (const json* v = top.find("search_space")) readSearchSpace(*v, c);
  top.finish();
  return c;
}

std::filesystem::path normalPath(const std::filesystem::path& p) {
  std::filesystem::path n = p.lexically_normal();
  if (!n.has_filename() && n.has_relative_path()) n = n.parent_path();
  return n;
}

ExperimentConfig loadExperimentConfig(const std::filesystem::path& file) {
  return jsonreader::loadConfigFile(file, parseExperimentConfig);
}

std::string experimentConfigToJson(const ExperimentConfig& c) {
  json j;
  j["seed"] = c.seed;
  const auto& a = c.root.architecture;
  j["root"] = architectureJson(a);
  // A built-in root is named, not located: its file may live elsewhere on another installation.
  if (!c.root.pretrained.empty())
    j["root"]["pretrained"] = c.root.pretrained;
  else if (!c.root.checkpoint.empty())
    j["root"]["checkpoint"] = c.root.checkpoint.string();
  j["tasks"] = json::array();
  for (const auto& t : c.tasks) {
    json jt = {{"name", t.name},
               {"format", formatName(t.format)},
               {"path", t.path.string()},
               {"validation_fraction", t.validationFraction}};
    if (!t.classes.empty()) jt["classes"] = t.classes;
    j["tasks"].push_back(jt);
  }
  const auto& e = c.evolution;
  j["evolution"] = {{"generation_size", e.generationSize},
                    {"children_per_task_iteration", e.childrenPerTaskIteration},
                    {"task_iterations", e.taskIterations},
                    {"scale_factor", e.scaleFactor},
                    {"reference_params", e.referenceParams},
                    {"clone_untrained_root", e.cloneUntrainedRoot},
                    {"parent_policy", parentPolicyName(e.parentPolicy)},
                    {"clone_policy", clonePolicyName(e.clonePolicy)},
                    {"freeze_blocks", e.freezeBlocks}};
  const auto& t = c.training;
  j["training"] = {{"batch_size", t.batchSize},
                   {"validations_per_child", t.validationsPerChild},
                   {"train_examples_between_validations", t.trainExamplesBetweenValidations},
                   {"validation_examples_max", t.validationExamplesMax},
                   {"test_examples_max", t.testExamplesMax},
                   {"threads", t.threads},
                   {"parallel_children", t.parallelChildren},
                   {"share_frozen_prefix", t.shareFrozenPrefix},
                   {"activation_cache_mib", t.activationCacheMib},
                   {"precision", toString(t.precision)}};
  j["image_sizes"] = c.imageSizes;
  if (!c.searchSpace.empty()) {
    json s = json::object();
    for (const auto& [name, o] : c.searchSpace) {
      json so;
      if (categoricalLabels(name).empty()) {
        so["values"] = o.values;
        if (o.defaultValue) so["default"] = *o.defaultValue;
      } else {
        so["values"] = json::array();
        for (double v : o.values)
          so["values"].push_back(formatHParam(name, v));
        if (o.defaultValue) so["default"] = formatHParam(name, *o.defaultValue);
      }
      s[name] = so;
    }
    j["search_space"] = s;
  }
  return j.dump(2);
}

}  // namespace mu2net
