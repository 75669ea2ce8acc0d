// `mu2net datasets check`, run as a separate process exactly as a person would run it.
#include <QtGui/QImage>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

#include "TestData.h"

namespace fs = std::filesystem;

namespace {

struct Result {
  int exitCode = -1;
  QString out;
  QString err;
};

Result runCli(const QStringList& args) {
  QProcess process;
  process.start(QStringLiteral(MU2NET_CLI_PATH), args);
  Result result;
  if (!process.waitForFinished(60000)) {
    process.kill();
    process.waitForFinished();
    result.err = QStringLiteral("timed out");
    return result;
  }
  result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
  result.out = QString::fromUtf8(process.readAllStandardOutput());
  result.err = QString::fromUtf8(process.readAllStandardError());
  return result;
}

QString str(const fs::path& p) {
  return QString::fromStdString(p.string());
}

// A line of the split table: name followed by the given columns, whitespace-separated.
bool hasRow(const QString& out, const QStringList& columns) {
  for (const QString& line : out.split('\n')) {
    if (line.split(' ', Qt::SkipEmptyParts) == columns) return true;
  }
  qWarning("no row %s in:\n%s", qPrintable(columns.join(' ')), qPrintable(out));
  return false;
}

bool saveGrey(const fs::path& path, int size, int value) {
  fs::create_directories(path.parent_path());
  QImage image(size, size, QImage::Format_Grayscale8);
  image.fill(value);
  return image.save(str(path), "PNG");
}

}  // namespace

class TstCliDatasets : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void versionAndHelp() {
    const auto version = runCli({"--version"});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out.section(QLatin1Char('\n'), 0, 0),
             QStringLiteral("mu2net " MU2NET_VERSION));
    const auto help = runCli({"--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("datasets"));
    const auto datasetsHelp = runCli({"datasets", "--help"});
    QCOMPARE(datasetsHelp.exitCode, 0);
    QVERIFY(datasetsHelp.out.contains("--format idx|cifar-binary|image-folder"));
  }

  void checkMnist() {
    const auto dir = mu2net::testdata::mnistDir();
    MU2NET_REQUIRE_DIR(dir);
    const auto r = runCli({"datasets", "check", str(dir), "--format", "idx"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.err.isEmpty());
    QVERIFY(
        r.out.contains(QRegularExpression("^classes +10$", QRegularExpression::MultilineOption)));
    QVERIFY(hasRow(r.out, {"train", "60000", "10", "28x28", "1", "0..9"}));
    QVERIFY(hasRow(r.out, {"test", "10000", "10", "28x28", "1", "0..9"}));
    QVERIFY(!r.out.contains("validation"));
  }

  void checkCifarWithNames() {
    const auto dir = mu2net::testdata::banglaCifarDir();
    MU2NET_REQUIRE_DIR(dir);
    const auto r = runCli({"datasets", "check", str(dir), "--format=cifar-binary"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("names     0, 1, 2, 3, 4, 5, 6, 7, 8, 9"));
    QVERIFY(hasRow(r.out, {"train", "5000", "10", "32x32", "3", "0..9"}));
    QVERIFY(hasRow(r.out, {"test", "1000", "10", "32x32", "3", "0..9"}));
  }

  void checkImageFolderWithValidation() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    QVERIFY(saveGrey(dir / "train/ant/1.png", 6, 10));
    QVERIFY(saveGrey(dir / "train/bee/2.png", 6, 20));
    QVERIFY(saveGrey(dir / "train/bee/3.png", 6, 30));
    QVERIFY(saveGrey(dir / "validation/bee/4.png", 6, 40));
    QVERIFY(saveGrey(dir / "test/ant/5.png", 6, 50));
    const auto r = runCli({"datasets", "check", str(dir), "--format", "image-folder"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("names     ant, bee"));
    QVERIFY(hasRow(r.out, {"train", "3", "2", "6x6", "1", "0..1"}));
    QVERIFY(hasRow(r.out, {"validation", "1", "1", "6x6", "1", "1..1"}));
    QVERIFY(hasRow(r.out, {"test", "1", "1", "6x6", "1", "0..0"}));
  }

  void dataErrorsExitOne() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    const auto missing = runCli({"datasets", "check", str(dir / "absent"), "--format", "idx"});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.startsWith("error: "));
    QVERIFY(missing.err.contains(str(dir / "absent")));
    QVERIFY(missing.out.isEmpty());

    // A truncated label file in an otherwise plausible IDX folder.
    fs::create_directories(dir / "bad");
    {
      std::ofstream out(dir / "bad" / "train-images-idx3-ubyte", std::ios::binary);
      const char header[16] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1};
      out.write(header, 16);
      out.write("\x05\x06", 2);
    }
    {
      std::ofstream out(dir / "bad" / "train-labels-idx1-ubyte", std::ios::binary);
      out.write("\0\0\x08\x01\0\0\0\x02\x01", 9);
    }
    for (const char* name : {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
      fs::copy_file(dir / "bad" / (std::string(name).replace(0, 4, "train")), dir / "bad" / name);
    const auto truncated = runCli({"datasets", "check", str(dir / "bad"), "--format", "idx"});
    QCOMPARE(truncated.exitCode, 1);
    QVERIFY(truncated.err.startsWith("error: "));
    QVERIFY(truncated.err.contains(str(dir / "bad" / "train-labels-idx1-ubyte")));
    QVERIFY(truncated.err.contains("truncated"));
  }

  void badUsageExitsTwo() {
    const auto noFormat = runCli({"datasets", "check", "/tmp"});
    QCOMPARE(noFormat.exitCode, 2);
    QVERIFY(noFormat.err.contains("usage: mu2net datasets check"));
    const auto badFormat = runCli({"datasets", "check", "/tmp", "--format", "zip"});
    QCOMPARE(badFormat.exitCode, 2);
    QVERIFY(badFormat.err.contains("'zip'"));
    QVERIFY(badFormat.err.contains("image-folder"));
    QCOMPARE(runCli({"datasets"}).exitCode, 2);
    QCOMPARE(runCli({"datasets", "inspect", "/tmp", "--format", "idx"}).exitCode, 2);
    QCOMPARE(runCli({"datasets", "check", "a", "b", "--format", "idx"}).exitCode, 2);
    QCOMPARE(runCli({"datasets", "check", "/tmp", "--format"}).exitCode, 2);
    QCOMPARE(runCli({"datasets", "check", "/tmp", "--format", "idx", "--verbose"}).exitCode, 2);
    const auto unknown = runCli({"frobnicate"});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY(unknown.err.contains("unknown command"));
    QCOMPARE(runCli({}).exitCode, 2);
  }
};

QTEST_GUILESS_MAIN(TstCliDatasets)
#include "tst_cli_datasets.moc"
