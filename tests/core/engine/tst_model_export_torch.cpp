// TorchScript export: the saved module, loaded with torch::jit::load, computes the same logits as
// the engine's own forward pass, for both root architectures.
#include <QtTest/QtTest>

#include <torch/csrc/jit/serialization/import.h>

#include <QTemporaryDir>

#include "TestConfigs.h"
#include "TestData.h"
#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/engine/ModelExport.h"

using namespace mu2net;

namespace {

ExperimentConfig config(ArchitectureKind kind, StemKind stem) {
  ExperimentConfig c = testdata::tinyVitConfig(4);
  c.root.architecture.kind = kind;
  c.root.architecture.stem = stem;
  c.tasks = {testdata::idxTask("digits", testdata::mnistDir(), {1, 4, 7})};
  return c;
}

}  // namespace

class TstModelExport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { MU2NET_REQUIRE_DIR(testdata::mnistDir()); }

  void exportedModelMatchesTheEngine_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("stem");
    QTest::newRow("vit") << static_cast<int>(ArchitectureKind::Vit)
                         << static_cast<int>(StemKind::Patch);
    QTest::newRow("vit, conv stem")
        << static_cast<int>(ArchitectureKind::Vit) << static_cast<int>(StemKind::Conv);
    QTest::newRow("cnn") << static_cast<int>(ArchitectureKind::Cnn)
                         << static_cast<int>(StemKind::Patch);
  }

  void exportedModelMatchesTheEngine() {
    QFETCH(int, kind);
    QFETCH(int, stem);
    Engine engine(config(static_cast<ArchitectureKind>(kind), static_cast<StemKind>(stem)));
    engine.run();
    QTemporaryDir dir;
    const std::string file = dir.filePath("digits.pt").toStdString();
    exportTorchScript(engine, "digits", file);

    torch::jit::Module module = torch::jit::load(file);
    const RetainedModel m = engine.retainedModel("digits");
    QCOMPARE(module.run_method("image_size").toInt(), int64_t{m.imageSize});
    QCOMPARE(module.run_method("num_classes").toInt(), int64_t{3});
    const auto names = module.run_method("class_names").toListRef();
    QCOMPARE(names.size(), std::size_t{3});
    QCOMPARE(names[1].toStringRef(), std::string("4"));

    const torch::Tensor images =
        torch::rand({5, 3, m.imageSize, m.imageSize}, torch::kFloat) * 2 - 1;
    std::vector<const ComponentTensors*> route;
    for (const auto& t : m.tensors)
      route.push_back(t.get());
    const torch::Tensor expected = forwardRoute(m.architecture, route, images, route.size());
    const torch::Tensor actual = module.forward({images}).toTensor();
    QCOMPARE(actual.sizes().vec(), expected.sizes().vec());
    const double diff = (actual - expected).abs().max().item<double>();
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    QVERIFY(expected.abs().max().item<double>() > 0.0);  // a trained head, not all zeros

    QVERIFY_THROWS_EXCEPTION(std::out_of_range, exportTorchScript(engine, "nope", file));
  }
};

QTEST_GUILESS_MAIN(TstModelExport)
#include "tst_model_export_torch.moc"
