#pragma once
// Small experiments on real data for tests and benchmarks: tasks over IDX folders and a tiny ViT
// root with a budget of a few hundred examples per child.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mu2net/evolution/ExperimentConfig.h"

namespace mu2net::testdata {

/// A task over an IDX folder, optionally a subset of its classes.
inline TaskSpec idxTask(const std::string& name, const std::filesystem::path& path,
                        std::vector<int> classes = {}) {
  TaskSpec t;
  t.name = name;
  t.format = DatasetFormat::Idx;
  t.path = path;
  t.classes = std::move(classes);
  return t;
}

/// The budget of tinyVitConfig().
struct TinyBudget {
  int batchSize = 16;
  int validations = 1;
  int64_t examples = 64;  ///< training examples between validations
  int64_t validationMax = 64;
  int64_t testMax = 64;
  int taskIterations = 1;
};

/// A ViT root of width 16 (2 heads, MLP 32, 2 blocks), generations of 2 children and one
/// generation per task iteration; no tasks.
inline ExperimentConfig tinyVitConfig(std::uint64_t seed, const TinyBudget& b = {}) {
  ExperimentConfig c;
  c.seed = seed;
  c.root.architecture.kind = ArchitectureKind::Vit;
  c.root.architecture.width = 16;
  c.root.architecture.heads = 2;
  c.root.architecture.mlpDim = 32;
  c.root.architecture.depth = 2;
  c.evolution.generationSize = 2;
  c.evolution.childrenPerTaskIteration = 2;
  c.evolution.taskIterations = b.taskIterations;
  c.training.batchSize = b.batchSize;
  c.training.validationsPerChild = b.validations;
  c.training.trainExamplesBetweenValidations = b.examples;
  c.training.validationExamplesMax = b.validationMax;
  c.training.testExamplesMax = b.testMax;
  return c;
}

/// The ConfigError message of parsing `json` (relative paths against /base), or "" when it parses.
inline std::string configErrorOf(const std::string& json) {
  try {
    parseExperimentConfig(json, "/base");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace mu2net::testdata
