// The task palette stays distinct for 40 tasks and never comes near the root's grey, and the DOT
// text carries the screen's colours: component fills and borders of the creator task, route edge
// colours, the root's grey, dashed trainable borders, provisional routes of children in training.
#include <QtTest/QtTest>

#include <array>
#include <cmath>
#include <regex>
#include <string>

#include "mu2net/evolution/GraphDot.h"

using namespace mu2net;

namespace {

using Lab = std::array<double, 3>;

// CIELAB (D65) of a "#rrggbb" colour.
Lab lab(const std::string& hex) {
  unsigned r = 0, g = 0, b = 0;
  if (hex.size() != 7 || std::sscanf(hex.c_str(), "#%2x%2x%2x", &r, &g, &b) != 3)
    qFatal("not a colour: %s", hex.c_str());
  auto lin = [](unsigned v) {
    const double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  const double R = lin(r), G = lin(g), B = lin(b);
  const double X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const double Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const double Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
  return {116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))};
}

double deltaE(const std::string& a, const std::string& b) {
  const Lab p = lab(a), q = lab(b);
  return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

double chroma(const std::string& colour) {
  const Lab p = lab(colour);
  return std::hypot(p[1], p[2]);
}

// Attribute `key` of the DOT statement that starts with `name` (empty if absent).
std::string attribute(const std::string& dot, const std::string& name, const std::string& key) {
  const auto start = dot.find("\n  " + name + " [");
  if (start == std::string::npos) return {};
  const std::string line = dot.substr(start + 1, dot.find('\n', start + 1) - start - 1);
  std::smatch m;
  if (!std::regex_search(line, m, std::regex("[ ,\\[]" + key + "=\"([^\"]*)\""))) return {};
  return m[1];
}

GraphSnapshot threeTasks() {
  GraphSnapshot g;
  g.nodes = {{1, "embedding", "root", 224, {"a", "b"}, false, 0, {}},
             {2, "block_0", "root", 1168, {}, true, 0, {}},
             {3, "head", "root", 90, {}, true, 0, {}},
             {5, "block_0", "a", 1168, {"a"}, false, 1, {}},
             {6, "head", "a", 45, {"a"}, false, 1, {}},
             {7, "head", "b", 45, {}, true, 2, {}},
             {8, "head", "c", 45, {"c"}, false, 3, {}}};
  g.routes = {{"root", 0, {1, 2, 3}, 0.1, std::nullopt},
              {"a", 3, {1, 5, 6}, 0.9, 0.88},
              {"b", 4, {1, 5, 7}, 0.7, std::nullopt},
              {"c", 5, {1, 2, 8}, 0.6, std::nullopt}};
  return g;
}

}  // namespace

class TstGraphColours : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fortyTaskColoursAreDistinct() {
    for (std::size_t i = 0; i < 40; ++i)
      for (std::size_t j = i + 1; j < 40; ++j)
        QVERIFY2(deltaE(routeColour(i), routeColour(j)) >= 20,
                 qPrintable(QStringLiteral("tasks %1 and %2: %3 and %4")
                                .arg(i)
                                .arg(j)
                                .arg(QString::fromStdString(routeColour(i)),
                                     QString::fromStdString(routeColour(j)))));
  }

  void noTaskColourIsGrey() {
    for (std::size_t i = 0; i < 200; ++i) {
      const std::string c = routeColour(i);
      QVERIFY2(chroma(c) >= 25, c.c_str());
      QVERIFY2(deltaE(c, "#555555") >= 25, c.c_str());
      QVERIFY2(deltaE(c, "#bab0ac") >= 25, c.c_str());
    }
  }

  void componentsCarryTheirCreatorsColours() {
    const std::string dot = toDot(threeTasks());
    QCOMPARE(attribute(dot, "c1", "fillcolor"), std::string("#dddddd"));
    QCOMPARE(attribute(dot, "c1", "color"), std::string("#333333"));
    QCOMPARE(attribute(dot, "c5", "fillcolor"), componentFillColour(routeColour(0)));
    QCOMPARE(attribute(dot, "c5", "color"), componentBorderColour(routeColour(0)));
    QCOMPARE(attribute(dot, "c7", "fillcolor"), componentFillColour(routeColour(1)));
    QCOMPARE(attribute(dot, "c8", "fillcolor"), componentFillColour(routeColour(2)));
    QVERIFY(componentFillColour(routeColour(0)) != componentFillColour(routeColour(1)));
    // Trainable components stay filled and get a dashed border; locked ones a solid one.
    QCOMPARE(attribute(dot, "c7", "style"), std::string("rounded,filled,dashed"));
    QCOMPARE(attribute(dot, "c2", "style"), std::string("rounded,filled,dashed"));
    QCOMPARE(attribute(dot, "c6", "style"), std::string());
  }

  void routesCarryTheirTasksColours() {
    const std::string dot = toDot(threeTasks());
    QVERIFY(dot.find("input -> c1 [color=\"#555555\", style=dotted];") != std::string::npos);
    QVERIFY(dot.find("c5 -> c6 [color=\"" + routeColour(0) + "\"];") != std::string::npos);
    QVERIFY(dot.find("c5 -> c7 [color=\"" + routeColour(1) + "\"];") != std::string::npos);
    QVERIFY(dot.find("c2 -> c8 [color=\"" + routeColour(2) + "\"];") != std::string::npos);
    QCOMPARE(attribute(dot, "t3", "fontcolor"), routeColour(2));
  }

  void candidatesAreProvisionalRoutesInTheirTasksColour() {
    CandidateRoute child{"d", 4, 1, {{"embedding", 1, -1}, {"block_0", -1, 5}, {"head", -1, -1}}};
    const std::string dot = toDot(threeTasks(), {child});
    const std::string colour = routeColour(3);  // d is the fourth task
    QCOMPARE(taskColours(threeTasks(), {child}).at("d"), colour);
    QCOMPARE(attribute(dot, "n0_1", "style"), std::string("rounded,filled,dashed"));
    QCOMPARE(attribute(dot, "n0_1", "fillcolor"), componentFillColour(colour));
    QVERIFY(attribute(dot, "n0_1", "label").find("clone of component 5") != std::string::npos);
    QVERIFY(attribute(dot, "n0_2", "label").find("new") != std::string::npos);
    QVERIFY(dot.find("input -> c1 [color=\"" + colour + "\", style=dashed];") != std::string::npos);
    QVERIFY(dot.find("c1 -> n0_1 [color=\"" + colour + "\", style=dashed];") != std::string::npos);
    QVERIFY(dot.find("n0_2 -> k0 [color=\"" + colour + "\", style=dashed];") != std::string::npos);
    QVERIFY(attribute(dot, "k0", "label").find("training") != std::string::npos);
  }

  void manyRoutesAreLaidOutSideways() {
    GraphSnapshot g = threeTasks();
    QVERIFY(toDot(g).find("rankdir=BT;") != std::string::npos);
    for (int i = 0; i < 10; ++i)
      g.routes.push_back({"x" + std::to_string(i), 9, {1, 2, 3}, 0.5, std::nullopt});
    QVERIFY(toDot(g).find("rankdir=LR;") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TstGraphColours)
#include "tst_graph_colours.moc"
