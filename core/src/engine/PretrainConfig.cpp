// Reading and writing the configuration of `mu2net pretrain` (see Pretrain.h and README).
#include <nlohmann/json.hpp>
#include <set>

#include "common/JsonReader.h"
#include "data/TaskSpecJson.h"
#include "mu2net/engine/Pretrain.h"

namespace mu2net {
namespace {

using json = nlohmann::json;
using jsonreader::fail;
using jsonreader::ObjectReader;
using jsonreader::typeName;

constexpr long long kMaxSteps = 1LL << 40;

const char* familyName(GlyphFamily f) {
  return f == GlyphFamily::Glyphs ? "glyphs" : "contours";
}

PretrainSource readSource(const json& j, const std::string& path,
                          const std::filesystem::path& baseDir) {
  ObjectReader r(j, path);
  PretrainSource s;
  r.number("weight", s.weight, 0.0, 1e6, true);
  if (const json* v = r.find("synthetic")) {
    s.kind = PretrainSource::Kind::SyntheticGlyphs;
    const std::string family = ObjectReader::asString(*v, r.key("synthetic"));
    if (family == "glyphs")
      s.glyphs.family = GlyphFamily::Glyphs;
    else if (family == "contours")
      s.glyphs.family = GlyphFamily::Contours;
    else
      fail(r.key("synthetic"), "'" + family + "' is not one of: glyphs, contours");
    auto& g = s.glyphs;
    r.integer("classes", g.numClasses, 1, 1000000);
    r.integer("strokes_min", g.strokesMin, 1, 16);
    r.integer("strokes_max", g.strokesMax, 1, 16);
    r.number("invert_probability", g.invertProbability, 0.0, 1.0);
    r.finish();
    try {
      validateSyntheticGlyphOptions(g);
    } catch (const std::exception& e) {
      fail(path, e.what());
    }
    return s;
  }
  s.kind = PretrainSource::Kind::Dataset;
  s.dataset = jsonreader::readTaskKeys(r, baseDir);
  r.number("crop_area_min", s.cropAreaMin, 0.0, 1.0, true);
  r.finish();
  return s;
}

}  // namespace

PretrainConfig parsePretrainConfig(const std::string& jsonText,
                                   const std::filesystem::path& baseDir) {
  const json j = jsonreader::parseConfigJson(jsonText);
  PretrainConfig c;
  ObjectReader top(j, "");
  top.string("name", c.name);
  if (const json* v = top.find("seed"))
    c.seed = static_cast<std::uint64_t>(ObjectReader::asInteger(*v, "seed", 0, 1LL << 40));
  if (const json* v = top.find("root"))
    c.architecture = parseArchitectureJson(v->dump(), "config key 'root'");
  const json& sources = top.require("sources");
  if (!sources.is_array() || sources.empty())
    fail("sources", "expected a non-empty array, found " + typeName(sources));
  std::set<std::string> names;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string path = "sources[" + std::to_string(i) + "]";
    c.sources.push_back(readSource(sources[i], path, baseDir));
    const auto& s = c.sources.back();
    if (s.kind == PretrainSource::Kind::Dataset && !names.insert(s.dataset.name).second)
      fail(path + ".name", "the name '" + s.dataset.name + "' is used twice");
  }
  if (const json* v = top.find("training")) {
    ObjectReader r(*v, "training");
    r.integer("steps", c.steps, 1, kMaxSteps);
    r.integer("batch_size", c.batchSize, 2, 4096);
    if (const json* o = r.find("optimizer"))
      c.optimizer = static_cast<OptimizerKind>(
          std::lround(categoricalCode("opt_type", ObjectReader::asString(*o, r.key("optimizer")))));
    r.number("learning_rate", c.learningRate, 0.0, 1.0, true);
    r.number("momentum", c.momentum, 0.0, 0.999);
    r.number("weight_decay", c.weightDecay, 0.0, 1.0);
    r.number("warmup_ratio", c.warmupRatio, 0.0, 1.0);
    r.integer("threads", c.threads, 1, 256);
    r.finish();
  }
  if (const json* v = top.find("evaluation")) {
    ObjectReader r(*v, "evaluation");
    r.integer("examples", c.evaluationExamples, 1, 1 << 24);
    r.integer("every", c.evaluateEvery, 1, kMaxSteps);
    r.finish();
  }
  top.integer("checkpoint_every", c.checkpointEvery, 1, kMaxSteps);
  top.finish();
  return c;
}

PretrainConfig loadPretrainConfig(const std::filesystem::path& file) {
  return jsonreader::loadConfigFile(file, parsePretrainConfig);
}

std::string pretrainConfigToJson(const PretrainConfig& c) {
  json j;
  j["name"] = c.name;
  j["seed"] = c.seed;
  j["root"] = json::parse(architectureToJson(c.architecture));
  j["sources"] = json::array();
  for (const auto& s : c.sources) {
    json js;
    if (s.kind == PretrainSource::Kind::SyntheticGlyphs) {
      js = {{"synthetic", familyName(s.glyphs.family)},
            {"classes", s.glyphs.numClasses},
            {"strokes_min", s.glyphs.strokesMin},
            {"strokes_max", s.glyphs.strokesMax},
            {"invert_probability", s.glyphs.invertProbability}};
    } else {
      js = {{"name", s.dataset.name},
            {"format", formatName(s.dataset.format)},
            {"path", s.dataset.path.string()},
            {"crop_area_min", s.cropAreaMin}};
      if (!s.dataset.classes.empty()) js["classes"] = s.dataset.classes;
    }
    js["weight"] = s.weight;
    j["sources"].push_back(js);
  }
  j["training"] = {{"steps", c.steps},
                   {"batch_size", c.batchSize},
                   {"optimizer", formatHParam("opt_type", static_cast<double>(c.optimizer))},
                   {"learning_rate", c.learningRate},
                   {"momentum", c.momentum},
                   {"weight_decay", c.weightDecay},
                   {"warmup_ratio", c.warmupRatio},
                   {"threads", c.threads}};
  j["evaluation"] = {{"examples", c.evaluationExamples}, {"every", c.evaluateEvery}};
  j["checkpoint_every"] = c.checkpointEvery;
  return j.dump(2);
}

}  // namespace mu2net
