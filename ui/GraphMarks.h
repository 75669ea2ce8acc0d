#pragma once
// What GraphView marks on top of a system graph, e.g. the changes since the previous point of the
// history: components drawn with a bold border, routes (by task) drawn bold, and a note the legend
// shows ("bold: new since generation 4").
#include <QString>
#include <QtGlobal>
#include <set>

namespace mu2net::ui {

struct GraphMarks {
  std::set<qint64> components;
  std::set<QString> routes;
  QString note;
  bool empty() const { return components.empty() && routes.empty() && note.isEmpty(); }
};

}  // namespace mu2net::ui

namespace mu2net {
struct GraphDiff;
}

namespace mu2net::ui {

/// Marks of the changes `diff` (new components; new and replaced routes), with `note`.
GraphMarks marksOfChanges(const mu2net::GraphDiff& diff, const QString& note);

}  // namespace mu2net::ui
