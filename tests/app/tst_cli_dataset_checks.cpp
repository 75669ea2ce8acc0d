// `mu2net run` checks its tasks' dataset folders by name before anything else: a missing folder
// or one of another format is refused naming the task, its key and (for a format) the format that
// fits, and no experiment directory is created. Real binary, real MNIST.
#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include "CliProcess.h"
#include "TestData.h"

using mu2net::testdata::runCli;

namespace {

QString writeConfig(const QTemporaryDir& dir, const QString& name, const QString& format,
                    const QString& path) {
  const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
  const QString file = dir.filePath(name);
  QFile f(file);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(QStringLiteral(R"({
    "seed": 5,
    "root": {"architecture": "cnn", "width": 8, "depth": 1},
    "tasks": [{"name": "low", "format": "idx", "path": "%1", "classes": [0, 1, 2]},
              {"name": "fashion", "format": "%2", "path": "%3"}],
    "evolution": {"generation_size": 1, "children_per_task_iteration": 1, "task_iterations": 1}
  })")
              .arg(mnist, format, path)
              .toUtf8());
  return file;
}

}  // namespace

class TstCliDatasetChecks : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { MU2NET_REQUIRE_DIR(mu2net::testdata::mnistDir()); }

  void missingFolderNamesTheTaskAndKey() {
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("no-such-folder"));
    const QString config =
        writeConfig(dir, QStringLiteral("c.json"), QStringLiteral("idx"), missing);
    const QString out = dir.filePath(QStringLiteral("out"));
    const auto r = runCli({QStringLiteral("run"), config, QStringLiteral("--out"), out});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(
        r.err.contains(QStringLiteral("task 'fashion' (tasks[1].path): folder %1 does not exist")
                           .arg(missing)),
        qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(out));
  }

  void wrongFormatSuggestsTheOneThatFits() {
    QTemporaryDir dir;
    const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
    const QString config =
        writeConfig(dir, QStringLiteral("c.json"), QStringLiteral("cifar-binary"), mnist);
    const auto r = runCli({QStringLiteral("run"), config, QStringLiteral("--out"),
                           dir.filePath(QStringLiteral("out"))});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("task 'fashion' (tasks[1].format): format is "
                                           "'cifar-binary' but %1 holds IDX files")
                                .arg(mnist)),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("use \"format\": \"idx\"")), qPrintable(r.err));
  }
};

QTEST_MAIN(TstCliDatasetChecks)
#include "tst_cli_dataset_checks.moc"
