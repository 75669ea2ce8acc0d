// When the layout helper fails (its time or memory limit, a crash, input it refuses), the graph
// view says so where the graph should be, and the message goes once a layout succeeds (issue 13,
// item 10). Fake helpers are small shell scripts written here.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "GraphView.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

GraphSnapshot snapshot(std::int64_t extra = 0) {
  GraphSnapshot g;
  g.nodes = {{1, "embedding", "root", 224, {"a"}, false, 0, {}},
             {2, "head", "root", 90, {}, true, 0, {}}};
  g.routes = {{"root", 0, {1, 2}, 0.1, std::nullopt}};
  if (extra) {
    g.nodes.push_back({extra, "head", "a", 45, {"a"}, false, 1, {}});
    g.routes.push_back({"a", 1, {1, extra}, 0.9, 0.88});
  }
  return g;
}

QString script(const QTemporaryDir& dir, const QString& name, const QByteArray& body) {
  const QString path = dir.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write("#!/bin/sh\ncat > /dev/null\n" + body);
  f.close();
  f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
  return path;
}

}  // namespace

class TstGraphLayoutFailure : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void failedLayoutIsShownInTheView_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("timed out") << QByteArray("echo '{\"error\":\"layout timed out\"}'\nexit 3\n")
                               << QStringLiteral("layout timed out");
    QTest::newRow("memory limit")
        << QByteArray(
               "echo '{\"error\":\"the layout needs more memory than the limit of 2048 MiB "
               "(--memory-mb)\"}'\nexit 1\n")
        << QStringLiteral("more memory than the limit");
    QTest::newRow("crash") << QByteArray("echo 'boom' >&2\nkill -SEGV $$\n")
                           << QStringLiteral("crashed");
  }
  void failedLayoutIsShownInTheView() {
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    GraphView view;
    view.resize(500, 400);
    view.show();
    view.setLayoutProgram(script(dir, QStringLiteral("helper"), body));
    QSignalSpy failed(&view, &GraphView::layoutFailed);
    view.setSnapshot(snapshot());
    QVERIFY(failed.wait(30000));
    QVERIFY2(view.layoutMessage().contains(expected), qPrintable(view.layoutMessage()));
    QVERIFY(view.layoutMessage().contains(QStringLiteral("could not be laid out")));

    // The real helper lays out the next graph: the message goes.
    view.setLayoutProgram(QStringLiteral(MU2NET_LAYOUT_PATH));
    QSignalSpy laidOut(&view, &GraphView::laidOut);
    view.setSnapshot(snapshot(3));
    QVERIFY(laidOut.wait(60000));
    QVERIFY2(view.layoutMessage().isEmpty(), qPrintable(view.layoutMessage()));
  }

  void missingHelperIsShownInTheView() {
    GraphView view;
    view.setLayoutProgram(QStringLiteral("/nonexistent/mu2net-layout"));
    QSignalSpy failed(&view, &GraphView::layoutFailed);
    view.setSnapshot(snapshot());
    QVERIFY(failed.wait(30000));
    QVERIFY(view.layoutMessage().contains(QStringLiteral("/nonexistent/mu2net-layout")));
    view.clear();
    QVERIFY(view.layoutMessage().isEmpty());
  }
};

QTEST_MAIN(TstGraphLayoutFailure)
#include "tst_graph_layout_failure.moc"
