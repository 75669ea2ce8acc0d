#include "PlotPanel.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QSplitter>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

#include "CurvePlots.h"
#include "EngineSignals.h"
#include "mu2net/evolution/GraphDot.h"
// Last: qcustomplot.h needs Qt's keywords, which core's headers must not see.
#include "QCustomPlotInclude.h"

namespace mu2net::ui {

namespace {

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

ChildLossHistory::Key keyOf(const std::string& task, qint64 generation, int childIndex) {
  return {task, generation, childIndex};
}

QString childName(const ChildLossHistory::Key& child) {
  return PlotPanel::tr("%1 · gen. %2 · child %3")
      .arg(q(std::get<0>(child)))
      .arg(std::get<1>(child))
      .arg(std::get<2>(child) + 1);
}

void setLegendTextShown(QCPGraph* graph, bool shown) {
  if (QCPPlottableLegendItem* item = graph->parentPlot()->legend->itemWithPlottable(graph))
    item->setTextColor(shown ? Qt::black : Qt::gray);
}

}  // namespace

PlotPanel::PlotPanel(QWidget* parent) : QWidget(parent), replotTimer_(new QTimer(this)) {
  auto* splitter = new QSplitter(Qt::Vertical, this);
  validation_ = makeCurvePlot(splitter, tr("Validation accuracy per child"),
                              tr("children finished"), tr("accuracy"));
  loss_ = makeCurvePlot(splitter, tr("Training loss"), tr("step"), tr("loss"));
  size_ = makeCurvePlot(splitter, tr("Parameters"), tr("children finished"), tr("parameters"));
  size_->yAxis->setNumberFormat(QStringLiteral("gbc"));
  for (QCustomPlot* p : plots())
    setIntegerTicks(p->xAxis);
  setIntegerTicks(size_->yAxis);
  lossNote_ = new QCPItemText(loss_);
  lossNote_->position->setType(QCPItemPosition::ptAxisRectRatio);
  lossNote_->position->setCoords(0.5, 0.5);
  lossNote_->setColor(Qt::darkGray);
  lossNote_->setVisible(false);
  for (QCustomPlot* p : plots())
    splitter->addWidget(p);
  splitter->setSizes({1000, 1000, 1000});  // equal heights, whatever the legends hold

  auto* hints = new QLabel(tr("wheel: zoom · drag: pan · double-click: follow data"), this);
  hints->setObjectName(QStringLiteral("plotHints"));
  hints->setStyleSheet(QStringLiteral("color: gray"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  createToolBar();
  layout->addWidget(findChild<QToolBar*>());
  layout->addWidget(splitter, 1);
  layout->addWidget(hints);

  replotTimer_->setSingleShot(true);
  replotTimer_->setInterval(200);
  connect(replotTimer_, &QTimer::timeout, this, &PlotPanel::replotNow);

  for (QCustomPlot* p : plots()) {
    following_[p] = true;
    p->setToolTip(
        tr("Wheel: zoom · drag: pan · double-click: follow the data again · "
           "click a legend entry: hide or show its curve"));
    connect(p, &QCustomPlot::legendClick, this,
            [this, p](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
              if (auto* entry = qobject_cast<QCPPlottableLegendItem*>(item))
                if (auto* graph = qobject_cast<QCPGraph*>(entry->plottable()))
                  toggleFromLegend(p, graph);
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

void PlotPanel::createToolBar() {
  auto* bar = new QToolBar(this);
  bar->setIconSize(QSize(16, 16));
  bar->addWidget(new QLabel(tr("Task: "), bar));
  taskSelector_ = new QComboBox(bar);
  taskSelector_->setObjectName(QStringLiteral("taskFilter"));
  taskSelector_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  taskSelector_->setToolTip(tr("Show one task against its own children, or all tasks"));
  bar->addWidget(taskSelector_);
  connect(taskSelector_, &QComboBox::activated, this, [this](int index) {
    setTaskFilter(index <= 0 ? QString() : taskSelector_->itemText(index));
    Q_EMIT taskFilterChosen(filter_);
  });
  fullRange_ = bar->addAction(tr("Full y range"));
  fullRange_->setObjectName(QStringLiteral("fullRangeAction"));
  fullRange_->setCheckable(true);
  fullRange_->setToolTip(
      tr("y from 0 (to 1 for accuracy) instead of fitted to the data; click again to fit"));
  QAction* followAll = bar->addAction(tr("Follow data"));
  followAll->setToolTip(tr("Fit every plot to its data again after zooming or panning"));
  const auto followEverything = [this] {
    for (QCustomPlot* p : plots())
      following_[p] = true;
    replotNow();
  };
  connect(fullRange_, &QAction::toggled, this, followEverything);
  connect(followAll, &QAction::triggered, this, followEverything);
}

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

std::vector<QCustomPlot*> PlotPanel::plots() const {
  return {validation_, loss_, size_};
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
    if (graph->parentPlot() == plot(which))
      total += static_cast<qint64>((s.source ? *s.source : s.all).x.size());
  return total;
}

qint64 PlotPanel::drawnPointCount(Plot which) const {
  qint64 total = 0;
  for (const auto& [graph, s] : series_)
    if (graph->parentPlot() == plot(which)) total += s.drawn;
  return total;
}

QString PlotPanel::lossNote() const {
  return lossNote_->visible() ? lossNote_->text() : QString();
}

void PlotPanel::clear() {
  for (QCustomPlot* p : plots()) {
    p->clearGraphs();
    following_[p] = true;
  }
  series_.clear();
  curves_.clear();
  tasks_.clear();
  hiddenByUser_.clear();
  losses_.clear();
  showLiveLoss();  // none: says how to see a child's loss
  storedSizes_.clear();
  childrenFinished_ = 0;
  filter_.clear();
  const QSignalBlocker blocker(taskSelector_);
  taskSelector_->clear();
  taskSelector_->addItem(tr("All tasks"));
  systemSize_ = addGraph(size_, tr("system size"), Qt::black, false);
  systemSize_->setLineStyle(QCPGraph::lsStepLeft);
  QPen pen = systemSize_->pen();
  pen.setWidthF(2.5);
  systemSize_->setPen(pen);
  // A marker on each point: a curve of one point is visible too.
  systemSize_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, Qt::black, 6));
  series_[systemSize_].holds = true;
  allowHeldEnd(systemSize_);
  finishedAt_.clear();
  marked_.reset();
  marker_ = addGraph(validation_, tr("selected child"), Qt::black, false);
  marker_->setLineStyle(QCPGraph::lsNone);
  marker_->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 2.5), Qt::NoBrush, 15));
  marker_->removeFromLegend();
  applyFilter();
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
  series_[graph] = Series{};
  return graph;
}

PlotPanel::TaskCurves& PlotPanel::curvesOf(const QString& task) {
  auto it = curves_.find(task);
  if (it != curves_.end()) return it->second;
  tasks_ << task;
  TaskCurves c;
  const QColor colour = colourOf(task);
  c.children = addGraph(validation_, task + tr(" children"), colour.lighter(120), true);
  c.best = addGraph(validation_, task, colour, false);
  c.best->setLineStyle(QCPGraph::lsStepLeft);
  c.retained = addGraph(size_, task, colour, false);
  c.retained->setLineStyle(QCPGraph::lsStepLeft);
  c.retained->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 5));
  series_[c.retained].holds = true;
  allowHeldEnd(c.retained);
  {
    const QSignalBlocker blocker(taskSelector_);
    taskSelector_->addItem(task);
  }
  auto& added = curves_.emplace(task, c).first->second;
  applyFilter();
  return added;
}

void PlotPanel::append(QCPGraph* graph, const QString& task, double x, double taskX, double y) {
  Series& s = series_[graph];
  s.all.x.push_back(x);
  s.all.y.push_back(y);
  CurvePoints& own = s.byTask[task];
  own.x.push_back(taskX);
  own.y.push_back(y);
  scheduleReplot();
}

const CurvePoints& PlotPanel::shownPoints(const Series& s) const {
  static const CurvePoints none;
  if (s.source) return *s.source;
  if (filter_.isEmpty()) return s.all;
  const auto it = s.byTask.find(filter_);
  return it == s.byTask.end() ? none : it->second;
}

const CurvePoints& PlotPanel::pointsToDraw(const Series& s, CurvePoints& held) const {
  const CurvePoints& shown = shownPoints(s);
  const qint64 latest =
      filter_.isEmpty() ? childrenFinished_ : curves_.at(filter_).childrenFinished;
  const auto end = static_cast<double>(latest);
  if (!s.holds || shown.x.empty() || shown.x.back() >= end) return shown;
  held = shown;
  held.x.push_back(end);
  held.y.push_back(shown.y.back());
  return held;
}

void PlotPanel::scheduleReplot() {
  if (!replotTimer_->isActive()) replotTimer_->start();
}

// Fits both axes to everything stored for the visible curves (not just what is drawn).
void PlotPanel::followData(QCustomPlot* p) {
  DataBounds bounds;
  CurvePoints held;
  for (const auto& [graph, s] : series_)
    if (graph->parentPlot() == p && graph->visible()) bounds.extend(pointsToDraw(s, held));
  fitAxes(p, bounds, p == validation_, fullRange_->isChecked());
}

void PlotPanel::redraw(QCustomPlot* p) {
  if (following_[p]) followData(p);
  const QCPRange range = p->xAxis->range();
  const int columns = std::max(1, p->axisRect()->width());
  CurvePoints held;
  for (auto& [graph, s] : series_) {
    if (graph->parentPlot() != p) continue;
    const CurvePoints& points = pointsToDraw(s, held);
    const CurvePoints shown = decimateMinMax(points, range.lower, range.upper, columns);
    s.drawn = static_cast<qint64>(shown.x.size());
    graph->setData(QVector<double>(shown.x.begin(), shown.x.end()),
                   QVector<double>(shown.y.begin(), shown.y.end()), true);
    if (s.holds)
      setHeldEnd(graph, &points == &held && !shown.x.empty() && shown.x.back() == held.x.back());
  }
  p->replot(QCustomPlot::rpQueuedReplot);
}

void PlotPanel::replotNow() {
  replotTimer_->stop();
  for (QCustomPlot* p : plots())
    redraw(p);
}

// Shows the filtered task's curves (or all), in the legends in introduction order, and
// re-bases x: children of the task, or of all tasks.
void PlotPanel::applyFilter() {
  validation_->legend->clearItems();
  size_->legend->clearItems();
  const auto show = [this](QCPGraph* graph, bool inFilter) {
    graph->setVisible(inFilter && !hiddenByUser_.value(graph));
    if (!inFilter) return;
    graph->addToLegend();
    setLegendTextShown(graph, !hiddenByUser_.value(graph));
  };
  show(systemSize_, true);
  for (const QString& task : tasks_) {
    const TaskCurves& c = curves_.at(task);
    const bool inFilter = filter_.isEmpty() || filter_ == task;
    show(c.best, inFilter);
    c.children->setVisible(c.best->visible());
    show(c.retained, inFilter);
  }
  const QString x =
      filter_.isEmpty() ? tr("children finished (all tasks)") : tr("children of %1").arg(filter_);
  validation_->xAxis->setLabel(x);
  size_->xAxis->setLabel(x);
  const QSignalBlocker blocker(taskSelector_);
  taskSelector_->setCurrentIndex(filter_.isEmpty() ? 0 : taskSelector_->findText(filter_));
  scheduleReplot();
}

void PlotPanel::toggleFromLegend(QCustomPlot* p, QCPGraph* graph) {
  const bool shown = hiddenByUser_.value(graph);  // hidden now: show it
  hiddenByUser_[graph] = !shown;
  graph->setVisible(shown);
  setLegendTextShown(graph, shown);
  // A task's dots follow its best-so-far line, which is the one in the legend.
  for (auto& [task, c] : curves_)
    if (c.best == graph) c.children->setVisible(shown);
  p->replot();
}

void PlotPanel::setTaskFilter(const QString& task) {
  filter_ = tasks_.contains(task) ? task : QString();
  following_[validation_] = following_[size_] = true;  // x changed meaning: fit it again
  applyFilter();
}

void PlotPanel::onRunStarted(const RunStartedEvent& event) {
  // A run that continues a stored history keeps the sizes stored for it.
  const auto stored = event.history.empty() ? std::vector<IterationSize>{} : storedSizes_;
  clear();
  for (const auto& task : event.tasks)
    curvesOf(q(task));
  showStoredSizes(stored);
  scheduleReplot();
}

void PlotPanel::onTaskAdded(const TaskAddedEvent& event) {
  curvesOf(q(event.task));
  scheduleReplot();
}

void PlotPanel::onChildStarted(const ChildStartedEvent& event) {
  losses_.started(keyOf(event.task, event.generation, event.childIndex));
  if (!lossSelected_) showLiveLoss();
}

void PlotPanel::onTrainingProgress(const TrainingProgressEvent& event) {
  const auto child = keyOf(event.task, event.generation, event.childIndex);
  losses_.append(child, static_cast<double>(event.step), event.loss);
  if (std::find(lossShown_.begin(), lossShown_.end(), child) != lossShown_.end()) scheduleReplot();
}

void PlotPanel::onChildFinished(const ChildFinishedEvent& event) {
  ++childrenFinished_;
  const QString task = q(event.task);
  TaskCurves& c = curvesOf(task);
  const double x = static_cast<double>(childrenFinished_);
  const double taskX = static_cast<double>(++c.childrenFinished);
  append(c.children, task, x, taskX, event.quality);
  const auto child = keyOf(event.task, event.generation, event.childIndex);
  finishedAt_[child] = {x, taskX, event.quality};
  if (marked_ == child) updateMarker();
  if (event.improved && event.quality > c.bestSoFar) c.bestSoFar = event.quality;
  if (c.bestSoFar >= 0) append(c.best, task, x, taskX, c.bestSoFar);
}

void PlotPanel::onTaskIterationEnded(const TaskIterationEndedEvent& event) {
  IterationSize size;
  size.task = event.task;
  size.iteration = event.iteration;
  size.childrenFinished = childrenFinished_;
  size.taskChildrenFinished = curvesOf(q(event.task)).childrenFinished;
  size.systemSize = event.systemSize;
  size.retainedParams = retainedParams(event.graph, event.task);
  addIterationSize(size);
}

void PlotPanel::showStoredSizes(const std::vector<IterationSize>& sizes) {
  storedSizes_ = sizes;
  for (const auto& size : sizes)
    addIterationSize(size);
}

void PlotPanel::addIterationSize(const IterationSize& size) {
  const QString task = q(size.task);
  const TaskCurves& c = curvesOf(task);
  const auto x = static_cast<double>(size.childrenFinished);
  const auto taskX = static_cast<double>(size.taskChildrenFinished);
  if (size.retainedParams) append(c.retained, task, x, taskX, *size.retainedParams);
  append(systemSize_, task, x, taskX, size.systemSize);
}

void PlotPanel::showChildLoss(const QString& task, qint64 generation, int childIndex) {
  showLoss({keyOf(task.toStdString(), generation, childIndex)}, true);
}

void PlotPanel::showRecordLoss(const ChildListModel::Record& record) {
  showChildLoss(q(record.started.task), record.started.generation, record.started.childIndex);
}

void PlotPanel::markChild(const QString& task, qint64 generation, int childIndex) {
  marked_ = keyOf(task.toStdString(), generation, childIndex);
  updateMarker();
}

void PlotPanel::clearMarkedChild() {
  marked_.reset();
  updateMarker();
}

void PlotPanel::updateMarker() {
  Series& s = series_[marker_];
  s.all = {};
  s.byTask.clear();
  const auto it = marked_ ? finishedAt_.find(*marked_) : finishedAt_.end();
  if (it != finishedAt_.end()) {
    const auto [x, taskX, quality] = it->second;
    s.all = {{x}, {quality}};
    s.byTask[q(std::get<0>(*marked_))] = {{taskX}, {quality}};
  }
  scheduleReplot();
}

std::optional<QPointF> PlotPanel::markedPoint() const {
  const CurvePoints& points = shownPoints(series_.at(marker_));
  if (points.x.empty()) return std::nullopt;
  return QPointF(points.x.front(), points.y.front());
}

void PlotPanel::showLiveLoss() {
  showLoss(losses_.trainingNow(), false);
}

void PlotPanel::showLoss(const std::vector<ChildLossHistory::Key>& children, bool selected) {
  if (children == lossShown_ && selected == lossSelected_ && loss_->graphCount() > 0) return;
  while (loss_->graphCount() > 0) {
    series_.erase(loss_->graph(0));
    hiddenByUser_.remove(loss_->graph(0));
    loss_->removeGraph(0);
  }
  lossShown_ = children;
  lossSelected_ = selected;
  lossNote_->setText(tr("no child is training: select one in the children table to see its loss"));
  lossNote_->setVisible(children.empty());
  for (std::size_t i = 0; i < children.size(); ++i) {
    const CurvePoints* points = losses_.find(children[i]);
    if (!points) {
      lossNote_->setText(tr("loss not recorded for this child (%1): training progress is not "
                            "stored, only seen live")
                             .arg(childName(children[i])));
      lossNote_->setVisible(true);
      continue;
    }
    QColor colour = colourOf(q(std::get<0>(children[i])));
    if (i % 2 == 1) colour = colour.darker(150);  // two children of one task side by side
    QCPGraph* graph = addGraph(loss_, childName(children[i]), colour, false);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 3));
    series_[graph].source = points;
  }
  following_[loss_] = true;
  redraw(loss_);
}

QStringList PlotPanel::exportAll(const QString& basePath, const QString& format, QString* error) {
  replotNow();
  QStringList written;
  const std::pair<QCustomPlot*, const char*> files[] = {
      {validation_, "validation"}, {loss_, "loss"}, {size_, "size"}};
  for (const auto& [p, name] : files) {
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
