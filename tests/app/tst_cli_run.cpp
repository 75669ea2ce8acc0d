// `mu2net run` end to end through the real binary: a tiny real experiment writes its report and
// configuration, bad configurations are refused naming the key, finished runs are not overwritten.
#include <QtTest/QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "TestData.h"

namespace {

struct Result {
  int exitCode = -1;
  QString out, err;
};

Result runCli(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(MU2NET_CLI_PATH), args);
  if (!p.waitForFinished(300000)) {
    p.kill();
    p.waitForFinished();
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& text) {
  const QString path = dir.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(text);
  return path;
}

QByteArray tinyConfig() {
  const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
  return QStringLiteral(R"({
    "seed": 5,
    "root": {"architecture": "cnn", "width": 16, "depth": 1},
    "tasks": [{"name": "low", "format": "idx", "path": "%1", "classes": [0, 1, 2]},
              {"name": "high", "format": "idx", "path": "%1", "classes": [7, 8, 9]}],
    "evolution": {"generation_size": 1, "children_per_task_iteration": 1, "task_iterations": 1},
    "training": {"batch_size": 32, "validations_per_child": 1,
                 "train_examples_between_validations": 256, "validation_examples_max": 128,
                 "test_examples_max": 200}
  })")
      .arg(mnist)
      .toUtf8();
}

}  // namespace

class TstCliRun : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { MU2NET_REQUIRE_DIR(mu2net::testdata::mnistDir()); }

  void tinyRunWritesReport() {
    QTemporaryDir dir;
    const QString config = writeFile(dir, "exp.json", tinyConfig());
    const QString out = dir.filePath("run");
    const Result r = runCli({"run", config, "--out", out, "--threads", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains("low gen 1 child 0: parent 0 (root)"));
    QVERIFY(r.out.contains("improved"));
    QVERIFY(r.out.contains("test acc"));  // the final table
    QVERIFY(r.out.contains("system size"));

    QFile f(out + "/report.json");
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject report = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray tasks = report["tasks"].toArray();
    QCOMPARE(tasks.size(), 2);
    for (const auto& t : tasks) {
      const QJsonObject task = t.toObject();
      QVERIFY(task["test_accuracy"].toDouble() > 0.0);
      QVERIFY(task["activated_params"].toInteger() > 0);
      QVERIFY(!task["route"].toArray().isEmpty());
      QCOMPARE(task["route"].toArray().size(), task["route_slots"].toArray().size());
    }
    QCOMPARE(report["config"].toObject()["seed"].toInt(), 5);
    QVERIFY(report["graph"].toObject()["components"].toArray().size() > 0);
    QVERIFY(QFile::exists(out + "/experiment.json"));

    // Running a finished experiment again continues it: nothing is left to do, same report.
    const QByteArray before = [&] {
      QFile previous(out + "/report.json");
      return previous.open(QIODevice::ReadOnly) ? previous.readAll() : QByteArray();
    }();
    const Result again = runCli({"run", config, "--out", out});
    QCOMPARE(again.exitCode, 0);
    QVERIFY(again.out.contains("resuming"));
    QFile after(out + "/report.json");
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), before);
    // A directory that is not a store is never written into.
    QTemporaryDir other;
    QFile keep(other.filePath("notes.txt"));
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.write("mine");
    keep.close();
    const Result refused = runCli({"run", config, "--out", other.path()});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY(refused.err.contains("is not an experiment store"));
    QCOMPARE(QDir(other.path()).entryList(QDir::Files | QDir::NoDotAndDotDot).size(), 1);
  }

  void badConfigNamesTheKey() {
    QTemporaryDir dir;
    const QString config = writeFile(
        dir, "bad.json",
        R"({"tasks": [{"name": "a", "format": "idx", "path": "x"}], "training": {"batch": 3}})");
    const Result r = runCli({"run", config, "--out", dir.filePath("o")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("training.batch") && r.err.contains("unknown key"), qPrintable(r.err));
    QVERIFY(!QFile::exists(dir.filePath("o/report.json")));
  }

  void missingDataIsReported() {
    QTemporaryDir dir;
    const QString config = writeFile(
        dir, "nodata.json", R"({"tasks": [{"name": "a", "format": "idx", "path": "missing"}]})");
    const Result r = runCli({"run", config, "--out", dir.filePath("o")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("missing"), qPrintable(r.err));
  }

  void unusableRootLeavesNoStore() {
    // A root file that is not a tensor dict: refused with the key and file named, without a C++
    // backtrace, and the --out directory the run would have created is not left behind (it would
    // refuse the corrected configuration).
    QTemporaryDir dir;
    writeFile(dir, "garbage.pt", QByteArray(4096, '\x7f'));
    const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
    const QString config = writeFile(dir, "root.json",
                                     QStringLiteral(R"({"root": {"checkpoint": "garbage.pt"},
                       "tasks": [{"name": "a", "format": "idx", "path": "%1"}]})")
                                         .arg(mnist)
                                         .toUtf8());
    const Result r = runCli({"run", config, "--out", dir.filePath("o")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("root.checkpoint") && r.err.contains("garbage.pt"), qPrintable(r.err));
    QVERIFY2(!r.err.contains("frame #"), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(dir.filePath("o")));
    // An empty --out folder that existed stays, empty.
    QVERIFY(QDir(dir.path()).mkdir("empty"));
    QCOMPARE(runCli({"run", config, "--out", dir.filePath("empty")}).exitCode, 1);
    QVERIFY(QDir(dir.filePath("empty")).isEmpty());
  }

  void usageErrors() {
    QCOMPARE(runCli({"run"}).exitCode, 2);
    QCOMPARE(runCli({"run", "x.json"}).exitCode, 2);
    QCOMPARE(runCli({"run", "x.json", "--out", "d", "--threads", "zero"}).exitCode, 2);
  }
};

QTEST_GUILESS_MAIN(TstCliRun)
#include "tst_cli_run.moc"
