#include "GraphMarks.h"

#include "mu2net/evolution/GraphDiff.h"

namespace mu2net::ui {

GraphMarks marksOfChanges(const GraphDiff& diff, const QString& note) {
  GraphMarks marks;
  marks.components.insert(diff.newComponents.begin(), diff.newComponents.end());
  for (const auto* list : {&diff.newRoutes, &diff.changedRoutes})
    for (const auto& task : *list)
      marks.routes.insert(QString::fromStdString(task));
  marks.note = note;
  return marks;
}

}  // namespace mu2net::ui
