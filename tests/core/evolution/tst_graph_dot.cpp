// Golden test of the DOT writer: exact text for a small hand-built snapshot.
#include <QtTest/QtTest>

#include <string>

#include "mu2net/evolution/GraphDot.h"

using namespace mu2net;

namespace {

GraphSnapshot smallSnapshot() {
  GraphSnapshot snap;
  // Deliberately out of id order: the writer sorts nodes by id.
  snap.nodes.push_back({3, "head", "a", 20, {}, true, 2, {}});
  snap.nodes.push_back({0, "embedding", "root", 100, {"a", "root"}, false, 0, {}});
  snap.nodes.push_back({1, "block_0", "root", 1000, {"root"}, false, 0, {}});
  snap.routes.push_back({"root", 0, {0, 1}, 0.0, std::nullopt});
  snap.routes.push_back({"a", 5, {0, 1, 3}, 0.8126, 0.75});
  snap.routes.push_back({"q\"x\\y", 6, {0}, 0.5, std::nullopt});
  return snap;
}

}  // namespace

class TstGraphDot : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void goldenText() {
    // Ordinary literals, not a raw string: moc cannot parse raw strings containing \".
    const std::string expected =
        "digraph mu2net {\n"
        "  rankdir=BT;\n"
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", "
        "fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [penwidth=1.5];\n"
        "  input [label=\"input\", shape=ellipse, style=solid];\n"
        "  c0 [label=\"embedding\\n100\", fillcolor=\"#dddddd\", color=\"#333333\", "
        "tooltip=\"component 0, created by root in generation 0, locks: a, root\"];\n"
        "  c1 [label=\"block_0\\n1000\", fillcolor=\"#dddddd\", color=\"#333333\", "
        "tooltip=\"component 1, created by root in generation 0, locks: root\"];\n"
        "  c3 [label=\"head\\n20\", style=\"rounded,filled,dashed\", fillcolor=\"#afc3d7\", "
        "color=\"#385677\", tooltip=\"component 3, created by a in generation 2, locks: none\"];\n"
        "  t0 [label=\"root\\nval 0.0%\", shape=plaintext, style=solid, fontcolor=\"#555555\"];\n"
        "  input -> c0 [color=\"#555555\", style=dotted];\n"
        "  c0 -> c1 [color=\"#555555\", style=dotted];\n"
        "  c1 -> t0 [color=\"#555555\", style=dotted];\n"
        "  t1 [label=\"a\\nval 81.3% test 75.0%\", shape=plaintext, style=solid, "
        "fontcolor=\"#4e79a7\"];\n"
        "  input -> c0 [color=\"#4e79a7\"];\n"
        "  c0 -> c1 [color=\"#4e79a7\"];\n"
        "  c1 -> c3 [color=\"#4e79a7\"];\n"
        "  c3 -> t1 [color=\"#4e79a7\"];\n"
        "  t2 [label=\"q\\\"x\\\\y\\nval 50.0%\", shape=plaintext, style=solid, "
        "fontcolor=\"#f87800\"];\n"
        "  input -> c0 [color=\"#f87800\"];\n"
        "  c0 -> t2 [color=\"#f87800\"];\n"
        "}\n";
    const std::string actual = toDot(smallSnapshot());
    if (actual != expected) qWarning("%s", actual.c_str());
    QCOMPARE(actual, expected);
  }

  void outputDoesNotDependOnNodeOrder() {
    auto snap = smallSnapshot();
    std::swap(snap.nodes[0], snap.nodes[2]);
    QCOMPARE(toDot(snap), toDot(smallSnapshot()));
  }

  void paletteIsDeterministic() {
    QCOMPARE(routeColour(0), std::string("#4e79a7"));
    QCOMPARE(routeColour(1), std::string("#f87800"));
    QVERIFY(routeColour(10) != routeColour(0));
    QCOMPARE(routeColour(100), routeColour(100));
  }

  void emptySnapshotIsValidDot() {
    const std::string dot = toDot(GraphSnapshot{});
    QVERIFY(dot.rfind("digraph mu2net {\n", 0) == 0);
    QVERIFY(dot.find("input [label=\"input\"") != std::string::npos);
    QVERIFY(dot.find("->") == std::string::npos);
    QCOMPARE(dot.substr(dot.size() - 2), std::string("}\n"));
  }
};

QTEST_GUILESS_MAIN(TstGraphDot)
#include "tst_graph_dot.moc"
