#include "GraphView.h"

#include <QFile>
#include <QGraphicsEllipseItem>
#include <QGraphicsPathItem>
#include <QGraphicsPolygonItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QImage>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "EngineSignals.h"
#include "Format.h"
#include "GraphLayoutProcess.h"
#include "GraphLegend.h"
#include "mu2net/evolution/GraphDot.h"

namespace mu2net::ui {

namespace {

constexpr double kDimmedOpacity = 0.15;
constexpr int kComponentFontPx = 11;  // scene units: pixels at zoom 1
constexpr int kLabelFontPx = 12;
constexpr double kMinTextPx = 9;    // component labels smaller than this on screen are hidden
constexpr double kMinLabelPx = 11;  // task labels never get smaller than this on screen

QString percent(double q) {
  return QString::number(100.0 * q, 'f', 1) + QLatin1Char('%');
}

QColor colourOf(const std::map<std::string, QColor>& colours, const std::string& task) {
  const auto it = colours.find(task);
  return it == colours.end() ? QColor(0x99, 0x99, 0x99) : it->second;
}

QColor fillOf(const QColor& colour) {
  return QColor(QString::fromStdString(componentFillColour(colour.name().toStdString())));
}

QColor borderOf(const QColor& colour) {
  return QColor(QString::fromStdString(componentBorderColour(colour.name().toStdString())));
}

// Centres a text item on `centre` in the coordinates of its parent.
void centreText(QGraphicsSimpleTextItem* text, QPointF centre) {
  const QRectF r = text->boundingRect();
  text->setPos(centre - QPointF(r.width() / 2, r.height() / 2));
}

// The index in a layout node name such as "t3" or "k0" (-1 if not a number below `size`).
int indexIn(const QString& name, std::size_t size) {
  bool ok = false;
  const int i = name.mid(1).toInt(&ok);
  return ok && i >= 0 && static_cast<std::size_t>(i) < size ? i : -1;
}

CandidateRoute candidateOf(const ChildStartedEvent& e) {
  CandidateRoute c{e.task, e.generation, e.childIndex, {}};
  for (const auto& s : e.slots) {
    CandidateRoute::Layer layer{s.slot, -1, s.sourceComponentId};
    if (s.kind == SlotOrigin::Kind::Shared)
      layer.sharedId = s.componentId >= 0 ? s.componentId : s.sourceComponentId;
    c.layers.push_back(layer);
  }
  return c;
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
  setScene(new QGraphicsScene(this));
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  // Dragging pans and the wheel zooms; scroll bars would only flicker in and out at each fit.
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setResizeAnchor(QGraphicsView::AnchorViewCenter);
  setBackgroundBrush(Qt::white);
  connect(legend_, &GraphLegend::taskClicked, this, [this](const QString& task) {
    setHighlightedTask(highlight_ == task ? QString() : task);
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

void GraphView::clearCandidates() {
  if (candidates_.empty()) return;
  candidates_.clear();
  refresh();
}

// Draws latest_ and candidates_: restyles the picture when the topology is the one laid out,
// else asks for a new layout (the picture stays until it is ready).
void GraphView::refresh() {
  shown_ = {routedPart(latest_, candidates_, &hidden_), candidates_};
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
  std::map<std::string, QColor> colours;
  for (const auto& [task, colour] : taskColours(drawn_.snapshot, drawn_.candidates))
    colours.emplace(task, QColor(QString::fromStdString(colour)));
  sideways_ = isSideways(drawn_.snapshot, drawn_.candidates);
  for (const auto& ln : layout_->nodes)
    addNode(ln, colours);
  addEdges(colours);
  scene()->setSceneRect(layout_->bounds.adjusted(-20, -20, 20, 20));
  updateLegend(colours);
  applyHighlight();
  updateLevelOfDetail();
}

void GraphView::addNode(const GraphLayout::Node& ln, const std::map<std::string, QColor>& colours) {
  const QRectF rect(ln.centre - QPointF(ln.size.width() / 2, ln.size.height() / 2), ln.size);
  const QChar kind = ln.name.isEmpty() ? QChar() : ln.name.front();
  if (ln.name == QLatin1String("input")) {
    auto* item = scene()->addEllipse(rect, QPen(QColor(QString::fromStdString(rootColour())), 1.2),
                                     QBrush(Qt::white));
    item->setData(KindKey, QStringLiteral("input"));
    item->setZValue(1);
    auto* text = new QGraphicsSimpleTextItem(tr("input"), item);
    QFont font = this->font();
    font.setPixelSize(kComponentFontPx);
    text->setFont(font);
    centreText(text, ln.centre);
    componentTexts_.push_back(text);
  } else if (kind == QLatin1Char('t')) {
    const int r = indexIn(ln.name, drawn_.snapshot.routes.size());
    if (r < 0) return;
    const auto& route = drawn_.snapshot.routes[static_cast<std::size_t>(r)];
    QString label = QString::fromStdString(route.task) + QLatin1Char('\n') + tr("val ") +
                    percent(route.validationQuality);
    if (route.testQuality) label += tr(" test ") + percent(*route.testQuality);
    const QString task = QString::fromStdString(route.task);
    addLabel(ln, QStringLiteral("task"), r, task, {label, task}, colourOf(colours, route.task));
  } else if (kind == QLatin1Char('k')) {
    const int k = indexIn(ln.name, drawn_.candidates.size());
    if (k < 0) return;
    const auto& c = drawn_.candidates[static_cast<std::size_t>(k)];
    const QString task = QString::fromStdString(c.task);
    const QString child = tr("child %1 (training)").arg(c.childIndex + 1);
    addLabel(ln, QStringLiteral("candidateTask"), k, task,
             {task + QLatin1Char('\n') + child, task + QLatin1Char(' ') + child},
             colourOf(colours, c.task));
  } else if (kind == QLatin1Char('n')) {
    addCandidateLayer(ln, colours);
  } else if (kind == QLatin1Char('c')) {
    bool ok = false;
    const qint64 id = ln.name.mid(1).toLongLong(&ok);
    if (ok) addComponent(ln, id, colours);
  }
}

void GraphView::addLabel(const GraphLayout::Node& ln, const QString& kind, int index,
                         const QString& task, const LabelTexts& texts, const QColor& colour) {
  const QString& full = texts.full;
  QFont bold = font();
  bold.setPixelSize(kLabelFontPx);
  bold.setBold(true);
  auto* text = scene()->addSimpleText(full, bold);
  text->setBrush(colour);
  text->setData(KindKey, kind);
  text->setData(IdKey, index);
  text->setData(TaskKey, task);
  text->setData(FullTextKey, full);
  text->setData(ShortTextKey, texts.brief);
  // Sideways, labels sit right of their route's head: anchored at their left edge they can grow
  // into the free space on the right without covering the head.
  text->setData(AnchorKey, sideways_ ? ln.centre - QPointF(ln.size.width() / 2, 0) : ln.centre);
  text->setToolTip(full);
  text->setZValue(2);
  labels_.push_back(text);
}

void GraphView::addComponent(const GraphLayout::Node& ln, qint64 id,
                             const std::map<std::string, QColor>& colours) {
  const QRectF rect(ln.centre - QPointF(ln.size.width() / 2, ln.size.height() / 2), ln.size);
  const GraphSnapshot::Node* node = nullptr;
  for (const auto& n : drawn_.snapshot.nodes)
    if (n.id == id) node = &n;
  const QColor creator = node ? colourOf(colours, node->creatorTask) : QColor(0x99, 0x99, 0x99);
  QPainterPath box;
  box.addRoundedRect(rect, 5, 5);
  QPen pen(borderOf(creator), node && !node->trainable ? 1.6 : 1.4);
  if (node && node->trainable) pen.setStyle(Qt::DashLine);
  auto* item = scene()->addPath(box, pen, QBrush(fillOf(creator)));
  item->setData(KindKey, QStringLiteral("component"));
  item->setData(IdKey, id);
  item->setZValue(1);
  const QString slot = node ? QString::fromStdString(node->slot) : tr("(missing)");
  auto* text = new QGraphicsSimpleTextItem(
      slot + QLatin1Char('\n') +
          (node ? formatCount(static_cast<double>(node->paramCount)) : QString()),
      item);
  QFont font = this->font();
  font.setPixelSize(kComponentFontPx);
  text->setFont(font);
  centreText(text, ln.centre);
  componentTexts_.push_back(text);
  if (!node) {
    item->setToolTip(tr("component %1: not in the snapshot").arg(id));
    return;
  }
  QStringList locks;
  for (const auto& l : node->locks)
    locks << QString::fromStdString(l);
  QString tip = tr("component %1 (%2)\ncreated by %3 in generation %4\nparameters: %5\n")
                    .arg(id)
                    .arg(slot, QString::fromStdString(node->creatorTask))
                    .arg(node->generation)
                    .arg(QLocale().toString(static_cast<qlonglong>(node->paramCount)));
  tip += node->trainable ? tr("trainable (no task has locked it)")
                         : tr("frozen, used by: %1").arg(locks.join(QStringLiteral(", ")));
  if (!node->sha256.empty())
    tip += tr("\nSHA-256: %1…").arg(QString::fromStdString(node->sha256.substr(0, 12)));
  else if (const auto h = hashes_.find(id); h != hashes_.end())
    tip += tr("\nSHA-256: %1…").arg(h->left(12));
  item->setToolTip(tip);
}

// A layer of its own of a child in training, layout node "n<candidate>_<layer>".
void GraphView::addCandidateLayer(const GraphLayout::Node& ln,
                                  const std::map<std::string, QColor>& colours) {
  const QStringList parts = ln.name.mid(1).split(QLatin1Char('_'));
  if (parts.size() != 2) return;
  const int k = indexIn(QLatin1Char('k') + parts[0], drawn_.candidates.size());
  if (k < 0) return;
  const auto& c = drawn_.candidates[static_cast<std::size_t>(k)];
  const int l = indexIn(QLatin1Char('l') + parts[1], c.layers.size());
  if (l < 0) return;
  const auto& layer = c.layers[static_cast<std::size_t>(l)];
  const QColor colour = colourOf(colours, c.task);
  const QRectF rect(ln.centre - QPointF(ln.size.width() / 2, ln.size.height() / 2), ln.size);
  QPainterPath box;
  box.addRoundedRect(rect, 5, 5);
  QPen pen(borderOf(colour), 1.4, Qt::DashLine);
  auto* item = scene()->addPath(box, pen, QBrush(fillOf(colour)));
  item->setData(KindKey, QStringLiteral("candidate"));
  item->setData(IdKey, k);
  item->setData(TaskKey, QString::fromStdString(c.task));
  item->setZValue(1);
  const QString origin = layer.sourceId >= 0 ? tr("clone of %1").arg(layer.sourceId) : tr("new");
  auto* text = new QGraphicsSimpleTextItem(
      QString::fromStdString(layer.slot) + QLatin1Char('\n') + origin, item);
  QFont font = this->font();
  font.setPixelSize(kComponentFontPx);
  text->setFont(font);
  centreText(text, ln.centre);
  componentTexts_.push_back(text);
  item->setToolTip(tr("%1, child %2 of generation %3, in training\n%4: %5")
                       .arg(QString::fromStdString(c.task))
                       .arg(c.childIndex + 1)
                       .arg(c.generation)
                       .arg(QString::fromStdString(layer.slot),
                            layer.sourceId >= 0
                                ? tr("a trainable copy of component %1").arg(layer.sourceId)
                                : tr("newly initialised")));
}

// Edges: each route is the chain input → components → task label, in its colour; each child in
// training the chain input → its layers → its label, dashed. Graphviz keeps one edge per chain
// link, so every link takes its own spline (several routes through the same pair of components
// run side by side).
void GraphView::addEdges(const std::map<std::string, QColor>& colours) {
  const GraphLayout& layout = *layout_;
  std::map<std::tuple<QString, QString, QString, bool>, std::vector<int>> free;
  for (int i = 0; i < layout.edges.size(); ++i) {
    const auto& e = layout.edges[i];
    free[{e.tail, e.head, e.colour.toLower(), e.style == QLatin1String("dashed")}].push_back(i);
  }
  auto draw = [&](const QStringList& chain, const std::string& task, const QString& kind, int index,
                  bool dashed) {
    const QColor colour = colourOf(colours, task);
    const bool root = task == "root";
    for (int k = 0; k + 1 < chain.size(); ++k) {
      auto& candidates = free[{chain[k], chain[k + 1], colour.name().toLower(), dashed}];
      if (candidates.empty()) continue;
      const auto& e = layout.edges[candidates.back()];
      candidates.pop_back();
      QPen pen(colour, root ? 1.2 : dashed ? 1.6 : 2.0);
      if (root) pen.setStyle(Qt::DotLine);
      if (dashed) pen.setStyle(Qt::DashLine);
      auto* path = scene()->addPath(e.path, pen);
      path->setData(KindKey, kind);
      path->setData(IdKey, index);
      path->setData(TaskKey, QString::fromStdString(task));
      if (!e.arrowFrom || !e.arrowTo) continue;
      const QLineF line(*e.arrowFrom, *e.arrowTo);
      const QLineF normal = line.normalVector().unitVector();
      const QPointF side(normal.dx() * 3.5, normal.dy() * 3.5);
      auto* arrow = new QGraphicsPolygonItem(
          QPolygonF{*e.arrowTo, *e.arrowFrom + side, *e.arrowFrom - side}, path);
      arrow->setPen(Qt::NoPen);
      arrow->setBrush(colour);
    }
  };
  for (std::size_t r = 0; r < drawn_.snapshot.routes.size(); ++r) {
    const auto& route = drawn_.snapshot.routes[r];
    QStringList chain{QStringLiteral("input")};
    for (auto id : route.componentIds)
      chain << QStringLiteral("c%1").arg(id);
    chain << QStringLiteral("t%1").arg(r);
    draw(chain, route.task, QStringLiteral("edge"), static_cast<int>(r), false);
  }
  for (std::size_t k = 0; k < drawn_.candidates.size(); ++k) {
    const auto& c = drawn_.candidates[k];
    QStringList chain{QStringLiteral("input")};
    for (std::size_t l = 0; l < c.layers.size(); ++l)
      chain << (c.layers[l].sharedId >= 0 ? QStringLiteral("c%1").arg(c.layers[l].sharedId)
                                          : QStringLiteral("n%1_%2").arg(k).arg(l));
    chain << QStringLiteral("k%1").arg(k);
    draw(chain, c.task, QStringLiteral("candidateEdge"), static_cast<int>(k), true);
  }
}

void GraphView::updateLegend(const std::map<std::string, QColor>& colours) {
  QVector<GraphLegend::Entry> entries;
  std::set<std::string> listed;
  for (const auto& route : drawn_.snapshot.routes) {
    if (!listed.insert(route.task).second) continue;
    entries.push_back({QString::fromStdString(route.task), colourOf(colours, route.task),
                       percent(route.validationQuality)});
  }
  for (const auto& c : drawn_.candidates)
    if (listed.insert(c.task).second)
      entries.push_back(
          {QString::fromStdString(c.task), colourOf(colours, c.task), tr("training")});
  const QString note =
      hidden_ > 0 ? tr("%n component(s) on no task's route not drawn (layers of children no task "
                       "uses)",
                       nullptr, hidden_)
                  : QString();
  legend_->setEntries(entries, note);
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

void GraphView::applyHighlight() {
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
  for (auto* item : scene()->items()) {
    const QString kind = item->data(KindKey).toString();
    if (kind.isEmpty()) continue;  // children follow their parent's opacity
    bool on = true;
    if (any) {
      if (kind == QLatin1String("component"))
        on = members.count(item->data(IdKey).toLongLong()) > 0;
      else if (kind != QLatin1String("input"))
        on = item->data(TaskKey).toString() == highlight_;
    }
    item->setOpacity(on ? 1.0 : kDimmedOpacity);
    if (kind.endsWith(QLatin1String("dge"))) item->setZValue(any && on ? 0.5 : 0);
  }
}

// Component labels show only when legible at the current zoom; task labels keep a legible size
// on screen (the name only when they had to grow), attached to their layout node.
void GraphView::updateLevelOfDetail() {
  const double scale = std::max(1e-6, transform().m11());
  for (auto* text : componentTexts_)
    text->setVisible(kComponentFontPx * scale >= kMinTextPx);
  const bool small = kLabelFontPx * scale < kMinLabelPx;
  for (auto* label : labels_) {
    label->setText(label->data(small ? ShortTextKey : FullTextKey).toString());
    const QRectF r = label->boundingRect();
    const QPointF origin = sideways_ ? QPointF(0, r.height() / 2) : r.center();
    label->setTransformOriginPoint(origin);
    label->setPos(label->data(AnchorKey).toPointF() - origin);
    label->setScale(small ? kMinLabelPx / (kLabelFontPx * scale) : 1.0);
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
  scene()->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
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
    scene()->render(&painter, QRectF(QPointF(0, 0), image.size()), source);
  }
  if (!image.save(path, "PNG")) {
    if (error) *error = tr("cannot write %1").arg(path);
    return false;
  }
  return true;
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
