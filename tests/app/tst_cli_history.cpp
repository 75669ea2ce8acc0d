// `mu2net export DIR --dot FILE --at-generation N` through the real binary on a tiny real run:
// the graph after generation N from the store's history (the last generation's equals the final
// graph, the first lacks the second task), a clear error naming N and the recorded range and no
// file for a generation not recorded or not a number, and a store written before the history
// existed (its table dropped with SQLite) said to be one.
#include <QtTest/QtTest>

#include <QFile>
#include <QTemporaryDir>

#include "CliProcess.h"
#include "CliStoreConfig.h"
#include "OlderStore.h"
#include "TestData.h"

namespace {

using Result = mu2net::testdata::CliResult;
using mu2net::testdata::readAll;
using mu2net::testdata::runCli;
using mu2net::testdata::writeCliStoreConfig;

}  // namespace

class TstCliHistory : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString store_;

  Result exportAt(const QString& store, const QString& n, const QString& file) {
    return runCli({"export", store, "--dot", file, "--at-generation", n});
  }

 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(mu2net::testdata::mnistDir());
    store_ = tmp_.filePath("store");
    const Result r = runCli({"run", writeCliStoreConfig(tmp_), "--out", store_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
  }

  void graphAfterGeneration() {
    const QString final = tmp_.filePath("final.dot");
    QCOMPARE(runCli({"export", store_, "--dot", final}).exitCode, 0);
    QByteArray dots[5];
    for (int n = 1; n <= 4; ++n) {
      const QString file = tmp_.filePath(QStringLiteral("g%1.dot").arg(n));
      const Result r = exportAt(store_, QString::number(n), file);
      QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
      dots[n] = readAll(file);
      QVERIFY(dots[n].startsWith("digraph mu2net"));
    }
    // Generation 1 trained "low" only: "high" has no route yet; from generation 2 it has one.
    QVERIFY(dots[1].contains("label=\"low"));
    QVERIFY(!dots[1].contains("label=\"high"));
    QVERIFY(dots[2].contains("label=\"high"));
    QVERIFY(dots[1] != dots[2]);
    // The last generation's state is the final one.
    QCOMPARE(dots[4], readAll(final));
  }

  void generationNotRecorded_data() {
    QTest::addColumn<QString>("n");
    QTest::addColumn<QString>("message");
    QTest::newRow("past the end") << "5"
                                  << "generation 5 is not in the recorded history";
    QTest::newRow("far past the end") << "123456"
                                      << "generation 123456";
    QTest::newRow("zero") << "0"
                          << "not '0'";
    QTest::newRow("negative") << "-3"
                              << "not '-3'";
    QTest::newRow("not a number") << "two"
                                  << "not 'two'";
  }

  void generationNotRecorded() {
    QFETCH(QString, n);
    QFETCH(QString, message);
    const QString file = tmp_.filePath("bad.dot");
    const Result r = exportAt(store_, n, file);
    QVERIFY(r.exitCode != 0);
    QVERIFY(!r.crashed);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    if (n == QLatin1String("5")) QVERIFY2(r.err.contains("generations 1 to 4"), qPrintable(r.err));
    QVERIFY(!QFile::exists(file));
  }

  void atGenerationNeedsDot() {
    const Result r =
        runCli({"export", store_, "--csv", tmp_.filePath("csv"), "--at-generation", "1"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("--at-generation N"));
  }

  void olderStoreSaysSo() {
    const QString old = tmp_.filePath("old");
    QVERIFY(QDir().mkpath(old));
    for (const QString& f : {QStringLiteral("experiment.json"), QStringLiteral("system.sqlite")})
      QVERIFY(QFile::copy(store_ + QLatin1Char('/') + f, old + QLatin1Char('/') + f));
    QVERIFY(
        mu2net::testdata::makeSchema2Store((old + QStringLiteral("/system.sqlite")).toStdString()));
    const QString file = tmp_.filePath("old.dot");
    const Result r = exportAt(old, QStringLiteral("1"), file);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("written by an older version") &&
                 r.err.contains("no history recorded") &&
                 r.err.contains("generation 1 is not in the recorded history"),
             qPrintable(r.err));
    QVERIFY(!QFile::exists(file));
  }
};

QTEST_GUILESS_MAIN(TstCliHistory)
#include "tst_cli_history.moc"
