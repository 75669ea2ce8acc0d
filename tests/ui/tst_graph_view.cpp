// GraphView with the real mu2net-layout helper: one box per component, re-layout only on a new
// topology, cancellation of an outdated layout, highlighting, tooltips and exports; a missing
// helper is reported, not fatal.
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "GraphLayout.h"
#include "GraphView.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

GraphSnapshot snapshot() {
  GraphSnapshot g;
  g.nodes = {{1, "embedding", "root", 224, {"a"}, false, 0, {}},
             {2, "block_0", "root", 1168, {}, true, 0, {}},
             {3, "norm", "root", 16, {}, true, 0, {}},
             {4, "head", "root", 90, {}, true, 0, {}},
             {5, "block_0", "a", 1168, {"a"}, false, 1, {}},
             {6, "norm", "a", 16, {"a"}, false, 1, {}},
             {7, "head", "a", 45, {"a"}, false, 1, {}}};
  g.routes = {{"root", 0, {1, 2, 3, 4}, 0.1, std::nullopt}, {"a", 3, {1, 5, 6, 7}, 0.9, 0.88}};
  return g;
}

QList<QGraphicsItem*> itemsOfKind(const GraphView& view, const QString& kind) {
  QList<QGraphicsItem*> out;
  for (auto* item : view.scene()->items())
    if (item->data(GraphView::KindKey).toString() == kind) out << item;
  return out;
}

QGraphicsItem* component(const GraphView& view, qint64 id) {
  for (auto* item : itemsOfKind(view, QStringLiteral("component")))
    if (item->data(GraphView::IdKey).toLongLong() == id) return item;
  return nullptr;
}

}  // namespace

class TstGraphView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void layoutParsingFlipsY() {
    const QByteArray json =
        R"({"bbox":[0,0,100,200],"nodes":[{"name":"a","label":"a","x":10,"y":150,"width":20,)"
        R"("height":10,"attrs":{}}],"edges":[{"tail":"a","head":"a","points":[[0,200],[1,190],)"
        R"([2,180],[3,170]],"arrow_end":[4,160],"attrs":{"color":"red"}}],"graph_attrs":{}})";
    QString error;
    const auto layout = parseGraphLayout(json, &error);
    QVERIFY2(layout, qPrintable(error));
    QCOMPARE(layout->nodes[0].centre, QPointF(10, 50));
    QCOMPARE(QPointF(layout->edges[0].path.elementAt(0)), QPointF(0, 0));
    QCOMPARE(layout->edges[0].path.currentPosition(), QPointF(3, 30));
    QCOMPARE(*layout->edges[0].arrowTo, QPointF(4, 40));
    QCOMPARE(layout->edges[0].colour, QStringLiteral("red"));
    QVERIFY(!parseGraphLayout(R"({"error":"syntax error in line 1"})", &error));
    QVERIFY(error.contains(QStringLiteral("syntax error")));
    QVERIFY(!parseGraphLayout("not json", &error));
  }

  void topologyKeyIgnoresStyle() {
    GraphSnapshot a = snapshot();
    GraphSnapshot b = a;
    b.nodes[1].locks = {"a"};
    b.nodes[1].trainable = false;
    b.routes[1].validationQuality = 0.95;
    QCOMPARE(topologyKey(a), topologyKey(b));
    b.routes[1].componentIds[1] = 2;
    QVERIFY(topologyKey(a) != topologyKey(b));
  }

  void laysOutRestylesAndRelayouts() {
    GraphView view;
    view.resize(600, 500);
    view.show();
    view.setLayoutProgram(QStringLiteral(MU2NET_LAYOUT_PATH));
    QSignalSpy laidOut(&view, &GraphView::laidOut);
    QSignalSpy failed(&view, &GraphView::layoutFailed);
    view.setSnapshot(snapshot());
    QVERIFY(view.isLayoutRunning());  // asynchronous: nothing blocks
    QVERIFY(laidOut.wait(30000));
    QVERIFY(failed.isEmpty());
    QCOMPARE(view.componentItemCount(), 7);
    QCOMPARE(itemsOfKind(view, QStringLiteral("task")).size(), 2);
    QCOMPARE(itemsOfKind(view, QStringLiteral("input")).size(), 1);
    // Two routes of five links each (input → 4 components → task label).
    QCOMPARE(itemsOfKind(view, QStringLiteral("edge")).size(), 10);
    // Input at the bottom, heads above: Graphviz's Y axis was flipped.
    QVERIFY(itemsOfKind(view, QStringLiteral("input")).first()->sceneBoundingRect().center().y() >
            component(view, 7)->sceneBoundingRect().center().y());
    QVERIFY(component(view, 5)->toolTip().contains(QStringLiteral("created by a")));
    QVERIFY(component(view, 2)->toolTip().contains(QStringLiteral("trainable")));

    // Same topology, new locks: restyled at once, no new layout.
    GraphSnapshot locked = snapshot();
    locked.nodes[1].locks = {"b"};
    locked.nodes[1].trainable = false;
    view.setSnapshot(locked);
    QVERIFY(!view.isLayoutRunning());
    QVERIFY(component(view, 2)->toolTip().contains(QStringLiteral("used by: b")));
    view.setComponentHashes({{2, QStringLiteral("0123456789abcdef0123")}});
    QVERIFY(component(view, 2)->toolTip().contains(QStringLiteral("SHA-256: 0123456789ab…")));
    QCOMPARE(laidOut.size(), 1);

    // A new topology: the old picture stays until the new layout is ready.
    GraphSnapshot grown = snapshot();
    grown.nodes.push_back({8, "head", "b", 30, {}, true, 2, {}});
    grown.routes.push_back({"b", 9, {1, 5, 6, 8}, 0.5, std::nullopt});
    view.setSnapshot(grown);
    QVERIFY(view.isLayoutRunning());
    QCOMPARE(view.componentItemCount(), 7);
    QVERIFY(laidOut.wait(30000));
    QCOMPARE(view.componentItemCount(), 8);

    // Highlighting a task dims what its route does not use.
    view.setHighlightedTask(QStringLiteral("b"));
    QCOMPARE(component(view, 8)->opacity(), 1.0);
    QCOMPARE(component(view, 1)->opacity(), 1.0);
    QVERIFY(component(view, 7)->opacity() < 0.5);
    view.setHighlightedTask(QString());
    QCOMPARE(component(view, 7)->opacity(), 1.0);
  }

  void newerTopologyCancelsTheRunningLayout() {
    GraphView view;
    view.setLayoutProgram(QStringLiteral(MU2NET_LAYOUT_PATH));
    QSignalSpy laidOut(&view, &GraphView::laidOut);
    view.setSnapshot(snapshot());
    GraphSnapshot grown = snapshot();
    grown.nodes.push_back({8, "head", "b", 30, {}, true, 2, {}});
    grown.routes.push_back({"b", 9, {1, 5, 6, 8}, 0.5, std::nullopt});
    view.setSnapshot(grown);  // the first layout is killed
    QVERIFY(laidOut.wait(30000));
    QTest::qWait(300);
    QCOMPARE(laidOut.size(), 1);
    QCOMPARE(view.componentItemCount(), 8);
  }

  void exports() {
    GraphView view;
    view.setLayoutProgram(QStringLiteral(MU2NET_LAYOUT_PATH));
    QSignalSpy laidOut(&view, &GraphView::laidOut);
    view.setSnapshot(snapshot());
    QVERIFY(laidOut.wait(30000));
    QTemporaryDir dir;
    QString error;
    QVERIFY2(view.exportSvg(dir.filePath(QStringLiteral("g.svg")), &error), qPrintable(error));
    QVERIFY2(view.exportPng(dir.filePath(QStringLiteral("g.png")), &error), qPrintable(error));
    QVERIFY2(view.exportDot(dir.filePath(QStringLiteral("g.dot")), &error), qPrintable(error));
    QFile svg(dir.filePath(QStringLiteral("g.svg")));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray svgText = svg.readAll();
    QVERIFY(svgText.contains("<svg"));
    QVERIFY(svgText.contains("block_0"));
    QImage png(dir.filePath(QStringLiteral("g.png")));
    QVERIFY(!png.isNull());
    QVERIFY(png.width() > 100 && png.height() > 100);
    QFile dot(dir.filePath(QStringLiteral("g.dot")));
    QVERIFY(dot.open(QIODevice::ReadOnly));
    QVERIFY(dot.readAll().startsWith("digraph mu2net"));
    QVERIFY(!view.exportDot(QStringLiteral("/nonexistent/dir/g.dot"), &error));
    QVERIFY(error.contains(QStringLiteral("/nonexistent/dir/g.dot")));
  }

  void missingHelperIsReported() {
    GraphView view;
    view.setLayoutProgram(QStringLiteral("/nonexistent/mu2net-layout"));
    QSignalSpy failed(&view, &GraphView::layoutFailed);
    view.setSnapshot(snapshot());
    QVERIFY(failed.wait(30000));
    QVERIFY(failed.first().at(0).toString().contains(QStringLiteral("/nonexistent/mu2net-layout")));
    QVERIFY(!view.hasLayout());
  }
};

QTEST_MAIN(TstGraphView)
#include "tst_graph_view.moc"
