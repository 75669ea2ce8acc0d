// `mu2net pretrain` and `mu2net roots` through the real binary: a root is written with its
// metadata and listed; Ctrl-C saves the state and the same command continues it to a file
// identical to an uninterrupted run; bad arguments and a configuration the metadata would
// overwrite are refused without touching anything.
#include <QtTest/QtTest>

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "CliProcess.h"

using mu2net::testdata::CliResult;
using mu2net::testdata::runCli;

namespace {

// A tiny ViT with a conv stem on 16 px glyphs; long enough to interrupt in the middle.
const QByteArray kConfig = R"({
  "name": "tiny",
  "seed": 3,
  "root": {"architecture": "vit", "stem": "conv", "image_size": 16, "patch_size": 4,
           "width": 16, "heads": 2, "mlp_dim": 32, "depth": 1},
  "sources": [{"synthetic": "glyphs", "classes": 20}, {"synthetic": "contours", "classes": 5}],
  "training": {"steps": 240, "batch_size": 16, "learning_rate": 0.003, "threads": 1},
  "evaluation": {"examples": 128, "every": 40},
  "checkpoint_every": 20
})";

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
  QFile f(dir.filePath(name));
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(bytes);
  return f.fileName();
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TstCliPretrain : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesARootAndListsIt() {
    QTemporaryDir dir;
    const QString config = write(dir, "tiny.pretrain.json", kConfig);
    const QString out = dir.filePath("tiny.pt");
    const CliResult r = runCli({"pretrain", config, "--out", out});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
    QVERIFY(r.out.contains("held-out accuracy"));
    QVERIFY(r.out.contains("step 240/240"));
    const QJsonObject meta = QJsonDocument::fromJson(readAll(dir.filePath("tiny.json"))).object();
    QCOMPARE(meta.value("format").toString(), QStringLiteral("mu2net-root"));
    QCOMPARE(meta.value("name").toString(), QStringLiteral("tiny"));
    QCOMPARE(meta.value("checkpoint").toString(), QStringLiteral("tiny.pt"));
    // The recorded SHA-256 is the file's, as `sha256sum` computes it.
    QCOMPARE(meta.value("sha256").toString().toUtf8(),
             QCryptographicHash::hash(readAll(out), QCryptographicHash::Sha256).toHex());
    QVERIFY(meta.value("command").toString().contains("mu2net pretrain"));
    const QJsonObject pre = meta.value("pretraining").toObject();
    QCOMPARE(pre.value("steps").toInt(), 240);
    QCOMPARE(pre.value("classes").toInt(), 25);
    QVERIFY(pre.value("source").toString().contains("glyphs"));
    QVERIFY(pre.value("source").toString().contains("contours"));
    QVERIFY(meta.value("versions").toObject().contains("libtorch"));

    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("MU2NET_ROOTS_PATH", dir.path());
    const CliResult roots = runCli({"roots"}, {}, SIGKILL, env);
    QCOMPARE(roots.exitCode, 0);
    QVERIFY2(roots.out.contains("tiny"), qPrintable(roots.out));
    QVERIFY(roots.out.contains("conv stem, patch 4, width 16"));
    QVERIFY(roots.out.contains("synthetic glyphs"));
    QVERIFY(roots.out.contains(out));
  }

  void interruptedRunContinuesToTheSameRoot() {
    QTemporaryDir dir;
    const QString config = write(dir, "tiny.pretrain.json", kConfig);
    const QString whole = dir.filePath("whole.pt");
    QCOMPARE(runCli({"pretrain", config, "--out", whole}).exitCode, 0);

    const QString parts = dir.filePath("parts.pt");
    const CliResult first =
        runCli({"pretrain", config, "--out", parts}, QStringLiteral("step 80/240"), SIGINT);
    QCOMPARE(first.exitCode, 130);
    QVERIFY2(first.out.contains("run the same command again"), qPrintable(first.out));
    QVERIFY(QFile::exists(parts + ".partial"));
    QVERIFY(!QFile::exists(parts));
    const CliResult second = runCli({"pretrain", config, "--out", parts});
    QVERIFY2(second.exitCode == 0, qPrintable(second.err));
    QVERIFY(second.out.contains("continued from step"));
    QCOMPARE(readAll(parts), readAll(whole));
    QVERIFY(!QFile::exists(parts + ".partial"));
  }

  void refusesBadInputAndTouchesNothing() {
    QTemporaryDir dir;
    const QString config = write(dir, "root.json", kConfig);
    // The metadata of root.pt would be root.json: the configuration itself.
    const CliResult clobber = runCli({"pretrain", config, "--out", dir.filePath("root.pt")});
    QCOMPARE(clobber.exitCode, 1);
    QVERIFY2(clobber.err.contains("root.json") && clobber.err.contains("another --out"),
             qPrintable(clobber.err));
    QCOMPARE(readAll(config), kConfig);
    QVERIFY(!QFile::exists(dir.filePath("root.pt")));

    QCOMPARE(runCli({"pretrain", config, "--out", dir.filePath("x.bin")}).exitCode, 2);
    QCOMPARE(runCli({"pretrain", config}).exitCode, 2);
    QCOMPARE(runCli({"pretrain", "--help"}).exitCode, 0);
    QCOMPARE(runCli({"roots", "--help"}).exitCode, 0);
    QCOMPARE(runCli({"roots", "extra"}).exitCode, 2);
    const QString bad = write(dir, "bad.json", R"({"sources": [{"synthetic": "fractals"}]})");
    const CliResult r = runCli({"pretrain", bad, "--out", dir.filePath("b.pt")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("sources[0].synthetic"), qPrintable(r.err));
    const CliResult missing =
        runCli({"pretrain", dir.filePath("none.json"), "--out", dir.filePath("c.pt")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("none.json"), qPrintable(missing.err));
  }
};

QTEST_GUILESS_MAIN(TstCliPretrain)
#include "tst_cli_pretrain.moc"
