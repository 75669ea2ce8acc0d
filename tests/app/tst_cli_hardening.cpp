// Hostile and clumsy inputs through the real binary (issue 13, items 2-8 and 14): a modified
// component is refused by run, verify and export with its id; a refused run leaves the store byte
// for byte as it was; a typo in a new task never bricks an experiment; search-space values and
// task names are checked before anything is written; a read-only store can be read; write errors
// (a full disk, /dev/full, an unwritable stdout) give a non-zero exit; `--help` exits 0; a
// finished run leaves only referenced component files. Every hostile input is built here.
#include <QtTest/QtTest>

#include <unistd.h>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "CliProcess.h"
#include "TestData.h"
#include "TmpfsMount.h"

namespace {

namespace fs = std::filesystem;
using Result = mu2net::testdata::CliResult;
using mu2net::testdata::runCli;

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// Every regular file under `dir` with its bytes. SQLite's wal-index (-shm) and an empty
// write-ahead log are not contents: any reader of a WAL database creates them, and the last
// writer to close removes them.
std::map<QString, QByteArray> snapshot(const QString& dir) {
  std::map<QString, QByteArray> out;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    if (path.endsWith("-shm") || (path.endsWith("-wal") && QFileInfo(path).size() == 0)) continue;
    out[QDir(dir).relativeFilePath(path)] = readAll(path);
  }
  return out;
}

QByteArray config(const QString& extraTask = {}, const QString& extra = {}) {
  const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
  return QStringLiteral(R"({
    "seed": 13,
    "root": {"architecture": "vit", "width": 16, "heads": 2, "mlp_dim": 32, "depth": 2},
    "tasks": [{"name": "low", "format": "idx", "path": "%1", "classes": [0, 1, 2]},
              {"name": "high", "format": "idx", "path": "%1", "classes": [7, 8, 9]}%2],
    "evolution": {"generation_size": 2, "children_per_task_iteration": 4, "task_iterations": 1},
    "training": {"batch_size": 32, "validations_per_child": 2,
                 "train_examples_between_validations": 128, "validation_examples_max": 128,
                 "test_examples_max": 128}%3
  })")
      .arg(mnist, extraTask, extra)
      .toUtf8();
}

// Runs the CLI with its standard output going to `stdoutFile` (e.g. /dev/full).
Result runWithStdout(const QStringList& args, const QString& stdoutFile) {
  QProcess p;
  p.setStandardOutputFile(stdoutFile, QIODevice::Append);
  p.start(QStringLiteral(MU2NET_CLI_PATH), args);
  p.waitForFinished(300000);
  return {p.exitCode(),
          p.exitStatus() == QProcess::CrashExit,
          {},
          QString::fromUtf8(p.readAllStandardError())};
}

// Flips one bit in the data of the last tensor record of a component file: its last momentum
// buffer (parameters come first). The zip container is left valid.
bool flipBitInMomentum(const QString& file) {
  QByteArray b = readAll(file);
  qsizetype dataAt = -1;
  for (qsizetype i = b.indexOf("PK\x03\x04"); i >= 0; i = b.indexOf("PK\x03\x04", i + 1)) {
    if (i + 30 > b.size()) break;
    const auto u16 = [&](qsizetype at) {
      return static_cast<qsizetype>(static_cast<unsigned char>(b[at])) |
             static_cast<qsizetype>(static_cast<unsigned char>(b[at + 1])) << 8;
    };
    const QByteArray name = b.mid(i + 30, u16(i + 26));
    const qsizetype slash = name.lastIndexOf("/data/");
    bool digits = slash >= 0 && slash + 6 < name.size();
    for (qsizetype k = slash + 6; digits && k < name.size(); ++k)
      digits = name[k] >= '0' && name[k] <= '9';
    if (digits) dataAt = i + 30 + u16(i + 26) + u16(i + 28);
  }
  if (dataAt < 0 || dataAt >= b.size()) return false;
  b[dataAt] = static_cast<char>(b[dataAt] ^ 0x10);
  return writeAll(file, b);
}

// The ids of the component files, ascending: the last ones were created by tasks (the root's
// come first).
std::vector<int> componentIds(const QString& dir) {
  std::vector<int> ids;
  for (const QString& name : QDir(dir + "/components").entryList({"*.pt"}, QDir::Files))
    ids.push_back(name.chopped(3).toInt());
  std::sort(ids.begin(), ids.end());
  return ids;
}

int lastComponent(const QString& dir) {
  const std::vector<int> ids = componentIds(dir);
  return ids.empty() ? -1 : ids.back();
}

}  // namespace

class TstCliHardening : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString config_;
  QString reference_;  // a finished run, never modified

  QString copyOfReference(const QString& name) {
    const QString dir = tmp_.filePath(name);
    fs::copy(reference_.toStdString(), dir.toStdString(), fs::copy_options::recursive);
    return dir;
  }

 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(mu2net::testdata::mnistDir());
    config_ = tmp_.filePath("exp.json");
    QVERIFY(writeAll(config_, config()));
    reference_ = tmp_.filePath("reference");
    const Result r = runCli({"run", config_, "--out", reference_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
  }

  // Item 14: `--help` is a request, not a usage error.
  void helpExitsZero() {
    for (const QString command : {"status", "verify", "export"}) {
      for (const QString flag : {"--help", "-h"}) {
        const Result r = runCli({command, flag});
        QVERIFY2(r.exitCode == 0, qPrintable(command + " " + flag + ": " + r.err));
        QVERIFY2(r.out.contains("usage: mu2net " + command), qPrintable(r.out));
      }
      QCOMPARE(runCli({command}).exitCode, 2);  // a missing argument still is
    }
  }

  // Item 14: a finished run leaves exactly the component files its store references.
  void aFinishedRunKeepsOnlyReferencedComponents() {
    const QString csv = tmp_.filePath("csv-components");
    const Result r = runCli({"export", reference_, "--csv", csv});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    std::set<QString> referenced, present;
    const QList<QByteArray> lines = readAll(csv + "/components.csv").split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i)
      if (!lines[i].isEmpty()) referenced.insert(QString(lines[i].split(',')[0]) + ".pt");
    for (const QString& name : QDir(reference_ + "/components").entryList(QDir::Files))
      present.insert(name);
    QVERIFY(!referenced.empty());
    QCOMPARE(present, referenced);
  }

  // Item 2: a flipped bit in a momentum buffer is a modified component for verify, run and export.
  void aModifiedComponentIsRefusedWithItsId() {
    const QString dir = copyOfReference("modified");
    const int id = lastComponent(dir);
    QVERIFY(flipBitInMomentum(QString("%1/components/%2.pt").arg(dir).arg(id)));
    const QString component = QString("component %1").arg(id);
    const auto before = snapshot(dir);

    const Result verify = runCli({"verify", dir});
    QCOMPARE(verify.exitCode, 1);
    QVERIFY2(verify.out.contains(component + ":") && verify.out.contains("modified"),
             qPrintable(verify.out));
    const Result run = runCli({"run", config_, "--out", dir});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(component) && run.err.contains("modified"), qPrintable(run.err));
    const Result exported =
        runCli({"export", dir, "--task", "high", "--torchscript", tmp_.filePath("high.pt")});
    QCOMPARE(exported.exitCode, 1);
    QVERIFY2(exported.err.contains(component), qPrintable(exported.err));
    QVERIFY(!QFile::exists(tmp_.filePath("high.pt")));
    QVERIFY(snapshot(dir) == before);
  }

  // Item 3: a refused run changes nothing: no unreferenced file is deleted, experiment.json is
  // not rewritten, an empty database is not initialised.
  void aRefusedRunLeavesTheStoreByteIdentical() {
    const QString dir = copyOfReference("refused");
    QVERIFY(writeAll(dir + "/components/9999.pt", "x"));
    const std::vector<int> ids = componentIds(dir);
    QVERIFY(ids.size() >= 2);
    const QString missing = QString("%1/components/%2.pt").arg(dir).arg(ids[ids.size() - 2]);
    QVERIFY(QFile::remove(missing));
    const QString bigger = tmp_.filePath("bigger.json");
    QVERIFY(writeAll(bigger, config().replace("\"task_iterations\": 1", "\"task_iterations\": 2")));
    const auto before = snapshot(dir);
    const Result r = runCli({"run", bigger, "--out", dir});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(missing), qPrintable(r.err));
    QVERIFY(snapshot(dir) == before);

    const QString empty = tmp_.filePath("empty-db");
    QVERIFY(QDir().mkpath(empty));
    QVERIFY(writeAll(empty + "/experiment.json", "{}"));
    QVERIFY(writeAll(empty + "/system.sqlite", ""));
    const auto emptyBefore = snapshot(empty);
    for (const QStringList& args : {QStringList{"run", config_, "--out", empty},
                                    QStringList{"status", empty}, QStringList{"verify", empty}}) {
      const Result e = runCli(args);
      QCOMPARE(e.exitCode, 1);
      QVERIFY2(e.err.contains("empty"), qPrintable(e.err));
      QVERIFY(snapshot(empty) == emptyBefore);
    }
  }

  // Item 4: a new task with a wrong path is refused without being written into the store, and
  // the corrected configuration is accepted.
  void aTypoNeverBricksAnExperiment() {
    const QString dir = copyOfReference("typo");
    const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
    const QString typo = tmp_.filePath("typo.json");
    QVERIFY(writeAll(typo, config(R"(, {"name": "mid", "format": "idx", "path": "/no/such/mnist",
                                      "classes": [3, 4, 5]})")));
    const auto before = snapshot(dir);
    const Result refused = runCli({"run", typo, "--out", dir});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("/no/such/mnist"), qPrintable(refused.err));
    QVERIFY(snapshot(dir) == before);
    const QString fixed = tmp_.filePath("fixed.json");
    QVERIFY(writeAll(fixed, config(QStringLiteral(R"(, {"name": "mid", "format": "idx",
                                      "path": "%1", "classes": [3, 4, 5]})")
                                       .arg(mnist))));
    const Result accepted = runCli({"run", fixed, "--out", dir});
    QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.out + accepted.err));
    const Result status = runCli({"status", dir, "--json"});
    QCOMPARE(QJsonDocument::fromJson(status.out.toUtf8())["tasks"].toArray().size(), 3);
  }

  // Items 5 and 6: values the root cannot use and unprintable task names are refused before
  // anything is written.
  void badValuesAreRefusedBeforeAnythingIsWritten() {
    const QString sizes = tmp_.filePath("sizes.json");
    QVERIFY(writeAll(sizes, config({}, R"(, "image_sizes": [24, 30])")));
    Result r = runCli({"run", sizes, "--out", tmp_.filePath("sizes")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("'image_sizes'") && r.err.contains("30"), qPrintable(r.err));
    QVERIFY(!QFile::exists(tmp_.filePath("sizes")));

    const QString nul = tmp_.filePath("nul.json");
    QVERIFY(writeAll(nul, config().replace("\"name\": \"low\"", "\"name\": \"lo\\u0000w\"")));
    r = runCli({"run", nul, "--out", tmp_.filePath("nul")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("tasks[0].name") && r.err.contains("U+0000"), qPrintable(r.err));
    QVERIFY(!QFile::exists(tmp_.filePath("nul")));
  }

  // Item 7: a store this process cannot write is read by status, verify and export; run is
  // refused with a message. Both ways a store becomes read-only: file modes (another user's
  // store, `chmod -R a-w`; root ignores modes, so as root the commands run as user nobody) and a
  // read-only mount (which stops root too).
  void aReadOnlyStoreCanBeRead_data() {
    QTest::addColumn<bool>("mount");
    QTest::newRow("chmod -R a-w, read by another user") << false;
    QTest::newRow("read-only mount") << true;
  }

  void aReadOnlyStoreCanBeRead() {
    QFETCH(bool, mount);
    const QString base = tmp_.filePath(mount ? "ro-mount" : "ro-modes");
    const QString out = base + "-out";  // where the exports go: writable by everyone
    QVERIFY(QDir().mkpath(out) && QDir().mkpath(base));
    QVERIFY(QFile::setPermissions(tmp_.path(), QFileDevice::Permissions(0x7755)));
    QVERIFY(QFile::setPermissions(out, QFileDevice::Permissions(0x7777)));
    std::unique_ptr<mu2net::testdata::TmpfsMount> disk;
    if (mount) {
      disk = std::make_unique<mu2net::testdata::TmpfsMount>(base.toStdString(), "32m");
      QVERIFY2(disk->ok(), disk->error().c_str());
    }
    const QString dir = base + "/store";
    fs::copy(reference_.toStdString(), dir.toStdString(), fs::copy_options::recursive);
    // As a finished run leaves it: the last writer to close removed SQLite's WAL files (earlier
    // readers of the reference may have left empty ones behind).
    QFile::remove(dir + "/system.sqlite-shm");
    if (QFileInfo(dir + "/system.sqlite-wal").size() == 0)
      QFile::remove(dir + "/system.sqlite-wal");
    QStringList prefix;  // the command line that runs the CLI as the reading user
    if (mount) {
      QVERIFY(disk->remountReadOnly());
    } else {
      for (const auto& e : fs::recursive_directory_iterator(dir.toStdString()))
        fs::permissions(e.path(),
                        fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                        fs::perm_options::remove);
      fs::permissions(dir.toStdString(),
                      fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                      fs::perm_options::remove);
      if (::geteuid() == 0)
        prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
    }
    const auto cli = [&](QStringList args) {
      if (prefix.isEmpty()) return runCli(args);
      QProcess p;
      p.start(prefix.first(), prefix.mid(1) + QStringList{MU2NET_CLI_PATH} + args);
      p.waitForFinished(300000);
      return Result{p.exitCode(), p.exitStatus() == QProcess::CrashExit,
                    QString::fromUtf8(p.readAllStandardOutput()),
                    QString::fromUtf8(p.readAllStandardError())};
    };
    QVERIFY2(!prefix.isEmpty() || !QFile(dir + "/probe").open(QIODevice::WriteOnly),
             "the store is still writable");

    Result r = cli({"status", dir, "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8())["tasks"].toArray().size(), 2);
    r = cli({"verify", dir});
    QVERIFY2(r.exitCode == 0 && r.out.contains("verify: OK"), qPrintable(r.out + r.err));
    r = cli({"export", dir, "--csv", out + "/csv"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = cli({"export", dir, "--dot", out + "/graph.dot"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = cli({"export", dir, "--task", "low", "--torchscript", out + "/low.pt"});
    QVERIFY2(r.exitCode == 0 && QFileInfo(out + "/low.pt").size() > 0, qPrintable(r.err));
    r = cli({"run", config_, "--out", dir});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("writer.lock") && !r.crashed, qPrintable(r.err));
  }

  // Item 8: every write error is reported with a non-zero exit, and no partial file is left.
  void writeErrorsGiveANonZeroExit() {
    mu2net::testdata::TmpfsMount disk(tmp_.filePath("full").toStdString(), "256k");
    QVERIFY2(disk.ok(), disk.error().c_str());
    QVERIFY(QDir().mkpath(tmp_.filePath("full/csv")));
    disk.fill();
    Result r = runCli({"export", reference_, "--csv", tmp_.filePath("full/csv")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("children.csv") && r.err.contains("space"), qPrintable(r.err));
    QCOMPARE(QDir(tmp_.filePath("full/csv")).entryList(QDir::Files | QDir::Hidden).size(), 0);

    for (const QStringList& args :
         {QStringList{"export", reference_, "--task", "low", "--torchscript", "/dev/full"},
          QStringList{"export", reference_, "--task", "low", "--torchscript",
                      tmp_.filePath("full/low.pt")},
          QStringList{"export", reference_, "--dot", "/dev/full"}}) {
      r = runCli(args);
      QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(args.join(' ') + ": " + r.err));
      QVERIFY2(r.err.contains("cannot write"), qPrintable(r.err));
    }
    QVERIFY(!QFile::exists(tmp_.filePath("full/low.pt")));

    for (const QStringList& args :
         {QStringList{"status", reference_}, QStringList{"roots"}, QStringList{"--help"}}) {
      r = runWithStdout(args, "/dev/full");
      QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(args.join(' ') + ": " + r.err));
      QVERIFY2(r.err.contains("standard output"), qPrintable(r.err));
    }
  }
};

QTEST_GUILESS_MAIN(TstCliHardening)
#include "tst_cli_hardening.moc"
