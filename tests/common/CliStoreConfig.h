#pragma once
// The two-task MNIST experiment of the CLI store tests (a ViT of width 16, two task iterations of
// one generation of two children each: 4 generations) written as a configuration file, and a
// file's bytes.
#include <QFile>
#include <QTemporaryDir>

#include "TestData.h"

namespace mu2net::testdata {

inline QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline QString writeCliStoreConfig(const QTemporaryDir& dir) {
  const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
  const QString path = dir.filePath("exp.json");
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(QStringLiteral(R"({
    "seed": 9,
    "root": {"architecture": "vit", "width": 16, "heads": 2, "mlp_dim": 32, "depth": 2},
    "tasks": [{"name": "low", "format": "idx", "path": "%1", "classes": [0, 1, 2]},
              {"name": "high", "format": "idx", "path": "%1", "classes": [7, 8, 9]}],
    "evolution": {"generation_size": 2, "children_per_task_iteration": 2, "task_iterations": 2},
    "training": {"batch_size": 32, "validations_per_child": 2,
                 "train_examples_between_validations": 256, "validation_examples_max": 128,
                 "test_examples_max": 200}
  })")
              .arg(mnist)
              .toUtf8());
  return path;
}

}  // namespace mu2net::testdata
