#pragma once
// Shared by the ui tests: a tiny but real experiment on MNIST subsets (a few seconds on 2 cores).
#include <QAbstractItemModel>
#include <QStringList>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "TestConfigs.h"
#include "TestData.h"
#include "mu2net/evolution/ExperimentConfig.h"

namespace mu2net::testui {

inline TaskSpec mnistTask(const std::string& name, std::vector<int> classes) {
  return testdata::idxTask(name, testdata::mnistDir(), std::move(classes));
}

/// CNN root of width 8 and depth 1, batches of 32, one validation of 256 examples per child,
/// 200 test examples; `tasks` MNIST subsets, `iterations` task iterations of two children each.
inline ExperimentConfig tinyConfig(int iterations = 1) {
  ExperimentConfig c;
  c.seed = 5;
  c.root.architecture.kind = ArchitectureKind::Cnn;
  c.root.architecture.width = 8;
  c.root.architecture.depth = 1;
  c.evolution.generationSize = 2;
  c.evolution.childrenPerTaskIteration = 2;
  c.evolution.taskIterations = iterations;
  c.training.batchSize = 32;
  c.training.validationsPerChild = 1;
  c.training.trainExamplesBetweenValidations = 1024;
  c.training.validationExamplesMax = 256;
  c.training.testExamplesMax = 200;
  c.tasks = {mnistTask("digits-0-4", {0, 1, 2, 3, 4})};
  return c;
}

/// tinyConfig(2) with a second task (digits-5-9) and seed 7: in its second iteration a task keeps a
/// child that scores below its first iteration's best, so the best child of the history is not the
/// retained model; some children start from the other task's model.
inline ExperimentConfig twoTaskConfig() {
  ExperimentConfig c = tinyConfig(2);
  c.seed = 7;
  c.tasks.push_back(mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
  return c;
}

/// Every row of `model` as its cells' display text joined by " | ".
inline QStringList rowsOf(const QAbstractItemModel* model) {
  QStringList rows;
  for (int r = 0; r < model->rowCount(); ++r) {
    QStringList cells;
    for (int c = 0; c < model->columnCount(); ++c)
      cells << model->index(r, c).data().toString();
    rows << cells.join(QStringLiteral(" | "));
  }
  return rows;
}

}  // namespace mu2net::testui
