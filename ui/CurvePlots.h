#pragma once
// How the workbench's curve plots look: a QCustomPlot with a title, axis labels, wheel zoom and
// drag pan, and its legend in a column right of the axes, never over the data. The legend wraps
// into as many columns as its entries need to stay on the plot (re-fitted at every layout, so a
// resize or an export at another size keeps every entry visible). Counts get integer ticks.
#include <QString>
#include <limits>

#include "CurveDecimation.h"

class QWidget;
class QCustomPlot;
class QCPAxis;
class QCPGraph;

namespace mu2net::ui {

/// The extent of the data of a plot's visible curves (empty until extended).
struct DataBounds {
  double x0 = std::numeric_limits<double>::max(), x1 = std::numeric_limits<double>::lowest();
  double y0 = x0, y1 = x1;
  bool empty() const { return x0 > x1; }
  void extend(const CurvePoints& points);
};

/// A new plot in `parent` with `title` above its axes and its legend beside them.
QCustomPlot* makeCurvePlot(QWidget* parent, const QString& title, const QString& xLabel,
                           const QString& yLabel);
/// Fits the axes of `plot` to `bounds` (nothing when empty): x with a margin; y to the data, or
/// with `fullRange` from 0 (to 1 when `accuracy`, else to the largest value).
void fitAxes(QCustomPlot* plot, const DataBounds& bounds, bool accuracy, bool fullRange);
/// Ticks at integers only (steps of 1, 2, 5, 10, … as the range needs): for counts.
void setIntegerTicks(QCPAxis* axis);
/// Lets setHeldEnd draw the last point of `graph` without a marker (set its pen first).
void allowHeldEnd(QCPGraph* graph);
/// Whether the last point of `graph` is only a value held on (no marker), after allowHeldEnd.
void setHeldEnd(QCPGraph* graph, bool held);
/// Wraps the legend of `plot` into columns that fit the height beside its axes, and lays the plot
/// out again when that changed. Called after every layout of a plot made by makeCurvePlot.
void fitLegendColumns(QCustomPlot* plot);

}  // namespace mu2net::ui
