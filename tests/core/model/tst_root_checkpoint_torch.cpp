// A root loaded from a component file: its tensors are the file's, it is treated as trained (its
// layers follow the normal sharing rule instead of being always cloned), and a file that does not
// fit the configured architecture is refused with a message naming the slot.
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include "TestConfigs.h"
#include "TestData.h"
#include "model/ComponentFile.h"
#include "model/ComponentIO.h"
#include "model/Network.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/engine/Engine.h"

using namespace mu2net;

namespace {

ExperimentConfig config(const std::filesystem::path& checkpoint) {
  ExperimentConfig c = testdata::tinyVitConfig(8);
  c.root.checkpoint = checkpoint;
  c.searchSpace["mu"] = {{0.0, 0.1}, 0.0};  // μ = 0: a trained root's layers are never cloned
  c.tasks = {testdata::idxTask("digits", testdata::mnistDir(), {0, 1})};
  return c;
}

// Writes a root for `arch` (every slot but the head) drawn from `seed`.
SlotTensors writeRoot(const std::filesystem::path& file, const ArchitectureConfig& arch,
                      std::uint64_t seed, bool dropNorm = false) {
  Rng rng(seed);
  SlotTensors root;
  auto slots = routeSlots(arch, arch.depth);
  slots.pop_back();
  for (const auto& slot : slots)
    if (!(dropNorm && slot == "norm"))
      root.emplace_back(slot, initComponent(arch, slot, 1, arch.imageSize, rng));
  saveComponentFile(file, root);
  return root;
}

}  // namespace

class TstRootCheckpoint : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { MU2NET_REQUIRE_DIR(testdata::mnistDir()); }

  void trainedRootIsLoadedAndShared() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("root.pt").toStdString();
    const ExperimentConfig c = config(file);
    const SlotTensors written = writeRoot(file, c.root.architecture, 77);
    const SlotTensors reread = loadComponentFile(file);
    QCOMPARE(reread.size(), written.size());
    for (std::size_t i = 0; i < written.size(); ++i) {
      QCOMPARE(reread[i].first, written[i].first);
      QCOMPARE(reread[i].second->sha256Hex(), written[i].second->sha256Hex());
    }

    struct Sink : EventSink {
      std::vector<ChildFinishedEvent> children;
      void handle(const Event& e) override {
        if (const auto* f = std::get_if<ChildFinishedEvent>(&e)) children.push_back(*f);
      }
    } sink;
    Engine engine(c, &sink);
    // The root path holds the file's tensors, locked by "root".
    std::map<int64_t, std::string> locked;
    for (const auto& [id, hash] : engine.lockedComponentHashes())
      locked[id] = hash;
    const GraphSnapshot g = engine.snapshot();
    QCOMPARE(g.routes[0].task, std::string("root"));
    for (std::size_t i = 0; i < written.size(); ++i)
      QCOMPARE(locked.at(g.routes[0].componentIds[i]), componentSha256(*written[i].second));

    engine.run();
    QCOMPARE(sink.children.size(), std::size_t{2});
    for (const auto& child : sink.children)
      for (const auto& s : child.slots) {
        if (s.slot == "norm" || s.kind == SlotOrigin::Kind::New) continue;
        // With μ = 0, every inherited layer of a trained root is shared, frozen.
        QVERIFY2(s.kind == SlotOrigin::Kind::Shared, s.slot.c_str());
      }
    // The shared root layers are unchanged after training.
    for (const auto& [id, hash] : engine.lockedComponentHashes())
      if (locked.count(id)) QCOMPARE(hash, locked.at(id));
  }

  void mismatchedCheckpointIsRefused() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("root.pt").toStdString();
    ExperimentConfig c = config(file);
    writeRoot(file, c.root.architecture, 1, /*dropNorm=*/true);
    try {
      Engine engine(c);
      QFAIL("a checkpoint without a norm slot was accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("'norm'") != std::string::npos, e.what());
    }
    ArchitectureConfig wider = c.root.architecture;
    wider.width = 32;
    writeRoot(file, wider, 1);
    try {
      Engine engine(c);
      QFAIL("a checkpoint of another width was accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("does not match") != std::string::npos, e.what());
    }
    c.root.checkpoint = dir.filePath("missing.pt").toStdString();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, Engine{c});
  }
};

QTEST_GUILESS_MAIN(TstRootCheckpoint)
#include "tst_root_checkpoint_torch.moc"
