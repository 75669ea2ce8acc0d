// The experiment configuration: defaults, every key, strict refusal of bad input with the key
// named, path resolution and the canonical JSON round trip.
#include <QtTest/QtTest>

#include <set>
#include <string>
#include <vector>

#include "TestConfigs.h"
#include "mu2net/evolution/ExperimentConfig.h"

using namespace mu2net;

namespace {

const char* kMinimal = R"({"tasks": [{"name": "a", "format": "idx", "path": "data/a"}]})";

using testdata::configErrorOf;

QString withTask(const std::string& extraTopLevel, const std::string& taskExtra = "") {
  return QString::fromStdString(R"({"tasks": [{"name": "a", "format": "idx", "path": "p")" +
                                taskExtra + "}]" + extraTopLevel + "}");
}

}  // namespace

class TstExperimentConfig : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void minimalGetsDocumentedDefaults() {
    const auto c = parseExperimentConfig(kMinimal, "/base");
    QCOMPARE(c.seed, std::uint64_t{0});
    QCOMPARE(c.tasks.size(), std::size_t{1});
    QCOMPARE(c.tasks[0].name, std::string("a"));
    QVERIFY(c.tasks[0].format == DatasetFormat::Idx);
    QCOMPARE(c.tasks[0].path, std::filesystem::path("/base/data/a"));
    QCOMPARE(c.tasks[0].validationFraction, 0.1);
    // Relative paths are resolved against the file's folder, as written.
    const auto up = parseExperimentConfig(
        R"({"tasks": [{"name": "a", "format": "idx", "path": "../shared/./data/a"}]})",
        "/base/experiments");
    QCOMPARE(up.tasks[0].path, std::filesystem::path("/base/experiments/../shared/./data/a"));
    QCOMPARE(normalPath(up.tasks[0].path), std::filesystem::path("/base/shared/data/a"));
    QCOMPARE(normalPath("/base/shared/data/a/"), std::filesystem::path("/base/shared/data/a"));
    QVERIFY(c.root.architecture.kind == ArchitectureKind::Vit);
    QCOMPARE(c.root.architecture.depth, 4);
    QCOMPARE(c.root.architecture.width, 64);
    QCOMPARE(c.evolution.generationSize, 4);
    QCOMPARE(c.evolution.childrenPerTaskIteration, 8);
    QCOMPARE(c.evolution.taskIterations, 2);
    QCOMPARE(c.evolution.scaleFactor, 1.0);
    QVERIFY(c.evolution.cloneUntrainedRoot);
    QVERIFY(c.evolution.parentPolicy == ParentPolicy::Evolve);
    QVERIFY(c.evolution.clonePolicy == ClonePolicy::Mu);
    QCOMPARE(c.evolution.freezeBlocks, 0);
    QCOMPARE(c.training.batchSize, 64);
    QCOMPARE(c.training.validationsPerChild, 4);
    QCOMPARE(c.training.trainExamplesBetweenValidations, int64_t{8192});
    QVERIFY(c.training.shareFrozenPrefix);
    QCOMPARE(c.training.activationCacheMib, int64_t{2048});
    QVERIFY(c.training.precision == Precision::Auto);
    QCOMPARE(c.training.validationExamplesMax, int64_t{2048});
  }

  void everyKeyIsRead() {
    const std::string json = R"({
      "seed": 7,
      "root": {"architecture": "cnn", "image_size": 32, "patch_size": 8, "width": 32,
               "heads": 2, "mlp_dim": 64, "depth": 3},
      "tasks": [{"name": "b", "format": "cifar-binary", "path": "/abs/b", "classes": [3, 1],
                 "validation_fraction": 0.2}],
      "evolution": {"generation_size": 2, "children_per_task_iteration": 6,
                    "task_iterations": 3, "scale_factor": 0.5, "reference_params": 1000,
                    "clone_untrained_root": false, "parent_policy": "first_task",
                    "clone_policy": "freeze_bottom", "freeze_blocks": 2},
      "training": {"batch_size": 32, "validations_per_child": 2,
                   "train_examples_between_validations": 512, "validation_examples_max": 100,
                   "test_examples_max": 50, "threads": 2, "parallel_children": 1,
                   "share_frozen_prefix": false, "activation_cache_mib": 64,
                   "precision": "bf16"},
      "image_sizes": [24, 32],
      "search_space": {"opt_lr": {"values": [0.001, 0.01, 0.1], "default": 0.1},
                       "opt_nesterov": [true, false]}
    })";
    const auto c = parseExperimentConfig(json, "/base");
    QCOMPARE(c.seed, std::uint64_t{7});
    QVERIFY(c.root.architecture.kind == ArchitectureKind::Cnn);
    QCOMPARE(c.root.architecture.imageSize, 32);
    QCOMPARE(c.root.architecture.depth, 3);
    QCOMPARE(c.tasks[0].path, std::filesystem::path("/abs/b"));
    QCOMPARE(c.tasks[0].classes, (std::vector<int>{3, 1}));
    QCOMPARE(c.tasks[0].validationFraction, 0.2);
    QCOMPARE(c.evolution.generationSize, 2);
    QCOMPARE(c.evolution.childrenPerTaskIteration, 6);
    QCOMPARE(c.evolution.taskIterations, 3);
    QCOMPARE(c.evolution.scaleFactor, 0.5);
    QCOMPARE(c.evolution.referenceParams, 1000.0);
    QVERIFY(!c.evolution.cloneUntrainedRoot);
    QVERIFY(c.evolution.parentPolicy == ParentPolicy::FirstTask);
    QVERIFY(c.evolution.clonePolicy == ClonePolicy::FreezeBottom);
    QCOMPARE(c.evolution.freezeBlocks, 2);
    QCOMPARE(c.training.batchSize, 32);
    QCOMPARE(c.training.testExamplesMax, int64_t{50});
    QCOMPARE(c.training.threads, 2);
    QCOMPARE(c.training.parallelChildren, 1);
    QVERIFY(!c.training.shareFrozenPrefix);
    QCOMPARE(c.training.activationCacheMib, int64_t{64});
    QVERIFY(c.training.precision == Precision::Bf16);
    QCOMPARE(c.imageSizes, (std::vector<int>{24, 32}));
    QCOMPARE(c.searchSpace.at("opt_lr").values, (std::vector<double>{0.001, 0.01, 0.1}));
    QCOMPARE(*c.searchSpace.at("opt_lr").defaultValue, 0.1);
    QCOMPARE(c.searchSpace.at("opt_nesterov").values, (std::vector<double>{1.0, 0.0}));
  }

  void badInputNamesTheKey_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char* tag, const QString& json, const char* expected) {
      QTest::newRow(tag) << json << QString(expected);
    };
    const auto raw = [](const char* text) { return QString(text); };
    row("not json", raw("{"), "not valid JSON");
    row("no tasks", raw("{}"), "'tasks': is required");
    row("empty tasks", raw(R"({"tasks": []})"), "'tasks': must list at least one");
    row("unknown top", withTask(R"(, "sed": 1)"), "'sed': unknown key");
    row("unknown nested", withTask(R"(, "training": {"batchsize": 3})"),
        "'training.batchsize': unknown key");
    row("wrong type", withTask(R"(, "training": {"batch_size": "64"})"),
        "'training.batch_size': expected an integer, found a string");
    row("out of range", withTask(R"(, "evolution": {"generation_size": 0})"),
        "'evolution.generation_size': value 0 is outside [1, 1024]");
    row("parallel children", withTask(R"(, "training": {"parallel_children": -1})"),
        "'training.parallel_children': value -1 is outside [0, 256]");
    row("precision", withTask(R"(, "training": {"precision": "fp16"})"),
        "'training.precision': 'fp16' is not one of: auto, float32, bf16-frozen, bf16");
    row("activation cache", withTask(R"(, "training": {"activation_cache_mib": -1})"),
        "'training.activation_cache_mib': value -1 is outside [0, 1048576]");
    row("share frozen prefix", withTask(R"(, "training": {"share_frozen_prefix": 1})"),
        "'training.share_frozen_prefix': expected a boolean");
    row("scale factor", withTask(R"(, "evolution": {"scale_factor": 1.5})"),
        "'evolution.scale_factor'");
    row("parent policy", withTask(R"(, "evolution": {"parent_policy": "random"})"),
        "'evolution.parent_policy': 'random' is not one of: evolve, isolated, previous_task, "
        "first_task");
    row("parent policy type", withTask(R"(, "evolution": {"parent_policy": 1})"),
        "'evolution.parent_policy': expected a string");
    row("clone policy", withTask(R"(, "evolution": {"clone_policy": "none"})"),
        "'evolution.clone_policy': 'none' is not one of: mu, all, freeze_bottom");
    row("freeze blocks above depth", withTask(R"(, "evolution": {"freeze_blocks": 5})"),
        "'evolution.freeze_blocks': value 5 is outside [0, 4]");
    row("architecture", withTask(R"(, "root": {"architecture": "resnet"})"),
        "'root.architecture': 'resnet' is not one of: vit, cnn");
    row("bad root sizes", withTask(R"(, "root": {"image_size": 30, "patch_size": 4})"), "'root'");
    row("format", raw(R"({"tasks": [{"name": "a", "format": "png", "path": "p"}]})"),
        "'tasks[0].format'");
    row("task name missing", raw(R"({"tasks": [{"format": "idx", "path": "p"}]})"),
        "'tasks[0].name': is required");
    row("reserved name", raw(R"({"tasks": [{"name": "root", "format": "idx", "path": "p"}]})"),
        "'tasks[0].name': 'root' is reserved");
    row("duplicate task", raw(R"({"tasks": [{"name": "a", "format": "idx", "path": "p"},
                          {"name": "a", "format": "idx", "path": "q"}]})"),
        "'tasks[1].name': task name 'a' is used twice");
    row("class type", withTask("", R"(, "classes": [1, "x"])"),
        "'tasks[0].classes[1]': expected an integer");
    row("class twice", withTask("", R"(, "classes": [1, 1])"),
        "'tasks[0].classes': lists a class twice");
    row("validation fraction", withTask("", R"(, "validation_fraction": 0)"),
        "'tasks[0].validation_fraction'");
    row("unknown task key", withTask("", R"(, "colour": 1)"), "'tasks[0].colour': unknown key");
    row("search space name", withTask(R"(, "search_space": {"opt_learning_rate": [0.1]})"),
        "opt_learning_rate");
    row("search space default not in list",
        withTask(R"(, "search_space": {"opt_lr": {"values": [0.1, 0.2], "default": 0.3}})"),
        "search_space.opt_lr");
    row("search space bool", withTask(R"(, "search_space": {"ds_crop": [2, 0]})"),
        "search_space.ds_crop");
  }

  void badInputNamesTheKey() {
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const std::string message = configErrorOf(json.toStdString());
    QVERIFY2(!message.empty(), "configuration was accepted");
    QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
  }

  void roundTripIsCanonical() {
    const auto c = parseExperimentConfig(
        withTask(R"(, "seed": 3, "search_space": {"mu": {"values": [0.1, 0.2], "default": 0.2}},
                     "evolution": {"parent_policy": "previous_task", "clone_policy": "all"})",
                 R"(, "classes": [2, 0])")
            .toStdString(),
        "/base");
    const std::string json = experimentConfigToJson(c);
    const auto again = parseExperimentConfig(json, "/elsewhere");
    QCOMPARE(experimentConfigToJson(again), json);
    QCOMPARE(again.tasks[0].path, std::filesystem::path("/base/p"));
    QCOMPARE(again.tasks[0].classes, (std::vector<int>{2, 0}));
    QCOMPARE(*again.searchSpace.at("mu").defaultValue, 0.2);
    QVERIFY(again.evolution.parentPolicy == ParentPolicy::PreviousTask);
    QVERIFY(again.evolution.clonePolicy == ClonePolicy::All);
  }

  void missingFileIsNamed() {
    try {
      loadExperimentConfig("/nonexistent/experiment.json");
      QFAIL("a missing file was accepted");
    } catch (const ConfigError& e) {
      QVERIFY(std::string(e.what()).find("/nonexistent/experiment.json") != std::string::npos);
    }
  }

  void shippedDefaultExperimentParses() {
    const auto c = loadExperimentConfig(std::filesystem::path(MU2NET_SOURCE_DIR) / "resources" /
                                        "experiments" / "default.json");
    QVERIFY(c.tasks.size() >= 2);
    for (const auto& t : c.tasks)
      QCOMPARE(t.path, std::filesystem::path("/usr/share/datasets/fashion-mnist"));
  }

  // The many-task experiment of the screenshots: 30 two-class Fashion-MNIST tasks, distinct names
  // and class pairs, a tiny budget.
  void shippedThirtyTaskExperimentParses() {
    const auto c = loadExperimentConfig(std::filesystem::path(MU2NET_SOURCE_DIR) / "resources" /
                                        "experiments" / "thirty-tasks.json");
    QCOMPARE(c.tasks.size(), std::size_t{30});
    std::set<std::string> names;
    std::set<std::vector<int>> pairs;
    for (const auto& t : c.tasks) {
      names.insert(t.name);
      pairs.insert(t.classes);
      QCOMPARE(t.classes.size(), std::size_t{2});
    }
    QCOMPARE(names.size(), std::size_t{30});
    QCOMPARE(pairs.size(), std::size_t{30});
    QCOMPARE(c.evolution.taskIterations, 1);
  }

  // The laptop-scale experiment of the benchmarks: ALGORITHM.md §6's structure on MNIST,
  // Fashion-MNIST and CMATERdb Bangla (in the shared data folder beside the checkout).
  void shippedLaptopExperimentParses() {
    const auto c = loadExperimentConfig(std::filesystem::path(MU2NET_SOURCE_DIR) / "resources" /
                                        "experiments" / "laptop.json");
    QCOMPARE(c.tasks.size(), std::size_t{3});
    QCOMPARE(c.evolution.generationSize, 4);
    QCOMPARE(c.evolution.childrenPerTaskIteration, 8);
    QCOMPARE(c.evolution.taskIterations, 2);
    QCOMPARE(c.training.validationsPerChild, 4);
    QCOMPARE(c.training.trainExamplesBetweenValidations, int64_t{8192});
    QCOMPARE(normalPath(c.tasks[0].path).filename().string(), std::string("mnist"));
  }
};

QTEST_GUILESS_MAIN(TstExperimentConfig)
#include "tst_experiment_config.moc"
