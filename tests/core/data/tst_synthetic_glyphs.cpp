// The formula-driven synthetic image source: determinism, image statistics, class structure and
// option validation.
#include <QtTest/QtTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "mu2net/data/SyntheticGlyphs.h"

using mu2net::GlyphFamily;
using mu2net::ImageSet;
using mu2net::SyntheticGlyphOptions;
using mu2net::SyntheticGlyphs;

namespace {

// The background value: the most frequent of the image's bytes (0, or 255 when inverted).
bool isInverted(const std::uint8_t* image, std::int64_t bytes) {
  std::array<int, 256> histogram{};
  for (std::int64_t i = 0; i < bytes; ++i)
    ++histogram[image[i]];
  return histogram[255] > histogram[0];
}

// Pixels scaled to [0, 1] with ink high, whatever the polarity.
std::vector<double> normalisedInk(const std::uint8_t* image, std::int64_t bytes) {
  const bool inverted = isInverted(image, bytes);
  std::vector<double> v(static_cast<std::size_t>(bytes));
  for (std::int64_t i = 0; i < bytes; ++i)
    v[static_cast<std::size_t>(i)] = (inverted ? 255 - image[i] : image[i]) / 255.0;
  return v;
}

double meanAbsDifference(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    sum += std::abs(a[i] - b[i]);
  return sum / static_cast<double>(a.size());
}

// Accuracy of a nearest-class-centroid classifier (squared Euclidean distance, polarity-normalised
// pixels): `train` instances per class build the centroids, `test` further instances are
// classified. Every image has its own instance seed.
double centroidAccuracy(const SyntheticGlyphs& gen, int classes, int train, int test, int size) {
  const auto bytes = static_cast<std::int64_t>(size) * size;
  std::vector<std::uint8_t> image(static_cast<std::size_t>(bytes));
  std::vector<std::vector<double>> centroids(static_cast<std::size_t>(classes),
                                             std::vector<double>(static_cast<std::size_t>(bytes)));
  for (int c = 0; c < classes; ++c) {
    auto& centroid = centroids[static_cast<std::size_t>(c)];
    for (int i = 0; i < train; ++i) {
      gen.render(c, static_cast<std::uint64_t>(c) * 1000 + static_cast<std::uint64_t>(i), size,
                 image.data());
      const auto v = normalisedInk(image.data(), bytes);
      for (std::size_t j = 0; j < v.size(); ++j)
        centroid[j] += v[j] / train;
    }
  }
  int correct = 0;
  for (int c = 0; c < classes; ++c) {
    for (int i = train; i < train + test; ++i) {
      gen.render(c, static_cast<std::uint64_t>(c) * 1000 + static_cast<std::uint64_t>(i), size,
                 image.data());
      const auto v = normalisedInk(image.data(), bytes);
      int best = -1;
      double bestDistance = std::numeric_limits<double>::infinity();
      for (int k = 0; k < classes; ++k) {
        double d = 0.0;
        for (std::size_t j = 0; j < v.size(); ++j) {
          const double e = v[j] - centroids[static_cast<std::size_t>(k)][j];
          d += e * e;
        }
        if (d < bestDistance) {
          bestDistance = d;
          best = k;
        }
      }
      correct += best == c ? 1 : 0;
    }
  }
  return static_cast<double>(correct) / (classes * test);
}

// Runs `f` and checks that it throws std::invalid_argument whose message names `field`.
void expectInvalid(const std::function<void()>& f, const std::string& field) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    QVERIFY2(
        std::string(e.what()).find(field) != std::string::npos,
        qPrintable(
            QString("message '%1' does not name %2").arg(e.what(), QString::fromStdString(field))));
    return;
  }
  QFAIL(qPrintable(QString("no std::invalid_argument for %1").arg(QString::fromStdString(field))));
}

}  // namespace

class TstSyntheticGlyphs : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void sameSeedSameBytes() {
    for (const auto family : {GlyphFamily::Glyphs, GlyphFamily::Contours}) {
      SyntheticGlyphOptions options;
      options.family = family;
      const SyntheticGlyphs a(7, options), b(7, options);
      const auto x = a.sample(3, 0, 64, 28);
      const auto y = b.sample(3, 0, 64, 28);
      QVERIFY(x.valid());
      QCOMPARE(x.count, 64);
      QCOMPARE(x.height, 28);
      QCOMPARE(x.width, 28);
      QCOMPARE(x.channels, 1);
      QCOMPARE(x.pixels, y.pixels);
      QCOMPARE(x.labels, y.labels);
      // And on a second call of the same generator.
      QCOMPARE(a.sample(3, 0, 64, 28).pixels, x.pixels);
    }
  }

  void differentSeedDifferentClasses() {
    const SyntheticGlyphs a(7), b(8);
    int differentShapes = 0;
    for (int c = 0; c < 20; ++c)
      differentShapes += a.classShape(c) != b.classShape(c) ? 1 : 0;
    QCOMPARE(differentShapes, 20);
    std::vector<std::uint8_t> x(28 * 28), y(28 * 28);
    a.render(0, 5, 28, x.data());
    b.render(0, 5, 28, y.data());
    QVERIFY(x != y);
    QVERIFY(a.sample(0, 0, 32, 28).pixels != b.sample(0, 0, 32, 28).pixels);
    // Different classes of one generator differ too.
    QVERIFY(a.classShape(0) != a.classShape(1));
  }

  void windowsOfAStreamAgree() {
    const SyntheticGlyphs gen(11);
    const auto whole = gen.sample(4, 5, 10, 28);
    const auto tail = gen.sample(4, 10, 5, 28);
    QCOMPARE(tail.count, 5);
    const auto bytes = static_cast<std::size_t>(whole.imageBytes());
    QVERIFY(std::equal(tail.pixels.begin(), tail.pixels.end(), whole.pixels.begin() + 5 * bytes));
    QVERIFY(std::equal(tail.labels.begin(), tail.labels.end(), whole.labels.begin() + 5));
    // Another stream is another sequence.
    QVERIFY(gen.sample(5, 5, 10, 28).pixels != whole.pixels);
    QVERIFY(gen.sample(4, 0, 0, 28).empty());
  }

  void threadsDoNotChangeTheBytes() {
    const SyntheticGlyphs gen(13);
    const auto expected = gen.sample(2, 0, 200, 28);
    std::array<ImageSet, 4> parts;
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < parts.size(); ++t)
      threads.emplace_back(
          [&, t] { parts[t] = gen.sample(2, static_cast<std::int64_t>(t) * 50, 50, 28); });
    for (auto& thread : threads)
      thread.join();
    std::vector<std::uint8_t> joined;
    for (const auto& p : parts)
      joined.insert(joined.end(), p.pixels.begin(), p.pixels.end());
    QCOMPARE(joined, expected.pixels);
  }

  void labelsAreUniformOverClasses() {
    SyntheticGlyphOptions options;
    options.numClasses = 10;
    const auto set = SyntheticGlyphs(3, options).sample(0, 0, 2000, 8);
    std::array<int, 10> counts{};
    for (const auto label : set.labels) {
      QVERIFY(label >= 0 && label < 10);
      ++counts[static_cast<std::size_t>(label)];
    }
    for (const int c : counts)
      QVERIFY2(c > 140 && c < 260, qPrintable(QString::number(c)));
  }

  void classShapesFollowTheOptions() {
    SyntheticGlyphOptions options;
    options.strokesMin = 2;
    options.strokesMax = 4;
    options.extent = 0.3;
    const SyntheticGlyphs gen(5, options);
    std::array<int, 5> strokeCounts{};
    for (int c = 0; c < 200; ++c) {
      const auto shape = gen.classShape(c);
      QVERIFY(shape.size() >= 2 && shape.size() <= 4);
      ++strokeCounts[shape.size()];
      QCOMPARE(gen.classShape(c), shape);  // a pure function of (seed, options, class)
      // Normalised: the curves' larger half-side is `extent`, centred on the origin (control
      // points may lie outside; the curve, sampled finely, may not).
      double maxX = -1, minX = 1, maxY = -1, minY = 1;
      for (const auto& curve : shape) {
        for (int i = 0; i <= 64; ++i) {
          const double t = i / 64.0, u = 1 - t;
          const double w[4] = {u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t};
          double x = 0, y = 0;
          for (std::size_t k = 0; k < 4; ++k) {
            x += w[k] * curve.p[k].x;
            y += w[k] * curve.p[k].y;
          }
          maxX = std::max(maxX, x), minX = std::min(minX, x);
          maxY = std::max(maxY, y), minY = std::min(minY, y);
        }
      }
      const double half = 0.5 * std::max(maxX - minX, maxY - minY);
      QVERIFY2(std::abs(half - 0.3) < 0.005, qPrintable(QString::number(half)));
      QVERIFY(std::abs(maxX + minX) < 0.02 && std::abs(maxY + minY) < 0.02);
    }
    for (int n = 2; n <= 4; ++n)
      QVERIFY(strokeCounts[static_cast<std::size_t>(n)] > 30);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, gen.classShape(-1));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, gen.classShape(options.numClasses));
  }

  void contoursAreClosed() {
    SyntheticGlyphOptions options;
    options.family = GlyphFamily::Contours;
    const SyntheticGlyphs gen(5, options);
    for (int c = 0; c < 50; ++c) {
      const auto shape = gen.classShape(c);
      QVERIFY(shape.size() >= 5 && shape.size() <= 18);
      // Every curve's end is some curve's start: the curves form closed chains.
      for (const auto& curve : shape)
        QVERIFY(std::any_of(shape.begin(), shape.end(),
                            [&](const auto& other) { return other.p[0] == curve.p[3]; }));
    }
  }

  void inkCoverageIsSane() {
    for (const auto family : {GlyphFamily::Glyphs, GlyphFamily::Contours}) {
      SyntheticGlyphOptions options;
      options.family = family;
      const auto set = SyntheticGlyphs(17, options).sample(0, 0, 500, 28);
      double meanInk = 0.0;
      for (std::int64_t i = 0; i < set.count; ++i) {
        const auto v = normalisedInk(set.image(i), set.imageBytes());
        double ink = 0.0, peak = 0.0;
        for (const double p : v) {
          ink += p;
          peak = std::max(peak, p);
        }
        ink /= static_cast<double>(v.size());
        meanInk += ink / static_cast<double>(set.count);
        // Not blank: full-ink pixels exist and at least ~1.5% of the image is inked; not
        // saturated: less than half of it is.
        QVERIFY2(peak == 1.0, qPrintable(QString("image %1 peak %2").arg(i).arg(peak)));
        QVERIFY2(ink > 0.015 && ink < 0.5, qPrintable(QString("image %1 ink %2").arg(i).arg(ink)));
      }
      qInfo("family %d: mean ink fraction %.3f", static_cast<int>(family), meanInk);
      QVERIFY(meanInk > 0.05 && meanInk < 0.35);
    }
  }

  void polarity() {
    SyntheticGlyphOptions options;
    const auto count = [&](double p) {
      options.invertProbability = p;
      const auto set = SyntheticGlyphs(19, options).sample(0, 0, 400, 16);
      int inverted = 0;
      for (std::int64_t i = 0; i < set.count; ++i)
        inverted += isInverted(set.image(i), set.imageBytes()) ? 1 : 0;
      return inverted;
    };
    const int half = count(0.5);
    QVERIFY2(half > 140 && half < 260, qPrintable(QString::number(half)));
    QCOMPARE(count(0.0), 0);
    QCOMPARE(count(1.0), 400);
  }

  void instancesVaryOnlyThroughTheOptions() {
    std::vector<std::uint8_t> a(28 * 28), b(28 * 28);
    const SyntheticGlyphs varied(23);
    varied.render(4, 1, 28, a.data());
    varied.render(4, 2, 28, b.data());
    QVERIFY(a != b);

    SyntheticGlyphOptions fixed;
    fixed.controlJitter = 0.0;
    fixed.rotationMaxRadians = 0.0;
    fixed.shearMax = 0.0;
    fixed.scaleMin = fixed.scaleMax = 1.0;
    fixed.shiftMax = 0.0;
    fixed.strokeWidthMin = fixed.strokeWidthMax = 0.08;
    fixed.invertProbability = 0.0;
    const SyntheticGlyphs still(23, fixed);
    still.render(4, 1, 28, a.data());
    still.render(4, 2, 28, b.data());
    QCOMPARE(a, b);
  }

  void sizeIsOnlyResolution() {
    // Lengths are fractions of the image side: the same instance at 64 pixels, averaged down
    // 2 × 2, is close to its 32-pixel rendering and far from another instance's.
    const SyntheticGlyphs gen(29);
    std::vector<std::uint8_t> big(64 * 64), small(32 * 32), other(32 * 32);
    double same = 0.0, different = 0.0;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      gen.render(3, seed, 64, big.data());
      gen.render(3, seed, 32, small.data());
      gen.render(3, seed + 100, 32, other.data());
      std::vector<std::uint8_t> down(32 * 32);
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const auto at = [&](int yy, int xx) { return int{big[std::size_t(yy * 64 + xx)]}; };
          down[std::size_t(y * 32 + x)] =
              static_cast<std::uint8_t>((at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) +
                                         at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1) + 2) /
                                        4);
        }
      const auto d = normalisedInk(down.data(), 32 * 32);
      same += meanAbsDifference(d, normalisedInk(small.data(), 32 * 32));
      different += meanAbsDifference(normalisedInk(other.data(), 32 * 32),
                                     normalisedInk(small.data(), 32 * 32));
    }
    qInfo("32 px vs 64 px averaged down: %.4f; vs another instance: %.4f", same / 20,
          different / 20);
    QVERIFY(same < 0.3 * different);
  }

  void instancesOfAClassAreCloserThanOtherClasses() {
    // 50 classes, 30 instances each for the centroids, 10 held out per class; chance is 0.02.
    const SyntheticGlyphs glyphs(31);
    const double glyphAccuracy = centroidAccuracy(glyphs, 50, 30, 10, 28);
    SyntheticGlyphOptions options;
    options.family = GlyphFamily::Contours;
    const double contourAccuracy = centroidAccuracy(SyntheticGlyphs(31, options), 50, 30, 10, 28);
    qInfo("nearest-centroid accuracy, 50 classes: glyphs %.3f, contours %.3f", glyphAccuracy,
          contourAccuracy);
    QVERIFY(glyphAccuracy > 0.35);    // measured 0.67 to 0.73 over seeds 31..35
    QVERIFY(contourAccuracy > 0.12);  // measured 0.29 to 0.33 over seeds 31..35
  }

  void invalidOptionsThrowNamingTheField() {
    struct Case {
      std::string field;
      std::function<void(SyntheticGlyphOptions&)> change;
    };
    const std::vector<Case> cases = {
        {"numClasses", [](auto& o) { o.numClasses = 0; }},
        {"numClasses", [](auto& o) { o.numClasses = 1'000'001; }},
        {"strokesMin", [](auto& o) { o.strokesMin = 0; }},
        {"strokesMax", [](auto& o) { o.strokesMax = 1; }},
        {"strokesMax", [](auto& o) { o.strokesMax = 17; }},
        {"connectProbability", [](auto& o) { o.connectProbability = 1.5; }},
        {"extent", [](auto& o) { o.extent = 0.0; }},
        {"controlJitter", [](auto& o) { o.controlJitter = -0.01; }},
        {"controlJitter", [](auto& o) { o.controlJitter = std::nan(""); }},
        {"rotationMaxRadians", [](auto& o) { o.rotationMaxRadians = 4.0; }},
        {"shearMax", [](auto& o) { o.shearMax = -1.0; }},
        {"scaleMin", [](auto& o) { o.scaleMin = 0.0; }},
        {"scaleMax", [](auto& o) { o.scaleMax = 0.5; }},
        {"shiftMax", [](auto& o) { o.shiftMax = 0.6; }},
        {"strokeWidthMin", [](auto& o) { o.strokeWidthMin = -0.1; }},
        {"strokeWidthMax", [](auto& o) { o.strokeWidthMax = 0.01; }},
        {"invertProbability", [](auto& o) { o.invertProbability = -0.5; }},
        {"family", [](auto& o) { o.family = static_cast<GlyphFamily>(7); }},
    };
    for (const auto& c : cases) {
      SyntheticGlyphOptions options;
      c.change(options);
      expectInvalid(
          [&] {
            const SyntheticGlyphs g(1, options);
            Q_UNUSED(g);
          },
          c.field);
    }
    // The defaults and the edges of the ranges are accepted.
    SyntheticGlyphOptions edges;
    edges.numClasses = 1'000'000;
    edges.strokesMin = edges.strokesMax = 16;
    edges.invertProbability = 1.0;
    edges.strokeWidthMin = edges.strokeWidthMax = 0.5;
    const SyntheticGlyphs ok(1, edges);
    QCOMPARE(ok.numClasses(), 1'000'000);
    std::vector<std::uint8_t> image(1024 * 1024);
    ok.render(999'999, 1, 4, image.data());
    ok.render(0, 1, 1024, image.data());

    const SyntheticGlyphs gen(1);
    expectInvalid([&] { gen.render(0, 1, 3, image.data()); }, "size");
    expectInvalid([&] { gen.render(0, 1, 1025, image.data()); }, "size");
    expectInvalid([&] { gen.sample(0, 0, 1, 2); }, "size");
    expectInvalid([&] { gen.sample(0, -1, 1, 28); }, "first");
    expectInvalid([&] { gen.sample(0, 0, -1, 28); }, "count");
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, gen.render(1000, 1, 28, image.data()));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, gen.render(-1, 1, 28, image.data()));
  }
};

QTEST_GUILESS_MAIN(TstSyntheticGlyphs)
#include "tst_synthetic_glyphs.moc"
