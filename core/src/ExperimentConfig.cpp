#include "mu2net/ExperimentConfig.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "mu2net/SearchSpace.h"

namespace mu2net {
namespace {

using json = nlohmann::json;

std::string typeName(const json& j) {
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer() || j.is_number_unsigned()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "null";
}

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw ConfigError("config key '" + key + "': " + problem);
}

// A JSON object being read: every key must be consumed, so unknown keys are reported by name.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail(pathOrRoot(), "expected an object, found " + typeName(j_));
  }

  std::string key(const std::string& name) const {
    return path_.empty() ? name : path_ + "." + name;
  }

  const json* find(const std::string& name) {
    known_.insert(name);
    const auto it = j_.find(name);
    return it == j_.end() ? nullptr : &*it;
  }

  const json& require(const std::string& name) {
    const json* v = find(name);
    if (!v) fail(key(name), "is required");
    return *v;
  }

  template <typename T>
  void integer(const std::string& name, T& out, long long lo, long long hi) {
    if (const json* v = find(name)) out = static_cast<T>(asInteger(*v, key(name), lo, hi));
  }

  void number(const std::string& name, double& out, double lo, double hi, bool openLow = false) {
    if (const json* v = find(name)) out = asNumber(*v, key(name), lo, hi, openLow);
  }

  void boolean(const std::string& name, bool& out) {
    if (const json* v = find(name)) {
      if (!v->is_boolean()) fail(key(name), "expected a boolean, found " + typeName(*v));
      out = v->get<bool>();
    }
  }

  void string(const std::string& name, std::string& out) {
    if (const json* v = find(name)) out = asString(*v, key(name));
  }

  // Call after reading every known key.
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (!known_.count(it.key())) {
        std::string valid;
        for (const auto& k : known_)
          valid += (valid.empty() ? "" : ", ") + k;
        fail(key(it.key()), "unknown key (valid keys here: " + valid + ")");
      }
    }
  }

  static long long asInteger(const json& v, const std::string& key, long long lo, long long hi) {
    if (!(v.is_number_integer() || v.is_number_unsigned()))
      fail(key, "expected an integer, found " + typeName(v));
    const long long x = v.get<long long>();
    if (x < lo || x > hi)
      fail(key, "value " + std::to_string(x) + " is outside [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
    return x;
  }

  static double asNumber(const json& v, const std::string& key, double lo, double hi,
                         bool openLow) {
    if (!v.is_number()) fail(key, "expected a number, found " + typeName(v));
    const double x = v.get<double>();
    if (x < lo || x > hi || (openLow && x == lo)) {
      std::ostringstream os;
      os << "value " << x << " is outside " << (openLow ? "(" : "[") << lo << ", " << hi << "]";
      fail(key, os.str());
    }
    return x;
  }

  static std::string asString(const json& v, const std::string& key) {
    if (!v.is_string()) fail(key, "expected a string, found " + typeName(v));
    return v.get<std::string>();
  }

 private:
  std::string pathOrRoot() const { return path_.empty() ? "(top level)" : path_; }

  const json& j_;
  std::string path_;
  std::set<std::string> known_;
};

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

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() || base.empty() ? path : base / path;
}

void readRoot(const json& j, RootOptions& root, const std::filesystem::path& baseDir) {
  ObjectReader r(j, "root");
  auto& a = root.architecture;
  if (const json* v = r.find("architecture")) {
    const std::string name = ObjectReader::asString(*v, r.key("architecture"));
    if (name == "vit")
      a.kind = ArchitectureKind::Vit;
    else if (name == "cnn")
      a.kind = ArchitectureKind::Cnn;
    else
      fail(r.key("architecture"), "'" + name + "' is not one of: vit, cnn");
  }
  r.integer("image_size", a.imageSize, 4, 512);
  r.integer("patch_size", a.patchSize, 1, 64);
  r.integer("width", a.width, 1, 4096);
  r.integer("heads", a.heads, 1, 64);
  r.integer("mlp_dim", a.mlpDim, 1, 16384);
  r.integer("depth", a.depth, 0, 64);
  std::string checkpoint;
  r.string("checkpoint", checkpoint);
  if (!checkpoint.empty()) root.checkpoint = resolve(baseDir, checkpoint);
  r.finish();
  try {
    validate(a);
  } catch (const std::exception& e) {
    fail("root", e.what());
  }
}

TaskSpec readTask(const json& j, const std::string& path, const std::filesystem::path& baseDir) {
  ObjectReader r(j, path);
  TaskSpec t;
  t.name = ObjectReader::asString(r.require("name"), r.key("name"));
  if (t.name.empty()) fail(r.key("name"), "must not be empty");
  if (t.name == "root") fail(r.key("name"), "'root' is reserved for the root model");
  const std::string format = ObjectReader::asString(r.require("format"), r.key("format"));
  try {
    t.format = parseDatasetFormat(format);
  } catch (const std::exception& e) {
    fail(r.key("format"), e.what());
  }
  t.path = resolve(baseDir, ObjectReader::asString(r.require("path"), r.key("path")));
  if (const json* v = r.find("classes")) {
    if (!v->is_array()) fail(r.key("classes"), "expected an array, found " + typeName(*v));
    if (v->empty()) fail(r.key("classes"), "must list at least two classes");
    for (std::size_t i = 0; i < v->size(); ++i)
      t.classes.push_back(static_cast<int>(ObjectReader::asInteger(
          (*v)[i], r.key("classes") + "[" + std::to_string(i) + "]", 0, 1 << 20)));
    std::set<int> unique(t.classes.begin(), t.classes.end());
    if (unique.size() != t.classes.size()) fail(r.key("classes"), "lists a class twice");
    if (t.classes.size() < 2) fail(r.key("classes"), "must list at least two classes");
  }
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
    for (std::size_t i = 0; i < values->size(); ++i) {
      const json& v = (*values)[i];
      if (v.is_boolean())
        o.values.push_back(v.get<bool>() ? 1.0 : 0.0);
      else
        o.values.push_back(
            ObjectReader::asNumber(v, key + "[" + std::to_string(i) + "]", -1e300, 1e300, false));
    }
    if (def) {
      if (def->is_boolean())
        o.defaultValue = def->get<bool>() ? 1.0 : 0.0;
      else
        o.defaultValue = ObjectReader::asNumber(*def, key + ".default", -1e300, 1e300, false);
    }
    space.override(name, o.values, o.defaultValue);  // throws ConfigError naming the key
    config.searchSpace[name] = o;
  }
  r.finish();
}

}  // namespace

ExperimentConfig parseExperimentConfig(const std::string& jsonText,
                                       const std::filesystem::path& baseDir) {
  json j;
  try {
    j = json::parse(jsonText);
  } catch (const json::parse_error& e) {
    throw ConfigError(std::string("configuration is not valid JSON: ") + e.what());
  }
  ExperimentConfig c;
  ObjectReader top(j, "");
  if (const json* v = top.find("seed"))
    c.seed = static_cast<std::uint64_t>(ObjectReader::asInteger(*v, "seed", 0, kMaxCount));
  if (const json* v = top.find("root")) readRoot(*v, c.root, baseDir);

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
    r.integer("validation_examples_max", t.validationExamplesMax, 1, kMaxCount);
    r.integer("test_examples_max", t.testExamplesMax, 0, kMaxCount);
    r.integer("threads", t.threads, 1, 256);
    r.integer("parallel_children", t.parallelChildren, 0, 256);
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
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError("cannot open configuration file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return parseExperimentConfig(ss.str(), file.parent_path());
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
}

std::string experimentConfigToJson(const ExperimentConfig& c) {
  json j;
  j["seed"] = c.seed;
  const auto& a = c.root.architecture;
  j["root"] = {{"architecture", a.kind == ArchitectureKind::Vit ? "vit" : "cnn"},
               {"image_size", a.imageSize},
               {"patch_size", a.patchSize},
               {"width", a.width},
               {"heads", a.heads},
               {"mlp_dim", a.mlpDim},
               {"depth", a.depth}};
  if (!c.root.checkpoint.empty()) j["root"]["checkpoint"] = c.root.checkpoint.string();
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
                   {"parallel_children", t.parallelChildren}};
  j["image_sizes"] = c.imageSizes;
  if (!c.searchSpace.empty()) {
    json s = json::object();
    for (const auto& [name, o] : c.searchSpace) {
      json so = {{"values", o.values}};
      if (o.defaultValue) so["default"] = *o.defaultValue;
      s[name] = so;
    }
    j["search_space"] = s;
  }
  return j.dump(2);
}

}  // namespace mu2net
