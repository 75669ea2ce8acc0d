#pragma once
// Shared by the graph tests: scene items by kind, a laid-out GraphView, and a hand-built
// snapshot of a system with many tasks (a pure value, as System::snapshot() makes them).
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <string>

#include "GraphView.h"

namespace mu2net::testui {

inline QList<QGraphicsItem*> itemsOfKind(const ui::GraphView& view, const QString& kind) {
  QList<QGraphicsItem*> out;
  for (auto* item : view.scene()->items())
    if (item->data(ui::GraphView::KindKey).toString() == kind) out << item;
  return out;
}

/// Gives `view` the real layout helper and `snapshot`; true once it is laid out.
inline bool layOut(ui::GraphView& view, const GraphSnapshot& snapshot) {
  view.setLayoutProgram(QStringLiteral(MU2NET_LAYOUT_PATH));
  QSignalSpy laidOut(&view, &ui::GraphView::laidOut);
  view.setSnapshot(snapshot);
  return laidOut.wait(30000) && !view.isLayoutRunning();
}

/// A system after `tasks` tasks on the root (embedding, block_0, norm, head): each task has a
/// head of its own, every third a block of its own, every fifth also a norm; names are as long
/// as real ones ("task-07-fashion").
inline GraphSnapshot manyTasks(int tasks) {
  GraphSnapshot g;
  g.nodes = {{1, "embedding", "root", 224, {}, false, 0, {}},
             {2, "block_0", "root", 1168, {}, false, 0, {}},
             {3, "norm", "root", 16, {}, false, 0, {}},
             {4, "head", "root", 90, {"root"}, false, 0, {}}};
  g.routes.push_back({"root", 0, {1, 2, 3, 4}, 0.1, std::nullopt});
  std::int64_t next = 10;
  for (int t = 0; t < tasks; ++t) {
    const std::string name = "task-" + std::string(t < 10 ? "0" : "") + std::to_string(t) +
                             (t % 2 ? "-fashion" : "-digits");
    std::vector<std::int64_t> route{1, 2, 3};
    if (t % 3 == 0) {
      g.nodes.push_back({next, "block_0", name, 1168, {name}, false, t + 1, {}});
      route[1] = next++;
    }
    if (t % 5 == 0) {
      g.nodes.push_back({next, "norm", name, 16, {name}, false, t + 1, {}});
      route[2] = next++;
    }
    g.nodes.push_back({next, "head", name, 45, {name}, t + 1 == tasks, t + 1, {}});
    route.push_back(next++);
    g.routes.push_back({name, t + 1, route, 0.5 + 0.01 * t, std::nullopt});
  }
  for (auto& n : g.nodes)
    if (n.id <= 3)
      for (const auto& r : g.routes)
        if (r.task != "root") n.locks.push_back(r.task);
  return g;
}

}  // namespace mu2net::testui
