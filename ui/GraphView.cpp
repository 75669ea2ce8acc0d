#include "GraphView.h"

#include <QFile>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "EngineSignals.h"
#include "GraphLayoutProcess.h"
#include "GraphLegend.h"
#include "GraphSceneBuilder.h"
#include "PictureView.h"
#include "SelectedRoute.h"
#include "mu2net/evolution/GraphDot.h"

namespace mu2net::ui {

namespace {

constexpr double kDimmedOpacity = 0.15;
constexpr double kMinTextPx = 9;    // component labels smaller than this on screen are hidden
constexpr double kMinLabelPx = 11;  // task labels never get smaller than this on screen

QString percent(double q) {
  return QString::number(100.0 * q, 'f', 1) + QLatin1Char('%');
}

}  // namespace

GraphView::GraphView(QWidget* parent)
    : QGraphicsView(parent),
      layouter_(new GraphLayoutProcess(this)),
      layoutMessage_(new QLabel(this)),
      legend_(new GraphLegend(this)) {
  layoutMessage_->setWordWrap(true);
  layoutMessage_->setTextFormat(Qt::PlainText);
  layoutMessage_->setStyleSheet(QStringLiteral(
      "QLabel { background: #fff3cd; color: #5c4400; border: 1px solid #d6b656; padding: 6px; }"));
  layoutMessage_->hide();
  legend_->hide();
  setUpPictureView(this);
  connect(legend_, &GraphLegend::taskClicked, this, [this](const QString& task) {
    setHighlightedTask(highlight_ == task ? QString() : task);
    Q_EMIT taskClicked(highlight_);
  });
  connect(layouter_, &GraphLayoutProcess::finished, this, &GraphView::onLayoutFinished);
  connect(layouter_, &GraphLayoutProcess::failed, this,
          [this](const QString& message, quint64 requestId) {
            if (requestId != requestId_) return;
            pendingKey_.clear();
            showLayoutMessage(message);
            Q_EMIT layoutFailed(message);
          });
}

GraphView::~GraphView() = default;

void GraphView::follow(const EngineSignals* events) {
  connect(events, &EngineSignals::runStarted, this, [this](const RunStartedEvent& e) {
    candidates_.clear();
    setSnapshot(e.graph);
  });
  connect(events, &EngineSignals::childStarted, this, &GraphView::addCandidate);
  connect(events, &EngineSignals::childFinished, this, &GraphView::removeCandidate);
  connect(events, &EngineSignals::taskIterationEnded, this,
          [this](const TaskIterationEndedEvent& e) { setSnapshot(e.graph); });
  // A run that fails ends without runFinished: its children are no longer in training.
  connect(events, &EngineSignals::engineError, this, &GraphView::clearCandidates);
  connect(events, &EngineSignals::runFinished, this, [this](const RunFinishedEvent& e) {
    candidates_.clear();
    setSnapshot(e.graph);
  });
}

void GraphView::setLayoutProgram(const QString& path) {
  layouter_->setProgram(path);
}

QString GraphView::layoutProgram() const {
  return layouter_->program();
}

bool GraphView::isLayoutRunning() const {
  return layouter_->isBusy();
}

int GraphView::componentItemCount() const {
  int count = 0;
  for (const auto* item : scene()->items())
    if (item->data(KindKey).toString() == QLatin1String("component")) ++count;
  return count;
}

QString GraphView::layoutMessage() const {
  return layoutMessage_->isHidden() ? QString() : layoutMessage_->text();
}

void GraphView::showLayoutMessage(const QString& message) {
  if (message.isEmpty()) {
    layoutMessage_->hide();
    return;
  }
  layoutMessage_->setText(tr("The graph could not be laid out: %1").arg(message));
  const int w = std::max(100, viewport()->width() - 16);
  layoutMessage_->setGeometry(8, 8, w, layoutMessage_->heightForWidth(w));
  layoutMessage_->show();
  layoutMessage_->raise();
}

void GraphView::clear() {
  showLayoutMessage({});
  layouter_->cancel();
  latest_ = {};
  candidates_.clear();
  shown_ = drawn_ = pending_ = {};
  hidden_ = 0;
  layout_.reset();
  layoutKey_.clear();
  pendingKey_.clear();
  hashes_.clear();
  highlight_.clear();
  marks_ = {};
  selected_.reset();
  userZoomed_ = false;
  componentTexts_.clear();
  labels_.clear();
  scene()->clear();
  legend_->setEntries({});
  placeLegend();
}

void GraphView::setSnapshot(const GraphSnapshot& snapshot) {
  latest_ = snapshot;
  refresh();
}

void GraphView::addCandidate(const ChildStartedEvent& event) {
  candidates_.push_back(candidateOf(event));
  refresh();
}

void GraphView::removeCandidate(const ChildFinishedEvent& event) {
  const auto before = candidates_.size();
  candidates_.erase(std::remove_if(candidates_.begin(), candidates_.end(),
                                   [&](const CandidateRoute& c) {
                                     return c.task == event.task &&
                                            c.generation == event.generation &&
                                            c.childIndex == event.childIndex;
                                   }),
                    candidates_.end());
  if (candidates_.size() != before) refresh();
}

void GraphView::setSelectedChild(const ChildStartedEvent& child, qint64 pathId) {
  SelectedChild selected{candidateOf(child), pathId};
  if (selected_ && selected_->pathId == pathId && selected_->route.task == child.task &&
      selected_->route.generation == child.generation &&
      selected_->route.childIndex == child.childIndex)
    return;
  selected_ = std::move(selected);
  refresh();
}

void GraphView::clearSelectedChild() {
  if (!selected_) return;
  selected_.reset();
  refresh();
}

bool GraphView::selectedChildShown() const {
  return selected_ && SelectedRoute::locate(drawn_.snapshot, drawn_.candidates, selected_->route,
                                            selected_->pathId)
                          .found();
}

void GraphView::clearCandidates() {
  if (candidates_.empty()) return;
  candidates_.clear();
  refresh();
}

// Draws latest_ and candidates_: restyles the picture when the topology is the one laid out,
// else asks for a new layout (the picture stays until it is ready).
void GraphView::refresh() {
  // The selected child is drawn as a provisional route of its own unless it is a task's model
  // or in training (then its route is drawn already).
  std::vector<CandidateRoute> candidates = candidates_;
  int selectedCandidate = -1;
  if (selected_ &&
      !SelectedRoute::locate(latest_, candidates, selected_->route, selected_->pathId).found()) {
    selectedCandidate = static_cast<int>(candidates.size());
    candidates.push_back(selected_->route);
  }
  shown_ = {routedPart(latest_, candidates, &hidden_), candidates, selectedCandidate};
  const QString key = topologyKey(shown_.snapshot, shown_.candidates);
  if (layout_ && key == layoutKey_) {
    // Same topology: a layout for an older topology still running would only be replaced.
    if (!pendingKey_.isEmpty()) {
      layouter_->cancel();
      pendingKey_.clear();
    }
    drawn_ = shown_;
    rebuildScene();
    return;
  }
  if (key == pendingKey_ && layouter_->isBusy()) {
    pending_ = shown_;
    return;
  }
  pendingKey_ = key;
  pending_ = shown_;
  layouter_->request(QByteArray::fromStdString(toDot(shown_.snapshot, shown_.candidates)),
                     ++requestId_);
}

void GraphView::onLayoutFinished(const GraphLayout& layout, quint64 requestId) {
  if (requestId != requestId_) return;
  layout_ = layout;
  layoutKey_ = pendingKey_;
  pendingKey_.clear();
  drawn_ = pending_;
  showLayoutMessage({});
  rebuildScene();
  if (!userZoomed_) fit();
  Q_EMIT laidOut();
}

void GraphView::setComponentHashes(const ComponentHashes& hashes) {
  hashes_ = hashes;
  if (layout_) rebuildScene();
}

void GraphView::setHighlightedTask(const QString& task) {
  highlight_ = task;
  applyHighlight();
}

void GraphView::rebuildScene() {
  componentTexts_.clear();
  labels_.clear();
  scene()->clear();
  if (!layout_) return;
  GraphSceneBuilder builder(scene(), *layout_, drawn_, hashes_, font());
  builder.build();
  componentTexts_ = builder.componentTexts();
  labels_ = builder.labels();
  sideways_ = builder.sideways();
  updateLegend(builder.colours());
  applyMarks();
  applyHighlight();
  updateLevelOfDetail();
}

void GraphView::updateLegend(const std::map<std::string, QColor>& colours) {
  QVector<GraphLegend::Entry> entries;
  std::set<std::string> listed;
  for (const auto& route : drawn_.snapshot.routes) {
    if (!listed.insert(route.task).second) continue;
    entries.push_back({QString::fromStdString(route.task), colours.at(route.task),
                       percent(route.validationQuality)});
  }
  for (const auto& c : drawn_.candidates)
    if (listed.insert(c.task).second)
      entries.push_back({QString::fromStdString(c.task), colours.at(c.task), tr("training")});
  const QString note =
      hidden_ > 0 ? tr("%n component(s) on no task's route not drawn (layers of children no task "
                       "uses)",
                       nullptr, hidden_)
                  : QString();
  legend_->setEntries(entries, marks_.note.isEmpty() ? note
                               : note.isEmpty()      ? marks_.note
                                                     : note + QLatin1Char('\n') + marks_.note);
  placeLegend();
}

// The legend takes the view's right margin, so it never covers the picture.
void GraphView::placeLegend() {
  const bool show = legend_->count() > 0;
  const int w = show ? std::min(legend_->preferredWidth(), std::max(0, width() * 2 / 5)) : 0;
  setViewportMargins(0, 0, w, 0);
  legend_->setVisible(show && w > 0);
  if (!show) return;
  const QRect r = contentsRect();
  legend_->setGeometry(r.right() + 1 - w, r.top(), w, r.height());
  legend_->raise();
}

void GraphView::setMarks(const GraphMarks& marks) {
  marks_ = marks;
  if (layout_) rebuildScene();
}

void GraphView::setMarkedSnapshot(const GraphSnapshot& snapshot, const GraphMarks& marks) {
  marks_ = marks;
  setSnapshot(snapshot);
}

// Marked components: a bold dark border; marked routes: bold edges, underlined labels.
void GraphView::applyMarks() {
  for (auto* item : scene()->items()) {
    const QString kind = item->data(KindKey).toString();
    const bool component = kind == QLatin1String("component");
    const bool marked = component ? marks_.components.count(item->data(IdKey).toLongLong()) > 0
                        : kind == QLatin1String("edge") || kind == QLatin1String("task")
                            ? marks_.routes.count(item->data(TaskKey).toString()) > 0
                            : false;
    if (!marked) continue;
    item->setData(MarkedKey, true);
    if (auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(item)) {
      QFont font = text->font();
      font.setUnderline(true);
      text->setFont(font);
    } else if (auto* shape = dynamic_cast<QAbstractGraphicsShapeItem*>(item)) {
      QPen pen = shape->pen();
      pen.setWidthF(component ? 3.5 : pen.widthF() * 2.2);
      if (component) pen.setColor(pen.color().darker(160));
      shape->setPen(pen);
    }
  }
}

// The selected child's route, else the highlighted task's, at full strength; the rest dimmed.
void GraphView::applyHighlight() {
  if (selected_) {
    const auto at = SelectedRoute::locate(drawn_.snapshot, drawn_.candidates, selected_->route,
                                          selected_->pathId);
    if (at.found()) {
      applyEmphasis([&](const QGraphicsItem* item, const QString& kind) {
        if (kind == QLatin1String("component"))
          return at.components.count(item->data(IdKey).toLongLong()) > 0;
        if (kind == QLatin1String("input")) return true;
        const int index = item->data(IdKey).toInt();
        return kind.startsWith(QLatin1String("candidate")) ? index == at.candidateIndex
                                                           : index == at.routeIndex;
      });
      return;
    }
  }
  std::set<qint64> members;
  bool any = false;
  for (const auto& route : drawn_.snapshot.routes)
    if (!highlight_.isEmpty() && QString::fromStdString(route.task) == highlight_) {
      members.insert(route.componentIds.begin(), route.componentIds.end());
      any = true;
      break;
    }
  for (const auto& c : drawn_.candidates)
    any = any || (!highlight_.isEmpty() && QString::fromStdString(c.task) == highlight_);
  if (!any) {
    applyEmphasis({});
    return;
  }
  applyEmphasis([&](const QGraphicsItem* item, const QString& kind) {
    if (kind == QLatin1String("component"))
      return members.count(item->data(IdKey).toLongLong()) > 0;
    return kind == QLatin1String("input") || item->data(TaskKey).toString() == highlight_;
  });
}

// Items for which `on` is false are dimmed, edges that are on drawn above the others; a null
// `on` shows everything alike.
void GraphView::applyEmphasis(const std::function<bool(const QGraphicsItem*, const QString&)>& on) {
  for (auto* item : scene()->items()) {
    const QString kind = item->data(KindKey).toString();
    if (kind.isEmpty()) continue;  // children follow their parent's opacity
    const bool shown = !on || on(item, kind);
    item->setOpacity(shown ? 1.0 : kDimmedOpacity);
    if (kind.endsWith(QLatin1String("dge"))) item->setZValue(on && shown ? 0.5 : 0);
  }
}

// Component labels show only when legible at the current zoom; task labels keep a legible size
// on screen (the name only when they had to grow), attached to their layout node.
void GraphView::updateLevelOfDetail() {
  showDetailFor(transform().m11());
}

// Exports draw the scene at its natural size: every label in full, whatever the zoom on screen.
void GraphView::renderScene(QPainter* painter, const QRectF& target) const {
  showDetailFor(1.0);
  scene()->render(painter, target, scene()->sceneRect());
  showDetailFor(transform().m11());
}

void GraphView::showDetailFor(double zoom) const {
  const double scale = std::max(1e-6, zoom);
  for (auto* text : componentTexts_)
    text->setVisible(GraphSceneBuilder::kComponentFontPx * scale >= kMinTextPx);
  const bool small = GraphSceneBuilder::kLabelFontPx * scale < kMinLabelPx;
  for (auto* label : labels_) {
    const double grow = small ? kMinLabelPx / (GraphSceneBuilder::kLabelFontPx * scale) : 1.0;
    QString text = label->data(small ? ShortTextKey : FullTextKey).toString();
    if (const double room = label->data(RoomKey).toDouble(); small && room > 0)
      text = QFontMetricsF(label->font()).elidedText(text, Qt::ElideRight, room / grow);
    label->setText(text);
    const QRectF r = label->boundingRect();
    const QPointF origin = sideways_ ? QPointF(0, r.height() / 2) : r.center();
    label->setTransformOriginPoint(origin);
    label->setPos(label->data(AnchorKey).toPointF() - origin);
    label->setScale(grow);
  }
}

void GraphView::fit() {
  userZoomed_ = false;
  if (scene()->items().isEmpty()) return;
  fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
  // Never blow a small graph up beyond twice its natural size.
  if (transform().m11() > 2.0) setTransform(QTransform::fromScale(2.0, 2.0));
  updateLevelOfDetail();
}

void GraphView::zoomBy(double factor) {
  userZoomed_ = true;
  const double current = transform().m11();
  const double next = std::clamp(current * factor, 0.05, 20.0);
  scale(next / current, next / current);
  updateLevelOfDetail();
}

void GraphView::zoomIn() {
  zoomBy(1.25);
}

void GraphView::zoomOut() {
  zoomBy(0.8);
}

void GraphView::wheelEvent(QWheelEvent* event) {
  // AnchorUnderMouse keeps the scene point under the cursor fixed while scaling.
  zoomBy(std::pow(1.0015, event->angleDelta().y()));
  event->accept();
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  placeLegend();
  if (!layoutMessage_->isHidden()) {
    const int w = std::max(100, viewport()->width() - 16);
    layoutMessage_->setGeometry(8, 8, w, layoutMessage_->heightForWidth(w));
  }
  if (!userZoomed_) fit();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  pressScroll_ = QPoint(horizontalScrollBar()->value(), verticalScrollBar()->value());
  QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
  QGraphicsView::mouseReleaseEvent(event);
  // A drag that moved the picture is a pan, which keeps the user's view; a click is not.
  if (event->button() == Qt::LeftButton &&
      pressScroll_ != QPoint(horizontalScrollBar()->value(), verticalScrollBar()->value()))
    userZoomed_ = true;
}

bool GraphView::exportSvg(const QString& path, QString* error) const {
  const QRectF source = scene()->sceneRect();
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(source.size().toSize());
  svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
  svg.setTitle(tr("μ2Net system graph"));
  QPainter painter;
  if (!painter.begin(&svg)) {
    if (error) *error = tr("cannot write %1").arg(path);
    return false;
  }
  painter.fillRect(QRectF(QPointF(0, 0), source.size()), Qt::white);
  renderScene(&painter, QRectF(QPointF(0, 0), source.size()));
  painter.end();
  return true;
}

bool GraphView::exportPng(const QString& path, QString* error) const {
  const QRectF source = scene()->sceneRect();
  QImage image((source.size() * 2).toSize(), QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  {
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    renderScene(&painter, QRectF(QPointF(0, 0), image.size()));
  }
  if (!image.save(path, "PNG")) {
    if (error) *error = tr("cannot write %1").arg(path);
    return false;
  }
  return true;
}

// Labels drawn in full may reach past the scene rect (long accuracies on the right): the whole
// drawing is taken.
void GraphView::renderTo(QPainter* painter, const QRectF& target) const {
  showDetailFor(1.0);
  const QRectF source = scene()->sceneRect().united(scene()->itemsBoundingRect());
  scene()->render(painter, target, source);
  showDetailFor(transform().m11());
}

bool GraphView::exportDot(const QString& path, QString* error) const {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    if (error) *error = tr("cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  const std::string dot = toDot(shown_.snapshot, shown_.candidates);
  if (file.write(dot.data(), static_cast<qint64>(dot.size())) != static_cast<qint64>(dot.size())) {
    if (error) *error = tr("cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

}  // namespace mu2net::ui
