// The mu2net-layout helper's limits (issue 13, item 10), tested on the real helper process: a deep
// chain that crashed Graphviz, a closed or folder stdin that aborted it, input above the limit,
// default time and memory limits, and parse errors that exited 0 with an empty or partial layout.
#include <QtTest/QtTest>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>

#include <fcntl.h>
#include <unistd.h>

#include <functional>
#include <random>

#include "LayoutHelperRun.h"

namespace {

using Run = mu2net::testdata::LayoutHelperRun;

QString describe(const Run& run) {
  return QStringLiteral("exit %1%2, stdout: %3\nstderr: %4")
      .arg(run.exitCode)
      .arg(run.crashed ? QStringLiteral(" (crashed)") : QString())
      .arg(QString::fromUtf8(run.out.left(1000)), QString::fromUtf8(run.err.left(1000)));
}

Run runHelper(const QStringList& args, const QByteArray& input,
              const std::function<void()>& childSetup = {}, int timeoutMs = 120000) {
  return mu2net::testdata::runLayoutHelper(args, input, timeoutMs, childSetup);
}

// The helper's one line of JSON: its "error" text (empty when there is none).
QString errorOf(const Run& run) {
  const QByteArray line = run.out.trimmed();
  if (line.contains('\n')) return {};
  return QJsonDocument::fromJson(line).object().value(QStringLiteral("error")).toString();
}

QByteArray chain(int nodes) {
  QByteArray dot = "digraph chain {\n";
  dot.reserve(nodes * 20);
  for (int i = 0; i + 1 < nodes; ++i)
    dot += "n" + QByteArray::number(i) + " -> n" + QByteArray::number(i + 1) + ";\n";
  return dot + "}\n";
}

// The case: 5,000 nodes and 10,000 edges, which dot took to 5.6 GB without a limit.
QByteArray denseGraph() {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> pick(0, 4999);
  QByteArray dot = "digraph dense {\n";
  for (int i = 0; i < 10000; ++i)
    dot += "n" + QByteArray::number(pick(rng)) + " -> n" + QByteArray::number(pick(rng)) + ";\n";
  return dot + "}\n";
}

#define VERIFY_REFUSED(run, part)                                                                 \
  do {                                                                                            \
    QVERIFY2((run).finished && !(run).crashed && (run).exitCode == 1, qPrintable(describe(run))); \
    QVERIFY2(errorOf(run).contains(QStringLiteral(part)), qPrintable(describe(run)));             \
    QVERIFY(!(run).err.isEmpty());                                                                \
  } while (0)

}  // namespace

class TstLayoutLimits : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void deepChainIsRefusedNotACrash() {
    // 200,000 nodes in one chain: Graphviz recursed once per link and overflowed its stack.
    const Run run = runHelper({}, chain(200000));
    VERIFY_REFUSED(run, "more than the limit of 50000 nodes");
  }

  void longChainWithinTheLimitsIsLaidOutOrTimesOut() {
    // 20,000 nodes are allowed: the layout runs on a large stack and ends with a layout or with
    // the time limit, never with a crash.
    const Run run =
        runHelper({QStringLiteral("--timeout-seconds"), QStringLiteral("5")}, chain(20000));
    QVERIFY2(run.finished && !run.crashed && (run.exitCode == 0 || run.exitCode == 3),
             qPrintable(describe(run)));
  }

  void closedStdinIsReported() {
    const Run run = runHelper({}, {}, [] { close(STDIN_FILENO); });
    VERIFY_REFUSED(run, "stdin is closed");
  }

  void folderStdinIsReported() {
    const Run run = runHelper({}, {}, [] {
      const int folder = open("/", O_RDONLY | O_DIRECTORY);
      dup2(folder, STDIN_FILENO);
    });
    VERIFY_REFUSED(run, "stdin is a folder");
  }

  void inputAboveTheLimitIsRefused() {
    // 5 MiB: more than the default limit of 4 MiB.
    QByteArray big = "digraph g { a -> b }\n";
    big += QByteArray(5 << 20, ' ');
    VERIFY_REFUSED(runHelper({}, big), "--max-input-bytes");
    const Run small = runHelper({QStringLiteral("--max-input-bytes"), QStringLiteral("10")},
                                "digraph g { a -> b }\n");
    VERIFY_REFUSED(small, "more than 10 bytes");
  }

  void memoryLimitStopsAHungryLayout() {
    const Run run = runHelper({QStringLiteral("--memory-mb"), QStringLiteral("160"),
                               QStringLiteral("--timeout-seconds"), QStringLiteral("600")},
                              denseGraph(), {}, 600000);
    VERIFY_REFUSED(run, "out of memory (the limit is 160 MiB");
  }

  void defaultTimeAndMemoryLimitsApply() {
    // Without options the helper limits its address space (2 GiB) and its time (60 s).
    QProcess process;
    process.start(QStringLiteral(MU2NET_LAYOUT_PATH), QStringList{});
    QVERIFY(process.waitForStarted(10000));
    process.write(denseGraph());
    process.closeWriteChannel();
    QByteArray limits;
    for (int i = 0; i < 100 && !limits.contains("2147483648"); ++i) {
      QTest::qWait(50);
      QFile file(QStringLiteral("/proc/%1/limits").arg(process.processId()));
      if (file.open(QIODevice::ReadOnly)) limits = file.readAll();
    }
    process.kill();
    process.waitForFinished(5000);
    QVERIFY2(QString::fromLatin1(limits).contains(
                 QRegularExpression(QStringLiteral("Max address space +2147483648 "))),
             limits.constData());
    const Run help = runHelper({QStringLiteral("--help")}, {});
    QVERIFY2(help.out.contains("(default 60)"), help.out.constData());
    QVERIFY2(help.out.contains("(default 2048)"), help.out.constData());
  }

  void everyParseErrorExitsNonZero_data() {
    QTest::addColumn<QByteArray>("dot");
    QTest::newRow("garbage after an empty graph") << QByteArray("digraph {} garbage\n");
    QTest::newRow("brace after the graph") << QByteArray("digraph { a; } }\n");
    QTest::newRow("two graphs") << QByteArray("digraph {a -> b}\ndigraph {c}\n");
    QTest::newRow("malformed HTML label") << QByteArray("digraph { a [label=<<b>x</i>>] }\n");
  }
  void everyParseErrorExitsNonZero() {
    QFETCH(QByteArray, dot);
    const Run run = runHelper({}, dot);
    QVERIFY2(run.finished && !run.crashed && run.exitCode == 1, qPrintable(describe(run)));
    QVERIFY2(!errorOf(run).isEmpty(), qPrintable(describe(run)));
  }

  void trailingCommentsAndWhitespaceAreFine() {
    const Run run = runHelper({}, "digraph { a -> b }\n/* done */\n// really\n\n");
    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(describe(run)));
    QVERIFY(run.out.contains("\"nodes\""));
  }

  void deepSubgraphNestingIsNotACrash() {
    QByteArray dot = "digraph g {";
    for (int i = 0; i < 20000; ++i)
      dot += "subgraph {";
    dot += "a";
    dot += QByteArray(20000, '}');
    dot += "}\n";
    const Run run = runHelper({QStringLiteral("--timeout-seconds"), QStringLiteral("20")}, dot);
    QVERIFY2(run.finished && !run.crashed && run.exitCode != 2, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 0 || !errorOf(run).isEmpty(), qPrintable(describe(run)));
  }
};

QTEST_GUILESS_MAIN(TstLayoutLimits)
#include "tst_layout_limits.moc"
