// Pretraining a root (Pretrain.h): the configuration's strict parsing, learning far above chance
// on the synthetic glyphs, bit-identical results across an interruption and resumption, mixed
// dataset sources in one label space, refusal of a foreign saved state and of overwriting a file
// that is not root metadata, and the written root used by an experiment through its metadata.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <fstream>

#include "TestConfigs.h"
#include "TestData.h"
#include "model/ComponentFile.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/engine/Pretrain.h"

using namespace mu2net;

namespace {

// A tiny ViT with a conv stem on 16 px glyphs of `classes` classes.
PretrainConfig tinyConfig(int classes, std::int64_t steps) {
  PretrainConfig c;
  c.seed = 5;
  c.architecture.imageSize = 16;
  c.architecture.patchSize = 4;
  c.architecture.stem = StemKind::Conv;
  c.architecture.width = 32;
  c.architecture.heads = 2;
  c.architecture.mlpDim = 64;
  c.architecture.depth = 2;
  PretrainSource glyphs;
  glyphs.glyphs.numClasses = classes;
  c.sources = {glyphs};
  c.steps = steps;
  c.batchSize = 32;
  c.learningRate = 3e-3;
  c.evaluationExamples = 256;
  c.evaluateEvery = 20;
  c.checkpointEvery = 10;
  c.threads = 1;
  return c;
}

std::string bytesOf(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

class TstPretrain : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void configurationIsStrict() {
    const std::string ok =
        R"({"seed": 3, "root": {"stem": "conv", "width": 32, "heads": 2, "depth": 2},
            "sources": [{"synthetic": "glyphs", "classes": 50, "weight": 2},
                        {"name": "digits", "format": "idx", "path": "mnist",
                         "classes": [0, 1], "crop_area_min": 0.5}],
            "training": {"steps": 10, "batch_size": 16, "optimizer": "adamw",
                         "learning_rate": 0.001, "weight_decay": 0.01, "threads": 2},
            "evaluation": {"examples": 64, "every": 5}, "checkpoint_every": 5})";
    const PretrainConfig c = parsePretrainConfig(ok, "/data");
    QCOMPARE(c.sources.size(), std::size_t{2});
    QCOMPARE(c.sources[0].glyphs.numClasses, 50);
    QCOMPARE(c.sources[0].weight, 2.0);
    QCOMPARE(c.sources[1].dataset.path, std::filesystem::path("/data/mnist"));
    QCOMPARE(c.sources[1].cropAreaMin, 0.5);
    QVERIFY(c.architecture.stem == StemKind::Conv);
    QCOMPARE(c.threads, 2);
    // The canonical JSON reads back to the same configuration.
    QCOMPARE(pretrainConfigToJson(parsePretrainConfig(pretrainConfigToJson(c), "/")),
             pretrainConfigToJson(c));
    const auto errorOf = [](const std::string& json) -> std::string {
      try {
        parsePretrainConfig(json, "/");
      } catch (const ConfigError& e) {
        return e.what();
      }
      return "";
    };
    const std::vector<std::pair<std::string, std::string>> bad = {
        {R"({})", "sources"},
        {R"({"sources": []})", "sources"},
        {R"({"sources": [{"synthetic": "fractals"}]})", "sources[0].synthetic"},
        {R"({"sources": [{"synthetic": "glyphs", "classes": 0}]})", "sources[0].classes"},
        {R"({"sources": [{"synthetic": "glyphs", "weight": 0}]})", "sources[0].weight"},
        {R"({"sources": [{"synthetic": "glyphs"}], "training": {"steps": 0}})", "training.steps"},
        {R"({"sources": [{"synthetic": "glyphs"}], "training": {"optimizer": "lion"}})",
         "opt_type"},
        {R"({"sources": [{"synthetic": "glyphs"}], "root": {"stem": "conv", "patch_size": 3}})",
         "root"},
        {R"({"sources": [{"synthetic": "glyphs"}], "epochs": 3})", "epochs"},
        {R"({"sources": [{"name": "x", "format": "png", "path": "p"}]})", "sources[0].format"},
    };
    for (const auto& [json, key] : bad) {
      const std::string m = errorOf(json);
      QVERIFY2(m.find(key) != std::string::npos, (json + " -> " + m).c_str());
    }
  }

  void learnsTheGlyphsFarAboveChance() {
    QTemporaryDir dir;
    const std::filesystem::path out = dir.filePath("glyphs10.pt").toStdString();
    const PretrainConfig c = tinyConfig(10, 400);
    std::vector<double> accuracies;
    const PretrainResult r = pretrainRoot(
        c, out,
        [&](const PretrainProgress& p) {
          if (p.evaluationAccuracy) accuracies.push_back(*p.evaluationAccuracy);
        },
        nullptr, "test");
    QVERIFY(!r.interrupted);
    QCOMPARE(r.step, int64_t{400});
    QCOMPARE(accuracies.size(), std::size_t{20});
    qInfo("held-out accuracy after 400 steps on 10 glyph classes: %.3f", r.accuracy);
    QVERIFY2(r.accuracy > 0.5, "chance is 0.1");  // measured 0.94
    // The root and its metadata: every slot but the head, described as written.
    const SlotTensors root = loadComponentFile(out);
    QCOMPARE(root.size(), std::size_t{6});  // embedding, cls, posembed, 2 blocks, norm
    QCOMPARE(root.front().first, std::string("embedding"));
    QCOMPARE(root.back().first, std::string("norm"));
    QCOMPARE(r.root.name, std::string("glyphs10"));
    QVERIFY(r.root.architecture == c.architecture);
    QCOMPARE(r.root.steps, int64_t{400});
    QCOMPARE(r.root.pretrainAccuracy, r.accuracy);
    QCOMPARE(r.root.sha256.size(), std::size_t{64});
    QVERIFY(r.root.source.find("synthetic glyphs") != std::string::npos);
    QVERIFY(!std::filesystem::exists(out.string() + ".partial"));
  }

  void interruptedAndResumedIsBitIdentical() {
    QTemporaryDir dir;
    const PretrainConfig c = tinyConfig(20, 60);
    const std::filesystem::path whole = dir.filePath("whole.pt").toStdString();
    const std::filesystem::path parts = dir.filePath("parts.pt").toStdString();
    pretrainRoot(c, whole, nullptr, nullptr, "test");

    std::atomic<bool> stop{false};
    const PretrainResult first = pretrainRoot(
        c, parts,
        [&](const PretrainProgress& p) {
          if (p.step >= 20) stop = true;
        },
        &stop, "test");
    QVERIFY(first.interrupted);
    QVERIFY(first.step >= 20 && first.step < 60);
    QVERIFY(std::filesystem::exists(parts.string() + ".partial"));
    QVERIFY(!std::filesystem::exists(parts));
    // Another configuration does not continue the saved state.
    PretrainConfig other = c;
    other.learningRate = 1e-3;
    try {
      pretrainRoot(other, parts, nullptr, nullptr, "test");
      QFAIL("a foreign saved state was continued");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("another pretraining configuration") != std::string::npos,
               e.what());
    }
    const PretrainResult second = pretrainRoot(c, parts, nullptr, nullptr, "test");
    QVERIFY(!second.interrupted);
    QCOMPARE(second.resumedFrom, first.step);
    QCOMPARE(bytesOf(parts), bytesOf(whole));
  }

  void datasetsAndGlyphsShareOneLabelSpace() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    QTemporaryDir dir;
    PretrainConfig c = tinyConfig(5, 30);
    PretrainSource digits;
    digits.kind = PretrainSource::Kind::Dataset;
    digits.dataset = testdata::idxTask("digits", testdata::mnistDir(), {0, 1, 7});
    digits.cropAreaMin = 0.5;
    digits.weight = 3.0;
    c.sources.push_back(digits);
    const std::filesystem::path out = dir.filePath("mixed.pt").toStdString();
    const PretrainResult r = pretrainRoot(c, out, nullptr, nullptr, "test");
    QVERIFY(r.root.source.find("digits") != std::string::npos);
    QVERIFY(r.root.source.find("75%") != std::string::npos);  // weight 3 of 4
    std::filesystem::path metadata = out;
    metadata.replace_extension(".json");
    const std::string text = bytesOf(metadata);
    QVERIFY2(text.find("\"classes\": 8") != std::string::npos, text.c_str());  // 5 + 3
  }

  void neverOverwritesAForeignFile() {
    QTemporaryDir dir;
    const std::filesystem::path config = dir.filePath("root.json").toStdString();
    {
      std::ofstream f(config);
      f << R"({"sources": [{"synthetic": "glyphs"}]})";
    }
    const std::filesystem::path out = dir.filePath("root.pt").toStdString();
    QVERIFY_THROWS_EXCEPTION(ConfigError,
                             pretrainRoot(tinyConfig(5, 5), out, nullptr, nullptr, "test"));
    QCOMPARE(bytesOf(config), std::string(R"({"sources": [{"synthetic": "glyphs"}]})"));
    QVERIFY(!std::filesystem::exists(out));
  }

  void anExperimentStartsFromTheWrittenRoot() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    QTemporaryDir dir;
    const std::filesystem::path out = dir.filePath("tiny.pt").toStdString();
    pretrainRoot(tinyConfig(10, 20), out, nullptr, nullptr, "test");
    // The configuration names only the file: the architecture comes from its metadata.
    std::string json = R"({"root": {"checkpoint": "@ROOT@"},
        "tasks": [{"name": "digits", "format": "idx", "path": "@MNIST@", "classes": [3, 8]}],
        "evolution": {"generation_size": 1, "children_per_task_iteration": 1,
                      "task_iterations": 1},
        "training": {"batch_size": 16, "validations_per_child": 1,
                     "train_examples_between_validations": 64, "validation_examples_max": 64,
                     "test_examples_max": 64},
        "image_sizes": [16]})";
    json.replace(json.find("@ROOT@"), 6, out.string());
    json.replace(json.find("@MNIST@"), 7, testdata::mnistDir().string());
    const ExperimentConfig config = parseExperimentConfig(json, "/");
    QCOMPARE(config.root.architecture.width, 32);
    QVERIFY(config.root.architecture.stem == StemKind::Conv);
    Engine engine(config, nullptr);
    const RunReport report = engine.run();
    QCOMPARE(report.tasks.size(), std::size_t{1});
    QVERIFY(report.tasks[0].testQuality.has_value());
    // The root's components are the file's tensors.
    const SlotTensors file = loadComponentFile(out);
    const GraphSnapshot g = engine.snapshot();
    QCOMPARE(g.routes[0].task, std::string("root"));
    QCOMPARE(g.routes[0].componentIds.size(), file.size());
  }
};

QTEST_GUILESS_MAIN(TstPretrain)
#include "tst_pretrain_torch.moc"
