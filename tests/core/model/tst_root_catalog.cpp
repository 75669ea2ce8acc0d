// Built-in roots and root metadata: the search path, listing and lookup by name, refusal of
// unusable metadata with the file and key named, and what a configuration makes of
// `root.pretrained` and of a checkpoint with metadata beside it (the architecture comes from the
// root; keys given beside it must agree, except image_size).
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <cstdlib>
#include <fstream>

#include "TestConfigs.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/model/RootCatalog.h"

using namespace mu2net;

namespace {

const char* kArchitecture =
    R"({"architecture": "vit", "stem": "conv", "image_size": 16, "patch_size": 4, "width": 24,
        "heads": 3, "mlp_dim": 48, "depth": 2})";

void writeText(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

// Writes NAME.json (and a tensor file NAME.pt unless told not to) into dir.
void writeRoot(const std::filesystem::path& dir, const std::string& name,
               const std::string& architecture = kArchitecture, bool tensorFile = true) {
  writeText(dir / (name + ".json"),
            R"({"format": "mu2net-root", "name": ")" + name + R"(", "checkpoint": ")" + name +
                R"(.pt", "sha256": "00", "architecture": )" + architecture +
                R"(, "parameters": 1234, "pretraining": {"source": "synthetic glyphs",
                "accuracy": 0.5, "steps": 10, "seconds": 3.5}})");
  if (tensorFile) writeText(dir / (name + ".pt"), "not read by these tests");
}

using testdata::configErrorOf;

std::string taskWithRoot(const std::string& root) {
  return R"({"root": )" + root + R"(, "tasks": [{"name": "a", "format": "idx", "path": "p"}]})";
}

}  // namespace

class TstRootCatalog : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(dir_.isValid());
    first_ = std::filesystem::path(dir_.filePath("first").toStdString());
    second_ = std::filesystem::path(dir_.filePath("second").toStdString());
    std::filesystem::create_directories(first_);
    std::filesystem::create_directories(second_);
    const std::string path = first_.string() + ":" + second_.string();
    ::setenv("MU2NET_ROOTS_PATH", path.c_str(), 1);
  }
  void cleanup() {
    ::unsetenv("MU2NET_ROOTS_PATH");
    std::filesystem::remove_all(first_);
    std::filesystem::remove_all(second_);
  }

  void searchPathStartsWithTheEnvironment() {
    const auto path = rootSearchPath();
    QVERIFY(path.size() >= 3);
    QCOMPARE(path[0], first_);
    QCOMPARE(path[1], second_);
    // Then the installation beside the program, then the source tree's resources/roots.
    QCOMPARE(path.back().filename(), std::filesystem::path("roots"));
  }

  void listsAndFindsRootsFirstFolderFirst() {
    writeRoot(first_, "alpha");
    writeRoot(second_, "beta");
    writeRoot(second_, "alpha", R"({"architecture": "cnn", "width": 8, "depth": 1})");
    writeText(first_ / "alpha.pretrain.json", R"({"sources": []})");  // not metadata: skipped
    const auto roots = listBuiltinRoots();
    std::vector<std::string> names;
    for (const auto& r : roots)
      if (r.metadata.parent_path() == first_ || r.metadata.parent_path() == second_)
        names.push_back(r.name);
    QCOMPARE(names, (std::vector<std::string>{"alpha", "beta"}));
    const RootInfo alpha = findBuiltinRoot("alpha");
    QCOMPARE(alpha.file, first_ / "alpha.pt");
    QVERIFY(alpha.architecture.kind == ArchitectureKind::Vit);
    QVERIFY(alpha.architecture.stem == StemKind::Conv);
    QCOMPARE(alpha.architecture.width, 24);
    QCOMPARE(alpha.parameters, int64_t{1234});
    QCOMPARE(alpha.source, std::string("synthetic glyphs"));
    QCOMPARE(alpha.steps, int64_t{10});
  }

  void unknownNameListsTheKnownOnes() {
    writeRoot(first_, "alpha");
    try {
      findBuiltinRoot("gamma");
      QFAIL("an unknown root was found");
    } catch (const ConfigError& e) {
      const std::string m = e.what();
      QVERIFY2(m.find("root.pretrained") != std::string::npos, e.what());
      QVERIFY2(m.find("'gamma'") != std::string::npos, e.what());
      QVERIFY2(m.find("alpha") != std::string::npos, e.what());
      QVERIFY2(m.find(first_.string()) != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, findBuiltinRoot("../first/alpha"));
  }

  void unusableMetadataIsNamed() {
    writeRoot(first_, "notensors", kArchitecture, false);
    try {
      findBuiltinRoot("notensors");
      QFAIL("a root without its tensor file was accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("notensors.pt") != std::string::npos, e.what());
    }
    writeText(first_ / "broken.json", R"({"format": "mu2net-root", "name": "broken"})");
    try {
      readRootMetadata(first_ / "broken.json");
      QFAIL("metadata without its keys was accepted");
    } catch (const ConfigError& e) {
      const std::string m = e.what();
      QVERIFY2(m.find("broken.json") != std::string::npos, e.what());
      QVERIFY2(m.find("is missing") != std::string::npos, e.what());
    }
    writeText(first_ / "escape.json",
              R"({"format": "mu2net-root", "name": "escape", "checkpoint": "../x.pt",
                  "sha256": "", "architecture": {}, "parameters": 1, "pretraining": {}})");
    QVERIFY_THROWS_EXCEPTION(ConfigError, readRootMetadata(first_ / "escape.json"));
    writeText(first_ / "badarch.json",
              R"({"format": "mu2net-root", "name": "badarch", "checkpoint": "b.pt",
                  "sha256": "", "architecture": {"width": "wide"}, "parameters": 1,
                  "pretraining": {}})");
    try {
      readRootMetadata(first_ / "badarch.json");
      QFAIL("a bad architecture was accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("width") != std::string::npos, e.what());
    }
  }

  void configurationTakesTheRootsArchitecture() {
    writeRoot(first_, "alpha");
    const ExperimentConfig c =
        parseExperimentConfig(taskWithRoot(R"({"pretrained": "alpha"})"), "/base");
    QCOMPARE(c.root.pretrained, std::string("alpha"));
    QCOMPARE(c.root.checkpoint, first_ / "alpha.pt");
    QVERIFY(c.root.trained());
    QCOMPARE(c.root.architecture.width, 24);
    QCOMPARE(c.root.architecture.heads, 3);
    QVERIFY(c.root.architecture.stem == StemKind::Conv);
    // The canonical JSON names the root instead of locating it, and reads back the same.
    const std::string json = experimentConfigToJson(c);
    QVERIFY(json.find("\"pretrained\": \"alpha\"") != std::string::npos);
    QVERIFY(json.find("alpha.pt") == std::string::npos);
    const ExperimentConfig again = parseExperimentConfig(json, "/base");
    QCOMPARE(again.root.checkpoint, c.root.checkpoint);
    QVERIFY(again.root.architecture == c.root.architecture);
    // Agreeing keys and another image size are accepted.
    const ExperimentConfig bigger = parseExperimentConfig(
        taskWithRoot(R"({"pretrained": "alpha", "width": 24, "image_size": 32})"), "/base");
    QCOMPARE(bigger.root.architecture.imageSize, 32);
  }

  void disagreeingKeysAreRefused() {
    writeRoot(first_, "alpha");
    std::string m = configErrorOf(taskWithRoot(R"({"pretrained": "alpha", "width": 64})"));
    QVERIFY2(m.find("root.width") != std::string::npos, m.c_str());
    QVERIFY2(m.find("24") != std::string::npos, m.c_str());
    m = configErrorOf(taskWithRoot(R"({"pretrained": "alpha", "stem": "patch"})"));
    QVERIFY2(m.find("root.stem") != std::string::npos, m.c_str());
    m = configErrorOf(taskWithRoot(R"({"pretrained": "alpha", "checkpoint": "x.pt"})"));
    QVERIFY2(m.find("not both") != std::string::npos, m.c_str());
    m = configErrorOf(taskWithRoot(R"({"pretrained": "nope"})"));
    QVERIFY2(m.find("root.pretrained") != std::string::npos, m.c_str());
  }

  void checkpointMetadataGivesTheArchitecture() {
    writeRoot(first_, "mine");
    const std::string file = (first_ / "mine.pt").string();
    const ExperimentConfig c =
        parseExperimentConfig(taskWithRoot(R"({"checkpoint": ")" + file + R"("})"), "/base");
    QVERIFY(c.root.pretrained.empty());
    QCOMPARE(c.root.architecture.width, 24);
    QVERIFY(c.root.architecture.stem == StemKind::Conv);
    const std::string m =
        configErrorOf(taskWithRoot(R"({"checkpoint": ")" + file + R"(", "depth": 3})"));
    QVERIFY2(m.find("root.depth") != std::string::npos, m.c_str());
  }

  void theDefaultRootIsBuiltIn() {
    ::unsetenv("MU2NET_ROOTS_PATH");
    // A configuration without `root` starts from the shipped default root.
    const ExperimentConfig c = parseExperimentConfig(
        R"({"tasks": [{"name": "a", "format": "idx", "path": "p"}]})", "/base");
    QCOMPARE(c.root.pretrained, std::string(kDefaultRootName));
    const RootInfo info = findBuiltinRoot(kDefaultRootName);
    QVERIFY(c.root.architecture == info.architecture);
    QVERIFY(std::filesystem::is_regular_file(info.file));
    QVERIFY(info.parameters > 0);
    QVERIFY(info.pretrainAccuracy > 0);
  }

 private:
  QTemporaryDir dir_;
  std::filesystem::path first_, second_;
};

QTEST_GUILESS_MAIN(TstRootCatalog)
#include "tst_root_catalog.moc"
