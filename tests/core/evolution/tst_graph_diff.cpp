// diffSnapshots: new and removed components, new, changed (replaced model) and removed routes.
#include <QtTest/QtTest>

#include "mu2net/evolution/GraphDiff.h"

using namespace mu2net;

namespace {

GraphSnapshot::Node node(std::int64_t id, const std::string& creator) {
  GraphSnapshot::Node n;
  n.id = id;
  n.slot = "block_0";
  n.creatorTask = creator;
  return n;
}

GraphSnapshot::Route route(const std::string& task, std::int64_t path,
                           std::vector<std::int64_t> ids) {
  GraphSnapshot::Route r;
  r.task = task;
  r.pathId = path;
  r.componentIds = std::move(ids);
  return r;
}

}  // namespace

class TstGraphDiff : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void identicalSnapshotsDoNotDiffer() {
    GraphSnapshot g;
    g.nodes = {node(0, "root"), node(1, "root")};
    g.routes = {route("root", 0, {0, 1})};
    QVERIFY(diffSnapshots(g, g).empty());
  }

  void newRemovedAndReplaced() {
    GraphSnapshot before;
    before.nodes = {node(0, "root"), node(1, "root"), node(2, "a"), node(3, "b")};
    before.routes = {route("root", 0, {0, 1}), route("a", 5, {0, 2}), route("b", 6, {0, 3}),
                     route("gone", 7, {0, 1})};
    GraphSnapshot after;
    after.nodes = {node(0, "root"), node(1, "root"), node(3, "b"), node(4, "a"), node(8, "c")};
    // a: its model replaced (another path, a new component); b: same path, same chain but a new
    // accuracy (not a change of route); c: a new task; gone: no route any more.
    after.routes = {route("root", 0, {0, 1}), route("a", 9, {0, 4}), route("b", 6, {0, 3}),
                    route("c", 10, {0, 8})};
    after.routes[2].validationQuality = 0.9;
    const GraphDiff d = diffSnapshots(before, after);
    QCOMPARE(d.newComponents, (std::vector<std::int64_t>{4, 8}));
    QCOMPARE(d.removedComponents, (std::vector<std::int64_t>{2}));
    QCOMPARE(d.newRoutes, (std::vector<std::string>{"c"}));
    QCOMPARE(d.changedRoutes, (std::vector<std::string>{"a"}));
    QCOMPARE(d.removedRoutes, (std::vector<std::string>{"gone"}));
    QVERIFY(!d.empty());
  }

  void sameTaskNewChainIsAChange() {
    GraphSnapshot before;
    before.nodes = {node(0, "root"), node(1, "a"), node(2, "a")};
    before.routes = {route("a", 3, {0, 1})};
    GraphSnapshot after = before;
    after.routes[0].componentIds = {0, 2};
    QCOMPARE(diffSnapshots(before, after).changedRoutes, (std::vector<std::string>{"a"}));
    QVERIFY(diffSnapshots(before, after).newComponents.empty());
  }

  void fromNothingEverythingIsNew() {
    GraphSnapshot after;
    after.nodes = {node(2, "root"), node(1, "root")};
    after.routes = {route("root", 0, {1, 2})};
    const GraphDiff d = diffSnapshots({}, after);
    QCOMPARE(d.newComponents, (std::vector<std::int64_t>{1, 2}));
    QCOMPARE(d.newRoutes, (std::vector<std::string>{"root"}));
  }
};

QTEST_GUILESS_MAIN(TstGraphDiff)
#include "tst_graph_diff.moc"
