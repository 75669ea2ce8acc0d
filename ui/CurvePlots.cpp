#include "CurvePlots.h"

#include <QWidget>
#include <algorithm>
#include <cmath>

#include "QCustomPlotInclude.h"

namespace mu2net::ui {

namespace {

// Puts the legend at the top of a column right of the axes (row 1: axes, legend; a spacer below
// the legend keeps it at its own height).
void placeLegendBeside(QCustomPlot* plot) {
  QCPLegend* legend = plot->legend;
  plot->axisRect()->insetLayout()->take(legend);
  auto* side = new QCPLayoutGrid;
  plot->plotLayout()->addElement(1, 1, side);
  side->addElement(0, 0, legend);
  side->addElement(1, 0, new QCPLayoutElement(plot));
  side->setRowStretchFactor(0, 0.001);
  side->setRowSpacing(0);
  plot->plotLayout()->setColumnStretchFactor(1, 0.001);
  legend->setFillOrder(QCPLayoutGrid::foRowsFirst, true);
  legend->setMargins(QMargins(4, 3, 4, 3));
  legend->setColumnSpacing(6);
  legend->setRowSpacing(0);
  legend->setIconSize(20, 10);
  legend->setIconTextPadding(4);
}

}  // namespace

QCustomPlot* makeCurvePlot(QWidget* parent, const QString& title, const QString& xLabel,
                           const QString& yLabel) {
  auto* plot = new QCustomPlot(parent);
  plot->setMinimumHeight(140);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->plotLayout()->insertRow(0);
  QFont titleFont = plot->font();
  titleFont.setBold(true);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, titleFont));
  plot->xAxis->setLabel(xLabel);
  plot->yAxis->setLabel(yLabel);
  plot->legend->setVisible(true);
  QFont legendFont = plot->font();
  legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
  plot->legend->setFont(legendFont);
  plot->legend->setBrush(QColor(255, 255, 255, 200));
  placeLegendBeside(plot);
  QObject::connect(plot, &QCustomPlot::afterLayout, plot, [plot] { fitLegendColumns(plot); });
  return plot;
}

void DataBounds::extend(const CurvePoints& points) {
  if (points.x.empty()) return;
  x0 = std::min(x0, points.x.front());
  x1 = std::max(x1, points.x.back());
  const auto [lo, hi] = std::minmax_element(points.y.begin(), points.y.end());
  y0 = std::min(y0, *lo);
  y1 = std::max(y1, *hi);
}

void fitAxes(QCustomPlot* plot, const DataBounds& b, bool accuracy, bool fullRange) {
  if (b.empty()) return;
  const double xPad = std::max(0.5, (b.x1 - b.x0) * 0.02);
  plot->xAxis->setRange(b.x0 - xPad, b.x1 + xPad);
  if (fullRange) {
    plot->yAxis->setRange(std::min(0.0, b.y0), accuracy ? 1.02 : std::max(b.y1 * 1.08, 1.0));
    return;
  }
  const double pad = b.y1 > b.y0 ? (b.y1 - b.y0) * 0.08 : std::max(std::abs(b.y1) * 0.1, 0.02);
  double lower = b.y0 - pad, upper = b.y1 + pad;
  if (b.y0 >= 0) lower = std::max(lower, 0.0);  // accuracies, sizes and losses are not negative
  if (accuracy) upper = std::min(upper, 1.02);
  plot->yAxis->setRange(lower, upper);
}

namespace {

// Whole-number ticks labelled compactly: 750k and 1.5M rather than 750000 and 1.5·10⁶.
class CountTicker : public QCPAxisTickerFixed {
 protected:
  QString getTickLabel(double tick, const QLocale& locale, QChar, int) override {
    const double a = std::abs(tick);
    if (a >= 1e6) return locale.toString(tick / 1e6, 'g', 3) + QLatin1Char('M');
    if (a >= 1e4) return locale.toString(tick / 1e3, 'g', 3) + QLatin1Char('k');
    return locale.toString(static_cast<qlonglong>(std::llround(tick)));
  }
};

}  // namespace

void setIntegerTicks(QCPAxis* axis) {
  auto ticker = QSharedPointer<CountTicker>::create();
  ticker->setTickStep(1.0);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  axis->setTicker(ticker);
}

// The held end is the graph's one "selected" point, drawn by the selection decorator: same pen,
// no marker. Users cannot select (the plots have no selection interaction).
void allowHeldEnd(QCPGraph* graph) {
  graph->setSelectable(QCP::stDataRange);
  QCPSelectionDecorator* decorator = graph->selectionDecorator();
  decorator->setPen(graph->pen());
  decorator->setBrush(graph->brush());
  decorator->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssNone), QCPScatterStyle::spShape);
}

void setHeldEnd(QCPGraph* graph, bool held) {
  const int n = graph->dataCount();
  graph->setSelection(held && n > 0 ? QCPDataSelection(QCPDataRange(n - 1, n))
                                    : QCPDataSelection());
}

void fitLegendColumns(QCustomPlot* plot) {
  QCPLegend* legend = plot->legend;
  legend->setVisible(legend->hasElement(0, 0));  // no empty box
  if (legend->itemCount() == 0) return;
  int entryHeight = 1;
  for (int i = 0; i < legend->itemCount(); ++i)  // cells of a wrapped legend may be empty
    if (const QCPAbstractLegendItem* item = legend->item(i))
      entryHeight = std::max(entryHeight, item->minimumOuterSizeHint().height());
  // The height beside the axes without the legend: below the title row (the axes' own row
  // would have grown to hold a legend too tall for it).
  const QMargins m = legend->margins();
  const QCPLayoutGrid* layout = plot->plotLayout();
  const int title = layout->element(0, 0) ? layout->element(0, 0)->outerRect().height() : 0;
  const int beside = plot->viewport().height() - title - layout->rowSpacing() -
                     layout->margins().top() - layout->margins().bottom();
  const int available = beside - m.top() - m.bottom() - 2;
  const int rows = std::max(1, available / (entryHeight + legend->rowSpacing()));
  if (legend->wrap() == rows) return;
  legend->setWrap(rows);
  legend->setFillOrder(QCPLayoutGrid::foRowsFirst, true);
  plot->plotLayout()->update(QCPLayoutElement::upPreparation);
  plot->plotLayout()->update(QCPLayoutElement::upMargins);
  plot->plotLayout()->update(QCPLayoutElement::upLayout);
}

}  // namespace mu2net::ui
