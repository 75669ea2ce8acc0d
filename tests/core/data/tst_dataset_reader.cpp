// Dataset readers against the real datasets and against small broken files written here.
// Longer than 500 lines: every layout has its own broken files, each written here byte by byte.
#include <QtGui/QImage>
#include <QtTest/QtTest>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "TestData.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetReader.h"

namespace fs = std::filesystem;
using mu2net::DataError;
using mu2net::DatasetFormat;
using mu2net::ImageSet;
using Bytes = std::vector<std::uint8_t>;

namespace {

void writeFile(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

Bytes readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void putBe32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(v >> shift));
}

Bytes idxImages(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels,
                std::uint32_t magic = 0x00000803) {
  Bytes out;
  putBe32(out, magic);
  putBe32(out, count);
  putBe32(out, rows);
  putBe32(out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

Bytes idxLabels(std::uint32_t count, const Bytes& labels, std::uint32_t magic = 0x00000801) {
  Bytes out;
  putBe32(out, magic);
  putBe32(out, count);
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

Bytes cifarRecord(std::uint8_t label, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  Bytes out{label};
  out.insert(out.end(), 1024, r);
  out.insert(out.end(), 1024, g);
  out.insert(out.end(), 1024, b);
  return out;
}

Bytes sequence(std::size_t n, int start = 0) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::uint8_t>(start + static_cast<int>(i));
  return out;
}

// A small valid IDX dataset folder: 3 train images and 2 test images of 2×2.
void writeIdxFolder(const fs::path& dir) {
  writeFile(dir / "train-images-idx3-ubyte", idxImages(3, 2, 2, sequence(12)));
  writeFile(dir / "train-labels-idx1-ubyte", idxLabels(3, {0, 1, 2}));
  writeFile(dir / "t10k-images-idx3-ubyte", idxImages(2, 2, 2, sequence(8, 100)));
  writeFile(dir / "t10k-labels-idx1-ubyte", idxLabels(2, {2, 0}));
}

std::uint64_t pixelSum(const ImageSet& set) {
  return std::accumulate(set.pixels.begin(), set.pixels.end(), std::uint64_t{0});
}

// Runs f, which must throw DataError whose message contains every one of `parts`.
bool throwsDataError(const std::function<void()>& f, const std::vector<std::string>& parts,
                     std::string* message = nullptr) {
  try {
    f();
  } catch (const DataError& e) {
    const std::string what = e.what();
    if (message) *message = what;
    for (const auto& part : parts) {
      if (what.find(part) == std::string::npos) {
        qWarning("DataError message '%s' lacks '%s'", what.c_str(), part.c_str());
        return false;
      }
    }
    return true;
  } catch (const std::exception& e) {
    qWarning("unexpected exception type: %s", e.what());
    return false;
  }
  qWarning("no exception thrown");
  return false;
}

// Image helpers for the image-folder layout.
bool saveGrey(const fs::path& path, int w, int h, const std::function<int(int, int)>& value,
              const char* format = "PNG") {
  fs::create_directories(path.parent_path());
  QImage image(w, h, QImage::Format_Grayscale8);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      image.scanLine(y)[x] = static_cast<uchar>(value(x, y));
  return image.save(QString::fromStdString(path.string()), format, 100);
}

bool saveRgb(const fs::path& path, int w, int h, QRgb colour, const char* format = "PNG") {
  fs::create_directories(path.parent_path());
  QImage image(w, h, QImage::Format_RGB888);
  image.fill(QColor::fromRgb(colour));
  return image.save(QString::fromStdString(path.string()), format, 100);
}

}  // namespace

class TstDatasetReader : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // ---- real datasets -------------------------------------------------------------------------

  void mnist() {
    const auto dir = mu2net::testdata::mnistDir();
    MU2NET_REQUIRE_DIR(dir);
    const auto source = mu2net::readDataset(dir, DatasetFormat::Idx);
    QCOMPARE(source.train.count, 60000);
    QCOMPARE(source.test.count, 10000);
    QVERIFY(source.train.valid() && source.test.valid());
    QCOMPARE(source.train.height, 28);
    QCOMPARE(source.train.width, 28);
    QCOMPARE(source.train.channels, 1);
    QCOMPARE(source.numClasses, 10);
    QVERIFY(source.classNames.empty());
    QVERIFY(!source.validation);
    QCOMPARE(source.train.labelRange(), std::make_pair(0, 9));
    QCOMPARE(source.test.labelRange(), std::make_pair(0, 9));
    // Values computed once with python3's gzip module from the files themselves.
    QCOMPARE(int(source.train.pixel(0, 14, 14)), 240);
    QCOMPARE(int(source.train.pixel(0, 5, 12)), 3);
    QCOMPARE(int(source.train.pixel(0, 5, 16)), 126);
    QCOMPARE(int(source.train.pixel(100, 20, 15)), 25);
    QCOMPARE(int(source.train.pixel(59999, 14, 14)), 97);
    QCOMPARE(int(source.test.pixel(9999, 14, 14)), 18);
    const std::vector<std::int32_t> firstTrain{5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
    const std::vector<std::int32_t> firstTest{7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
    QVERIFY(std::equal(firstTrain.begin(), firstTrain.end(), source.train.labels.begin()));
    QVERIFY(std::equal(firstTest.begin(), firstTest.end(), source.test.labels.begin()));
    QCOMPARE(source.train.labels.back(), 8);
    QCOMPARE(pixelSum(source.train), std::uint64_t{1567298545});
    QCOMPARE(pixelSum(source.test), std::uint64_t{264923200});
  }

  void fashionMnist() {
    const auto dir = mu2net::testdata::fashionMnistDir();
    MU2NET_REQUIRE_DIR(dir);
    const auto source = mu2net::readDataset(dir, DatasetFormat::Idx);
    QCOMPARE(source.train.count, 60000);
    QCOMPARE(source.test.count, 10000);
    QCOMPARE(source.numClasses, 10);
    QCOMPARE(int(source.train.pixel(0, 14, 14)), 217);
    QCOMPARE(source.train.labels[0], 9);
    QCOMPARE(source.train.labels[3], 3);
    QCOMPARE(pixelSum(source.train), std::uint64_t{3431114169});
  }

  void omniglot28() {
    const auto dir = mu2net::testdata::omniglot28Dir();
    MU2NET_REQUIRE_DIR(dir);
    const auto source = mu2net::readDataset(dir, DatasetFormat::Idx);
    QCOMPARE(source.train.count, 3630);
    QCOMPARE(source.test.count, 1210);
    QCOMPARE(source.numClasses, 242);
    QCOMPARE(source.train.distinctLabels(), 242);
    QCOMPARE(source.test.distinctLabels(), 242);
    QCOMPARE(source.train.height, 28);
    QCOMPARE(source.train.width, 28);
  }

  void banglaIdxAndCifarLayoutsAgree() {
    const auto idxDir = mu2net::testdata::banglaIdxDir();
    const auto cifarDir = mu2net::testdata::banglaCifarDir();
    MU2NET_REQUIRE_DIR(idxDir);
    MU2NET_REQUIRE_DIR(cifarDir);
    const auto idx = mu2net::readDataset(idxDir, DatasetFormat::Idx);
    const auto cifar = mu2net::readDataset(cifarDir, DatasetFormat::CifarBinary);
    QCOMPARE(idx.train.count, 5000);
    QCOMPARE(idx.test.count, 1000);
    QCOMPARE(idx.train.channels, 1);
    QCOMPARE(cifar.train.channels, 3);
    QCOMPARE(cifar.train.height, 32);
    QCOMPARE(cifar.numClasses, 10);
    QCOMPARE(cifar.classNames.size(), std::size_t{10});
    QCOMPARE(cifar.classNames.front(), std::string("0"));
    QCOMPARE(cifar.classNames.back(), std::string("9"));
    QCOMPARE(int(idx.train.pixel(0, 16, 16)), 255);
    QCOMPARE(idx.train.labels[0], 9);
    for (const auto& [a, b] : {std::pair{&idx.train, &cifar.train}, {&idx.test, &cifar.test}}) {
      QCOMPARE(a->count, b->count);
      QVERIFY(a->labels == b->labels);
      const auto pixels = a->count * a->height * a->width;
      bool same = true;
      for (std::int64_t p = 0; p < pixels && same; ++p)
        for (int c = 0; c < 3; ++c)
          same &= b->pixels[std::size_t(p * 3 + c)] == a->pixels[std::size_t(p)];
      QVERIFY2(same, "CIFAR layout differs from the IDX layout");
    }
    // The low-level reader on the same file.
    const auto direct = mu2net::readCifarBinary({cifarDir / "test_batch.bin.gz"});
    QVERIFY(direct.pixels == cifar.test.pixels);
  }

  // ---- small files written here --------------------------------------------------------------

  void rawIdxAndValidationSplit() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxFolder(dir);
    writeFile(dir / "val-images-idx3-ubyte", idxImages(1, 2, 2, {9, 8, 7, 6}));
    writeFile(dir / "val-labels-idx1-ubyte", idxLabels(1, {4}));
    const auto source = mu2net::readDataset(dir, DatasetFormat::Idx);
    QCOMPARE(source.train.count, 3);
    QCOMPARE(int(source.train.pixel(2, 1, 0)), 10);
    QCOMPARE(int(source.test.pixel(1, 0, 1)), 105);
    QVERIFY(source.validation.has_value());
    QCOMPARE(int(source.validation->pixel(0, 0, 0)), 9);
    QCOMPARE(source.numClasses, 5);  // max label + 1 over all splits (the 4 in validation)
  }

  void cifarRecordsToNhwc() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    Bytes batch1 = cifarRecord(1, 10, 20, 30);
    Bytes batch2 = cifarRecord(0, 40, 50, 60);
    // data_batch_10 must come after data_batch_2 (numeric order).
    writeFile(dir / "data_batch_2.bin", batch1);
    writeFile(dir / "data_batch_10.bin", batch2);
    writeFile(dir / "test_batch.bin", cifarRecord(1, 1, 2, 3));
    const auto source = mu2net::readDataset(dir, DatasetFormat::CifarBinary);
    QCOMPARE(source.train.count, 2);
    QCOMPARE(source.train.labels, (std::vector<std::int32_t>{1, 0}));
    QCOMPARE(int(source.train.pixel(0, 31, 31, 0)), 10);
    QCOMPARE(int(source.train.pixel(0, 31, 31, 2)), 30);
    QCOMPARE(int(source.train.pixel(1, 0, 0, 1)), 50);
    QCOMPARE(source.numClasses, 2);  // no batches.meta.txt: max label + 1
    QVERIFY(source.classNames.empty());
  }

  void truncatedIdxData() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxFolder(dir);
    writeFile(dir / "train-images-idx3-ubyte", idxImages(3, 2, 2, sequence(10)));
    QVERIFY(throwsDataError(
        [&] { mu2net::readDataset(dir, DatasetFormat::Idx); },
        {(dir / "train-images-idx3-ubyte").string(), "truncated", "12 bytes", "only 10"}));
  }

  void truncatedIdxHeader() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxFolder(dir);
    writeFile(dir / "t10k-labels-idx1-ubyte", {0, 0, 8, 1, 0});
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::Idx); },
                            {(dir / "t10k-labels-idx1-ubyte").string(), "truncated", "header"}));
  }

  void extraBytesAfterIdxData() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxFolder(dir);
    writeFile(dir / "train-labels-idx1-ubyte", idxLabels(3, {0, 1, 2, 3}));
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::Idx); },
                            {(dir / "train-labels-idx1-ubyte").string(), "longer"}));
  }

  void wrongMagic() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxFolder(dir);
    // A label file where the image file should be: magic 0x00000801.
    writeFile(dir / "train-images-idx3-ubyte", idxImages(3, 2, 2, sequence(12), 0x00000801));
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::Idx); },
                            {(dir / "train-images-idx3-ubyte").string(), "wrong magic number",
                             "0x00000801", "0x00000803"}));
    writeIdxFolder(dir);
    writeFile(dir / "train-labels-idx1-ubyte", idxLabels(3, {0, 1, 2}, 0x00000803));
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::Idx); },
                            {(dir / "train-labels-idx1-ubyte").string(), "wrong magic number"}));
  }

  void countMismatch() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxFolder(dir);
    writeFile(dir / "train-labels-idx1-ubyte", idxLabels(2, {0, 1}));
    QVERIFY(throwsDataError(
        [&] { mu2net::readDataset(dir, DatasetFormat::Idx); },
        {(dir / "train-labels-idx1-ubyte").string(), (dir / "train-images-idx3-ubyte").string(),
         "count mismatch", "2 labels", "3 images"}));
  }

  void missingFileAndFolders() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxFolder(dir);
    fs::remove(dir / "t10k-images-idx3-ubyte");
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::Idx); },
                            {(dir / "t10k-images-idx3-ubyte").string(), "missing file"}));
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir / "nope", DatasetFormat::Idx); },
                            {(dir / "nope").string(), "does not exist"}));
    fs::create_directories(dir / "empty");
    for (auto format : {DatasetFormat::Idx, DatasetFormat::CifarBinary, DatasetFormat::ImageFolder})
      QVERIFY(throwsDataError([&] { mu2net::readDataset(dir / "empty", format); },
                              {(dir / "empty").string(), "empty folder"}));
    QVERIFY(throwsDataError(
        [&] { mu2net::readIdx(dir / "absent-images", dir / "train-labels-idx1-ubyte"); },
        {(dir / "absent-images").string(), "does not exist"}));
  }

  void gzipTruncatedAndCorrupt() {
    const auto mnist = mu2net::testdata::mnistDir();
    MU2NET_REQUIRE_DIR(mnist);
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    const Bytes original = readFile(mnist / "t10k-labels-idx1-ubyte.gz");
    QVERIFY(original.size() > 1000);
    const auto images = mnist / "t10k-images-idx3-ubyte.gz";
    // Sanity: the copy itself reads.
    writeFile(dir / "labels.gz", original);
    QCOMPARE(mu2net::readIdx(images, dir / "labels.gz").count, 10000);

    writeFile(dir / "cut.gz", Bytes(original.begin(), original.begin() + original.size() / 2));
    QVERIFY(throwsDataError([&] { mu2net::readIdx(images, dir / "cut.gz"); },
                            {(dir / "cut.gz").string(), "truncated", "gzip stream ends early"}));

    Bytes corrupt = original;
    for (std::size_t i = 200; i < 260; ++i)
      corrupt[i] ^= 0x5A;
    writeFile(dir / "corrupt.gz", corrupt);
    QVERIFY(throwsDataError([&] { mu2net::readIdx(images, dir / "corrupt.gz"); },
                            {(dir / "corrupt.gz").string(), "corrupt gzip data"}));

    // Damage only the CRC in the trailer: the data inflates, the check must still fail.
    Bytes badCrc = original;
    badCrc[badCrc.size() - 6] ^= 0xFF;
    writeFile(dir / "crc.gz", badCrc);
    QVERIFY(throwsDataError([&] { mu2net::readIdx(images, dir / "crc.gz"); },
                            {(dir / "crc.gz").string(), "corrupt gzip data"}));
  }

  void cifarLabelOutsideMetaClasses() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    Bytes batch = cifarRecord(3, 0, 0, 0);
    const Bytes bad = cifarRecord(12, 0, 0, 0);
    batch.insert(batch.end(), bad.begin(), bad.end());
    writeFile(dir / "data_batch_1.bin", batch);
    writeFile(dir / "test_batch.bin", cifarRecord(0, 0, 0, 0));
    {
      std::ofstream meta(dir / "batches.meta.txt");
      for (int i = 0; i < 10; ++i)
        meta << "class" << i << "\n";
      meta << "\n\n";  // blank lines at the end are not classes
    }
    QVERIFY(throwsDataError(
        [&] { mu2net::readDataset(dir, DatasetFormat::CifarBinary); },
        {(dir / "data_batch_1.bin").string(), "label 12", "record 1", "10 classes"}));
    // Without the meta file any byte is a label; numClasses follows the data.
    fs::remove(dir / "batches.meta.txt");
    QCOMPARE(mu2net::readDataset(dir, DatasetFormat::CifarBinary).numClasses, 13);
  }

  void cifarTruncatedRecordAndMissingTest() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    Bytes batch = cifarRecord(1, 0, 0, 0);
    batch.resize(batch.size() + 100, 0);
    writeFile(dir / "data_batch_1.bin", batch);
    writeFile(dir / "test_batch.bin", cifarRecord(0, 0, 0, 0));
    QVERIFY(throwsDataError(
        [&] { mu2net::readDataset(dir, DatasetFormat::CifarBinary); },
        {(dir / "data_batch_1.bin").string(), "truncated", "record 1", "100 of its 3073 bytes"}));
    writeFile(dir / "data_batch_1.bin", cifarRecord(1, 0, 0, 0));
    fs::remove(dir / "test_batch.bin");
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::CifarBinary); },
                            {(dir / "test_batch.bin").string(), "missing file"}));
    fs::remove(dir / "data_batch_1.bin");
    writeFile(dir / "test_batch.bin", cifarRecord(0, 0, 0, 0));
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::CifarBinary); },
                            {dir.string(), "data_batch_"}));
  }

  void formatNames() {
    QCOMPARE(mu2net::parseDatasetFormat("idx"), DatasetFormat::Idx);
    QCOMPARE(mu2net::parseDatasetFormat("cifar-binary"), DatasetFormat::CifarBinary);
    QCOMPARE(mu2net::parseDatasetFormat("image-folder"), DatasetFormat::ImageFolder);
    for (auto f : {DatasetFormat::Idx, DatasetFormat::CifarBinary, DatasetFormat::ImageFolder})
      QCOMPARE(mu2net::parseDatasetFormat(mu2net::formatName(f)), f);
    QVERIFY(throwsDataError([] { mu2net::parseDatasetFormat("png"); },
                            {"'png'", "idx", "cifar-binary", "image-folder"}));
  }

  // ---- image folders -------------------------------------------------------------------------

  void imageFolderGreyPngAndJpeg() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    auto ramp = [](int x, int y) { return 10 * x + 50 * y; };
    QVERIFY(saveGrey(dir / "train/dog/a.png", 4, 3, ramp));
    QVERIFY(saveGrey(dir / "train/dog/b.png", 4, 3, [](int, int) { return 7; }));
    QVERIFY(saveGrey(
        dir / "train/cat/c.jpg", 4, 3, [](int, int) { return 200; }, "JPG"));
    writeFile(dir / "train/cat/notes.txt", {'h', 'i'});  // not an image: ignored
    QVERIFY(saveGrey(dir / "test/cat/d.png", 4, 3, ramp));
    QVERIFY(saveGrey(
        dir / "val/dog/e.jpeg", 4, 3, [](int, int) { return 90; }, "JPG"));
    const auto source = mu2net::readDataset(dir, DatasetFormat::ImageFolder);
    QCOMPARE(source.classNames, (std::vector<std::string>{"cat", "dog"}));
    QCOMPARE(source.numClasses, 2);
    QCOMPARE(source.train.count, 3);
    QCOMPARE(source.train.channels, 1);
    QCOMPARE(source.train.height, 3);
    QCOMPARE(source.train.width, 4);
    QCOMPARE(source.train.labels, (std::vector<std::int32_t>{0, 1, 1}));
    QVERIFY(std::abs(int(source.train.pixel(0, 1, 2)) - 200) <= 2);  // JPEG: lossy
    QCOMPARE(int(source.train.pixel(1, 2, 3)), 130);                 // PNG: exact
    QCOMPARE(int(source.train.pixel(2, 0, 0)), 7);
    QCOMPARE(source.test.count, 1);
    QCOMPARE(source.test.labels[0], 0);
    QVERIFY(source.validation.has_value());
    QCOMPARE(source.validation->labels[0], 1);
    QVERIFY(std::abs(int(source.validation->pixel(0, 2, 2)) - 90) <= 2);
  }

  void imageFolderColourPromotesGrey() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    QVERIFY(saveGrey(dir / "train/a/grey.png", 5, 5, [](int x, int) { return 40 + x; }));
    QVERIFY(saveRgb(dir / "train/b/red.png", 5, 5, qRgb(250, 20, 5)));
    QVERIFY(saveRgb(dir / "test/b/green.jpg", 5, 5, qRgb(10, 240, 30), "JPG"));
    QVERIFY(saveGrey(dir / "validation/a/grey2.png", 5, 5, [](int, int) { return 3; }));
    const auto source = mu2net::readDataset(dir, DatasetFormat::ImageFolder);
    QCOMPARE(source.train.channels, 3);
    QCOMPARE(source.test.channels, 3);
    QCOMPARE(source.validation->channels, 3);  // one channel count for the whole dataset
    for (int c = 0; c < 3; ++c)
      QCOMPARE(int(source.train.pixel(0, 1, 4, c)), 44);
    QCOMPARE(int(source.train.pixel(1, 2, 2, 0)), 250);
    QCOMPARE(int(source.train.pixel(1, 2, 2, 1)), 20);
    QCOMPARE(int(source.train.pixel(1, 2, 2, 2)), 5);
    QVERIFY(std::abs(int(source.test.pixel(0, 2, 2, 1)) - 240) <= 4);
    QVERIFY(int(source.test.pixel(0, 2, 2, 0)) < 40);
    QCOMPARE(int(source.validation->pixel(0, 0, 0, 2)), 3);
  }

  void imageFolderErrors() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    QVERIFY(saveGrey(dir / "train/a/1.png", 4, 4, [](int, int) { return 1; }));
    QVERIFY(saveGrey(dir / "train/b/2.png", 4, 4, [](int, int) { return 2; }));
    // Missing test/.
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "test").string(), "does not exist"}));
    QVERIFY(saveGrey(dir / "test/a/3.png", 4, 4, [](int, int) { return 3; }));
    QCOMPARE(mu2net::readDataset(dir, DatasetFormat::ImageFolder).test.count, 1);

    // Undecodable image.
    writeFile(dir / "train/a/broken.png", {'n', 'o', 't', ' ', 'a', ' ', 'p', 'n', 'g'});
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "train/a/broken.png").string(), "undecodable"}));
    // A PNG signature followed by garbage.
    Bytes fakePng{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4, 5, 6, 7, 8};
    writeFile(dir / "train/a/broken.png", fakePng);
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "train/a/broken.png").string(), "undecodable PNG"}));
    fs::remove(dir / "train/a/broken.png");

    // A truncated JPEG.
    QVERIFY(saveGrey(
        dir / "train/a/full.jpg", 4, 4, [](int x, int y) { return 30 * x + y; }, "JPG"));
    Bytes jpeg = readFile(dir / "train/a/full.jpg");
    jpeg.resize(jpeg.size() / 2);
    writeFile(dir / "train/a/full.jpg", jpeg);
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "train/a/full.jpg").string(), "JPEG"}));
    fs::remove(dir / "train/a/full.jpg");

    // Inconsistent sizes within a split.
    QVERIFY(saveGrey(dir / "train/b/3.png", 5, 4, [](int, int) { return 2; }));
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "train/b/3.png").string(), "inconsistent image size", "5x4",
                             (dir / "train/a/1.png").string(), "4x4"}));
    fs::remove(dir / "train/b/3.png");

    // Empty class folder.
    fs::create_directories(dir / "train/c");
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "train/c").string(), "empty folder"}));
    fs::remove(dir / "train/c");

    // A test class the training split does not have.
    QVERIFY(saveGrey(dir / "test/zebra/4.png", 4, 4, [](int, int) { return 3; }));
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "test/zebra").string(), "train/"}));
    fs::remove_all(dir / "test/zebra");

    // A split folder without class subfolders.
    fs::remove_all(dir / "test");
    fs::create_directories(dir / "test");
    QVERIFY(throwsDataError([&] { mu2net::readDataset(dir, DatasetFormat::ImageFolder); },
                            {(dir / "test").string(), "empty folder"}));
  }

  void subsetCopiesSelectedSamples() {
    ImageSet set;
    set.count = 3;
    set.height = 1;
    set.width = 2;
    set.channels = 1;
    set.pixels = {1, 2, 3, 4, 5, 6};
    set.labels = {7, 8, 9};
    const std::vector<std::int64_t> pick{2, 0, 2};
    const auto sub = set.subset(pick);
    QVERIFY(sub.valid());
    QCOMPARE(sub.count, 3);
    QCOMPARE(sub.pixels, (Bytes{5, 6, 1, 2, 5, 6}));
    QCOMPARE(sub.labels, (std::vector<std::int32_t>{9, 7, 9}));
    const std::vector<std::int64_t> bad{3};
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, set.subset(bad));
  }
};

QTEST_GUILESS_MAIN(TstDatasetReader)
#include "tst_dataset_reader.moc"
