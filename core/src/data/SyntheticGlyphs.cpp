#include "mu2net/data/SyntheticGlyphs.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "mu2net/common/Rng.h"

namespace mu2net {
namespace {

// Stream tags: class shapes and sample streams draw from disjoint derived seeds, so a stream
// number can never alias a class.
const std::uint64_t kClassTag = hashTag("SyntheticGlyphs/class");
const std::uint64_t kSampleTag = hashTag("SyntheticGlyphs/sample");
const std::uint64_t kJitterTag = hashTag("SyntheticGlyphs/jitter");

constexpr int kMaxClasses = 1'000'000;
constexpr int kMaxStrokes = 16;
constexpr int kMinSize = 4;
constexpr int kMaxSize = 1024;
// Curves are flattened into chords of about this many pixels: a 2-pixel chord on a curve of
// radius 3 pixels strays 0.17 pixels from it, below what anti-aliasing at 1 pixel shows.
constexpr double kChordPixels = 2.0;
constexpr int kMaxChords = 64;
// Chords per curve when measuring a class shape's bounding box for normalisation.
constexpr int kBoundsChords = 32;

GlyphPoint bezier(const GlyphCurve& c, double t) {
  const double u = 1.0 - t;
  const double b0 = u * u * u, b1 = 3.0 * u * u * t, b2 = 3.0 * u * t * t, b3 = t * t * t;
  return {b0 * c.p[0].x + b1 * c.p[1].x + b2 * c.p[2].x + b3 * c.p[3].x,
          b0 * c.p[0].y + b1 * c.p[1].y + b2 * c.p[2].y + b3 * c.p[3].y};
}

GlyphPoint uniformPoint(Rng& rng) {
  const double x = rng.uniform(-1.0, 1.0);
  return {x, rng.uniform(-1.0, 1.0)};
}

// Glyphs: random cubic strokes in [-1, 1]²; a later stroke may start where an earlier one starts,
// ends or is half-way, so that strokes join as pen strokes do.
std::vector<GlyphCurve> glyphStrokes(const SyntheticGlyphOptions& o, Rng& rng) {
  const auto span = static_cast<std::uint64_t>(o.strokesMax - o.strokesMin + 1);
  const int strokes = o.strokesMin + static_cast<int>(rng.below(span));
  std::vector<GlyphCurve> curves;
  curves.reserve(static_cast<std::size_t>(strokes));
  for (int i = 0; i < strokes; ++i) {
    GlyphCurve c;
    const bool connect = i > 0 && rng.uniform() < o.connectProbability;
    if (connect) {
      const auto& from = curves[rng.below(static_cast<std::uint64_t>(i))];
      const auto where = rng.below(3);
      c.p[0] = where == 0 ? from.p[0] : where == 1 ? from.p[3] : bezier(from, 0.5);
    } else {
      c.p[0] = uniformPoint(rng);
    }
    for (int k = 1; k < 4; ++k)
      c.p[static_cast<std::size_t>(k)] = uniformPoint(rng);
    curves.push_back(c);
  }
  return curves;
}

// Contours: one outer closed curve and, half the time, an inner one; each passes through 5 to 9
// vertices at roughly even angles and random radii, joined by a closed Catmull-Rom spline (which
// is a chain of cubic Béziers sharing end points).
std::vector<GlyphCurve> radialContours(Rng& rng) {
  std::vector<GlyphCurve> curves;
  const int contours = 1 + static_cast<int>(rng.below(2));
  for (int contour = 0; contour < contours; ++contour) {
    const double base = contour == 0 ? 1.0 : rng.uniform(0.35, 0.7);
    const int n = 5 + static_cast<int>(rng.below(5));
    const double step = 2.0 * std::numbers::pi / n;
    const double phase = rng.uniform(0.0, step);
    std::vector<GlyphPoint> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const double angle = phase + step * (i + rng.uniform(-0.3, 0.3));
      const double radius = base * rng.uniform(0.5, 1.0);
      v[static_cast<std::size_t>(i)] = {radius * std::cos(angle), radius * std::sin(angle)};
    }
    auto at = [&](int i) { return v[static_cast<std::size_t>((i + n) % n)]; };
    for (int i = 0; i < n; ++i) {
      const GlyphPoint a = at(i - 1), b = at(i), c = at(i + 1), d = at(i + 2);
      curves.push_back({{b,
                         {b.x + (c.x - a.x) / 6.0, b.y + (c.y - a.y) / 6.0},
                         {c.x - (d.x - b.x) / 6.0, c.y - (d.y - b.y) / 6.0},
                         c}});
    }
  }
  return curves;
}

// Centres the shape's bounding box on the origin and scales its larger half-side to `extent`.
// The same affine map applies to every point, so points that coincide keep coinciding.
void normalise(std::vector<GlyphCurve>& curves, double extent) {
  double minX = std::numeric_limits<double>::infinity(), minY = minX;
  double maxX = -minX, maxY = -minX;
  for (const auto& c : curves) {
    for (int i = 0; i <= kBoundsChords; ++i) {
      const auto p = bezier(c, static_cast<double>(i) / kBoundsChords);
      minX = std::min(minX, p.x);
      maxX = std::max(maxX, p.x);
      minY = std::min(minY, p.y);
      maxY = std::max(maxY, p.y);
    }
  }
  const double cx = 0.5 * (minX + maxX), cy = 0.5 * (minY + maxY);
  const double half = 0.5 * std::max(maxX - minX, maxY - minY);
  const double factor = half > 1e-9 ? extent / half : 1.0;
  for (auto& c : curves)
    for (auto& p : c.p)
      p = {(p.x - cx) * factor, (p.y - cy) * factor};
}

// Uniform in [-1, 1) from 32 bits of a hash.
double signedUnit(std::uint64_t bits32) {
  return static_cast<double>(bits32) * 0x1.0p-31 - 1.0;
}

void checkSize(int size) {
  if (size < kMinSize || size > kMaxSize)
    throw std::invalid_argument("SyntheticGlyphs: size " + std::to_string(size) + " must be in [" +
                                std::to_string(kMinSize) + ", " + std::to_string(kMaxSize) + "]");
}

}  // namespace

void validateSyntheticGlyphOptions(const SyntheticGlyphOptions& o) {
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("SyntheticGlyphOptions: " + what);
  };
  auto num = [](double v) { return std::to_string(v); };
  auto inRange = [](double v, double lo, double hi) { return v >= lo && v <= hi; };  // NaN: false
  if (o.family != GlyphFamily::Glyphs && o.family != GlyphFamily::Contours)
    fail("family " + std::to_string(static_cast<int>(o.family)) + " is not a known family");
  if (o.numClasses < 1 || o.numClasses > kMaxClasses)
    fail("numClasses " + std::to_string(o.numClasses) + " must be in [1, 1000000]");
  if (o.strokesMin < 1 || o.strokesMin > kMaxStrokes)
    fail("strokesMin " + std::to_string(o.strokesMin) + " must be in [1, 16]");
  if (o.strokesMax < o.strokesMin || o.strokesMax > kMaxStrokes)
    fail("strokesMax " + std::to_string(o.strokesMax) + " must be in [strokesMin, 16]");
  if (!inRange(o.connectProbability, 0.0, 1.0))
    fail("connectProbability " + num(o.connectProbability) + " must be in [0, 1]");
  if (!(o.extent > 0.0 && o.extent <= 0.5))
    fail("extent " + num(o.extent) + " must be in (0, 0.5]");
  if (!inRange(o.controlJitter, 0.0, 0.25))
    fail("controlJitter " + num(o.controlJitter) + " must be in [0, 0.25]");
  if (!inRange(o.rotationMaxRadians, 0.0, std::numbers::pi))
    fail("rotationMaxRadians " + num(o.rotationMaxRadians) + " must be in [0, pi]");
  if (!inRange(o.shearMax, 0.0, 1.0)) fail("shearMax " + num(o.shearMax) + " must be in [0, 1]");
  if (!(o.scaleMin > 0.0 && o.scaleMin <= 4.0))
    fail("scaleMin " + num(o.scaleMin) + " must be in (0, 4]");
  if (!inRange(o.scaleMax, o.scaleMin, 4.0))
    fail("scaleMax " + num(o.scaleMax) + " must be in [scaleMin, 4]");
  if (!inRange(o.shiftMax, 0.0, 0.5)) fail("shiftMax " + num(o.shiftMax) + " must be in [0, 0.5]");
  if (!(o.strokeWidthMin > 0.0 && o.strokeWidthMin <= 0.5))
    fail("strokeWidthMin " + num(o.strokeWidthMin) + " must be in (0, 0.5]");
  if (!inRange(o.strokeWidthMax, o.strokeWidthMin, 0.5))
    fail("strokeWidthMax " + num(o.strokeWidthMax) + " must be in [strokeWidthMin, 0.5]");
  if (!inRange(o.invertProbability, 0.0, 1.0))
    fail("invertProbability " + num(o.invertProbability) + " must be in [0, 1]");
}

SyntheticGlyphs::SyntheticGlyphs(std::uint64_t seed, SyntheticGlyphOptions options)
    : seed_(seed), options_(options) {
  validateSyntheticGlyphOptions(options_);
}

std::vector<GlyphCurve> SyntheticGlyphs::classShape(int classIndex) const {
  if (classIndex < 0 || classIndex >= options_.numClasses)
    throw std::out_of_range("SyntheticGlyphs: class " + std::to_string(classIndex) +
                            " outside [0, " + std::to_string(options_.numClasses) + ")");
  Rng rng(deriveSeed(seed_, {kClassTag, static_cast<std::uint64_t>(options_.family),
                             static_cast<std::uint64_t>(classIndex)}));
  auto curves =
      options_.family == GlyphFamily::Glyphs ? glyphStrokes(options_, rng) : radialContours(rng);
  normalise(curves, options_.extent);
  return curves;
}

void SyntheticGlyphs::render(int classIndex, std::uint64_t instanceSeed, int size,
                             std::uint8_t* out) const {
  checkSize(size);
  std::vector<float> scratch;
  renderInto(classIndex, instanceSeed, size, out, scratch);
}

void SyntheticGlyphs::renderInto(int classIndex, std::uint64_t instanceSeed, int size,
                                 std::uint8_t* out, std::vector<float>& scratch) const {
  const auto& o = options_;
  auto curves = classShape(classIndex);

  // Every draw is made whatever the options, so an instance seed means the same variation under
  // options that differ only in ranges.
  Rng rng(instanceSeed);
  const std::uint64_t jitterSeed = rng.next();
  const double angle = rng.uniform(-o.rotationMaxRadians, o.rotationMaxRadians);
  const double shear = rng.uniform(-o.shearMax, o.shearMax);
  const double scale = rng.uniform(o.scaleMin, o.scaleMax);
  const double shiftX = rng.uniform(-o.shiftMax, o.shiftMax);
  const double shiftY = rng.uniform(-o.shiftMax, o.shiftMax);
  const double width = rng.uniform(o.strokeWidthMin, o.strokeWidthMax);
  const bool invert = rng.uniform() < o.invertProbability;

  // Shape frame → pixel coordinates: shear, rotate, scale, shift, then [-0.5, 0.5] → [0, size]
  // (pixel i's centre is at i + 0.5).
  const double n = size;
  const double cosA = std::cos(angle) * scale * n, sinA = std::sin(angle) * scale * n;
  const double offX = (0.5 + shiftX) * n, offY = (0.5 + shiftY) * n;
  auto toPixels = [&](const GlyphPoint& p) {
    // The jitter of a point is a hash of its coordinates, so points shared by two curves (joined
    // strokes, a contour's vertices) move together and joins stay closed.
    const std::uint64_t h = deriveSeed(
        jitterSeed, {std::bit_cast<std::uint64_t>(p.x), std::bit_cast<std::uint64_t>(p.y)});
    const double x = p.x + o.controlJitter * signedUnit(h >> 32);
    const double y = p.y + o.controlJitter * signedUnit(h & 0xFFFFFFFFULL);
    const double sx = x + shear * y;
    return GlyphPoint{cosA * sx - sinA * y + offX, sinA * sx + cosA * y + offY};
  };
  for (auto& c : curves)
    for (auto& p : c.p)
      p = toPixels(p);

  // Nearest squared distance from each pixel centre to the flattened curves, visiting only the
  // pixels a chord can ink: its bounding box widened by the half-width plus half a pixel.
  const auto pixels = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  scratch.assign(pixels, std::numeric_limits<float>::infinity());
  const double halfWidth = 0.5 * width * n;
  const double reach = halfWidth + 0.5;
  for (const auto& c : curves) {
    double polygon = 0.0;
    for (int k = 0; k < 3; ++k)
      polygon += std::hypot(c.p[static_cast<std::size_t>(k) + 1].x - c.p[k].x,
                            c.p[static_cast<std::size_t>(k) + 1].y - c.p[k].y);
    const int chords =
        std::clamp(static_cast<int>(std::ceil(polygon / kChordPixels)), 1, kMaxChords);
    GlyphPoint a = c.p[0];
    for (int s = 1; s <= chords; ++s) {
      const GlyphPoint b = s == chords ? c.p[3] : bezier(c, static_cast<double>(s) / chords);
      const double dx = b.x - a.x, dy = b.y - a.y;
      const double len2 = dx * dx + dy * dy;
      const double inv = len2 > 0.0 ? 1.0 / len2 : 0.0;
      const int x0 = std::max(0, static_cast<int>(std::ceil(std::min(a.x, b.x) - reach - 0.5)));
      const int x1 =
          std::min(size - 1, static_cast<int>(std::floor(std::max(a.x, b.x) + reach - 0.5)));
      const int y0 = std::max(0, static_cast<int>(std::ceil(std::min(a.y, b.y) - reach - 0.5)));
      const int y1 =
          std::min(size - 1, static_cast<int>(std::floor(std::max(a.y, b.y) + reach - 0.5)));
      for (int y = y0; y <= y1; ++y) {
        const double py = y + 0.5 - a.y;
        float* row = scratch.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(size);
        for (int x = x0; x <= x1; ++x) {
          const double px = x + 0.5 - a.x;
          const double t = std::clamp((px * dx + py * dy) * inv, 0.0, 1.0);
          const double ex = px - t * dx, ey = py - t * dy;
          row[x] = std::min(row[x], static_cast<float>(ex * ex + ey * ey));
        }
      }
      a = b;
    }
  }

  // Coverage: 1 within half-width - 0.5 of the curve, 0 beyond half-width + 0.5, linear between
  // (a one-pixel box filter across the stroke's edge).
  const auto reach2 = static_cast<float>(reach * reach);
  const std::uint8_t background = invert ? 255 : 0;
  for (std::size_t i = 0; i < pixels; ++i) {
    if (!(scratch[i] < reach2)) {
      out[i] = background;
      continue;
    }
    const double ink = std::clamp(reach - std::sqrt(static_cast<double>(scratch[i])), 0.0, 1.0);
    const auto v = static_cast<std::uint8_t>(ink * 255.0 + 0.5);
    out[i] = invert ? static_cast<std::uint8_t>(255 - v) : v;
  }
}

ImageSet SyntheticGlyphs::sample(std::uint64_t stream, std::int64_t first, std::int64_t count,
                                 int size) const {
  checkSize(size);
  if (first < 0)
    throw std::invalid_argument("SyntheticGlyphs::sample: first " + std::to_string(first) +
                                " must be >= 0");
  if (count < 0 || count > std::numeric_limits<std::int64_t>::max() - first)
    throw std::invalid_argument("SyntheticGlyphs::sample: count " + std::to_string(count) +
                                " must be >= 0 and first + count must not overflow");
  ImageSet set;
  set.count = count;
  set.height = size;
  set.width = size;
  set.channels = 1;
  set.pixels.resize(static_cast<std::size_t>(count * set.imageBytes()));
  set.labels.resize(static_cast<std::size_t>(count));
  std::vector<float> scratch;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto k = static_cast<std::uint64_t>(first + i);
    Rng rng(deriveSeed(seed_, {kSampleTag, stream, k}));
    const int label = static_cast<int>(rng.below(static_cast<std::uint64_t>(options_.numClasses)));
    const std::uint64_t instanceSeed = rng.next();
    set.labels[static_cast<std::size_t>(i)] = label;
    renderInto(label, instanceSeed, size, set.image(i), scratch);
  }
  return set;
}

}  // namespace mu2net
