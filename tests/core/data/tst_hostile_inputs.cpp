// Hostile and clumsy inputs against the readers and the configuration (issue 13, items 9, 11, 12
// and 13): each test builds its input here, and each failed on the code before the fix.
//
// Memory bombs run in a forked child under an address-space ceiling (Bounded.h): a reader that
// allocates what a header declares fails there with std::bad_alloc, which fails the test, instead
// of taking gigabytes of the machine.
// Longer than 500 lines: each hostile input is built in full here, next to its test.
#include <QtGui/QImage>
#include <QtTest/QtTest>

#include <QBuffer>

#include <sys/stat.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "Bounded.h"
#include "Gzip.h"
#include "PngBytes.h"
#include "data/ImageDecoder.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/common/InputLimits.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetReader.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/engine/Pretrain.h"
#include "mu2net/evolution/ExperimentConfig.h"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using mu2net::testdata::gzip;
using mu2net::testdata::putBe32;
using mu2net::testdata::runBounded;

namespace {

void writeFile(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void writeText(const fs::path& path, const std::string& text) {
  writeFile(path, Bytes(text.begin(), text.end()));
}

Bytes idxImages(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, std::size_t pixels) {
  Bytes out;
  putBe32(out, 0x803);
  putBe32(out, count);
  putBe32(out, rows);
  putBe32(out, cols);
  out.insert(out.end(), pixels, 7);
  return out;
}

Bytes idxLabels(std::uint32_t count, std::size_t labels) {
  Bytes out;
  putBe32(out, 0x801);
  putBe32(out, count);
  for (std::size_t i = 0; i < labels; ++i)
    out.push_back(static_cast<std::uint8_t>(i % 2));
  return out;
}

// A grey 8-bit PNG whose header declares width × height, with `rows` rows of real data.
Bytes pngHeaderBomb(std::uint32_t width, std::uint32_t height, std::uint32_t rows) {
  Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const auto chunk = [&](const char* type, const Bytes& data) {
    mu2net::testdata::appendPngChunk(out, type, data);
  };
  Bytes ihdr;
  putBe32(ihdr, width);
  putBe32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});
  chunk("IHDR", ihdr);
  Bytes raw;
  for (std::uint32_t y = 0; y < rows; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), width, 0);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  Bytes packed(size);
  compress2(packed.data(), &size, raw.data(), static_cast<uLong>(raw.size()), 9);
  packed.resize(size);
  chunk("IDAT", packed);
  chunk("IEND", {});
  return out;
}

// A small JPEG whose SOF header is patched to declare width × height.
Bytes jpegHeaderBomb(std::uint16_t width, std::uint16_t height) {
  QImage image(16, 16, QImage::Format_Grayscale8);
  image.fill(128);
  QByteArray data;
  QBuffer buffer(&data);
  buffer.open(QIODevice::WriteOnly);
  image.save(&buffer, "JPEG");
  Bytes bytes(data.begin(), data.end());
  for (std::size_t i = 0; i + 9 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC2)) {
      bytes[i + 5] = static_cast<std::uint8_t>(height >> 8);
      bytes[i + 6] = static_cast<std::uint8_t>(height);
      bytes[i + 7] = static_cast<std::uint8_t>(width >> 8);
      bytes[i + 8] = static_cast<std::uint8_t>(width);
      break;
    }
  }
  return bytes;
}

std::string kindOf(const std::exception& e) {
  if (dynamic_cast<const mu2net::DataError*>(&e)) return "DataError";
  if (dynamic_cast<const mu2net::ConfigError*>(&e)) return "ConfigError";
  return std::string("other ") + typeid(e).name();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

#define VERIFY_HAS(text, part) \
  QVERIFY2(has(text, part),    \
           qPrintable(QString::fromStdString("'" + (text) + "' lacks '" + (part) + "'")))

// The ConfigError (or "" when accepted) of an experiment configuration text.
std::string experimentError(const std::string& json) {
  try {
    mu2net::parseExperimentConfig(json, "/base");
  } catch (const mu2net::ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string withSearchSpace(const std::string& space) {
  return R"({"tasks": [{"name": "t", "format": "idx", "path": "/d"}], "search_space": )" + space +
         "}";
}

// Sets an environment variable for the scope of one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

mu2net::ImageSet labelled(int count, std::vector<int> labels) {
  mu2net::ImageSet set;
  set.count = count;
  set.height = set.width = set.channels = 1;
  set.pixels.assign(static_cast<std::size_t>(count), 0);
  set.labels.assign(labels.begin(), labels.end());
  return set;
}

}  // namespace

class TstHostileInputs : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Item 9: an IDX header declaring gigabytes is checked against the file's real size (raw) or
  // read as the data arrives (gzip) before anything of that size is allocated.
  void idxHeaderBombsAreRefusedBeforeAllocating() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    struct Case {
      const char* name;
      Bytes images;
    };
    const Case cases[] = {
        // The 116-byte file of the issue: one 65535 × 65535 image.
        {"one-huge", idxImages(1, 65535, 65535, 100)},
        // 268 million images of 28 × 28: 210 GB declared.
        {"many", idxImages(0x0FFFFFFF, 28, 28, 784)},
        {"one-huge.gz", gzip(idxImages(1, 65535, 65535, 100))},
        {"many.gz", gzip(idxImages(0x0FFFFFFF, 28, 28, 784))},
    };
    for (const auto& c : cases) {
      const fs::path images = dir / c.name, labels = dir / (std::string(c.name) + "-labels");
      writeFile(images, c.images);
      writeFile(labels, idxLabels(1, 1));
      const std::string result =
          runBounded([&] { mu2net::readIdx(images, labels); }, kindOf, 256LL << 20);
      QVERIFY2(result.rfind("DataError", 0) == 0, (std::string(c.name) + ": " + result).c_str());
      VERIFY_HAS(result, images.string());
      // Refused for what the file really holds, or for the limit, before anything is allocated.
      QVERIFY2(has(result, "truncated") || has(result, "MU2NET_MAX_SPLIT_BYTES"), result.c_str());
    }
  }

  void splitLimitIsConfigurable() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeFile(dir / "images", idxImages(20, 8, 8, 20 * 64));
    writeFile(dir / "labels", idxLabels(20, 20));
    Bytes cifar(3073, 1);
    cifar[0] = 0;
    writeFile(dir / "batch.bin", cifar);
    QVERIFY(mu2net::readIdx(dir / "images", dir / "labels").count == 20);
    {
      ScopedEnv limit("MU2NET_MAX_SPLIT_BYTES", "1K");
      for (const auto& read : std::vector<std::function<void()>>{
               [&] { mu2net::readIdx(dir / "images", dir / "labels"); },
               [&] { mu2net::readCifarBinary({dir / "batch.bin"}); }}) {
        try {
          read();
          QFAIL("a split above MU2NET_MAX_SPLIT_BYTES was accepted");
        } catch (const mu2net::DataError& e) {
          VERIFY_HAS(std::string(e.what()), "MU2NET_MAX_SPLIT_BYTES");
          VERIFY_HAS(std::string(e.what()), "1.0 KiB");
        }
      }
    }
    {
      ScopedEnv bad("MU2NET_MAX_SPLIT_BYTES", "lots");
      QVERIFY_THROWS_EXCEPTION(mu2net::ConfigError, mu2net::inputLimits());
    }
    QCOMPARE(mu2net::parseByteSize("8G"), std::int64_t{8} << 30);
    QCOMPARE(mu2net::parseByteSize("99999999999999999999"), std::int64_t{-1});
  }

  // Item 9: a PNG or JPEG header's size is checked before the image is decoded.
  void imageDimensionsAreCheckedBeforeDecoding() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeFile(dir / "bomb.png", pngHeaderBomb(65535, 65535, 16));
    writeFile(dir / "bomb.jpg", jpegHeaderBomb(65500, 65500));
    writeFile(dir / "ok.png", pngHeaderBomb(8, 8, 8));
    for (const char* name : {"bomb.png", "bomb.jpg"}) {
      const fs::path file = dir / name;
      const std::string result =
          runBounded([&] { mu2net::decodeImageFile(file); }, kindOf, 256LL << 20);
      QVERIFY2(result.rfind("DataError", 0) == 0, (std::string(name) + ": " + result).c_str());
      VERIFY_HAS(result, file.string());
      VERIFY_HAS(result, "MU2NET_MAX_IMAGE_PIXELS");
    }
    QCOMPARE(mu2net::decodeImageFile(dir / "ok.png").width, std::int64_t{8});
    ScopedEnv limit("MU2NET_MAX_IMAGE_PIXELS", "16");
    try {
      mu2net::decodeImageFile(dir / "ok.png");
      QFAIL("an image above MU2NET_MAX_IMAGE_PIXELS was accepted");
    } catch (const mu2net::DataError& e) {
      VERIFY_HAS(std::string(e.what()), "limit");
    }
  }

  // Item 13: names read from a dataset are text, or refused; never raw bytes on a terminal.
  void classNamesMustBePrintable() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    Bytes record(3073, 9);
    record[0] = 1;
    writeFile(dir / "cifar" / "data_batch_1.bin", record);
    writeFile(dir / "cifar" / "test_batch.bin", record);
    writeText(dir / "cifar" / "batches.meta.txt", std::string("cat\n\x1b[2J\x01\xff\ndog\n"));
    try {
      mu2net::readDataset(dir / "cifar", mu2net::DatasetFormat::CifarBinary);
      QFAIL("binary class names were accepted");
    } catch (const mu2net::DataError& e) {
      const std::string what = e.what();
      VERIFY_HAS(what, "line 2");
      VERIFY_HAS(what, "\\x1B");
      QVERIFY(!has(what, "\x1b"));
    }
    const QImage grey = [] {
      QImage i(4, 4, QImage::Format_Grayscale8);
      i.fill(7);
      return i;
    }();
    for (const char* split : {"train", "test"})
      for (const char* cls : {"a", "b\x07\x1b"}) {
        const fs::path folder = dir / "folder" / split / cls;
        fs::create_directories(folder);
        QVERIFY(grey.save(QString::fromStdString((folder / "x.png").string())));
      }
    try {
      mu2net::readDataset(dir / "folder", mu2net::DatasetFormat::ImageFolder);
      QFAIL("a class folder with control characters in its name was accepted");
    } catch (const mu2net::DataError& e) {
      VERIFY_HAS(std::string(e.what()), "\\x07");
      VERIFY_HAS(std::string(e.what()), "printable");
    }
  }

  // Item 13: a folder or a FIFO where a dataset file should be is named as such, not "missing".
  void aFolderOrFifoIsNotMissing() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    fs::create_directories(dir / "idx" / "train-images-idx3-ubyte");
    writeFile(dir / "idx" / "train-labels-idx1-ubyte", idxLabels(1, 1));
    try {
      mu2net::readDataset(dir / "idx", mu2net::DatasetFormat::Idx);
      QFAIL("accepted");
    } catch (const mu2net::DataError& e) {
      VERIFY_HAS(std::string(e.what()), "is a folder");
      QVERIFY2(!has(e.what(), "missing"), e.what());
    }
    fs::remove(dir / "idx" / "train-images-idx3-ubyte");
    QCOMPARE(mkfifo((dir / "idx" / "train-images-idx3-ubyte").c_str(), 0600), 0);
    const std::string result =
        runBounded([&] { mu2net::readDataset(dir / "idx", mu2net::DatasetFormat::Idx); }, kindOf,
                   256LL << 20, 10);
    VERIFY_HAS(result, "FIFO");
  }

  void aFolderAsTheRootCheckpointIsNotMissing() {
    QTemporaryDir tmp;
    const fs::path folder = fs::path(tmp.path().toStdString()) / "root.pt";
    fs::create_directories(folder);
    const std::string error = experimentError(
        R"({"root": {"checkpoint": ")" + folder.string() +
        R"(", "architecture": "cnn"}, "tasks": [{"name": "t", "format": "idx", "path": "/d"}]})");
    VERIFY_HAS(error, "root.checkpoint");
    VERIFY_HAS(error, "is a folder");
  }

  // Items 9 and 13: the configuration file is a bounded, regular file.
  void configurationFileIsBounded() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    QCOMPARE(mkfifo((dir / "fifo.json").c_str(), 0600), 0);
    fs::create_directories(dir / "folder.json");
    std::string big(17 << 20, ' ');
    big += R"({"tasks": []})";
    writeText(dir / "big.json", big);
    struct Case {
      fs::path file;
      const char* expected;
    };
    const Case cases[] = {{"/dev/zero", "is a device"},
                          {dir / "fifo.json", "is a FIFO"},
                          {dir / "folder.json", "is a folder"},
                          {dir / "big.json", "larger than the limit of 16.0 MiB"},
                          {dir / "absent.json", "does not exist"}};
    for (const auto& c : cases) {
      const std::string result =
          runBounded([&] { mu2net::loadExperimentConfig(c.file); }, kindOf, 256LL << 20, 10);
      QVERIFY2(result.rfind("ConfigError", 0) == 0, (c.file.string() + ": " + result).c_str());
      VERIFY_HAS(result, c.file.string());
      VERIFY_HAS(result, c.expected);
    }
  }

  // Item 11: a key given twice is refused naming it (the JSON library keeps the last silently).
  void duplicateKeysAreRefused() {
    const std::string task = R"({"name": "t", "format": "idx", "path": "/d"})";
    struct Case {
      std::string json;
      const char* key;
    };
    const Case cases[] = {
        {R"({"seed": 1, "seed": 2, "tasks": [)" + task + "]}", "'seed'"},
        {R"({"tasks": [)" + task + R"(], "training": {"batch_size": 8, "batch_size": 64}})",
         "'training.batch_size'"},
        {R"({"tasks": [)" + task +
             R"(, {"name": "u", "format": "idx", "path": "/e", "name": "v"}]})",
         "'tasks[1].name'"},
    };
    for (const auto& c : cases) {
      const std::string error = experimentError(c.json);
      VERIFY_HAS(error, c.key);
      VERIFY_HAS(error, "twice");
    }
  }

  void malformedJsonIsReportedWithoutLibraryTags() {
    const std::string error = experimentError("{\"tasks\": [,]}");
    VERIFY_HAS(error, "not valid JSON");
    VERIFY_HAS(error, "line 1");
    QVERIFY2(!has(error, "[json.exception"), error.c_str());
    // Nesting is bounded: a hostile file of brackets must not exhaust the stack of code that walks
    // the result (the pretraining reader re-serialises `root`).
    const std::string deep = R"({"root": )" + std::string(200000, '[') + std::string(200000, ']') +
                             R"(, "sources": []})";
    const std::string result =
        runBounded([&] { mu2net::parsePretrainConfig(deep, "/base"); }, kindOf, 512LL << 20, 30);
    VERIFY_HAS(result, "ConfigError");
    VERIFY_HAS(result, "nested more than 64 levels");
  }

  // Item 13: 2^64 - 1 is reported as itself, not as -1.
  void hugeUnsignedValuesAreShownAsGiven() {
    const std::string error = experimentError(
        R"({"tasks": [{"name": "t", "format": "idx", "path": "/d"}],
            "training": {"batch_size": 18446744073709551615}})");
    VERIFY_HAS(error, "training.batch_size");
    VERIFY_HAS(error, "18446744073709551615");
    QVERIFY2(!has(error, "-1"), error.c_str());
  }

  // Items 9 and 11: every search-space value must make sense on its own.
  void searchSpaceValuesOutsideTheirRangeAreRefused_data() {
    QTest::addColumn<QString>("space");
    QTest::addColumn<QString>("key");
    QTest::newRow("lr 1e10") << R"({"opt_lr": [0.001, 1e10]})"
                             << "search_space.opt_lr";
    QTest::newRow("lr 0") << R"({"opt_lr": [0, 0.001]})"
                          << "search_space.opt_lr";
    QTest::newRow("momentum 5") << R"({"opt_momentum": [0.9, 5]})"
                                << "search_space.opt_momentum";
    QTest::newRow("momentum 1") << R"({"opt_momentum": [1]})"
                                << "search_space.opt_momentum";
    QTest::newRow("warm-up 2") << R"({"opt_lr_warmup_ratio": [0.05, 2.0]})"
                               << "search_space.opt_lr_warmup_ratio";
    QTest::newRow("negative warm-up") << R"({"opt_lr_warmup_ratio": [-0.1]})"
                                      << "search_space.opt_lr_warmup_ratio";
    QTest::newRow("decay 5") << R"({"opt_weight_decay": [0, 5]})"
                             << "search_space.opt_weight_decay";
    QTest::newRow("num_layers 1000") << R"({"num_layers": [4, 1000]})"
                                     << "search_space.num_layers";
    QTest::newRow("image size 100000") << R"({"ds_image_size": [28, 100000]})"
                                       << "search_space.ds_image_size";
    QTest::newRow("area 0") << R"({"ds_area_range_min": [0, 0.5]})"
                            << "search_space.ds_area_range_min";
    QTest::newRow("brightness -1") << R"({"ds_brightness_delta": [-1, 0]})"
                                   << "search_space.ds_brightness_delta";
  }
  void searchSpaceValuesOutsideTheirRangeAreRefused() {
    QFETCH(QString, space);
    QFETCH(QString, key);
    const std::string error = experimentError(withSearchSpace(space.toStdString()));
    VERIFY_HAS(error, key.toStdString());
    VERIFY_HAS(error, "outside");
    // The ends of the documented ranges are accepted.
    QCOMPARE(experimentError(withSearchSpace(
                 R"({"opt_lr": [1e-5, 0.001, 1], "opt_momentum": [0, 0.9, 0.999],
                     "num_layers": [0, 4, 5], "opt_lr_warmup_ratio": [0, 0.05, 1],
                     "ds_image_size": [4, 28, 512], "ds_area_range_min": [0.05, 1]})")),
             std::string());
  }

  void pretrainRatesOutsideTheirRangeAreRefused() {
    const std::string base =
        R"({"sources": [{"synthetic": "glyphs", "classes": 4}], "training": {)";
    for (const char* bad : {R"("learning_rate": 5)", R"("momentum": 5)", R"("warmup_ratio": 2.0)",
                            R"("weight_decay": -0.1)"}) {
      try {
        mu2net::parsePretrainConfig(base + bad + "}}", "/base");
        QFAIL(bad);
      } catch (const mu2net::ConfigError& e) {
        VERIFY_HAS(std::string(e.what()), "training.");
      }
    }
  }

  // Item 12: the README says 0 means the whole split.
  void validationExamplesMaxZeroMeansTheWholeSplit() {
    const std::string json = R"({"tasks": [{"name": "t", "format": "idx", "path": "/d"}],
                                 "training": {"validation_examples_max": 0}})";
    QCOMPARE(experimentError(json), std::string());
    QCOMPARE(mu2net::parseExperimentConfig(json, "/base").training.validationExamplesMax,
             std::int64_t{0});
  }

  // Item 11: a dataset of one class cannot train a classifier.
  void oneClassDatasetsAreRefused() {
    mu2net::TaskSpec spec;
    spec.name = "mono";
    spec.path = "/data/mono";
    mu2net::DatasetSource one;
    one.train = labelled(20, std::vector<int>(20, 0));
    one.test = labelled(4, {0, 0, 0, 0});
    one.numClasses = 1;
    try {
      mu2net::makeTask(spec, one, 1);
      QFAIL("a one-class dataset was accepted");
    } catch (const mu2net::DataError& e) {
      VERIFY_HAS(std::string(e.what()), "task 'mono'");
      VERIFY_HAS(std::string(e.what()), "only one class");
    }
    // Three classes by their names, but the training split holds only one of them.
    mu2net::DatasetSource skewed = one;
    skewed.numClasses = 3;
    skewed.test = labelled(4, {0, 1, 2, 0});
    try {
      mu2net::makeTask(spec, skewed, 1);
      QFAIL("a training split of one class was accepted");
    } catch (const mu2net::DataError& e) {
      VERIFY_HAS(std::string(e.what()), "training split holds only one class");
    }
  }

  // Item 13: what reaches a person carries no library wording, stack trace or raw bytes.
  void errorTextRemovesLibraryWording() {
    const std::string c10Like =
        "cannot load x.pt\nException raised from load at /build/torch/serialize.cpp:42 (most "
        "recent call first):\nframe #0: c10::Error::Error() + 0x1\nframe #1: main + 0x2\n";
    QCOMPARE(mu2net::cleanErrorText(c10Like), std::string("cannot load x.pt"));
    QCOMPARE(mu2net::cleanErrorText("[json.exception.type_error.302] type must be number"),
             std::string("type must be number"));
    QCOMPARE(mu2net::cleanErrorText("name \x1b[31mred\x01"), std::string("name \\x1B[31mred\\x01"));
    const std::filesystem::filesystem_error fsError(
        "cannot create directories", fs::path("/ro/store"),
        std::make_error_code(std::errc::read_only_file_system));
    const std::string text = mu2net::errorText(fsError);
    QVERIFY2(text.rfind("/ro/store: ", 0) == 0, text.c_str());
    VERIFY_HAS(text, "cannot create directories");
    QVERIFY2(!has(text, "filesystem error"), text.c_str());
    VERIFY_HAS(mu2net::errorText(std::bad_alloc()), "out of memory");
    mu2net::setVerboseErrors(true);
    VERIFY_HAS(mu2net::cleanErrorText(c10Like), "frame #1");
    mu2net::setVerboseErrors(false);
  }
};

QTEST_GUILESS_MAIN(TstHostileInputs)
#include "tst_hostile_inputs.moc"
