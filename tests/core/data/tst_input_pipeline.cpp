// The input pipeline: batch assembly with augmentation, and the shuffled batch stream.
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "TestData.h"
#include "mu2net/data/DatasetReader.h"
#include "mu2net/data/InputPipeline.h"

using mu2net::BatchStream;
using mu2net::DataHParams;
using mu2net::ImageSet;
using mu2net::Rng;

namespace {

ImageSet makeImage(int height, int width, int channels, const std::vector<std::uint8_t>& pixels,
                   int label = 3) {
  ImageSet set;
  set.count = 1;
  set.height = height;
  set.width = width;
  set.channels = channels;
  set.pixels = pixels;
  set.labels = {label};
  return set;
}

// A batch of `indices` as a vector of floats.
std::vector<float> assemble(const ImageSet& set, const std::vector<std::int64_t>& indices,
                            const DataHParams& hp, bool training, Rng& rng,
                            std::vector<std::int64_t>* labels = nullptr) {
  std::vector<float> out(indices.size() * 3 * std::size_t(hp.imageSize * hp.imageSize), -7.0f);
  std::vector<std::int64_t> l(indices.size(), -1);
  mu2net::assembleBatch(set, indices, hp, training, rng, out.data(), l.data());
  if (labels) *labels = l;
  return out;
}

float scaled(int value) {
  return static_cast<float>(value / 255.0 * 2.0 - 1.0);
}

DataHParams everything() {
  DataHParams hp;
  hp.crop = true;
  hp.areaRangeMin = 0.1;
  hp.aspectRatioRangeMin = 0.5;
  hp.flipLeftRight = true;
  hp.brightnessDelta = 0.2;
  hp.contrastDelta = 0.2;
  return hp;
}

// 8×8 grey image: left half 0, right half 255.
ImageSet halves() {
  std::vector<std::uint8_t> pixels(64);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x)
      pixels[std::size_t(y * 8 + x)] = x < 4 ? 0 : 255;
  return makeImage(8, 8, 1, pixels);
}

}  // namespace

class TstInputPipeline : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void evalAtNativeSizeIsExactScaling() {
    const auto dir = mu2net::testdata::mnistDir();
    MU2NET_REQUIRE_DIR(dir);
    const auto mnist =
        mu2net::readIdx(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz");
    DataHParams hp = everything();  // augmentation settings must not matter in evaluation
    hp.imageSize = 28;
    Rng rng(1);
    std::vector<std::int64_t> labels;
    const auto out = assemble(mnist, {0, 9999}, hp, false, rng, &labels);
    QCOMPARE(labels, (std::vector<std::int64_t>{7, 6}));
    const std::size_t plane = 28 * 28;
    for (std::size_t n = 0; n < 2; ++n) {
      const std::int64_t index = n == 0 ? 0 : 9999;
      for (int c = 0; c < 3; ++c)  // grey replicated to 3 channels
        for (int y = 0; y < 28; ++y)
          for (int x = 0; x < 28; ++x) {
            const float v = out[n * 3 * plane + std::size_t(c) * plane + std::size_t(y * 28 + x)];
            QVERIFY(std::abs(v - scaled(mnist.pixel(index, y, x))) < 1e-6f);
          }
    }
    // The known pixel of test image 9999 (value 18, see tst_dataset_reader).
    QVERIFY(std::abs(out[3 * plane + 14 * 28 + 14] - scaled(18)) < 1e-6f);
    QCOMPARE(out[0], -1.0f);  // background 0 ↦ -1 exactly
  }

  void evalKeepsColourChannels() {
    std::vector<std::uint8_t> pixels;
    for (int p = 0; p < 4; ++p)
      pixels.insert(pixels.end(), {255, 0, std::uint8_t(10 * p)});
    const auto set = makeImage(2, 2, 3, pixels);
    DataHParams hp;
    hp.imageSize = 2;
    Rng rng(1);
    const auto out = assemble(set, {0}, hp, false, rng);
    for (int p = 0; p < 4; ++p) {
      QCOMPARE(out[std::size_t(p)], 1.0f);
      QCOMPARE(out[std::size_t(4 + p)], -1.0f);
      QVERIFY(std::abs(out[std::size_t(8 + p)] - scaled(10 * p)) < 1e-6f);
    }
  }

  void evalUsesNoRandomness() {
    const auto set = halves();
    DataHParams hp = everything();
    hp.imageSize = 5;
    Rng rng(99);
    const auto before = rng.state();
    const auto a = assemble(set, {0, 0}, hp, false, rng);
    const auto b = assemble(set, {0, 0}, hp, false, rng);
    QVERIFY(rng.state() == before);
    QCOMPARE(a, b);
  }

  void bilinearResize() {
    // 4×4 → 2×2 with pixel-centre alignment averages each 2×2 block.
    const auto set = makeImage(4, 4, 1,
                               {0, 20, 100, 100,   //
                                40, 60, 100, 100,  //
                                0, 0, 200, 250,    //
                                0, 0, 210, 240});
    DataHParams hp;
    hp.imageSize = 2;
    Rng rng(1);
    const auto out = assemble(set, {0}, hp, false, rng);
    QVERIFY(std::abs(out[0] - scaled(30)) < 1e-5f);
    QVERIFY(std::abs(out[1] - scaled(100)) < 1e-5f);
    QVERIFY(std::abs(out[2] - scaled(0)) < 1e-5f);
    QVERIFY(std::abs(out[3] - scaled(225)) < 1e-5f);
    // Upscaling a constant image stays constant.
    const auto flat = makeImage(3, 3, 1, std::vector<std::uint8_t>(9, 51));
    hp.imageSize = 7;
    for (float v : assemble(flat, {0}, hp, false, rng))
      QVERIFY(std::abs(v - scaled(51)) < 1e-6f);
  }

  void trainingShapeRangeAndLabels() {
    ImageSet set = halves();
    set = set.subset(std::vector<std::int64_t>{0, 0, 0});
    set.labels = {4, 5, 6};
    DataHParams hp = everything();
    hp.imageSize = 6;
    Rng rng(5);
    std::vector<std::int64_t> labels;
    const std::vector<std::int64_t> indices{2, 0, 1, 2};
    const auto out = assemble(set, indices, hp, true, rng, &labels);
    QCOMPARE(out.size(), std::size_t(4 * 3 * 36));
    QCOMPARE(labels, (std::vector<std::int64_t>{6, 4, 5, 6}));
    for (float v : out)
      QVERIFY(std::isfinite(v) && v >= -1.0f && v <= 1.0f);
    // Grey replicated: the three planes of each sample are equal.
    for (std::size_t n = 0; n < 4; ++n)
      for (std::size_t p = 0; p < 36; ++p) {
        QCOMPARE(out[n * 108 + 36 + p], out[n * 108 + p]);
        QCOMPARE(out[n * 108 + 72 + p], out[n * 108 + p]);
      }
  }

  void trainingIsDeterministicForEqualRngStates() {
    const auto set = halves().subset(std::vector<std::int64_t>(16, 0));
    DataHParams hp = everything();
    hp.imageSize = 8;
    std::vector<std::int64_t> indices(16);
    std::iota(indices.begin(), indices.end(), 0);
    Rng a(11), b(11), c(12);
    const auto outA = assemble(set, indices, hp, true, a);
    const auto outB = assemble(set, indices, hp, true, b);
    const auto outC = assemble(set, indices, hp, true, c);
    QCOMPARE(outA, outB);
    QVERIFY(a.state() == b.state());
    QVERIFY(outA != outC);
    // Samples of one batch get different draws.
    QVERIFY(!std::equal(outA.begin(), outA.begin() + 192, outA.begin() + 192));
  }

  void trainingWithoutAugmentationEqualsEvaluation() {
    const auto set = halves();
    DataHParams hp;
    hp.imageSize = 5;
    hp.crop = false;
    Rng rng(3);
    const auto before = rng.state();
    QCOMPARE(assemble(set, {0}, hp, true, rng), assemble(set, {0}, hp, false, rng));
    QVERIFY(rng.state() == before);  // no augmentation on: no draws
    // A crop that must cover the whole image (area 1, aspect 1) draws but changes nothing.
    hp.crop = true;
    hp.areaRangeMin = 1.0;
    hp.aspectRatioRangeMin = 1.0;
    QCOMPARE(assemble(set, {0}, hp, true, rng), assemble(set, {0}, hp, false, rng));
    QVERIFY(rng.state() != before);
  }

  void flipMirrorsAboutHalfTheTime() {
    std::vector<std::uint8_t> pixels(16);
    std::iota(pixels.begin(), pixels.end(), 0);
    const auto set = makeImage(4, 4, 1, pixels).subset(std::vector<std::int64_t>(200, 0));
    DataHParams hp;
    hp.imageSize = 4;
    hp.crop = false;
    hp.flipLeftRight = true;
    Rng rng(4);
    std::vector<std::int64_t> indices(200);
    std::iota(indices.begin(), indices.end(), 0);
    const auto out = assemble(set, indices, hp, true, rng);
    int flipped = 0;
    for (std::size_t n = 0; n < 200; ++n) {
      const float* plane = out.data() + n * 48;
      const bool isFlipped = std::abs(plane[0] - scaled(3)) < 1e-6f;
      if (!isFlipped) QVERIFY(std::abs(plane[0] - scaled(0)) < 1e-6f);
      for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) {
          const int sx = isFlipped ? 3 - x : x;
          QVERIFY(std::abs(plane[y * 4 + x] - scaled(y * 4 + sx)) < 1e-6f);
        }
      flipped += isFlipped;
    }
    QVERIFY2(flipped > 70 && flipped < 130, qPrintable(QString::number(flipped)));
  }

  void brightnessShiftsWithinDelta() {
    const auto set = makeImage(2, 2, 1, std::vector<std::uint8_t>(4, 128))
                         .subset(std::vector<std::int64_t>(100, 0));
    DataHParams hp;
    hp.imageSize = 2;
    hp.crop = false;
    hp.brightnessDelta = 0.2;
    Rng rng(6);
    std::vector<std::int64_t> indices(100);
    std::iota(indices.begin(), indices.end(), 0);
    const auto out = assemble(set, indices, hp, true, rng);
    float lo = 1, hi = -1;
    for (std::size_t n = 0; n < 100; ++n) {
      const float v = out[n * 12];
      for (std::size_t p = 1; p < 12; ++p)
        QCOMPARE(out[n * 12 + p], v);                           // whole image shifted
      const float shift = (v + 1.0f) / 2.0f - 128.0f / 255.0f;  // in [0, 1] units
      QVERIFY(std::abs(shift) <= 0.2f + 1e-6f);
      lo = std::min(lo, shift);
      hi = std::max(hi, shift);
    }
    QVERIFY(lo < -0.1f && hi > 0.1f);
  }

  void contrastScalesAroundMean() {
    // Two values 100 and 150, mean 125: contrast moves both away from or towards the mean.
    const auto set = makeImage(1, 2, 1, {100, 150}).subset(std::vector<std::int64_t>(50, 0));
    DataHParams hp;
    hp.imageSize = 2;  // 2×2 output of a 1×2 image: columns keep their values
    hp.crop = false;
    hp.contrastDelta = 0.5;
    Rng rng(8);
    std::vector<std::int64_t> indices(50);
    std::iota(indices.begin(), indices.end(), 0);
    const auto out = assemble(set, indices, hp, true, rng);
    bool sawStronger = false, sawWeaker = false;
    for (std::size_t n = 0; n < 50; ++n) {
      const float a = (out[n * 12] + 1) / 2, b = (out[n * 12 + 1] + 1) / 2;
      QVERIFY(std::abs((a + b) / 2 - 125.0f / 255.0f) < 1e-5f);  // mean preserved
      const float factor = (b - a) / (50.0f / 255.0f);
      QVERIFY(factor >= 0.5f - 1e-4f && factor <= 1.5f + 1e-4f);
      sawStronger |= factor > 1.2f;
      sawWeaker |= factor < 0.8f;
    }
    QVERIFY(sawStronger && sawWeaker);
  }

  void randomCropZoomsIn() {
    const auto set = halves().subset(std::vector<std::int64_t>(100, 0));
    DataHParams hp;
    hp.imageSize = 8;
    hp.crop = true;
    hp.areaRangeMin = 0.05;
    hp.aspectRatioRangeMin = 0.75;
    Rng rng(9);
    std::vector<std::int64_t> indices(100);
    std::iota(indices.begin(), indices.end(), 0);
    const auto out = assemble(set, indices, hp, true, rng);
    Rng evalRng(0);
    const auto whole = assemble(set, {0}, hp, false, evalRng);
    int uniform = 0, differentFromWhole = 0;
    for (std::size_t n = 0; n < 100; ++n) {
      const auto first = out.begin() + std::ptrdiff_t(n * 192);
      const auto [lo, hi] = std::minmax_element(first, first + 64);
      uniform += *lo == *hi;  // the crop lay inside one half
      differentFromWhole += !std::equal(first, first + 192, whole.begin());
    }
    QVERIFY(uniform > 0);
    QVERIFY(differentFromWhole > 50);
  }

  void badArgumentsRefused() {
    const auto set = halves();
    DataHParams hp;
    Rng rng(1);
    std::vector<float> out(3 * 28 * 28);
    std::int64_t label;
    const std::vector<std::int64_t> outside{1};
    QVERIFY_THROWS_EXCEPTION(
        std::out_of_range, mu2net::assembleBatch(set, outside, hp, false, rng, out.data(), &label));
    const std::vector<std::int64_t> ok{0};
    hp.areaRangeMin = 0.0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             mu2net::assembleBatch(set, ok, hp, true, rng, out.data(), &label));
    hp = DataHParams{};
    hp.imageSize = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             mu2net::assembleBatch(set, ok, hp, true, rng, out.data(), &label));
  }

  // ---- BatchStream -----------------------------------------------------------------------------

  void batchStreamServesEveryIndexOncePerEpoch() {
    BatchStream stream(10, 3, 5);
    std::vector<std::int64_t> served;
    for (int b = 0; b < 20; ++b) {  // 60 indices = 6 epochs; batches straddle epoch ends
      const auto batch = stream.next();
      QCOMPARE(batch.size(), std::size_t{3});
      served.insert(served.end(), batch.begin(), batch.end());
    }
    QCOMPARE(stream.epoch(), 6);
    std::vector<std::vector<std::int64_t>> epochs;
    for (int e = 0; e < 6; ++e) {
      std::vector<std::int64_t> epoch(served.begin() + e * 10, served.begin() + (e + 1) * 10);
      epochs.push_back(epoch);
      std::sort(epoch.begin(), epoch.end());
      for (int i = 0; i < 10; ++i)
        QCOMPARE(epoch[std::size_t(i)], std::int64_t(i));
    }
    QVERIFY(epochs[0] != epochs[1]);  // reshuffled each epoch
    std::vector<std::int64_t> identity(10);
    std::iota(identity.begin(), identity.end(), 0);
    QVERIFY(epochs[0] != identity);
  }

  void batchStreamSeeds() {
    BatchStream a(100, 8, 1), b(100, 8, 1), c(100, 8, 2);
    QCOMPARE(a.next(), b.next());
    QVERIFY(a.next() != c.next());
  }

  void batchStreamStateRestoresSequence() {
    for (int warmup : {0, 3, 4, 7}) {  // 4 batches of 5 = exactly one epoch of 20
      BatchStream stream(20, 5, 77);
      for (int i = 0; i < warmup; ++i)
        stream.next();
      const auto saved = stream.state();
      QCOMPARE(saved.setSize, 20);
      QCOMPARE(saved.batchSize, 5);
      std::vector<std::int64_t> expected, batch;
      for (int i = 0; i < 13; ++i) {
        stream.next(batch);
        expected.insert(expected.end(), batch.begin(), batch.end());
      }
      BatchStream resumed(20, 5, 12345);  // the seed is irrelevant once the state is set
      resumed.setState(saved);
      QVERIFY(resumed.state() == saved);
      std::vector<std::int64_t> got;
      for (int i = 0; i < 13; ++i) {
        resumed.next(batch);
        got.insert(got.end(), batch.begin(), batch.end());
      }
      QCOMPARE(got, expected);
      QVERIFY(resumed.state() == stream.state());
    }
  }

  void batchStreamEdgeCases() {
    BatchStream big(3, 7, 1);  // a batch spans several epochs
    const auto batch = big.next();
    QCOMPARE(batch.size(), std::size_t{7});
    std::vector<std::int64_t> firstEpoch(batch.begin(), batch.begin() + 3);
    std::sort(firstEpoch.begin(), firstEpoch.end());
    QCOMPARE(firstEpoch, (std::vector<std::int64_t>{0, 1, 2}));
    QCOMPARE(big.epoch(), 2);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BatchStream(0, 4, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BatchStream(4, 0, 1));
    BatchStream other(4, 2, 1);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, other.setState(big.state()));
  }
};

QTEST_GUILESS_MAIN(TstInputPipeline)
#include "tst_input_pipeline.moc"
