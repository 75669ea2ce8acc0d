#include "PlotPanel.h"

#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include "EngineSignals.h"
#include "mu2net/evolution/GraphDot.h"

// QCustomPlot's header uses Qt's keywords (`signals:`, `foreach`), which the ui library switches
// off (QT_NO_KEYWORDS, see ui/CMakeLists.txt). They are defined for this one include only, after
// every header that declares a member called `slots`.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include "qcustomplot.h"
#undef foreach
#undef emit
#undef slots
#undef signals

namespace mu2net::ui {

namespace {

QCustomPlot* makePlot(QWidget* parent, const QString& title, const QString& xLabel,
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
  plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignLeft | Qt::AlignTop);
  return plot;
}

}  // namespace

PlotPanel::PlotPanel(QWidget* parent) : QWidget(parent), replotTimer_(new QTimer(this)) {
  auto* splitter = new QSplitter(Qt::Vertical, this);
  validation_ = makePlot(splitter, tr("Validation accuracy per child"), tr("children finished"),
                         tr("accuracy"));
  loss_ = makePlot(splitter, tr("Training loss of the latest child"), tr("step"), tr("loss"));
  size_ = makePlot(splitter, tr("Parameters"), tr("children finished"), tr("parameters"));
  size_->yAxis->setNumberFormat(QStringLiteral("gbc"));
  validation_->yAxis->setRange(0, 1);
  // Legends where the data rarely is: accuracy climbs (bottom right), loss falls (top right),
  // parameters grow from the left (top left).
  validation_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignBottom);
  loss_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignTop);
  splitter->addWidget(validation_);
  splitter->addWidget(loss_);
  splitter->addWidget(size_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);

  replotTimer_->setSingleShot(true);
  replotTimer_->setInterval(200);
  connect(replotTimer_, &QTimer::timeout, this, &PlotPanel::replotNow);

  for (QCustomPlot* p : {validation_, loss_, size_}) {
    following_[p] = true;
    connect(p, &QCustomPlot::legendClick, this,
            [this, p](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
              auto* entry = qobject_cast<QCPPlottableLegendItem*>(item);
              if (!entry) return;
              QCPAbstractPlottable* plottable = entry->plottable();
              const bool visible = !plottable->visible();
              plottable->setVisible(visible);
              entry->setTextColor(visible ? Qt::black : Qt::gray);
              // A task's dots follow its best-so-far line, which is the one in the legend.
              for (auto& [task, c] : curves_)
                if (c.best == plottable && c.children) c.children->setVisible(visible);
              p->replot();
            });
    connect(p, &QCustomPlot::mousePress, this, [this, p](QMouseEvent*) { following_[p] = false; });
    connect(p, &QCustomPlot::mouseWheel, this, [this, p](QWheelEvent*) { following_[p] = false; });
    connect(p, &QCustomPlot::mouseDoubleClick, this, [this, p](QMouseEvent*) {
      following_[p] = true;
      redraw(p);
    });
    // Zooming or panning changes what is visible: decimate again for the new range.
    connect(p->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this, p] {
      if (!following_[p]) scheduleReplot();
    });
  }
  clear();
}

PlotPanel::~PlotPanel() = default;

void PlotPanel::follow(const EngineSignals* events) {
  events->connectHandlers(this);
}

QCustomPlot* PlotPanel::plot(Plot which) const {
  switch (which) {
    case Plot::Validation:
      return validation_;
    case Plot::Loss:
      return loss_;
    case Plot::Size:
      return size_;
  }
  return validation_;
}

QWidget* PlotPanel::plotWidget(Plot which) const {
  return plot(which);
}

int PlotPanel::curveCount(Plot which) const {
  return plot(which)->graphCount();
}

qint64 PlotPanel::pointCount(Plot which) const {
  qint64 total = 0;
  for (const auto& [graph, s] : series_)
    if (graph->parentPlot() == plot(which)) total += static_cast<qint64>(s.points.x.size());
  return total;
}

qint64 PlotPanel::drawnPointCount(Plot which) const {
  qint64 total = 0;
  for (const auto& [graph, s] : series_)
    if (graph->parentPlot() == plot(which)) total += s.drawn;
  return total;
}

void PlotPanel::clear() {
  for (QCustomPlot* p : {validation_, loss_, size_}) {
    p->clearGraphs();
    following_[p] = true;
  }
  series_.clear();
  curves_.clear();
  tasks_.clear();
  childrenFinished_ = 0;
  lossGraph_ = addGraph(loss_, tr("loss"), QColor(0x33, 0x33, 0x33), false);
  // Dots too: the first reports of a child are single points, which a bare line would not show.
  lossGraph_->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0x33, 0x33, 0x33), 4));
  systemSize_ = addGraph(size_, tr("system size"), Qt::black, false);
  systemSize_->setLineStyle(QCPGraph::lsStepLeft);
  QPen pen = systemSize_->pen();
  pen.setWidthF(2.5);
  systemSize_->setPen(pen);
  replotNow();
}

QColor PlotPanel::colourOf(const QString& task) const {
  const auto index = tasks_.indexOf(task);
  return index < 0 ? QColor(Qt::gray)
                   : QColor(QString::fromStdString(routeColour(static_cast<std::size_t>(index))));
}

QCPGraph* PlotPanel::addGraph(QCustomPlot* p, const QString& name, const QColor& colour,
                              bool dots) {
  QCPGraph* graph = p->addGraph();
  graph->setName(name);
  QPen pen(colour);
  pen.setWidthF(1.6);
  graph->setPen(pen);
  if (dots) {
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 5));
  }
  series_[graph] = Series{{}, graph, 0};
  return graph;
}

PlotPanel::TaskCurves& PlotPanel::curvesOf(const QString& task) {
  if (!tasks_.contains(task)) tasks_ << task;
  auto it = curves_.find(task);
  if (it != curves_.end()) return it->second;
  TaskCurves c;
  const QColor colour = colourOf(task);
  c.children = addGraph(validation_, task + tr(" children"), colour.lighter(120), true);
  c.children->removeFromLegend();
  c.best = addGraph(validation_, task, colour, false);
  c.best->setLineStyle(QCPGraph::lsStepLeft);
  c.activated = addGraph(size_, task, colour, false);
  c.activated->setLineStyle(QCPGraph::lsStepLeft);
  return curves_.emplace(task, c).first->second;
}

void PlotPanel::append(QCPGraph* graph, double x, double y) {
  auto& points = series_[graph].points;
  points.x.push_back(x);
  points.y.push_back(y);
  scheduleReplot();
}

void PlotPanel::scheduleReplot() {
  if (!replotTimer_->isActive()) replotTimer_->start();
}

void PlotPanel::redraw(QCustomPlot* p) {
  if (following_[p]) {
    // Follow the data: fit both axes to everything stored (not just what is drawn).
    double x0 = std::numeric_limits<double>::max(), x1 = std::numeric_limits<double>::lowest();
    double y0 = x0, y1 = x1;
    for (const auto& [graph, s] : series_) {
      if (graph->parentPlot() != p || !graph->visible() || s.points.x.empty()) continue;
      x0 = std::min(x0, s.points.x.front());
      x1 = std::max(x1, s.points.x.back());
      for (double y : s.points.y) {
        y0 = std::min(y0, y);
        y1 = std::max(y1, y);
      }
    }
    if (x0 <= x1) {
      if (x1 - x0 < 1) x1 = x0 + 1;
      p->xAxis->setRange(x0, x1 + (x1 - x0) * 0.02);
      if (p == validation_) {
        p->yAxis->setRange(0, 1.02);
      } else {
        const double pad = y1 > y0 ? (y1 - y0) * 0.08 : std::max(1.0, std::abs(y1) * 0.1);
        p->yAxis->setRange(p == size_ ? 0.0 : y0 - pad, y1 + pad);
      }
    }
  }
  const QCPRange range = p->xAxis->range();
  const int columns = std::max(1, p->axisRect()->width());
  for (auto& [graph, s] : series_) {
    if (graph->parentPlot() != p) continue;
    const CurvePoints shown = decimateMinMax(s.points, range.lower, range.upper, columns);
    s.drawn = static_cast<qint64>(shown.x.size());
    graph->setData(QVector<double>(shown.x.begin(), shown.x.end()),
                   QVector<double>(shown.y.begin(), shown.y.end()), true);
  }
  p->replot(QCustomPlot::rpQueuedReplot);
}

void PlotPanel::replotNow() {
  replotTimer_->stop();
  for (QCustomPlot* p : {validation_, loss_, size_})
    redraw(p);
}

void PlotPanel::onRunStarted(const RunStartedEvent& event) {
  clear();
  for (const auto& task : event.tasks)
    curvesOf(QString::fromStdString(task));
  scheduleReplot();
}

void PlotPanel::onTaskAdded(const TaskAddedEvent& event) {
  curvesOf(QString::fromStdString(event.task));
  scheduleReplot();
}

void PlotPanel::onChildStarted(const ChildStartedEvent& event) {
  // The loss curve follows the child that started last (children may train at the same time).
  lossChild_ = {event.task, event.generation, event.childIndex};
  series_[lossGraph_].points = {};
  lossGraph_->setName(tr("%1, generation %2, child %3")
                          .arg(QString::fromStdString(event.task))
                          .arg(event.generation)
                          .arg(event.childIndex + 1));
  scheduleReplot();
}

void PlotPanel::onTrainingProgress(const TrainingProgressEvent& event) {
  if (std::tie(event.task, event.generation, event.childIndex) != lossChild_) return;
  append(lossGraph_, static_cast<double>(event.step), event.loss);
}

void PlotPanel::onChildFinished(const ChildFinishedEvent& event) {
  ++childrenFinished_;
  TaskCurves& c = curvesOf(QString::fromStdString(event.task));
  append(c.children, childrenFinished_, event.quality);
  if (event.improved && event.quality > c.bestSoFar) c.bestSoFar = event.quality;
  if (c.bestSoFar >= 0) append(c.best, childrenFinished_, c.bestSoFar);
  if (event.improved)
    append(c.activated, childrenFinished_, static_cast<double>(event.totalParams));
}

void PlotPanel::onTaskIterationEnded(const TaskIterationEndedEvent& event) {
  snapshotSizes(event.graph, event.systemSize);
}

void PlotPanel::snapshotSizes(const GraphSnapshot& graph, double systemSize) {
  std::map<std::int64_t, std::int64_t> params;
  for (const auto& n : graph.nodes)
    params[n.id] = n.paramCount;
  for (const auto& route : graph.routes) {
    if (route.task == "root") continue;
    double activated = 0;
    for (auto id : route.componentIds)
      activated += static_cast<double>(params[id]);
    append(curvesOf(QString::fromStdString(route.task)).activated, childrenFinished_, activated);
  }
  append(systemSize_, childrenFinished_, systemSize);
}

QStringList PlotPanel::exportAll(const QString& basePath, const QString& format, QString* error) {
  replotNow();
  QStringList written;
  const std::pair<QCustomPlot*, const char*> plots[] = {
      {validation_, "validation"}, {loss_, "loss"}, {size_, "size"}};
  for (const auto& [p, name] : plots) {
    const QString file = QStringLiteral("%1-%2.%3").arg(basePath, QLatin1String(name), format);
    p->replot(QCustomPlot::rpImmediateRefresh);
    const bool ok = format == QLatin1String("pdf") ? p->savePdf(file, 800, 500)
                                                   : p->savePng(file, 800, 500, 2.0);
    if (!ok) {
      if (error) *error = tr("cannot write %1").arg(file);
      return written;
    }
    written << file;
  }
  return written;
}

}  // namespace mu2net::ui
