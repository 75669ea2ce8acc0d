// Measures SyntheticGlyphs::sample() (rendering cost per image, best of 3 runs of 20,000 images)
// at 28 and 32 pixels for both families, and optionally writes preview grids for a human to
// look at. Prints, asserts nothing.
//
//   bench_synthetic_glyphs [--preview PREFIX]
//
// --preview writes PREFIX-glyphs.pgm and PREFIX-contours.pgm: 16 rows (classes 0..15) of 16
// instances each at 28 pixels, 2-pixel grey gutters.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "mu2net/common/Rng.h"
#include "mu2net/data/SyntheticGlyphs.h"

using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool writePreview(const mu2net::SyntheticGlyphs& gen, const std::string& path) {
  const int size = 28, rows = 16, cols = 16, gutter = 2;
  const int width = cols * (size + gutter) + gutter, height = rows * (size + gutter) + gutter;
  std::vector<std::uint8_t> grid(static_cast<std::size_t>(width * height), 128);
  std::vector<std::uint8_t> image(static_cast<std::size_t>(size * size));
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      gen.render(
          r, mu2net::deriveSeed(99, {static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(c)}),
          size, image.data());
      for (int y = 0; y < size; ++y)
        std::memcpy(&grid[static_cast<std::size_t>((gutter + r * (size + gutter) + y) * width +
                                                   gutter + c * (size + gutter))],
                    &image[static_cast<std::size_t>(y * size)], static_cast<std::size_t>(size));
    }
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  std::fprintf(f, "P5\n%d %d\n255\n", width, height);
  const bool ok = std::fwrite(grid.data(), 1, grid.size(), f) == grid.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string preview;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--preview") == 0 && i + 1 < argc) {
      preview = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--preview PREFIX]\n", argv[0]);
      return 2;
    }
  }

  for (const auto family : {mu2net::GlyphFamily::Glyphs, mu2net::GlyphFamily::Contours}) {
    mu2net::SyntheticGlyphOptions options;
    options.family = family;
    const mu2net::SyntheticGlyphs gen(1, options);
    const char* name = family == mu2net::GlyphFamily::Glyphs ? "glyphs" : "contours";
    if (!preview.empty()) {
      const auto path = preview + "-" + name + ".pgm";
      if (!writePreview(gen, path)) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return 1;
      }
      std::printf("wrote %s\n", path.c_str());
    }
    for (const int size : {28, 32}) {
      const std::int64_t count = 20000;
      double best = 1e9, bestCpu = 1e9;
      double ink = 0.0;
      for (int round = 0; round < 3; ++round) {
        const auto start = Clock::now();
        const std::clock_t cpuStart = std::clock();
        const auto set = gen.sample(static_cast<std::uint64_t>(round), 0, count, size);
        bestCpu = std::min(bestCpu, static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC);
        best = std::min(best, secondsSince(start));
        ink = 0.0;
        for (std::int64_t i = 0; i < set.count; ++i) {
          // Polarity-normalised ink: ink covers less than half of an image.
          const auto* p = set.image(i);
          double sum = 0.0;
          for (std::int64_t j = 0; j < set.imageBytes(); ++j)
            sum += p[j];
          sum /= 255.0 * static_cast<double>(set.imageBytes());
          ink += sum > 0.5 ? 1.0 - sum : sum;
        }
        ink /= static_cast<double>(set.count);
      }
      std::printf(
          "%-8s %2dx%-2d: %.2f us/image wall, %.2f us/image CPU (best of 3 x %lld images), "
          "mean ink %.3f\n",
          name, size, size, best / static_cast<double>(count) * 1e6,
          bestCpu / static_cast<double>(count) * 1e6, static_cast<long long>(count), ink);
    }
  }
  return 0;
}
