#include "SelectionLinks.h"

#include "ChildInspector.h"
#include "ChildPanel.h"
#include "GraphView.h"
#include "PlotPanel.h"
#include "Selection.h"
#include "TaskPanel.h"

namespace mu2net::ui {

namespace {

void linkTask(Selection* s, const SelectionViews& v) {
  QObject::connect(v.tasks, &TaskPanel::currentTaskChanged, s, &Selection::setTask);
  QObject::connect(v.graph, &GraphView::taskClicked, s, &Selection::setTask);
  QObject::connect(v.plots, &PlotPanel::taskFilterChosen, s, &Selection::setTask);
  QObject::connect(s, &Selection::taskChanged, v.tasks, &TaskPanel::selectTask);
  QObject::connect(s, &Selection::taskChanged, v.graph, &GraphView::setHighlightedTask);
  QObject::connect(s, &Selection::taskChanged, v.plots, &PlotPanel::setTaskFilter);
}

// The inspector and the loss plot follow the children table's current row, which is the
// selected child (and its updates).
void linkInspector(const SelectionViews& v) {
  ChildPanel* children = v.children;
  v.inspector->lookUpParentsIn(children->childModel());
  v.inspector->lookUpComponentsIn(&v.graph->snapshot());
  QObject::connect(children, &ChildPanel::inspect, v.inspector, &ChildInspector::showChild);
  QObject::connect(children, &ChildPanel::inspectNothing, v.inspector,
                   &ChildInspector::showNothing);
  // The loss of the child selected (inspect also follows updated children while none is).
  QObject::connect(children, &ChildPanel::inspect, v.plots,
                   [children, plots = v.plots](const ChildListModel::Record& r) {
                     if (children->currentIndex().isValid()) plots->showRecordLoss(r);
                   });
  QObject::connect(children, &ChildPanel::inspectNothing, v.plots, &PlotPanel::showLiveLoss);
}

void linkChild(Selection* s, const SelectionViews& v) {
  const auto show = [s, graph = v.graph, plots = v.plots] {
    const ChildListModel::Record* r = s->childRecord();
    if (!r) {
      graph->clearSelectedChild();
      plots->clearMarkedChild();
      return;
    }
    graph->setSelectedChild(r->started, r->done ? r->done->pathId : -1);
    plots->markChild(QString::fromStdString(r->started.task), r->started.generation,
                     r->started.childIndex);
  };
  QObject::connect(s, &Selection::childChanged, v.graph, show);
  QObject::connect(s, &Selection::childUpdated, v.graph, show);
}

}  // namespace

void linkSelection(Selection* selection, const SelectionViews& views) {
  linkTask(selection, views);
  views.children->setSelection(selection);
  linkInspector(views);
  linkChild(selection, views);
}

}  // namespace mu2net::ui
