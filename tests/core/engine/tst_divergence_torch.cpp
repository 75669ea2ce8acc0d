// A child whose loss becomes NaN or infinite is stopped and never "improved" (issue 13, item 11).
// The hostile input: a root checkpoint of finite but enormous weights (3e38, near float32's
// largest value), which the forward pass turns into infinities and NaN at the first step.
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include "TestConfigs.h"
#include "TestData.h"
#include "model/ComponentFile.h"
#include "model/Network.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/engine/Engine.h"

using namespace mu2net;

namespace {

struct Recorder : EventSink {
  std::vector<ChildFinishedEvent> children;
  std::vector<std::string> errors;
  void handle(const Event& e) override {
    if (const auto* f = std::get_if<ChildFinishedEvent>(&e)) children.push_back(*f);
    if (const auto* f = std::get_if<ErrorEvent>(&e)) errors.push_back(f->message);
  }
};

ExperimentConfig config(const std::filesystem::path& checkpoint) {
  ExperimentConfig c = testdata::tinyVitConfig(4);
  c.root.checkpoint = checkpoint;
  c.tasks = {testdata::idxTask("digits", testdata::mnistDir(), {0, 1})};
  return c;
}

// A root for `arch` (every slot but the head) with every parameter set to `value`.
void writeRoot(const std::filesystem::path& file, const ArchitectureConfig& arch, float value) {
  Rng rng(9);
  SlotTensors root;
  auto slots = routeSlots(arch, arch.depth);
  slots.pop_back();  // no head: the task gets its own
  for (const auto& slot : slots) {
    auto component = initComponent(arch, slot, 1, arch.imageSize, rng);
    for (auto& p : component->params)
      p.fill_(value);
    root.emplace_back(slot, component);
  }
  saveComponentFile(file, root);
}

}  // namespace

class TstDivergence : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { MU2NET_REQUIRE_DIR(testdata::mnistDir()); }

  void divergingChildrenAreStoppedAndNeverImproved() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("huge.pt").toStdString();
    ExperimentConfig c = config(file);
    c.training.validationsPerChild = 2;
    writeRoot(file, c.root.architecture, 3e38f);

    Recorder recorder;
    Engine engine(c, &recorder);
    try {
      engine.run();
      QFAIL("a task whose every child diverged finished as if it had a model");
    } catch (const std::exception& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("task 'digits'") != std::string::npos, e.what());
      QVERIFY2(what.find("NaN or infinite") != std::string::npos, e.what());
    }
    QCOMPARE(recorder.children.size(), std::size_t{2});
    for (const auto& child : recorder.children) {
      QVERIFY(!child.improved);
      QCOMPARE(child.divergedAtStep, int64_t{1});  // stopped at once, not trained on
      QVERIFY(child.validationHistory.empty());
      QVERIFY(std::isfinite(child.quality) && std::isfinite(child.score));
    }
  }

  // A checkpoint full of NaN is refused before anything trains, naming the key and the slot.
  void nanCheckpointIsRefused() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("nan.pt").toStdString();
    const ExperimentConfig c = config(file);
    writeRoot(file, c.root.architecture, std::numeric_limits<float>::quiet_NaN());
    try {
      Engine engine(c);
      QFAIL("a root checkpoint of NaN was accepted");
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("root.checkpoint") != std::string::npos, e.what());
      QVERIFY2(what.find("NaN") != std::string::npos || what.find("finite") != std::string::npos,
               e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TstDivergence)
#include "tst_divergence_torch.moc"
