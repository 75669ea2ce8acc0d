// Fuzzing targets for the engine's readers, run by CTest for a few seconds each (see FuzzDriver.h
// for how the mutation fuzzer works and what counts as a finding):
//
//   idx        readIdx(): an IDX image file and its label file, raw or gzip-compressed
//   cifar      readDataset(cifar-binary): a training batch, the test batch, batches.meta.txt
//   image      decodeImageFile(): PNG (grey, RGB, palette, 16-bit, alpha, interlaced) and JPEG
//              (grey, colour, progressive) headers and data; PNG chunk CRCs are recomputed after
//              most mutations so that extreme header fields reach the reader
//   config     loadExperimentConfig() / loadPretrainConfig(): JSON text, with JSON-aware
//              mutations (extreme numbers, odd strings, duplicated lines, deep nesting)
//   component  loadComponentFile() / deserializeComponent(): the zip archives a store and a root
//              checkpoint hold; most inputs rebuild the archive with one record mutated, so that
//              the pickle and the tensor data (not only the zip's checksums) are exercised
//
// The corpus of valid inputs is built here, in memory. Usage:
//   fuzz_readers --target NAME [--seconds S | --runs N] [--seed N] [--findings DIR]
//
// Longer than 500 lines: one target per reader, each with its corpus and structure-aware
// mutations, in one program so that CTest builds the readers' fuzzer once.
#include <ATen/Parallel.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/types.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include <cctype>
#include <cstring>
#include <iostream>

#include "FuzzDriver.h"
#include "Gzip.h"
#include "PngBytes.h"
#include "data/ImageDecoder.h"
#include "model/ComponentFile.h"
#include "model/ComponentIO.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetReader.h"
#include "mu2net/engine/Pretrain.h"
#include "mu2net/evolution/ExperimentConfig.h"

using namespace mu2net::fuzz;
namespace fs = std::filesystem;
using mu2net::testdata::gzip;
using mu2net::testdata::putBe32;

namespace {

void writeFile(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

Bytes text(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// What the programs print of an error.
std::string presented(const std::exception& e) {
  return mu2net::errorText(e);
}

bool isGzip(const Bytes& b) {
  return b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

// A refusal must be a DataError that names the file or folder it refuses.
auto dataErrorNaming(const fs::path& dir) {
  return [dir](const std::exception& e, bool& known) -> std::string {
    known = dynamic_cast<const mu2net::DataError*>(&e) != nullptr;
    if (known && std::string(e.what()).find(dir.string()) == std::string::npos)
      return "does not name the file";
    return {};
  };
}

// ---- idx

Bytes idxImages(std::uint32_t n, std::uint32_t rows, std::uint32_t cols) {
  Bytes out;
  putBe32(out, 0x803);
  putBe32(out, n);
  putBe32(out, rows);
  putBe32(out, cols);
  for (std::uint32_t i = 0; i < n * rows * cols; ++i)
    out.push_back(static_cast<std::uint8_t>(i * 7));
  return out;
}

Bytes idxLabels(std::uint32_t n) {
  Bytes out;
  putBe32(out, 0x801);
  putBe32(out, n);
  for (std::uint32_t i = 0; i < n; ++i)
    out.push_back(static_cast<std::uint8_t>(i % 10));
  return out;
}

Target idxTarget() {
  Target t;
  t.name = "idx";
  t.corpus = {{{idxImages(3, 4, 4), idxLabels(3)}},
              {{gzip(idxImages(3, 4, 4)), gzip(idxLabels(3))}},
              {{idxImages(10, 28, 28), idxLabels(10)}},
              {{gzip(idxImages(2, 28, 28)), idxLabels(2)}}};
  // Structure-aware: a mutated raw file is often compressed, so that header bombs arrive inside
  // a well-formed gzip stream too.
  t.finish = [](Input& in, Rng& rng) {
    for (auto& f : in.files)
      if (!isGzip(f) && rng.chance(0.25)) f = gzip(f);
  };
  t.read = [](const Input& in, const fs::path& dir) {
    writeFile(dir / "images", in.files[0]);
    writeFile(dir / "labels", in.files[1]);
    return classify(
        [&] {
          const auto set = mu2net::readIdx(dir / "images", dir / "labels");
          if (!set.valid()) throw std::logic_error("readIdx returned an invalid set");
        },
        dataErrorNaming(dir), presented);
  };
  return t;
}

// ---- cifar

Bytes cifarRecords(int n, int firstLabel) {
  Bytes out;
  for (int r = 0; r < n; ++r) {
    out.push_back(static_cast<std::uint8_t>((firstLabel + r) % 3));
    for (int p = 0; p < 3072; ++p)
      out.push_back(static_cast<std::uint8_t>(p * 3 + r));
  }
  return out;
}

Target cifarTarget() {
  Target t;
  t.name = "cifar";
  const Bytes meta = text("airplane\nautomobile\nbird\n\n");
  t.corpus = {{{cifarRecords(3, 0), cifarRecords(2, 1), meta}},
              {{gzip(cifarRecords(3, 0)), cifarRecords(2, 1), meta}},
              {{cifarRecords(3, 0), gzip(cifarRecords(2, 2)), {}}}};
  t.maxFileBytes = 64 << 10;
  t.finish = [](Input& in, Rng& rng) {
    if (!isGzip(in.files[0]) && rng.chance(0.2)) in.files[0] = gzip(in.files[0]);
  };
  t.read = [](const Input& in, const fs::path& dir) {
    writeFile(dir / (isGzip(in.files[0]) ? "data_batch_1.bin.gz" : "data_batch_1.bin"),
              in.files[0]);
    writeFile(dir / (isGzip(in.files[1]) ? "test_batch.bin.gz" : "test_batch.bin"), in.files[1]);
    if (!in.files[2].empty()) writeFile(dir / "batches.meta.txt", in.files[2]);
    return classify(
        [&] {
          const auto source = mu2net::readDataset(dir, mu2net::DatasetFormat::CifarBinary);
          if (!source.train.valid() || !source.test.valid())
            throw std::logic_error("readDataset returned an invalid set");
        },
        dataErrorNaming(dir), presented);
  };
  return t;
}

// ---- image

Bytes pngBytes(int width, int height, png_uint_32 format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = format;
  Bytes pixels(PNG_IMAGE_SIZE(image));
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<std::uint8_t>(i * 13);
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr);
  Bytes out(size);
  png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr);
  out.resize(size);
  return out;
}

// A PNG written chunk by chunk (for bit depths and interlacing the simplified API cannot write).
Bytes pngChunks(std::uint32_t width, std::uint32_t height, std::uint8_t depth,
                std::uint8_t colourType, std::uint8_t interlace) {
  Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const auto chunk = [&](const char* type, const Bytes& data) {
    mu2net::testdata::appendPngChunk(out, type, data);
  };
  Bytes ihdr;
  putBe32(ihdr, width);
  putBe32(ihdr, height);
  ihdr.insert(ihdr.end(), {depth, colourType, 0, 0, interlace});
  chunk("IHDR", ihdr);
  if (colourType == 3) chunk("PLTE", {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255});
  const int channels = colourType == 2 ? 3 : colourType == 4 ? 2 : colourType == 6 ? 4 : 1;
  Bytes raw;
  const auto rows = [&](std::uint32_t w, std::uint32_t h) {
    const std::size_t rowBytes = (w * channels * depth + 7) / 8;
    for (std::uint32_t y = 0; y < h; ++y) {
      raw.push_back(0);  // filter type "none"
      for (std::size_t x = 0; x < rowBytes; ++x)
        raw.push_back(static_cast<std::uint8_t>(colourType == 3 ? x % 4 : x * 5 + y));
    }
  };
  if (!interlace) {
    rows(width, height);
  } else {  // Adam7: seven reduced images, each with its own rows
    static constexpr std::uint32_t kRow0[] = {0, 0, 4, 0, 2, 0, 1}, kCol0[] = {0, 4, 0, 2, 0, 1, 0};
    static constexpr std::uint32_t kRowStep[] = {8, 8, 8, 4, 4, 2, 2};
    static constexpr std::uint32_t kColStep[] = {8, 8, 4, 4, 2, 2, 1};
    for (int pass = 0; pass < 7; ++pass) {
      const std::uint32_t w =
          width > kCol0[pass] ? (width - kCol0[pass] + kColStep[pass] - 1) / kColStep[pass] : 0;
      const std::uint32_t h =
          height > kRow0[pass] ? (height - kRow0[pass] + kRowStep[pass] - 1) / kRowStep[pass] : 0;
      if (w > 0 && h > 0) rows(w, h);
    }
  }
  uLongf packedSize = compressBound(static_cast<uLong>(raw.size()));
  Bytes packed(packedSize);
  compress(packed.data(), &packedSize, raw.data(), static_cast<uLong>(raw.size()));
  packed.resize(packedSize);
  chunk("IDAT", packed);
  chunk("IEND", {});
  return out;
}

Bytes jpegBytes(int width, int height, int components, bool progressive) {
  jpeg_compress_struct info;
  jpeg_error_mgr error;
  info.err = jpeg_std_error(&error);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(width);
  info.image_height = static_cast<JDIMENSION>(height);
  info.input_components = components;
  info.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 90, TRUE);
  if (progressive) jpeg_simple_progression(&info);
  jpeg_start_compress(&info, TRUE);
  std::vector<unsigned char> row(static_cast<std::size_t>(width * components));
  while (info.next_scanline < info.image_height) {
    for (std::size_t x = 0; x < row.size(); ++x)
      row[x] = static_cast<unsigned char>(x * 9 + info.next_scanline * 4);
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&info, &r, 1);
  }
  jpeg_finish_compress(&info);
  Bytes out(buffer, buffer + size);
  jpeg_destroy_compress(&info);
  std::free(buffer);
  return out;
}

// Recomputes every chunk's CRC of a PNG (as far as its chunks can be followed), so that a
// mutated header field reaches the decoder instead of failing the checksum.
void fixPngCrcs(Bytes& b) {
  std::size_t at = 8;
  while (at + 12 <= b.size()) {
    const std::uint32_t length = (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
                                 (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
    if (length > b.size() - at - 12) break;
    const std::uint32_t crc =
        static_cast<std::uint32_t>(crc32(0, b.data() + at + 4, static_cast<uInt>(length + 4)));
    for (int k = 0; k < 4; ++k)
      b[at + 8 + length + static_cast<std::size_t>(k)] =
          static_cast<std::uint8_t>(crc >> (24 - 8 * k));
    at += 12 + length;
  }
}

Target imageTarget() {
  Target t;
  t.name = "image";
  t.corpus = {{{pngBytes(8, 8, PNG_FORMAT_GRAY)}}, {{pngBytes(8, 6, PNG_FORMAT_RGB)}},
              {{pngBytes(5, 7, PNG_FORMAT_RGBA)}}, {{pngChunks(9, 5, 2, 3, 0)}},
              {{pngChunks(6, 6, 16, 0, 0)}},       {{pngChunks(8, 8, 8, 2, 1)}},
              {{pngChunks(4, 4, 1, 0, 0)}},        {{jpegBytes(8, 8, 1, false)}},
              {{jpegBytes(16, 16, 3, false)}},     {{jpegBytes(24, 16, 3, true)}}};
  t.maxFileBytes = 256 << 10;
  t.finish = [](Input& in, Rng& rng) {
    Bytes& b = in.files[0];
    if (b.size() > 8 && b[0] == 0x89 && b[1] == 'P' && rng.chance(0.8)) fixPngCrcs(b);
  };
  t.read = [](const Input& in, const fs::path& dir) {
    writeFile(dir / "image.png", in.files[0]);
    return classify(
        [&] {
          const auto image = mu2net::decodeImageFile(dir / "image.png");
          if (image.pixels.size() !=
              static_cast<std::size_t>(image.width * image.height * image.channels))
            throw std::logic_error("decodeImageFile returned an inconsistent image");
        },
        dataErrorNaming(dir), presented);
  };
  return t;
}

// ---- config

const char* kExperimentFull = R"({
  "seed": 1,
  "root": {"pretrained": "glyphs-vit"},
  "tasks": [
    {"name": "mnist", "format": "idx", "path": "data/mnist"},
    {"name": "tops", "format": "idx", "path": "/data/fashion", "classes": [0, 2, 4, 6],
     "validation_fraction": 0.1},
    {"name": "bangla", "format": "cifar-binary", "path": "bangla"}
  ],
  "evolution": {
    "generation_size": 4,
    "children_per_task_iteration": 8,
    "task_iterations": 2,
    "scale_factor": 1.0,
    "reference_params": 1000000,
    "clone_untrained_root": true,
    "parent_policy": "evolve",
    "clone_policy": "mu",
    "freeze_blocks": 0
  },
  "training": {
    "batch_size": 64,
    "validations_per_child": 4,
    "train_examples_between_validations": 8192,
    "validation_examples_max": 2048,
    "test_examples_max": 0,
    "threads": 1,
    "parallel_children": 0
  },
  "image_sizes": [16, 20, 24, 28, 32],
  "search_space": {
    "opt_lr": {"values": [0.0005, 0.001, 0.002], "default": 0.001},
    "opt_type": ["sgd", "adamw"],
    "num_layers": [2, 3, 4],
    "opt_momentum": [0.8, 0.9]
  }
})";

const char* kExperimentRandomRoot = R"({"root": {"architecture": "cnn", "image_size": 16,
  "width": 8, "depth": 2}, "tasks": [{"name": "a", "format": "image-folder", "path": "x"}]})";

const char* kPretrain = R"({
  "name": "my-root",
  "seed": 1,
  "root": {"architecture": "vit", "stem": "conv", "image_size": 28, "patch_size": 4,
           "width": 64, "heads": 4, "mlp_dim": 128, "depth": 4},
  "sources": [
    {"synthetic": "glyphs", "classes": 1500, "weight": 0.7},
    {"synthetic": "contours", "classes": 500, "weight": 0.3},
    {"name": "letters", "format": "image-folder", "path": "/data/letters", "crop_area_min": 0.5,
     "weight": 1.0}
  ],
  "training": {"steps": 10000, "batch_size": 128, "optimizer": "adamw", "learning_rate": 0.002,
               "momentum": 0.9, "weight_decay": 0.05, "warmup_ratio": 0.05, "threads": 2},
  "evaluation": {"examples": 4096, "every": 1000},
  "checkpoint_every": 250
})";

// JSON-aware mutations: a number replaced by an extreme, a string by an odd one, a line
// duplicated (a repeated key), a value nested deeply.
void mutateJson(Bytes& b, Rng& rng) {
  std::string s(b.begin(), b.end());
  static const char* kNumbers[] = {"0",
                                   "-1",
                                   "1e-9",
                                   "1e10",
                                   "1e308",
                                   "-1e308",
                                   "2.0",
                                   "5",
                                   "18446744073709551615",
                                   "9223372036854775807",
                                   "-9223372036854775808",
                                   "1000",
                                   "0.5",
                                   "65536",
                                   "4294967296"};
  static const char* kStrings[] = {"\"\"",          "\"\\u0000\"",   "\"\\u001b[31m\"",
                                   "\"root\"",      "\"private:x\"", "\"../../../../etc\"",
                                   "\"/dev/zero\"", "\"\xff\xfe\"",  "\"sgd\"",
                                   "\"glyphs-vit\""};
  switch (rng.below(4)) {
    case 0: {  // a number
      std::vector<std::size_t> starts;
      for (std::size_t i = 0; i < s.size(); ++i)
        if ((std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '-') &&
            (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]))))
          starts.push_back(i);
      if (starts.empty()) break;
      const std::size_t at = starts[rng.below(starts.size())];
      std::size_t end = at + 1;
      while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.' ||
                                s[end] == 'e' || s[end] == '-'))
        ++end;
      s.replace(at, end - at, kNumbers[rng.below(std::size(kNumbers))]);
      break;
    }
    case 1: {  // a string value
      std::vector<std::size_t> quotes;
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == '"') quotes.push_back(i);
      if (quotes.size() < 2) break;
      const std::size_t k = rng.below(quotes.size() / 2) * 2;
      s.replace(quotes[k], quotes[k + 1] - quotes[k] + 1, kStrings[rng.below(std::size(kStrings))]);
      break;
    }
    case 2: {  // duplicate a line
      std::vector<std::size_t> lines = {0};
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == '\n') lines.push_back(i + 1);
      if (lines.size() < 3) break;
      const std::size_t k = 1 + rng.below(lines.size() - 2);
      const std::string line = s.substr(lines[k], lines[k + 1] - lines[k]);
      s.insert(lines[k], line);
      break;
    }
    default: {  // nest a value deeply
      const std::size_t at = s.find(':', rng.below(s.size()));
      if (at == std::string::npos) break;
      const std::size_t depth = rng.chance(0.5) ? 70 : 100000;
      s.insert(at + 1, std::string(depth, '['));
    }
  }
  b.assign(s.begin(), s.end());
}

Target configTarget() {
  Target t;
  t.name = "config";
  // The second file's first byte chooses the reader: 'e' experiment, 'p' pretraining.
  t.corpus = {{{text(kExperimentFull), text("e")}},
              {{text(R"({"tasks": [{"name": "m", "format": "idx", "path": "m"}]})"), text("e")}},
              {{text(kExperimentRandomRoot), text("e")}},
              {{text(kPretrain), text("p")}}};
  t.mutateText = mutateJson;
  t.maxFileBytes = 512 << 10;
  t.read = [](const Input& in, const fs::path& dir) {
    writeFile(dir / "config.json", in.files[0]);
    const bool pretrain = !in.files[1].empty() && (in.files[1][0] & 1) == 0;  // 'p' is even
    return classify(
        [&] {
          if (pretrain) {
            const auto c = mu2net::loadPretrainConfig(dir / "config.json");
            mu2net::parsePretrainConfig(mu2net::pretrainConfigToJson(c), dir);
          } else {
            // What is accepted must survive the round trip through the store's experiment.json.
            const auto c = mu2net::loadExperimentConfig(dir / "config.json");
            mu2net::parseExperimentConfig(mu2net::experimentConfigToJson(c), dir);
          }
        },
        [](const std::exception& e, bool& known) -> std::string {
          known = dynamic_cast<const mu2net::ConfigError*>(&e) ||
                  dynamic_cast<const mu2net::DataError*>(&e);
          return {};
        },
        presented);
  };
  return t;
}

// ---- component

Bytes toBytes(const std::vector<char>& v) {
  return Bytes(v.begin(), v.end());
}

Bytes componentFileBytes() {
  auto stem = mu2net::ComponentTensors::create({"weight", "bias"},
                                               {at::ones({4, 3}) * 0.5, at::zeros({4})});
  auto block = mu2net::ComponentTensors::create({"w"}, {at::ones({2, 2, 3})});
  const fs::path tmp =
      fs::temp_directory_path() / ("mu2net-fuzz-component-" + std::to_string(getpid()) + ".pt");
  mu2net::saveComponentFile(tmp, {{"stem", stem}, {"block0", block}});
  std::ifstream in(tmp, std::ios::binary);
  Bytes bytes((std::istreambuf_iterator<char>(in)), {});
  std::error_code ec;
  fs::remove(tmp, ec);
  return bytes;
}

// Rebuilds a PyTorch zip archive with one record mutated (valid zip, checksums and all).
bool mutateArchiveRecord(Bytes& archive, Rng& rng, const std::vector<Input>& corpus) {
  try {
    std::istringstream stream(std::string(archive.begin(), archive.end()));
    caffe2::serialize::PyTorchStreamReader reader(&stream);
    auto names = reader.getAllRecords();
    if (names.empty()) return false;
    std::sort(names.begin(), names.end());
    // data.pkl holds the structure (keys, shapes, strides, dtypes): mutate it most often.
    std::string target = names[rng.below(names.size())];
    if (rng.chance(0.6) && std::find(names.begin(), names.end(), "data.pkl") != names.end())
      target = "data.pkl";
    Bytes out;
    caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
      const auto* p = static_cast<const std::uint8_t*>(data);
      out.insert(out.end(), p, p + size);
      return size;
    });
    for (const auto& name : names) {
      if (name == "version") continue;  // written by the writer itself
      auto [data, size] = reader.getRecord(name);
      const auto* p = static_cast<const std::uint8_t*>(data.get());
      Bytes record(p, p + size);
      if (name == target) {
        const int rounds = 1 + static_cast<int>(rng.below(3));
        for (int r = 0; r < rounds; ++r)
          mu2net::fuzz::detail::mutateOnce(record, rng, corpus);
      }
      writer.writeRecord(name, record.data(), record.size());
    }
    writer.writeEndOfFile();
    archive = std::move(out);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

Target componentTarget() {
  at::set_num_threads(1);  // no OpenMP team in the parent: the children are forked
  Target t;
  t.name = "component";
  auto component = mu2net::ComponentTensors::create({"weight", "bias"},
                                                    {at::ones({3, 5}) * 0.25, at::zeros({3})});
  // The second file's first byte chooses the reader: 'f' a component file (root checkpoint,
  // model), 's' a store's component (params and momentum).
  t.corpus = {{{componentFileBytes(), text("f")}},
              {{toBytes(mu2net::serializeComponent(*component)), text("s")}}};
  t.maxFileBytes = 256 << 10;
  t.finish = [corpus = t.corpus](Input& in, Rng& rng) {
    // Most inputs: the original archive with one record mutated, rebuilt as a valid zip.
    if (rng.chance(0.7)) {
      Bytes archive = corpus[static_cast<std::size_t>(in.origin)].files[0];
      if (mutateArchiveRecord(archive, rng, corpus)) in.files[0] = std::move(archive);
    }
  };
  t.read = [](const Input& in, const fs::path& dir) {
    const bool store = !in.files[1].empty() && (in.files[1][0] & 1) == 1;  // 's' is odd
    writeFile(dir / "component.pt", in.files[0]);
    return classify(
        [&] {
          at::set_num_threads(1);
          // Use every tensor the way the engine does: a copy and a reduction over all values.
          const auto use = [](const at::Tensor& tensor) {
            (void)at::isfinite(tensor.clone()).all().item<bool>();
          };
          if (store) {
            const auto c = mu2net::deserializeComponent(
                std::vector<char>(in.files[0].begin(), in.files[0].end()),
                (dir / "component.pt").string());
            for (const auto& p : c->params)
              use(p);
            for (const auto& m : c->momentum)
              use(m);
          } else {
            for (const auto& [slot, c] : mu2net::loadComponentFile(dir / "component.pt"))
              for (const auto& p : c->params)
                use(p);
          }
        },
        [dir](const std::exception& e, bool& known) -> std::string {
          known = dynamic_cast<const std::runtime_error*>(&e) != nullptr;
          if (known && std::string(e.what()).find(dir.string()) == std::string::npos)
            return "does not name the file";
          return {};
        },
        presented);
  };
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string name;
  options.findings = fs::current_path() / "fuzz-findings";
  options.work = fs::temp_directory_path() / ("mu2net-fuzz-" + std::to_string(getpid()));
  if (!parseOptions(argc, argv, options, name)) {
    std::cerr << "usage: fuzz_readers --target idx|cifar|image|config|component [--seconds S] "
                 "[--runs N] [--seed N] [--batch N] [--findings DIR] [--work DIR]\n";
    return 2;
  }
  Target target;
  if (name == "idx")
    target = idxTarget();
  else if (name == "cifar")
    target = cifarTarget();
  else if (name == "image")
    target = imageTarget();
  else if (name == "config")
    target = configTarget();
  else if (name == "component")
    target = componentTarget();
  else {
    std::cerr << "fuzz_readers: unknown target '" << name << "'\n";
    return 2;
  }
  return runFuzzer(target, options);
}
