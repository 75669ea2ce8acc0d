#pragma once
// Connects the workbench's views to its one Selection: the task table, the graph's legend and the
// curves' task selector select a task; the children table and the lineage select a child. The
// selected task is the task table's row, the graph's highlighted route, the curves' task filter
// and the children table's filter; the selected child is the children table's current row (which
// the inspector and the loss plot follow), the graph's selected route and the ringed point of
// the validation plot.
namespace mu2net::ui {

class ChildInspector;
class ChildPanel;
class GraphView;
class PlotPanel;
class Selection;
class TaskPanel;

struct SelectionViews {
  TaskPanel* tasks = nullptr;
  ChildPanel* children = nullptr;
  ChildInspector* inspector = nullptr;
  GraphView* graph = nullptr;
  PlotPanel* plots = nullptr;
};

/// Makes `views` select and show `selection` (a selection of views.children's list). The lineage
/// view takes the selection itself (LineageView's constructor).
void linkSelection(Selection* selection, const SelectionViews& views);

}  // namespace mu2net::ui
