// The torch model layer: component shapes and initialisation, clone and hash, position-embedding
// resizing, and the functional forward pass (including the frozen prefix).
#include <QtTest/QtTest>

#include <torch/types.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "ModelTestUtil.h"
#include "common/Sha256.h"
#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/common/Rng.h"
#include "mu2net/model/Architecture.h"

using namespace mu2net;
using namespace mu2net::testutil;
using Shapes = std::vector<std::vector<int64_t>>;

namespace {

double maxAbs(const torch::Tensor& t) {
  return t.abs().max().item<double>();
}

// A deliberately naive ViT block: per-head loops, explicit softmax. Checks the fused, batched
// implementation against a different formulation of the same maths.
torch::Tensor referenceVitBlock(const torch::Tensor& x, const ComponentTensors& c, int heads) {
  const auto& p = c.params;
  const int64_t d = x.size(2), dh = d / heads;
  auto ln = [](const torch::Tensor& v, const torch::Tensor& w, const torch::Tensor& b) {
    const auto mean = v.mean(-1, true);
    const auto var = (v - mean).pow(2).mean(-1, true);
    return (v - mean) / torch::sqrt(var + kLayerNormEps) * w + b;
  };
  const auto h = ln(x, p[0], p[1]);
  std::vector<torch::Tensor> outs;
  for (int head = 0; head < heads; ++head) {
    auto rows = [&](int64_t block) {
      const int64_t start = block * d + head * dh;
      return torch::matmul(h, p[2].narrow(0, start, dh).t()) + p[3].narrow(0, start, dh);
    };
    const auto q = rows(0), k = rows(1), v = rows(2);
    auto scores = torch::matmul(q, k.transpose(1, 2)) / std::sqrt(static_cast<double>(dh));
    scores = torch::exp(scores - std::get<0>(scores.max(-1, true)));
    scores = scores / scores.sum(-1, true);
    outs.push_back(torch::matmul(scores, v));
  }
  const auto y = x + torch::matmul(torch::cat(outs, -1), p[4].t()) + p[5];
  const auto h2 = ln(y, p[6], p[7]);
  const auto a = torch::matmul(h2, p[8].t()) + p[9];
  const auto g = 0.5 * a * (1 + torch::erf(a / std::sqrt(2.0)));
  return y + torch::matmul(g, p[10].t()) + p[11];
}

}  // namespace

class TstNetworkTorch : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void vitShapesOfEverySlot() {
    ArchitectureConfig a;  // D 64, patch 4, MLP 128, 28x28 -> 7x7 grid
    QCOMPARE(componentShapes(a, "embedding", 10, 28), (Shapes{{64, 3, 4, 4}, {64}}));
    QCOMPARE(componentShapes(a, "cls", 10, 28), (Shapes{{1, 1, 64}}));
    QCOMPARE(componentShapes(a, "posembed", 10, 28), (Shapes{{1, 50, 64}}));
    QCOMPARE(componentShapes(a, "posembed", 10, 16), (Shapes{{1, 17, 64}}));
    QCOMPARE(componentShapes(a, "block_3", 10, 28), (Shapes{{64},
                                                            {64},
                                                            {192, 64},
                                                            {192},
                                                            {64, 64},
                                                            {64},
                                                            {64},
                                                            {64},
                                                            {128, 64},
                                                            {128},
                                                            {64, 128},
                                                            {64}}));
    QCOMPARE(componentShapes(a, "norm", 10, 28), (Shapes{{64}, {64}}));
    QCOMPARE(componentShapes(a, "head", 10, 28), (Shapes{{10, 64}, {10}}));
    QCOMPARE(componentParamNames(a, "block_0").at(2), std::string("qkv.weight"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, componentShapes(a, "adapter_0", 10, 28));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, componentShapes(a, "posembed", 10, 30));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, componentShapes(a, "head", 0, 28));
  }

  void cnnShapesOfEverySlot() {
    ArchitectureConfig a;
    a.kind = ArchitectureKind::Cnn;
    QCOMPARE(componentShapes(a, "embedding", 5, 28), (Shapes{{64, 3, 3, 3}, {64}}));
    QCOMPARE(componentShapes(a, "block_0", 5, 28),
             (Shapes{{64, 64, 3, 3}, {64}, {64, 64, 3, 3}, {64}}));
    QCOMPARE(componentShapes(a, "norm", 5, 28), (Shapes{{64}, {64}}));
    QCOMPARE(componentShapes(a, "head", 5, 28), (Shapes{{5, 64}, {5}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, componentShapes(a, "cls", 5, 28));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, componentShapes(a, "posembed", 5, 28));
  }

  void initMatchesShapesWithZeroMomentum() {
    for (const auto& a : {ArchitectureConfig{}, tinyCnn()}) {
      Rng rng(1);
      for (const auto& slot : routeSlots(a, 2)) {
        const auto c = initComponent(a, slot, 7, 28, rng);
        QVERIFY2(fitsShapes(*c, componentShapes(a, slot, 7, 28)), slot.c_str());
        QVERIFY(!fitsShapes(*c, componentShapes(a, slot == "head" ? "norm" : "head", 7, 28)));
        QCOMPARE(c->names, componentParamNames(a, slot));
        QCOMPARE(c->momentum.size(), c->params.size());
        for (std::size_t i = 0; i < c->params.size(); ++i) {
          QCOMPARE(c->momentum[i].sizes(), c->params[i].sizes());
          QCOMPARE(maxAbs(c->momentum[i]), 0.0);
          QVERIFY(c->params[i].is_contiguous());
          QCOMPARE(c->params[i].scalar_type(), torch::kFloat);
          QVERIFY(!c->params[i].requires_grad());
        }
      }
    }
  }

  void headIsZeroInitialised() {
    for (const auto& a : {ArchitectureConfig{}, tinyCnn()}) {
      Rng rng(3);
      const auto head = initComponent(a, "head", 10, 28, rng);
      QCOMPARE(maxAbs(head->params[0]), 0.0);
      QCOMPARE(maxAbs(head->params[1]), 0.0);
    }
    // Hence a fresh route predicts all-zero logits.
    const auto arch = tinyVit();
    const auto route = makeRoute(arch, 2, 4, 16, 5);
    const auto [images, labels] = quadrantProblem(3, 16, 1);
    QCOMPARE(maxAbs(forwardRoute(arch, raw(route), images, route.size())), 0.0);
  }

  void initStatistics() {
    ArchitectureConfig a;  // D 64
    Rng rng(11);
    const auto emb = initComponent(a, "embedding", 10, 28, rng);
    QVERIFY(std::abs(emb->params[0].std().item<double>() - 1.0 / std::sqrt(48.0)) < 0.01);
    QCOMPARE(maxAbs(emb->params[1]), 0.0);
    QCOMPARE(maxAbs(initComponent(a, "cls", 10, 28, rng)->params[0]), 0.0);
    const auto pos = initComponent(a, "posembed", 10, 28, rng);
    QVERIFY(std::abs(pos->params[0].std().item<double>() - 0.02) < 0.002);
    const auto block = initComponent(a, "block_0", 10, 28, rng);
    QCOMPARE(block->params[0].min().item<double>(), 1.0);  // ln1 weight ones
    QCOMPARE(maxAbs(block->params[1]), 0.0);
    const double qkvBound = std::sqrt(6.0 / 128.0), fc1Bound = std::sqrt(6.0 / 192.0);
    QVERIFY(maxAbs(block->params[2]) <= qkvBound && maxAbs(block->params[2]) > 0.95 * qkvBound);
    QVERIFY(maxAbs(block->params[8]) <= fc1Bound && maxAbs(block->params[8]) > 0.95 * fc1Bound);
    QCOMPARE(maxAbs(block->params[3]), 0.0);
    const auto norm = initComponent(a, "norm", 10, 28, rng);
    QCOMPARE(norm->params[0].min().item<double>(), 1.0);
    QCOMPARE(maxAbs(norm->params[1]), 0.0);

    ArchitectureConfig c;
    c.kind = ArchitectureKind::Cnn;  // W 64
    const auto cblock = initComponent(c, "block_0", 10, 28, rng);
    const double kaiming = std::sqrt(2.0 / (9.0 * 64.0));
    QVERIFY(std::abs(cblock->params[0].std().item<double>() / kaiming - 1.0) < 0.05);
    QVERIFY(std::abs(cblock->params[2].std().item<double>() / (kaiming * kCnnResidualInitScale) -
                     1.0) < 0.05);
  }

  void initIsDeterministic() {
    const ArchitectureConfig a;
    for (const auto& slot : {"embedding", "posembed", "block_1"}) {
      Rng r1(42), r2(42), r3(43);
      const auto c1 = initComponent(a, slot, 10, 28, r1);
      const auto c2 = initComponent(a, slot, 10, 28, r2);
      const auto c3 = initComponent(a, slot, 10, 28, r3);
      for (std::size_t i = 0; i < c1->params.size(); ++i)
        QVERIFY(torch::equal(c1->params[i], c2->params[i]));
      QCOMPARE(c1->sha256Hex(), c2->sha256Hex());
      QVERIFY(c1->sha256Hex() != c3->sha256Hex());
      QVERIFY(r1.state() == r2.state());  // the same number of draws
    }
  }

  void cloneIsDeepAndCopiesMomentum() {
    Rng rng(2);
    const auto original = initComponent(ArchitectureConfig{}, "block_0", 10, 28, rng);
    original->momentum[2].fill_(0.5);
    const std::string hashBefore = original->sha256Hex();
    const auto copy = original->clone();
    QCOMPARE(copy->names, original->names);
    QCOMPARE(copy->sha256Hex(), hashBefore);
    QCOMPARE(copy->numel(), original->numel());
    QCOMPARE(copy->shapes(), original->shapes());
    QCOMPARE(copy->momentum[2].min().item<double>(), 0.5);
    for (std::size_t i = 0; i < copy->params.size(); ++i) {
      QVERIFY(copy->params[i].data_ptr() != original->params[i].data_ptr());
      QVERIFY(copy->momentum[i].data_ptr() != original->momentum[i].data_ptr());
    }
    copy->params[2].add_(1.0);
    copy->momentum[2].fill_(-3.0);
    QCOMPARE(original->sha256Hex(), hashBefore);
    QCOMPARE(original->momentum[2].max().item<double>(), 0.5);
    QVERIFY(copy->sha256Hex() != hashBefore);
  }

  void numelAndShapes() {
    Rng rng(2);
    const auto block = initComponent(ArchitectureConfig{}, "block_0", 10, 28, rng);
    // 2*64 + 192*64 + 192 + 64*64 + 64 + 2*64 + 128*64 + 128 + 64*128 + 64
    QCOMPARE(block->numel(), int64_t{33472});
    QCOMPARE(block->shapes().size(), std::size_t{12});
  }

  void hashFormatAndSensitivity() {
    const auto c = ComponentTensors::create({"w"}, {torch::tensor({1.0f, 2.0f})});
    Sha256 expected;
    expected.updateU64(1);
    expected.update("w");
    expected.updateU64(1);
    expected.updateU64(2);
    expected.updateU64(8);
    const float values[2] = {1.0f, 2.0f};
    expected.update(values, sizeof(values));
    QCOMPARE(c->sha256Hex(), expected.hexDigest());

    Rng rng(9);
    const auto a = initComponent(ArchitectureConfig{}, "block_0", 10, 28, rng);
    const auto b = a->clone();
    QCOMPARE(a->sha256Hex(), b->sha256Hex());
    b->momentum[0].fill_(1.0);  // optimiser state is not part of the model
    QCOMPARE(a->sha256Hex(), b->sha256Hex());
    b->params[8].view(-1)[17] += 1e-6f;  // one element, a tiny change
    QVERIFY(a->sha256Hex() != b->sha256Hex());
    const auto renamed = a->clone();
    renamed->names[0] = "other";
    QVERIFY(a->sha256Hex() != renamed->sha256Hex());
    // Same bytes, different shape: the shape is part of the hash.
    const auto reshaped = a->clone();
    reshaped->params[2] = reshaped->params[2].view({64, 192}).contiguous();
    QVERIFY(a->sha256Hex() != reshaped->sha256Hex());
  }

  void forwardShapesVit() {
    const auto arch = tinyVit();
    auto route = makeRoute(arch, 2, 5, 16, 7);
    route.back()->params[0].normal_(0, 1);  // non-zero logits to compare below
    const auto [images, labels] = quadrantProblem(6, 16, 2);
    const auto logits = forwardRoute(arch, raw(route), images, 0);
    QCOMPARE(logits.sizes(), (torch::IntArrayRef{6, 5}));
    QVERIFY(torch::isfinite(logits).all().item<bool>());

    // Another image size: the native posembed is refused, a resized one works.
    const auto [big, bigLabels] = quadrantProblem(3, 24, 3);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forwardRoute(arch, raw(route), big, 0));
    auto resized = route;
    resized[2] = resizePosEmbed(*route[2], arch, 16, 24);
    QCOMPARE(forwardRoute(arch, raw(resized), big, 0).sizes(), (torch::IntArrayRef{3, 5}));

    // Zero blocks is a valid route: embedding, cls, posembed, norm, head.
    auto shallow = makeRoute(arch, 0, 5, 16, 7);
    QCOMPARE(shallow.size(), std::size_t{5});
    QCOMPARE(forwardRoute(arch, raw(shallow), images, 0).sizes(), (torch::IntArrayRef{6, 5}));

    // Malformed routes are refused with an exception, not an ATen crash.
    auto broken = raw(route);
    broken.pop_back();
    broken.pop_back();
    broken.pop_back();
    broken.pop_back();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forwardRoute(arch, broken, images, 0));
    auto swapped = raw(route);
    std::swap(swapped[3], swapped[5]);  // a norm where a block belongs
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, forwardRoute(arch, swapped, images, 0));
  }

  void vitMatchesReferenceImplementation() {
    const auto arch = tinyVit();
    auto route = makeRoute(arch, 2, 3, 16, 21);
    {
      torch::NoGradGuard noGrad;
      route[1]->params[0].normal_(0, 0.5);  // non-trivial class token
      for (auto& p : route[4]->params)
        p.normal_(0, 0.3);  // non-trivial block_1 norm params
      for (auto& p : route.back()->params)
        p.normal_(0, 1.0);
    }
    const auto [images, labels] = quadrantProblem(4, 16, 5);
    const auto logits = forwardRoute(arch, raw(route), images, route.size());

    torch::NoGradGuard noGrad;
    auto x = torch::conv2d(images, route[0]->params[0], route[0]->params[1], 4);
    x = x.flatten(2).transpose(1, 2);
    x = torch::cat({route[1]->params[0].expand({4, 1, 16}), x}, 1) + route[2]->params[0];
    x = referenceVitBlock(x, *route[3], arch.heads);
    x = referenceVitBlock(x, *route[4], arch.heads);
    x = torch::layer_norm(x, {16}, route[5]->params[0], route[5]->params[1], kLayerNormEps);
    const auto expected =
        torch::matmul(x.select(1, 0), route[6]->params[0].t()) + route[6]->params[1];
    QVERIFY2(torch::allclose(logits, expected, 1e-4, 1e-5),
             qPrintable(QString::number(maxAbs(logits - expected))));
  }

  void convStemMatchesReferenceImplementation() {
    // Two 3x3 stride-2 convolutions (ReLU between them) give patch 4's 4x4 grid of 16 px images.
    auto arch = tinyVit();
    arch.stem = StemKind::Conv;
    QCOMPARE(
        componentParamNames(arch, "embedding"),
        (std::vector<std::string>{"conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias"}));
    QCOMPARE(componentShapes(arch, "embedding", 1, 16),
             (std::vector<std::vector<int64_t>>{{8, 3, 3, 3}, {8}, {16, 8, 3, 3}, {16}}));
    Rng rng(4);
    const auto stem = initComponent(arch, "embedding", 1, 16, rng);
    // Kaiming (ReLU) for the inner convolution, LeCun for the projection to tokens.
    QVERIFY(std::abs(stem->params[0].std().item<double>() / std::sqrt(2.0 / 27) - 1) < 0.2);
    QVERIFY(std::abs(stem->params[2].std().item<double>() / std::sqrt(1.0 / 72) - 1) < 0.1);
    auto route = makeRoute(arch, 1, 3, 16, 22);
    {
      torch::NoGradGuard noGrad;
      for (auto& p : route.back()->params)
        p.normal_(0, 1.0);
    }
    const auto [images, labels] = quadrantProblem(4, 16, 5);
    const auto logits = forwardRoute(arch, raw(route), images, 0);
    torch::NoGradGuard noGrad;
    const auto& e = route[0]->params;
    auto x = torch::relu(torch::conv2d(images, e[0], e[1], 2, 1));
    x = torch::conv2d(x, e[2], e[3], 2, 1).flatten(2).transpose(1, 2);
    x = torch::cat({route[1]->params[0].expand({4, 1, 16}), x}, 1) + route[2]->params[0];
    x = referenceVitBlock(x, *route[3], arch.heads);
    x = torch::layer_norm(x, {16}, route[4]->params[0], route[4]->params[1], kLayerNormEps);
    const auto expected =
        torch::matmul(x.select(1, 0), route[5]->params[0].t()) + route[5]->params[1];
    QVERIFY2(torch::allclose(logits, expected, 1e-4, 1e-5),
             qPrintable(QString::number(maxAbs(logits - expected))));
  }

  void cnnForwardShapesAtAnySize() {
    const auto arch = tinyCnn();
    auto route = makeRoute(arch, 2, 4, 16, 8);
    for (int64_t size : {16, 20, 9}) {
      const auto [images, labels] = quadrantProblem(5, size, 4);
      const auto logits = forwardRoute(arch, raw(route), images, 0);
      QCOMPARE(logits.sizes(), (torch::IntArrayRef{5, 4}));
    }
    auto shallow = makeRoute(arch, 0, 4, 16, 8);
    QCOMPARE(shallow.size(), std::size_t{3});
    const auto [images, labels] = quadrantProblem(2, 16, 4);
    QCOMPARE(forwardRoute(arch, raw(shallow), images, 0).sizes(), (torch::IntArrayRef{2, 4}));
  }

  void cnnMatchesReferenceImplementation() {
    const auto arch = tinyCnn();
    auto route = makeRoute(arch, 1, 3, 16, 31);
    {
      torch::NoGradGuard noGrad;
      for (auto& p : route.back()->params)
        p.normal_(0, 1.0);
      route[1]->params[1].normal_(0, 0.1);
    }
    const auto [images, labels] = quadrantProblem(3, 12, 6);
    const auto logits = forwardRoute(arch, raw(route), images, route.size());
    torch::NoGradGuard noGrad;
    const auto& e = route[0]->params;
    const auto& b = route[1]->params;
    auto x = torch::relu(torch::conv2d(images, e[0], e[1], 2, 1));
    QCOMPARE(x.sizes(), (torch::IntArrayRef{3, 8, 6, 6}));
    x = torch::relu(
        x + torch::conv2d(torch::relu(torch::conv2d(x, b[0], b[1], 1, 1)), b[2], b[3], 1, 1));
    auto f = x.mean({2, 3});
    f = torch::layer_norm(f, {8}, route[2]->params[0], route[2]->params[1], kLayerNormEps);
    const auto expected = torch::matmul(f, route[3]->params[0].t()) + route[3]->params[1];
    QVERIFY(torch::allclose(logits, expected, 1e-4, 1e-5));
  }

  void frozenPrefixBuildsNoGraphAtAnyBoundary() {
    for (const auto& arch : {tinyVit(), tinyCnn()}) {
      const auto [images, labels] = quadrantProblem(4, 16, 9);
      auto reference = makeRoute(arch, 2, 4, 16, 12);
      torch::Tensor expected;
      for (std::size_t boundary = 0; boundary <= reference.size(); ++boundary) {
        Route route;
        for (const auto& c : reference)
          route.push_back(c->clone());
        for (auto& c : route)
          for (auto& p : c->params)
            p.requires_grad_(true);
        const auto logits = forwardRoute(arch, raw(route), images, boundary);
        if (!expected.defined()) expected = logits.detach();
        QVERIFY(torch::equal(logits.detach(), expected));  // the boundary changes no value
        if (boundary == route.size()) {
          QVERIFY(!logits.requires_grad());
          continue;
        }
        QVERIFY(logits.requires_grad());
        torch::cross_entropy_loss(logits, labels).backward();
        for (std::size_t i = 0; i < route.size(); ++i)
          for (const auto& p : route[i]->params)
            QVERIFY2(p.grad().defined() == (i >= boundary),
                     qPrintable(QStringLiteral("boundary %1 component %2").arg(boundary).arg(i)));
      }
    }
  }

  void resizePosEmbedKeepsClassSlotAndIsIdentityAtEqualSize() {
    const auto arch = tinyVit();
    Rng rng(4);
    const auto pos = initComponent(arch, "posembed", 1, 16, rng);
    pos->momentum[0].fill_(1.0);
    const auto same = resizePosEmbed(*pos, arch, 16, 16);
    QVERIFY(torch::equal(same->params[0], pos->params[0]));
    QVERIFY(same->params[0].data_ptr() != pos->params[0].data_ptr());
    QCOMPARE(maxAbs(same->momentum[0]), 0.0);

    const auto bigger = resizePosEmbed(*pos, arch, 16, 32);
    QCOMPARE(bigger->params[0].sizes(), (torch::IntArrayRef{1, 65, 16}));
    QVERIFY(torch::equal(bigger->params[0].select(1, 0), pos->params[0].select(1, 0)));
    QCOMPARE(maxAbs(bigger->momentum[0]), 0.0);
    QCOMPARE(bigger->names, pos->names);
    const auto smaller = resizePosEmbed(*pos, arch, 16, 8);
    QCOMPARE(smaller->params[0].sizes(), (torch::IntArrayRef{1, 5, 16}));
    QVERIFY(torch::equal(smaller->params[0].select(1, 0), pos->params[0].select(1, 0)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resizePosEmbed(*pos, arch, 20, 16));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resizePosEmbed(*pos, arch, 16, 18));
  }

  void resizePosEmbedIsBilinear() {
    // A 2x2 grid [[0,1],[2,3]] (row-major tokens) upsampled to 4x4 with align_corners=false:
    // along each axis the sample points are [0, 0.25, 0.75, 1] (edges clamped).
    ArchitectureConfig arch = tinyVit();
    arch.width = 2;
    arch.heads = 1;
    auto pos = ComponentTensors::create(
        {"embedding"},
        {torch::tensor({9.f, 9.f, 0.f, 0.f, 1.f, 1.f, 2.f, 2.f, 3.f, 3.f}).view({1, 5, 2})});
    const auto out = resizePosEmbed(*pos, arch, 8, 16)->params[0];
    QCOMPARE(out.sizes(), (torch::IntArrayRef{1, 17, 2}));
    QCOMPARE(out[0][0][0].item<float>(), 9.f);
    const double axis[4] = {0, 0.25, 0.75, 1};
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        for (int ch = 0; ch < 2; ++ch)
          QVERIFY(std::abs(out[0][1 + 4 * r + c][ch].item<double>() - (2 * axis[r] + axis[c])) <
                  1e-6);
  }
};

QTEST_GUILESS_MAIN(TstNetworkTorch)
#include "tst_network_torch.moc"
