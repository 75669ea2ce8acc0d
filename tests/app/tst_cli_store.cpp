// The experiment store through the real binary: killed (SIGKILL at several points, including in
// the middle of a component file write) and stopped (Ctrl-C) runs resume to a result identical to
// an uninterrupted run; status, verify (with tamper detection) and export.
#include <QtTest/QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <csignal>

#include "CliProcess.h"
#include "CliStoreConfig.h"
#include "TestData.h"

namespace {

using Result = mu2net::testdata::CliResult;
using mu2net::testdata::readAll;
using mu2net::testdata::runCli;
using mu2net::testdata::writeCliStoreConfig;

}  // namespace

class TstCliStore : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString config_;
  QByteArray reference_;

 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(mu2net::testdata::mnistDir());
    config_ = writeCliStoreConfig(tmp_);
    const Result r = runCli({"run", config_, "--out", tmp_.filePath("reference")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    reference_ = readAll(tmp_.filePath("reference/report.json"));
    QVERIFY(!reference_.isEmpty());
  }

  void killedOrStoppedRunsResumeExactly_data() {
    QTest::addColumn<QString>("killWhen");
    QTest::addColumn<int>("signal");
    QTest::addColumn<int>("killInWrite");
    QTest::newRow("SIGKILL in the first generation") << "generation 1:" << SIGKILL << 0;
    QTest::newRow("SIGKILL after the first task iteration") << "== task high" << SIGKILL << 0;
    QTest::newRow("SIGKILL in the last task iteration") << "generation 4:" << SIGKILL << 0;
    QTest::newRow("Ctrl-C stop") << "gen 2 child 0" << SIGINT << 0;
    QTest::newRow("killed writing the 3rd component file") << "" << 0 << 3;
    QTest::newRow("killed writing the 20th component file") << "" << 0 << 20;
  }

  void killedOrStoppedRunsResumeExactly() {
    QFETCH(QString, killWhen);
    QFETCH(int, signal);
    QFETCH(int, killInWrite);
    const QString dir =
        tmp_.filePath(QString("run-%1").arg(QTest::currentDataTag()).replace(' ', '_'));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (killInWrite > 0)
      env.insert("MU2NET_TEST_KILL_IN_COMPONENT_WRITE", QString::number(killInWrite));
    const Result first = runCli({"run", config_, "--out", dir}, killWhen, signal, env);
    if (signal == SIGINT) {
      QCOMPARE(first.exitCode, 130);  // stopped at a safe point
    } else {
      QVERIFY2(first.crashed, qPrintable(first.out + first.err));  // really killed
      QVERIFY(!QFile::exists(dir + "/report.json"));
    }
    const Result resumed = runCli({"run", config_, "--out", dir});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
    // A kill before the first commit leaves no state: the run starts again from the beginning.
    QVERIFY(resumed.out.contains("resuming") || resumed.out.contains("restarting"));
    QCOMPARE(readAll(dir + "/report.json"), reference_);
    // No partial file is left behind, and every component verifies.
    QCOMPARE(QDir(dir + "/components").entryList({"*.tmp"}, QDir::Files).size(), 0);
    const Result verify = runCli({"verify", dir});
    QVERIFY2(verify.exitCode == 0, qPrintable(verify.out + verify.err));
  }

  void statusReportsTheSystem() {
    const Result r = runCli({"status", tmp_.filePath("reference"), "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject s = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QVERIFY(s["finished"].toBool());
    QCOMPARE(s["children_trained"].toInt(), 8);
    const QJsonArray tasks = s["tasks"].toArray();
    QCOMPARE(tasks.size(), 2);
    QVERIFY(tasks[0].toObject()["test_accuracy"].toDouble() > 0.0);
    QVERIFY(!tasks[0].toObject()["route"].toArray().isEmpty());
    QVERIFY(s["system_parameters"].toDouble() > 0.0);
    const Result text = runCli({"status", tmp_.filePath("reference")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("finished") && text.out.contains("high"));
    QCOMPARE(runCli({"status", tmp_.filePath("nothing-here")}).exitCode, 1);
  }

  void verifyNamesATamperedComponent() {
    const QString dir = tmp_.filePath("tampered");
    QVERIFY(QDir().mkpath(dir));
    // Work on a copy of the reference run.
    const QString src = tmp_.filePath("reference");
    for (const QString& sub : {QString(), QString("components")}) {
      QDir().mkpath(dir + "/" + sub);
      for (const QString& f : QDir(src + "/" + sub).entryList(QDir::Files))
        QVERIFY(QFile::copy(src + "/" + sub + "/" + f, dir + "/" + sub + "/" + f));
    }
    const QJsonObject status =
        QJsonDocument::fromJson(runCli({"status", dir, "--json"}).out.toUtf8()).object();
    const QJsonArray route = status["tasks"].toArray()[0].toObject()["route"].toArray();
    // Replace one block of the route by another block's file: readable, but not the same.
    QString a, b;
    const QJsonArray other = status["tasks"].toArray()[1].toObject()["route"].toArray();
    for (int i = 3; i < route.size() - 2 && a.isEmpty(); ++i)
      for (int j = 3; j < other.size() - 2 && a.isEmpty(); ++j)
        if (route[i].toInt() != other[j].toInt()) {
          a = QString::number(route[i].toInt());
          b = QString::number(other[j].toInt());
        }
    QVERIFY(!a.isEmpty());
    QVERIFY(QFile::remove(dir + "/components/" + a + ".pt"));
    QVERIFY(QFile::copy(dir + "/components/" + b + ".pt", dir + "/components/" + a + ".pt"));
    const Result r = runCli({"verify", dir});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("component " + a + ": SHA-256 differs"), qPrintable(r.out));
    // verify read only: the tampered file is still there, nothing was repaired or removed.
    QVERIFY(QFile::exists(dir + "/components/" + a + ".pt"));
  }

  void exportWritesDotCsvAndTorchScript() {
    const QString src = tmp_.filePath("reference");
    Result r = runCli({"export", src, "--dot", tmp_.filePath("graph.dot")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(readAll(tmp_.filePath("graph.dot")).startsWith("digraph"));
    r = runCli({"export", src, "--csv", tmp_.filePath("csv")});
    QCOMPARE(r.exitCode, 0);
    for (const char* f : {"children.csv", "curves.csv", "paths.csv", "components.csv"})
      QVERIFY(readAll(tmp_.filePath(QString("csv/") + f)).count('\n') > 1);
    QCOMPARE(readAll(tmp_.filePath("csv/children.csv")).count('\n'), 9);  // header + 8 children
    r = runCli({"export", src, "--task", "high", "--torchscript", tmp_.filePath("high.pt")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(QFileInfo(tmp_.filePath("high.pt")).size() > 1000);
    QCOMPARE(runCli({"export", src, "--task", "nope", "--torchscript", "x.pt"}).exitCode, 1);
    QCOMPARE(runCli({"export", src}).exitCode, 2);
  }
};

QTEST_GUILESS_MAIN(TstCliStore)
#include "tst_cli_store.moc"
