// A dataset folder checked by its names before it is read: the layout the names suggest, why a
// task's folder cannot be read in its format (task and key named), and the format that fits
// added to a reader's error. Real MNIST for IDX; small CIFAR-binary and image folders written
// here (only their names matter to the check; the reader then fails on what it expects).
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <string>

#include "TestData.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetFolderCheck.h"

using namespace mu2net;

namespace {

void writeFile(const QString& path, qint64 bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray(static_cast<int>(bytes), '\0'));
}

std::string readError(const std::filesystem::path& folder, DatasetFormat format) {
  try {
    readDataset(folder, format);
  } catch (const DataError& e) {
    return e.what();
  }
  return {};
}

#define VERIFY_HAS(text, part)                                \
  QVERIFY2(std::string(text).find(part) != std::string::npos, \
           qPrintable(QStringLiteral("'%1' lacks '%2'")       \
                          .arg(QString::fromStdString(text), QString::fromUtf8(part))))

}  // namespace

class TstDatasetFolderCheck : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  std::filesystem::path cifar_, images_, empty_;

 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    const QDir root(tmp_.path());
    QVERIFY(root.mkpath(QStringLiteral("cifar")));
    writeFile(root.filePath(QStringLiteral("cifar/data_batch_1.bin")), 3073);
    writeFile(root.filePath(QStringLiteral("cifar/test_batch.bin")), 3073);
    QVERIFY(root.mkpath(QStringLiteral("images/train/cat")));
    QVERIFY(root.mkpath(QStringLiteral("images/test/cat")));
    QVERIFY(root.mkpath(QStringLiteral("empty")));
    cifar_ = root.filePath(QStringLiteral("cifar")).toStdString();
    images_ = root.filePath(QStringLiteral("images")).toStdString();
    empty_ = root.filePath(QStringLiteral("empty")).toStdString();
  }

  void detectsTheLayoutFromNames() {
    QCOMPARE(detectDatasetFormat(testdata::mnistDir()), std::optional{DatasetFormat::Idx});
    QCOMPARE(detectDatasetFormat(cifar_), std::optional{DatasetFormat::CifarBinary});
    QCOMPARE(detectDatasetFormat(images_), std::optional{DatasetFormat::ImageFolder});
    QVERIFY(!detectDatasetFormat(empty_).has_value());
    QVERIFY(!detectDatasetFormat(empty_ / "missing").has_value());
  }

  void namesTheTaskAndTheKey() {
    TaskSpec missing{"fashion", DatasetFormat::Idx, empty_ / "missing", {}, 0.1};
    const std::string m = taskFolderProblem(missing, "tasks[1]");
    VERIFY_HAS(m, "task 'fashion' (tasks[1].path): folder ");
    VERIFY_HAS(m, (empty_ / "missing").string() + " does not exist");

    TaskSpec wrong{"shapes", DatasetFormat::Idx, cifar_, {}, 0.1};
    const std::string w = taskFolderProblem(wrong, "tasks[0]");
    VERIFY_HAS(w, "task 'shapes' (tasks[0].format): format is 'idx' but " + cifar_.string());
    VERIFY_HAS(w, "CIFAR-binary files (data_batch_*.bin): use \"format\": \"cifar-binary\"");

    TaskSpec good{"digits", DatasetFormat::Idx, testdata::mnistDir(), {}, 0.1};
    QCOMPARE(taskFolderProblem(good, "tasks[0]"), std::string());
    // An empty folder fits no layout: nothing to say from names (the reader says it is empty).
    QCOMPARE(taskFolderProblem(TaskSpec{"e", DatasetFormat::Idx, empty_, {}, 0.1}, ""),
             std::string());

    const auto all = taskFolderProblems({good, wrong, missing});
    QCOMPARE(all.size(), std::size_t{2});
    VERIFY_HAS(all[0], "(tasks[1].format)");
    VERIFY_HAS(all[1], "(tasks[2].path)");
  }

  // Every reader (the CLI's too) says which format fits a folder of another layout.
  void readersSuggestTheFormatThatFits() {
    VERIFY_HAS(readError(cifar_, DatasetFormat::Idx), "use \"format\": \"cifar-binary\"");
    VERIFY_HAS(readError(testdata::mnistDir(), DatasetFormat::CifarBinary),
               "IDX files (train-images-idx3-ubyte): use \"format\": \"idx\"");
    VERIFY_HAS(readError(images_, DatasetFormat::Idx), "use \"format\": \"image-folder\"");
    const std::string plain = readError(empty_, DatasetFormat::Idx);
    QVERIFY(plain.find("use \"format\"") == std::string::npos);
  }
};

QTEST_MAIN(TstDatasetFolderCheck)
#include "tst_dataset_folder_check.moc"
