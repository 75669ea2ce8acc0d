// Runs the built mu2net-layout helper as a child process, exactly as the GUI does (DOT on stdin,
// JSON on stdout), and checks the layout it reports against what the DOT text asks for.
#include <QtTest/QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <cmath>
#include <random>

#include "LayoutHelperRun.h"

namespace {

using Run = mu2net::testdata::LayoutHelperRun;

Run runHelper(const QStringList& args, const QByteArray& input, int timeoutMs = 60000) {
  return mu2net::testdata::runLayoutHelper(args, input, timeoutMs);
}

// The helper promises exactly one line of JSON on stdout, whatever happened.
QJsonObject parseSingleLine(const QByteArray& out) {
  const QByteArray trimmed = out.trimmed();
  if (trimmed.contains('\n')) return {};
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) return {};
  return doc.object();
}

QString describe(const Run& run) {
  return QStringLiteral("exit %1, stdout: %2\nstderr: %3")
      .arg(run.exitCode)
      .arg(QString::fromUtf8(run.out.left(2000)), QString::fromUtf8(run.err.left(2000)));
}

struct Box {
  double x0, y0, x1, y1;
};

Box bboxOf(const QJsonObject& layout) {
  const QJsonArray bb = layout.value(QStringLiteral("bbox")).toArray();
  if (bb.size() != 4) return {NAN, NAN, NAN, NAN};
  return {bb[0].toDouble(NAN), bb[1].toDouble(NAN), bb[2].toDouble(NAN), bb[3].toDouble(NAN)};
}

QHash<QString, QJsonObject> nodesByName(const QJsonObject& layout) {
  QHash<QString, QJsonObject> nodes;
  for (const auto& value : layout.value(QStringLiteral("nodes")).toArray()) {
    const QJsonObject node = value.toObject();
    nodes.insert(node.value(QStringLiteral("name")).toString(), node);
  }
  return nodes;
}

double num(const QJsonObject& object, const char* key) {
  return object.value(QLatin1String(key)).toDouble(NAN);
}

// Whether p lies within the node's laid-out box grown by margin points on every side.
bool nearNode(const QJsonArray& p, const QJsonObject& node, double margin) {
  if (p.size() != 2) return false;
  return std::abs(p[0].toDouble(NAN) - num(node, "x")) <= num(node, "width") / 2 + margin &&
         std::abs(p[1].toDouble(NAN) - num(node, "y")) <= num(node, "height") / 2 + margin;
}

bool insideBox(double x, double y, const Box& box, double tolerance) {
  return x >= box.x0 - tolerance && x <= box.x1 + tolerance && y >= box.y0 - tolerance &&
         y <= box.y1 + tolerance;
}

// Every node has a finite centre and positive size with its whole box inside the bounding box,
// every edge joins known nodes; returns an empty string or what is wrong.
QString checkGeometry(const QJsonObject& layout) {
  const Box box = bboxOf(layout);
  if (!std::isfinite(box.x0) || !std::isfinite(box.y0) || !std::isfinite(box.x1) ||
      !std::isfinite(box.y1) || box.x1 < box.x0 || box.y1 < box.y0)
    return QStringLiteral("bad bbox");
  const auto nodes = nodesByName(layout);
  for (const auto& node : nodes) {
    const double x = num(node, "x"), y = num(node, "y");
    const double w = num(node, "width"), h = num(node, "height");
    const QString name = node.value(QStringLiteral("name")).toString();
    if (!std::isfinite(x) || !std::isfinite(y)) return name + QStringLiteral(": position");
    if (!(w > 0) || !(h > 0)) return name + QStringLiteral(": size");
    if (!insideBox(x - w / 2, y - h / 2, box, 1.0) || !insideBox(x + w / 2, y + h / 2, box, 1.0))
      return name + QStringLiteral(" outside the bbox");
  }
  for (const auto& value : layout.value(QStringLiteral("edges")).toArray()) {
    const QJsonObject edge = value.toObject();
    const QString tail = edge.value(QStringLiteral("tail")).toString();
    const QString head = edge.value(QStringLiteral("head")).toString();
    if (!nodes.contains(tail) || !nodes.contains(head))
      return QStringLiteral("edge %1 -> %2 joins unknown nodes").arg(tail, head);
    for (const auto& p : edge.value(QStringLiteral("points")).toArray()) {
      const QJsonArray xy = p.toArray();
      if (xy.size() != 2 || !std::isfinite(xy[0].toDouble(NAN)) ||
          !std::isfinite(xy[1].toDouble(NAN)))
        return QStringLiteral("edge %1 -> %2 has a bad point").arg(tail, head);
    }
  }
  return {};
}

// Routes that start at the tail node's border and end, with their arrowhead, at the head's.
QString checkEdgeEnds(const QJsonObject& layout, bool expectArrows) {
  const auto nodes = nodesByName(layout);
  for (const auto& value : layout.value(QStringLiteral("edges")).toArray()) {
    const QJsonObject edge = value.toObject();
    const QJsonObject tail = nodes.value(edge.value(QStringLiteral("tail")).toString());
    const QJsonObject head = nodes.value(edge.value(QStringLiteral("head")).toString());
    const QString what = QStringLiteral("edge %1 -> %2: ")
                             .arg(edge.value(QStringLiteral("tail")).toString(),
                                  edge.value(QStringLiteral("head")).toString());
    const QJsonArray points = edge.value(QStringLiteral("points")).toArray();
    // A piecewise cubic Bézier curve: a start point and three more per piece.
    if (points.size() < 4 || (points.size() - 1) % 3 != 0)
      return what + QStringLiteral("%1 control points").arg(points.size());
    if (!nearNode(points.first().toArray(), tail, 2.0))
      return what + QStringLiteral("first point is not at the tail");
    // The arrowhead (10 points long by default) sits between the last point and the head.
    if (!nearNode(points.last().toArray(), head, expectArrows ? 12.0 : 2.0))
      return what + QStringLiteral("last point is not at the head");
    if (nearNode(points.first().toArray(), head, 0.0) ||
        nearNode(points.last().toArray(), tail, 0.0))
      return what + QStringLiteral("route runs backwards");
    const bool hasArrow = edge.contains(QStringLiteral("arrow_end"));
    if (hasArrow != expectArrows) return what + QStringLiteral("arrow_end presence");
    if (hasArrow && !nearNode(edge.value(QStringLiteral("arrow_end")).toArray(), head, 2.0))
      return what + QStringLiteral("arrow_end is not at the head");
  }
  return {};
}

const QByteArray kKnownGraph = R"(digraph known {
  node [shape=box, fontname="Helvetica"];
  a [label="Alpha", color="red", fillcolor="#eeeeee", style=filled, tooltip="first node"];
  b [label="Beta\nline two", color="blue"];
  c [label="Gamma"];
  d [label="Delta", shape=ellipse];
  a -> b [color="#4e79a7"];
  b -> c [color="#f28e2b", label="bc"];
  b -> d;
}
)";

QByteArray chainWithRankdir(const QByteArray& rankdir) {
  return "digraph { rankdir=" + rankdir + "; a -> b -> c; b -> d; }";
}

}  // namespace

class TstLayoutHelper : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void knownGraphHasEveryNodeInsideTheBoundingBox() {
    const Run run = runHelper({}, kKnownGraph);
    QVERIFY2(run.finished && !run.crashed && run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject layout = parseSingleLine(run.out);
    QVERIFY2(!layout.isEmpty(), run.out.constData());
    QVERIFY(!layout.contains(QStringLiteral("error")));

    const auto nodes = nodesByName(layout);
    QCOMPARE(layout.value(QStringLiteral("nodes")).toArray().size(), 4);
    QCOMPARE(QSet<QString>(nodes.keyBegin(), nodes.keyEnd()), (QSet<QString>{"a", "b", "c", "d"}));
    const QString problem = checkGeometry(layout);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // Distinct nodes get distinct places.
    QVERIFY(num(nodes["c"], "x") != num(nodes["d"], "x"));
    // Sizes are in points: a default box is 0.75 inch = 54 points wide at least.
    QVERIFY2(num(nodes["c"], "width") >= 54.0 - 1e-6,
             qPrintable(QString::number(num(nodes["c"], "width"))));
    // Two lines of text make a taller node than one.
    QVERIFY(num(nodes["b"], "height") > num(nodes["c"], "height"));

    QCOMPARE(nodes["a"].value(QStringLiteral("label")).toString(), QStringLiteral("Alpha"));
    QCOMPARE(nodes["b"].value(QStringLiteral("label")).toString(),
             QStringLiteral("Beta\nline two"));
  }

  void knownGraphEdgesRunFromTailToHead() {
    const Run run = runHelper({QStringLiteral("--engine"), QStringLiteral("dot")}, kKnownGraph);
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject layout = parseSingleLine(run.out);
    const QJsonArray edges = layout.value(QStringLiteral("edges")).toArray();
    QCOMPARE(edges.size(), 3);
    QSet<QString> pairs;
    for (const auto& e : edges)
      pairs.insert(e.toObject().value(QStringLiteral("tail")).toString() + "->" +
                   e.toObject().value(QStringLiteral("head")).toString());
    QCOMPARE(pairs, (QSet<QString>{"a->b", "b->c", "b->d"}));
    const QString problem = checkEdgeEnds(layout, true);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

  void knownGraphPassesAttributesThrough() {
    const Run run = runHelper({}, kKnownGraph);
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject layout = parseSingleLine(run.out);
    const auto nodes = nodesByName(layout);

    const QJsonObject a = nodes["a"].value(QStringLiteral("attrs")).toObject();
    QCOMPARE(a.value(QStringLiteral("color")).toString(), QStringLiteral("red"));
    QCOMPARE(a.value(QStringLiteral("fillcolor")).toString(), QStringLiteral("#eeeeee"));
    QCOMPARE(a.value(QStringLiteral("style")).toString(), QStringLiteral("filled"));
    QCOMPARE(a.value(QStringLiteral("tooltip")).toString(), QStringLiteral("first node"));
    // Defaults from `node [...]` apply, and a node's own value overrides them.
    QCOMPARE(a.value(QStringLiteral("shape")).toString(), QStringLiteral("box"));
    QCOMPARE(a.value(QStringLiteral("fontname")).toString(), QStringLiteral("Helvetica"));
    const QJsonObject d = nodes["d"].value(QStringLiteral("attrs")).toObject();
    QCOMPARE(d.value(QStringLiteral("shape")).toString(), QStringLiteral("ellipse"));
    QVERIFY(!d.contains(QStringLiteral("color")));
    // The label is given once, at the top level.
    QVERIFY(!a.contains(QStringLiteral("label")));

    QHash<QString, QJsonObject> edges;
    for (const auto& e : layout.value(QStringLiteral("edges")).toArray())
      edges.insert(e.toObject().value(QStringLiteral("head")).toString(), e.toObject());
    QCOMPARE(edges["b"].value(QStringLiteral("attrs")).toObject().value(QStringLiteral("color")),
             QJsonValue(QStringLiteral("#4e79a7")));
    QCOMPARE(edges["c"].value(QStringLiteral("attrs")).toObject().value(QStringLiteral("color")),
             QJsonValue(QStringLiteral("#f28e2b")));
    QCOMPARE(edges["c"].value(QStringLiteral("label")).toString(), QStringLiteral("bc"));
    const QJsonArray labelPos = edges["c"].value(QStringLiteral("label_pos")).toArray();
    QCOMPARE(labelPos.size(), 2);
    QVERIFY(insideBox(labelPos[0].toDouble(NAN), labelPos[1].toDouble(NAN), bboxOf(layout), 1.0));
    QVERIFY(!edges["d"].contains(QStringLiteral("label")));
    QVERIFY(edges["d"].value(QStringLiteral("attrs")).toObject().isEmpty());

    const Run withRankdir = runHelper({}, chainWithRankdir("BT"));
    QCOMPARE(parseSingleLine(withRankdir.out)
                 .value(QStringLiteral("graph_attrs"))
                 .toObject()
                 .value(QStringLiteral("rankdir"))
                 .toString(),
             QStringLiteral("BT"));
  }

  void rankdirOrdersTheRanks_data() {
    QTest::addColumn<QByteArray>("rankdir");
    QTest::addColumn<int>("axis");  // 0 = x, 1 = y (Graphviz's y axis points up)
    QTest::addColumn<int>("sign");  // +1: the head lies at a larger coordinate than the tail
    QTest::newRow("TB") << QByteArray("TB") << 1 << -1;
    QTest::newRow("BT") << QByteArray("BT") << 1 << +1;
    QTest::newRow("LR") << QByteArray("LR") << 0 << +1;
    QTest::newRow("RL") << QByteArray("RL") << 0 << -1;
  }
  void rankdirOrdersTheRanks() {
    QFETCH(QByteArray, rankdir);
    QFETCH(int, axis);
    QFETCH(int, sign);
    const Run run = runHelper({}, chainWithRankdir(rankdir));
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject layout = parseSingleLine(run.out);
    const auto nodes = nodesByName(layout);
    const char* key = axis == 0 ? "x" : "y";
    const QJsonArray edges = layout.value(QStringLiteral("edges")).toArray();
    QCOMPARE(edges.size(), 3);
    for (const auto& value : edges) {
      const QJsonObject edge = value.toObject();
      const double tail = num(nodes[edge.value(QStringLiteral("tail")).toString()], key);
      const double head = num(nodes[edge.value(QStringLiteral("head")).toString()], key);
      QVERIFY2(sign * (head - tail) > 10.0,
               qPrintable(QStringLiteral("%1: tail %2, head %3").arg(key).arg(tail).arg(head)));
    }
    const QString problem = checkEdgeEnds(layout, true);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

  void everyEngineLaysOutAnUndirectedGraph_data() {
    QTest::addColumn<QString>("engine");
    for (const char* engine : {"neato", "fdp", "sfdp", "circo", "twopi", "dot"})
      QTest::newRow(engine) << QString::fromLatin1(engine);
  }
  void everyEngineLaysOutAnUndirectedGraph() {
    QFETCH(QString, engine);
    const QByteArray ring = "graph ring { a -- b -- c -- d -- e -- a; a -- c; f; }";
    const Run run = runHelper({QStringLiteral("--engine"), engine}, ring);
    QVERIFY2(run.finished && !run.crashed && run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject layout = parseSingleLine(run.out);
    QCOMPARE(layout.value(QStringLiteral("nodes")).toArray().size(), 6);
    QCOMPARE(layout.value(QStringLiteral("edges")).toArray().size(), 6);
    const QString geometry = checkGeometry(layout);
    QVERIFY2(geometry.isEmpty(), qPrintable(geometry));
    // No two nodes on top of each other.
    const auto nodes = nodesByName(layout).values();
    for (int i = 0; i < nodes.size(); ++i)
      for (int j = i + 1; j < nodes.size(); ++j)
        QVERIFY(std::hypot(num(nodes[i], "x") - num(nodes[j], "x"),
                           num(nodes[i], "y") - num(nodes[j], "y")) > 1.0);
    // Undirected: no arrowheads.
    const QString ends = checkEdgeEnds(layout, false);
    QVERIFY2(ends.isEmpty(), qPrintable(ends));
  }

  void emptyGraphGivesEmptyArrays() {
    const Run run = runHelper({}, "digraph empty {}\n");
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject layout = parseSingleLine(run.out);
    QVERIFY(layout.value(QStringLiteral("nodes")).isArray());
    QVERIFY(layout.value(QStringLiteral("nodes")).toArray().isEmpty());
    QVERIFY(layout.value(QStringLiteral("edges")).isArray());
    QVERIFY(layout.value(QStringLiteral("edges")).toArray().isEmpty());
    QCOMPARE(layout.value(QStringLiteral("bbox")).toArray().size(), 4);
  }

  void syntaxErrorIsReportedAsJson() {
    const Run run = runHelper({}, "digraph broken {\n  a -> b;\n  b -> ;\n}\n");
    QVERIFY2(run.finished && !run.crashed, qPrintable(describe(run)));
    QCOMPARE(run.exitCode, 1);
    const QJsonObject answer = parseSingleLine(run.out);
    const QString error = answer.value(QStringLiteral("error")).toString();
    QVERIFY2(error.contains(QStringLiteral("syntax error")), qPrintable(error));
    // Graphviz's own diagnosis, with the line of the mistake, ends up in the message.
    QVERIFY2(error.contains(QStringLiteral("line 3")), qPrintable(error));
    QVERIFY(!answer.contains(QStringLiteral("nodes")));
    QVERIFY(!run.err.isEmpty());
  }

  void emptyInputIsAnError_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("whitespace") << QByteArray(" \n\t\n");
    QTest::newRow("comment only") << QByteArray("/* no graph here */\n");
  }
  void emptyInputIsAnError() {
    QFETCH(QByteArray, input);
    const Run run = runHelper({}, input);
    QVERIFY2(run.finished && !run.crashed, qPrintable(describe(run)));
    QCOMPARE(run.exitCode, 1);
    const QString error = parseSingleLine(run.out).value(QStringLiteral("error")).toString();
    QVERIFY2(!error.isEmpty(), run.out.constData());
    QVERIFY(!run.err.isEmpty());
  }

  void badCommandLineExitsWithTwo_data() {
    QTest::addColumn<QStringList>("args");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")};
    QTest::newRow("unknown engine")
        << QStringList{QStringLiteral("--engine"), QStringLiteral("nope")};
    QTest::newRow("missing value") << QStringList{QStringLiteral("--engine")};
    QTest::newRow("bad timeout") << QStringList{QStringLiteral("--timeout-seconds=soon")};
    QTest::newRow("positional") << QStringList{QStringLiteral("graph.dot")};
  }
  void badCommandLineExitsWithTwo() {
    QFETCH(QStringList, args);
    const Run run = runHelper(args, kKnownGraph);
    QVERIFY2(run.finished && !run.crashed, qPrintable(describe(run)));
    QCOMPARE(run.exitCode, 2);
    QVERIFY(parseSingleLine(run.out).contains(QStringLiteral("error")));
    QVERIFY(!run.err.isEmpty());
  }

  void helpPrintsUsage() {
    const Run run = runHelper({QStringLiteral("--help")}, {});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("Usage:"));
    QVERIFY(run.out.contains("--engine"));
  }

  void largeGraphCompletes() {
    // 200 nodes, 400 distinct edges from a fixed seed: the size of a long μ2Net run.
    std::mt19937 rng(20240601);
    std::uniform_int_distribution<int> pick(0, 199);
    QByteArray dot = "digraph large {\n  node [shape=box];\n";
    for (int i = 0; i < 200; ++i)
      dot += "  n" + QByteArray::number(i) + " [label=\"node " + QByteArray::number(i) + "\"];\n";
    QSet<QPair<int, int>> edges;
    while (edges.size() < 400) {
      const int tail = pick(rng), head = pick(rng);
      if (tail == head || edges.contains({tail, head})) continue;
      edges.insert({tail, head});
      dot += "  n" + QByteArray::number(tail) + " -> n" + QByteArray::number(head) + ";\n";
    }
    dot += "}\n";
    const Run run = runHelper({}, dot, 300000);
    QVERIFY2(run.finished && !run.crashed && run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject layout = parseSingleLine(run.out);
    QCOMPARE(layout.value(QStringLiteral("nodes")).toArray().size(), 200);
    QCOMPARE(layout.value(QStringLiteral("edges")).toArray().size(), 400);
    const QString problem = checkGeometry(layout);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    for (const auto& e : layout.value(QStringLiteral("edges")).toArray())
      QVERIFY(e.toObject().value(QStringLiteral("points")).toArray().size() >= 4);
  }

  void timeoutStopsALongLayout() {
    // Far too big for dot to finish in a second on any machine (minutes here), so the alarm must
    // be what ends the run.
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pick(0, 19999);
    QByteArray dot = "digraph huge {\n";
    for (int i = 0; i < 80000; ++i)
      dot += "n" + QByteArray::number(pick(rng)) + " -> n" + QByteArray::number(pick(rng)) + ";\n";
    dot += "}\n";
    QElapsedTimer timer;
    timer.start();
    const Run run = runHelper({QStringLiteral("--timeout-seconds"), QStringLiteral("1")}, dot);
    QVERIFY2(run.finished && !run.crashed, qPrintable(describe(run)));
    QCOMPARE(run.exitCode, 3);
    QCOMPARE(parseSingleLine(run.out).value(QStringLiteral("error")).toString(),
             QStringLiteral("layout timed out"));
    QVERIFY2(timer.elapsed() < 30000, qPrintable(QString::number(timer.elapsed())));
  }
};

QTEST_GUILESS_MAIN(TstLayoutHelper)
#include "tst_layout_helper.moc"
