#pragma once
// A data-free image source for pretraining roots: procedurally generated, seeded grey images with
// many classes (formula-driven supervised learning, Kataoka et al.; see ROOTS.md).
//
// Each class is a shape made of cubic Bézier curves, a pure function of (seed, class index):
//   - family Glyphs (the default): strokesMin..strokesMax open strokes, handwriting-like, a later
//     stroke possibly starting where an earlier one starts, ends or is half-way along;
//   - family Contours: one or two closed, smooth radial contours (Kataoka et al.'s radial contour
//     database, simplified), for objects rather than characters.
// Each instance of a class jitters the control points, then rotates, shears, scales and shifts
// the shape, draws it with a random stroke width and inverts the polarity at random; all of that
// is drawn from Rng(instanceSeed). Images are rendered on the fly; nothing is stored.
//
// Units: lengths (jitter, shift, stroke width, extent) are fractions of the image side, so one
// instance seed gives the same picture at 28 and at 224 pixels, only sharper. Shapes live in a
// frame centred on the image centre, x to the right, y downwards. Output pixels are 0..255:
// background 0 and ink 255 (MNIST's polarity), or the reverse when inverted. Strokes are
// anti-aliased: a pixel is full ink where its centre lies within (stroke width − 1 pixel) / 2 of
// the curve, background beyond (stroke width + 1 pixel) / 2, and linear in the distance between
// (a one-pixel box filter across the stroke's edge).
//
// Determinism: the same (seed, options, class, instance seed, size), or (seed, options, stream,
// k, size) for sample(), give the same bytes on every call, in any thread, with any number of
// threads (tst_synthetic_glyphs checks all three). Only the project's Rng and deriveSeed draw
// numbers (no std:: distributions, no global state); the arithmetic is plain IEEE double and
// float plus std::sin, std::cos, std::sqrt and std::hypot. sqrt is exact; sin, cos and hypot come
// from the C library, so bytes agree across machines with the same C library and compiler flags
// (glibc picks its FMA or SSE2 code by CPU; a last-bit difference there, or a build that fuses
// a*b+c into FMA instructions, could move a rare pixel by one grey level).
//
// Cost (bench_synthetic_glyphs: best of 3 runs of sample() over 20,000 images, default options,
// GCC 12 -O2 RelWithDebInfo, one thread on the project's shared 2-core Debian 12 machine at a
// load average of about 5): 9 µs of CPU per 28 × 28 image and 11 µs per 32 × 32 (9–14 µs wall
// clock depending on the load), for both families; a 128-image batch at 28 pixels costs about
// 1.2 ms. Work per image is bounded: each curve is flattened into chords of about 2 pixels and
// every chord visits only its bounding box widened by the stroke's half-width plus half a pixel,
// so the cost grows with the ink drawn, not with the image area (plus one pass over the pixels).
#include <array>
#include <cstdint>
#include <vector>

#include "mu2net/data/ImageSet.h"

namespace mu2net {

/// Which formula generates the class shapes.
enum class GlyphFamily {
  Glyphs,    ///< open cubic Bézier strokes (characters; the ROOTS.md probe)
  Contours,  ///< closed smooth radial contours (object outlines)
};

/// Generation parameters. Lengths are fractions of the image side. The defaults make instances
/// vary like handwriting at 28–32 pixels while classes stay apart: a nearest-class-centroid
/// classifier on raw pixels (50 classes, 30 training instances each, 28 pixels; chance 0.02)
/// scores 0.67–0.73 on held-out glyphs and about 0.3 on contours (tst_synthetic_glyphs).
struct SyntheticGlyphOptions {
  GlyphFamily family = GlyphFamily::Glyphs;
  int numClasses = 1000;  ///< in [1, 1,000,000]
  /// Glyphs: number of strokes per class, uniform in [strokesMin, strokesMax], 1 <= min <= max
  /// <= 16. Contours ignore it (1 or 2 contours of 5 to 9 curves each) but validate it.
  int strokesMin = 2;
  int strokesMax = 4;
  /// Glyphs: probability that a stroke after the first starts on a point of an earlier stroke
  /// (an end point or a point half-way along), as pen strokes join in handwriting; in [0, 1].
  /// Contours ignore it.
  double connectProbability = 0.5;
  /// Half-side of the square the class shape is normalised to (before the instance's affine
  /// transform); in (0, 0.5].
  double extent = 0.3;
  /// Per instance, each control point moves by uniform(-j, j) in x and in y (in the shape frame,
  /// before scaling); points that coincide in the class shape (joins, a contour's vertices) move
  /// together, so joins stay joined and contours closed. j in [0, 0.25].
  double controlJitter = 0.025;
  /// Per instance rotation, uniform in [-r, r] radians; r in [0, π].
  double rotationMaxRadians = 0.25;
  /// Per instance horizontal shear (slant), x += s·y with s uniform in [-s, s]; s in [0, 1].
  double shearMax = 0.15;
  /// Per instance scale, uniform in [scaleMin, scaleMax]; 0 < min <= max <= 4.
  double scaleMin = 0.8;
  double scaleMax = 1.15;
  /// Per instance shift of the shape's centre, uniform in [-s, s] in x and in y; s in [0, 0.5].
  double shiftMax = 0.08;
  /// Per instance stroke width, uniform in [min, max]; 0 < min <= max <= 0.5. At 28 pixels the
  /// defaults are 1.7 to 3.4 pixels, MNIST's range.
  double strokeWidthMin = 0.06;
  double strokeWidthMax = 0.12;
  /// Probability that an instance is drawn dark on light instead of light on dark; in [0, 1].
  double invertProbability = 0.5;
};

/// Throws std::invalid_argument naming the field when a value is outside its documented range.
void validateSyntheticGlyphOptions(const SyntheticGlyphOptions& options);

/// A point in the shape frame (fractions of the image side, origin at the image centre).
struct GlyphPoint {
  double x = 0.0;
  double y = 0.0;
  bool operator==(const GlyphPoint&) const = default;
};

/// One cubic Bézier curve: p[0] start, p[1] and p[2] control points, p[3] end.
struct GlyphCurve {
  std::array<GlyphPoint, 4> p{};
  bool operator==(const GlyphCurve&) const = default;
};

/// The generator. Immutable after construction and cheap to copy; all methods are const and may
/// be called from several threads at once.
class SyntheticGlyphs {
 public:
  /// Throws std::invalid_argument (naming the field) for invalid options.
  explicit SyntheticGlyphs(std::uint64_t seed, SyntheticGlyphOptions options = {});

  int numClasses() const { return options_.numClasses; }
  std::uint64_t seed() const { return seed_; }
  const SyntheticGlyphOptions& options() const { return options_; }

  /// The class's shape before any instance variation: a pure function of (seed, options, class),
  /// centred on the origin and scaled so that its larger half-side is options().extent. Computed
  /// on each call (about a microsecond; nothing is cached, so a million classes cost no memory).
  /// Throws std::out_of_range for classIndex outside [0, numClasses()).
  std::vector<GlyphCurve> classShape(int classIndex) const;

  /// Renders one instance of a class into out[0 .. size·size), row-major grey bytes. Throws
  /// std::out_of_range for a bad classIndex and std::invalid_argument for size outside
  /// [4, 1024]. Allocates one size·size float buffer per call.
  void render(int classIndex, std::uint64_t instanceSeed, int size, std::uint8_t* out) const;

  /// Samples first .. first + count - 1 of the infinite stream `stream`: sample k has class
  /// below(numClasses) and instance seed next() of Rng(deriveSeed(seed, {tag, stream, k})), so any
  /// window of a stream is reproducible on its own (sample(s, 10, 5) equals the last five of
  /// sample(s, 5, 10)). Returns count images of size × size, one channel, labels = class indices.
  /// Throws std::invalid_argument for first < 0, count < 0 or size outside [4, 1024].
  ImageSet sample(std::uint64_t stream, std::int64_t first, std::int64_t count, int size) const;

 private:
  void renderInto(int classIndex, std::uint64_t instanceSeed, int size, std::uint8_t* out,
                  std::vector<float>& scratch) const;

  std::uint64_t seed_;
  SyntheticGlyphOptions options_;
};

}  // namespace mu2net
