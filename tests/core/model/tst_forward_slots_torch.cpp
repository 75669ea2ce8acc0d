// Split forward passes (issue 16): a route's pass split at any component equals the whole pass
// bit for bit, in float32 and under bfloat16 autocast, and a trainer stepping from the
// activations of a frozen prefix takes exactly the step it takes from the images. This is what
// lets the generation trainer share frozen prefixes and cache their activations without
// changing any result.
#include <QtTest/QtTest>

#include "ModelTestUtil.h"

using namespace mu2net;
using testutil::makeRoute;
using testutil::raw;
using testutil::Route;

namespace {

ArchitectureConfig vitWithConvStem() {
  ArchitectureConfig a = testutil::tinyVit();
  a.stem = StemKind::Conv;
  return a;
}

ArchitectureConfig archNamed(const QString& name) {
  if (name == "vit") return testutil::tinyVit();
  if (name == "vit-conv-stem") return vitWithConvStem();
  return testutil::tinyCnn();
}

// A data row per architecture and precision setting.
void addArchPrecisionRows(std::initializer_list<const char*> archs) {
  QTest::addColumn<QString>("arch");
  QTest::addColumn<int>("precision");
  for (const char* arch : archs)
    for (Precision p : {Precision::Float32, Precision::Bf16Frozen, Precision::Bf16})
      QTest::addRow("%s %s", arch, toString(p).c_str()) << QString(arch) << int(p);
}

torch::Tensor images(int64_t n, int64_t size, std::uint64_t seed) {
  return testutil::quadrantProblem(n, size, seed).first;
}

}  // namespace

class TestForwardSlots : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void splitPassEqualsWholePass_data() { addArchPrecisionRows({"vit", "vit-conv-stem", "cnn"}); }
  void splitPassEqualsWholePass() {
    QFETCH(QString, arch);
    QFETCH(int, precision);
    const ArchitectureConfig a = archNamed(arch);
    const auto p = static_cast<Precision>(precision);
    const Route route = makeRoute(a, a.depth, 4, a.imageSize, 3);
    const auto r = raw(route);
    const torch::Tensor x = images(8, a.imageSize, 5);
    c10::InferenceMode inference;
    // Whole passes with every frozen-prefix length, each split at every component.
    for (std::size_t frozen = 0; frozen <= r.size(); ++frozen) {
      const torch::Tensor whole = forwardRoute(a, r, x, frozen, p);
      QCOMPARE(whole.scalar_type(), torch::kFloat);
      for (std::size_t split = 0; split <= r.size(); ++split) {
        const torch::Tensor prefix = forwardSlots(a, r, x, 0, split, frozen, p);
        const torch::Tensor rest = forwardSlots(a, r, prefix, split, r.size(), frozen, p);
        QVERIFY2(torch::equal(rest, whole),
                 qPrintable(QString("frozen %1, split at %2").arg(frozen).arg(split)));
      }
    }
  }

  // bfloat16 really changes the arithmetic (so the switch is not a no-op), and only a little.
  void bf16IsCloseButNotEqual() {
    const ArchitectureConfig a = vitWithConvStem();
    const Route route = makeRoute(a, a.depth, 4, a.imageSize, 3);
    const auto r = raw(route);
    const torch::Tensor x = images(32, a.imageSize, 7);
    c10::InferenceMode inference;
    // Zero-initialised heads give zero logits: compare the features before the head.
    const torch::Tensor f32Features = forwardSlots(a, r, x, 0, r.size() - 1, r.size());
    const torch::Tensor bf16Features =
        forwardSlots(a, r, x, 0, r.size() - 1, r.size(), Precision::Bf16Frozen);
    const double relative =
        (f32Features - bf16Features).norm().item<double>() / f32Features.norm().item<double>();
    QVERIFY(!torch::equal(f32Features, bf16Features));
    QVERIFY2(relative > 0 && relative < 0.05, qPrintable(QString::number(relative)));
    // Under bf16-frozen, only frozen components run in bfloat16.
    QVERIFY(torch::equal(f32Features,
                         forwardSlots(a, r, x, 0, r.size() - 1, 0, Precision::Bf16Frozen)));
  }

  void stepFromPrefixEqualsStep_data() { addArchPrecisionRows({"vit-conv-stem", "cnn"}); }
  void stepFromPrefixEqualsStep() {
    QFETCH(QString, arch);
    QFETCH(int, precision);
    const ArchitectureConfig a = archNamed(arch);
    const auto p = static_cast<Precision>(precision);
    // Frozen: the stem and the first block (ViT: embedding, cls, posembed, block_0; CNN:
    // embedding, block_0); the rest trains.
    const std::size_t frozen = a.kind == ArchitectureKind::Vit ? 4 : 2;
    const Route shared = makeRoute(a, a.depth, 4, a.imageSize, 11);
    const auto trainable = [&] {
      std::vector<bool> t;
      for (std::size_t i = 0; i < shared.size(); ++i)
        t.push_back(i >= frozen);
      return t;
    }();
    // Every child has its own copies of the trainable components and shares the frozen ones.
    const auto child = [&] {
      Route r;
      for (std::size_t i = 0; i < shared.size(); ++i)
        r.push_back(i < frozen ? shared[i] : shared[i]->clone());
      return r;
    };
    OptimizerHParams opt;
    opt.optimizer = OptimizerKind::AdamW;
    opt.learningRate = 0.01;
    opt.totalSteps = 10;
    for (std::size_t begin = 0; begin <= frozen; ++begin) {
      const Route whole = child(), split = child();
      RouteTrainer fromImages(a, whole, trainable, opt, p);
      RouteTrainer fromPrefix(a, split, trainable, opt, p);
      QCOMPARE(fromPrefix.frozenPrefix(), frozen);
      for (int s = 0; s < 3; ++s) {
        const auto [x, y] = testutil::quadrantProblem(16, a.imageSize, 100 + s);
        torch::Tensor prefix;
        {
          at::NoGradGuard noGrad;
          prefix = forwardSlots(a, raw(split), x, 0, begin, frozen, p);
        }
        const double l1 = fromImages.step(x, y);
        const double l2 = fromPrefix.stepFrom(prefix, begin, y);
        QCOMPARE(l2, l1);
      }
      for (std::size_t i = frozen; i < whole.size(); ++i)
        for (std::size_t j = 0; j < whole[i]->params.size(); ++j)
          QVERIFY2(torch::equal(whole[i]->params[j], split[i]->params[j]),
                   qPrintable(QString("begin %1, component %2").arg(begin).arg(i)));
    }
  }

  void misuseIsRefused() {
    const ArchitectureConfig a = testutil::tinyVit();
    const Route route = makeRoute(a, a.depth, 4, a.imageSize, 3);
    const auto r = raw(route);
    const torch::Tensor x = images(2, a.imageSize, 5);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             forwardSlots(a, r, x, 0, r.size(), r.size(), Precision::Auto));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forwardSlots(a, r, x, 3, 2, r.size()));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             forwardSlots(a, r, x, 0, r.size() + 1, r.size()));
    std::vector<bool> trainable(route.size(), true);
    trainable[0] = false;
    RouteTrainer trainer(a, route, trainable, OptimizerHParams{});
    // Only activations of the frozen prefix can stand in for the images.
    const auto [images2, labels] = testutil::quadrantProblem(2, a.imageSize, 9);
    torch::Tensor two;
    {
      at::NoGradGuard noGrad;
      two = forwardSlots(a, r, images2, 0, 2, r.size());
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trainer.stepFrom(two, 2, labels));
  }

  void precisionNames() {
    for (Precision p :
         {Precision::Auto, Precision::Float32, Precision::Bf16Frozen, Precision::Bf16})
      QVERIFY(parsePrecision(toString(p)) == p);
    QVERIFY(!parsePrecision("fp16"));
    QVERIFY(effectivePrecision(Precision::Auto) ==
            (cpuHasNativeBf16() ? Precision::Bf16 : Precision::Float32));
    QVERIFY(effectivePrecision(Precision::Bf16) == Precision::Bf16);
  }
};

QTEST_GUILESS_MAIN(TestForwardSlots)
#include "tst_forward_slots_torch.moc"
