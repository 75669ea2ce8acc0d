#include "LineageView.h"

#include <QElapsedTimer>
#include <QGraphicsEllipseItem>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "ChildListModel.h"
#include "EngineSignals.h"
#include "GraphLegend.h"
#include "PictureView.h"
#include "Selection.h"
#include "mu2net/evolution/GraphDot.h"
#include "mu2net/evolution/System.h"

namespace mu2net::ui {

namespace {

constexpr double kColumn = 22;  // scene units between leaf columns
constexpr double kRow = 56;     // … between rows (steps of descent)
constexpr double kRadius = 8;
constexpr double kNotKeptOpacity = 0.55;
constexpr double kFadedOpacity = 0.15;  // another task's nodes while a task is selected
constexpr int kBaseOpacityKey = 10;     // item data: the opacity without selection
constexpr int kMinRefreshMs = 200;

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString stateText(LineageNode::State state) {
  switch (state) {
    case LineageNode::State::Training:
      return LineageView::tr("in training");
    case LineageNode::State::Kept:
      return LineageView::tr("kept (improved)");
    case LineageNode::State::NotKept:
      return LineageView::tr("not kept");
    case LineageNode::State::Discarded:
      return LineageView::tr("discarded (the run stopped)");
  }
  return {};
}

QString childName(const LineageNode& n) {
  return LineageView::tr("%1 · gen. %2 · child %3")
      .arg(q(n.task))
      .arg(n.generation)
      .arg(n.childIndex + 1);
}

QString tooltipOf(const LineageNode& n, const ChildListModel::Record& r) {
  QString tip = childName(n) + QLatin1Char('\n') + stateText(n.state);
  if (n.retained) tip += LineageView::tr(", the model of %1").arg(q(n.task));
  if (r.done) tip += LineageView::tr("\nvalidation %1%").arg(100.0 * r.done->quality, 0, 'f', 1);
  if (n.pathId >= 0) tip += LineageView::tr("\npath %1").arg(n.pathId);
  tip += LineageView::tr("\nparent: path %1 of %2")
             .arg(r.started.parentId)
             .arg(q(r.started.parentTask));
  if (n.crossTask) tip += LineageView::tr(" (another task's model)");
  if (!r.started.mutations.empty())
    tip += LineageView::tr("\nmutations: %1").arg(describeMutations(r.started.mutations));
  return tip;
}

QFont pixelFont(const QFont& base, int px, bool bold = false) {
  QFont f = base;
  f.setPixelSize(px);
  f.setBold(bold);
  return f;
}

}  // namespace

LineageView::LineageView(Selection* selection, QWidget* parent)
    : QGraphicsView(parent),
      selection_(selection),
      legend_(new GraphLegend(this)),
      key_(new QLabel(this)) {
  setObjectName(QStringLiteral("lineageView"));
  setUpPictureView(this);
  key_->setTextFormat(Qt::RichText);
  key_->setWordWrap(true);
  key_->setStyleSheet(
      QStringLiteral("QLabel { background: #f7f7f7; color: #333; padding: 3px; "
                     "border-bottom: 1px solid #ccc; }"));
  key_->setText(
      tr("<b>●</b> kept &nbsp; <span style='color:#888'>○</span> not kept &nbsp; "
         "<span style='color:#888'>◌</span> training &nbsp; <b>★</b> a task's model &nbsp; "
         "<b>- - -</b> parent of another task &nbsp; <span style='color:#888'>·····</span> from "
         "the root &nbsp; <span style='color:#888'>(click a child to select it)</span>"));
  legend_->hide();
  connect(legend_, &GraphLegend::taskClicked, this, [this](const QString& task) {
    if (task != QLatin1String(System::kRootTask))
      selection_->setTask(selection_->task() == task ? QString() : task);
  });

  refreshTimer_.setSingleShot(true);
  refreshTimer_.setInterval(kMinRefreshMs);
  connect(&refreshTimer_, &QTimer::timeout, this, &LineageView::refresh);
  const ChildListModel* children = selection_->children();
  connect(children, &QAbstractItemModel::rowsInserted, this, &LineageView::scheduleRefresh);
  connect(children, &QAbstractItemModel::dataChanged, this, &LineageView::scheduleRefresh);
  connect(children, &QAbstractItemModel::modelReset, this, &LineageView::scheduleRefresh);
  connect(selection_, &Selection::childChanged, this, &LineageView::applySelection);
  connect(selection_, &Selection::taskChanged, this, &LineageView::applySelection);
  refresh();
}

void LineageView::follow(const EngineSignals* events) {
  connect(events, &EngineSignals::runStarted, this,
          [this](const RunStartedEvent& e) { setSnapshot(e.graph); });
  connect(events, &EngineSignals::taskIterationEnded, this,
          [this](const TaskIterationEndedEvent& e) { setSnapshot(e.graph); });
  connect(events, &EngineSignals::runFinished, this,
          [this](const RunFinishedEvent& e) { setSnapshot(e.graph); });
}

void LineageView::setSnapshot(const GraphSnapshot& snapshot) {
  snapshot_ = snapshot;
  scheduleRefresh();
}

void LineageView::clear() {
  snapshot_ = {};
  userZoomed_ = false;
  refresh();
}

void LineageView::scheduleRefresh() {
  if (!refreshTimer_.isActive()) refreshTimer_.start();
}

QGraphicsItem* LineageView::itemOfNode(int node) const {
  return node >= 0 && static_cast<std::size_t>(node) < nodeItems_.size()
             ? nodeItems_[static_cast<std::size_t>(node)]
             : nullptr;
}

QColor LineageView::colourOf(const std::string& task) const {
  const auto it = colours_.find(task);
  return it == colours_.end() ? QColor(0x99, 0x99, 0x99) : it->second;
}

// The graph's colours (mu2net::taskColours): its routes' tasks first, then the tasks of children
// not on a route yet, in the order they appear.
void LineageView::updateColours() {
  std::vector<CandidateRoute> others;
  for (const auto& n : lineage_.nodes())
    if (n.kind != LineageNode::Kind::Root) others.push_back({n.task, 0, 0, {}});
  colours_.clear();
  taskOrder_.clear();
  for (const auto& [task, colour] : taskColours(snapshot_, others))
    colours_.emplace(task, QColor(q(colour)));
  // The legend's order: the routes', then the others' (as taskColours numbers them).
  std::set<std::string> listed;
  auto list = [&](const std::string& task) {
    if (colours_.count(task) && listed.insert(task).second) taskOrder_.push_back(task);
  };
  list(System::kRootTask);
  for (const auto& r : snapshot_.routes)
    list(r.task);
  for (const auto& c : others)
    list(c.task);
}

void LineageView::refresh() {
  refreshTimer_.stop();
  QElapsedTimer took;
  took.start();
  std::set<qint64> retained;
  for (const auto& r : snapshot_.routes)
    if (r.task != System::kRootTask) retained.insert(r.pathId);
  lineage_ = Lineage::build(*selection_->children(), retained);
  updateColours();
  scene()->clear();
  selectedLabel_ = nullptr;
  selectedNode_ = -1;
  nodeItems_.assign(lineage_.nodes().size(), nullptr);
  edgeItems_.assign(lineage_.nodes().size(), nullptr);
  std::vector<QPointF> at = lineage_.layout();
  for (auto& p : at)
    p = QPointF(p.x() * kColumn, p.y() * kRow);
  drawEdges(at);
  drawNodes(at);
  scene()->setSceneRect(scene()->itemsBoundingRect().adjusted(-30, -30, 30, 30));
  updateLegend();
  applySelection();
  if (!userZoomed_) fit();
  // Redraws take at most a fifth of the time while children keep changing (a large store).
  refreshTimer_.setInterval(std::clamp(static_cast<int>(5 * took.elapsed()), kMinRefreshMs, 2000));
}

void LineageView::drawEdges(const std::vector<QPointF>& at) {
  for (std::size_t i = 1; i < lineage_.nodes().size(); ++i) {
    const LineageNode& n = lineage_.nodes()[i];
    const QPointF from = at[static_cast<std::size_t>(n.parent)] + QPointF(0, kRadius);
    const QPointF to = at[i] - QPointF(0, kRadius);
    const double bend = (to.y() - from.y()) / 2;
    QPainterPath path(from);
    path.cubicTo(from + QPointF(0, bend), to - QPointF(0, bend), to);
    const bool fromRoot = n.parent == Lineage::kRoot;
    QPen pen(fromRoot ? QColor(0x99, 0x99, 0x99) : colourOf(n.task), fromRoot ? 1.0 : 1.4);
    if (fromRoot) pen.setStyle(Qt::DotLine);
    if (n.crossTask) {
      pen.setColor(QColor(0x66, 0x66, 0x66));
      pen.setStyle(Qt::DashLine);
    }
    auto* item = scene()->addPath(path, pen);
    item->setData(KindKey, QStringLiteral("edge"));
    item->setData(NodeKey, static_cast<int>(i));
    item->setData(CrossKey, n.crossTask);
    item->setData(kBaseOpacityKey, 1.0);
    edgeItems_[i] = item;
  }
}

void LineageView::drawNodes(const std::vector<QPointF>& at) {
  for (std::size_t i = 0; i < lineage_.nodes().size(); ++i)
    nodeItems_[i] = drawNode(static_cast<int>(i), at[i]);
}

QGraphicsItem* LineageView::drawNode(int index, QPointF c) {
  const LineageNode& n = lineage_.node(index);
  QAbstractGraphicsShapeItem* item = nullptr;
  if (n.kind == LineageNode::Kind::Root) {
    QPainterPath box;
    box.addRoundedRect(QRectF(c - QPointF(22, 11), QSizeF(44, 22)), 5, 5);
    item = scene()->addPath(box, QPen(QColor(0x55, 0x55, 0x55), 1.4), QColor(0xdd, 0xdd, 0xdd));
    addCentredText(item, tr("root"), c);
    item->setToolTip(tr("the root model: every lineage starts here"));
    item->setData(kBaseOpacityKey, 1.0);
  } else {
    item = drawDisc(n, c);
  }
  item->setData(KindKey, n.kind == LineageNode::Kind::Root            ? QStringLiteral("root")
                         : n.kind == LineageNode::Kind::MissingParent ? QStringLiteral("missing")
                                                                      : QStringLiteral("node"));
  item->setData(NodeKey, index);
  item->setData(RowKey, n.row);
  item->setZValue(1);
  return item;
}

// A child (or a missing parent): a disc styled by its state; a task's model ringed and starred.
QAbstractGraphicsShapeItem* LineageView::drawDisc(const LineageNode& n, QPointF c) {
  const QRectF r(c - QPointF(kRadius, kRadius), QSizeF(2 * kRadius, 2 * kRadius));
  auto* disc = scene()->addEllipse(r);
  const DiscStyle style = discStyle(n);
  disc->setPen(style.pen);
  disc->setBrush(style.brush);
  disc->setOpacity(style.opacity);
  disc->setData(kBaseOpacityKey, style.opacity);
  if (n.kind == LineageNode::Kind::MissingParent) {
    addCentredText(disc, QStringLiteral("?"), c);
    disc->setToolTip(tr("path %1 of %2: not in the children list").arg(n.pathId).arg(q(n.task)));
  } else {
    disc->setToolTip(tooltipOf(n, selection_->children()->record(n.row)));
  }
  if (n.retained) {
    auto* ring = new QGraphicsEllipseItem(r.adjusted(-3.5, -3.5, 3.5, 3.5), disc);
    ring->setPen(QPen(QColor(0x22, 0x22, 0x22), 2.4));
    auto* star = new QGraphicsSimpleTextItem(QStringLiteral("★"), disc);
    star->setFont(pixelFont(font(), 13, true));
    star->setBrush(QColor(0x22, 0x22, 0x22));
    star->setPos(c + QPointF(kRadius, -kRadius - 12));
  }
  return disc;
}

LineageView::DiscStyle LineageView::discStyle(const LineageNode& n) const {
  const QColor colour = colourOf(n.task);
  if (n.kind == LineageNode::Kind::MissingParent)
    return {QPen(QColor(0x77, 0x77, 0x77), 1.4, Qt::DashLine), Qt::white, 1.0};
  switch (n.state) {
    case LineageNode::State::Kept:
      break;
    case LineageNode::State::NotKept:
      return {QPen(colour, 1.8), Qt::white, kNotKeptOpacity};
    case LineageNode::State::Training:
      return {QPen(colour.darker(120), 1.8, Qt::DashLine), colour.lighter(160), 1.0};
    case LineageNode::State::Discarded:
      return {QPen(QColor(0x99, 0x99, 0x99), 1.4, Qt::DotLine), Qt::white, kNotKeptOpacity};
  }
  return {QPen(colour.darker(140), 1.4), colour, 1.0};
}

void LineageView::addCentredText(QGraphicsItem* parent, const QString& text, QPointF c) const {
  auto* item = new QGraphicsSimpleTextItem(text, parent);
  item->setFont(pixelFont(font(), 11, true));
  item->setPos(c - item->boundingRect().center());
}

void LineageView::updateLegend() {
  std::map<std::string, int> counts;
  for (const auto& n : lineage_.nodes())
    if (n.kind == LineageNode::Kind::Child) ++counts[n.task];
  QVector<GraphLegend::Entry> entries;
  for (const auto& task : taskOrder_)
    if (task == System::kRootTask || counts.count(task))
      entries.push_back({q(task), colourOf(task),
                         task == System::kRootTask ? QString()
                         : counts[task] == 1       ? tr("1 child")
                                                   : tr("%1 children").arg(counts[task])});
  legend_->setEntries(entries.size() > 1 ? entries : QVector<GraphLegend::Entry>{});
  placeOverlays();
}

// The key takes the top margin, the legend the right one: neither covers the picture.
void LineageView::placeOverlays() {
  const bool legend = legend_->count() > 0;
  const int w = legend ? std::min(legend_->preferredWidth(), std::max(0, width() * 2 / 5)) : 0;
  const QRect r = contentsRect();
  const int keyHeight = key_->heightForWidth(r.width());
  setViewportMargins(0, keyHeight, w, 0);
  key_->setGeometry(r.left(), r.top(), r.width(), keyHeight);
  key_->raise();
  legend_->setVisible(legend && w > 0);
  if (!legend) return;
  legend_->setGeometry(r.right() + 1 - w, r.top() + keyHeight, w, r.height() - keyHeight);
  legend_->raise();
}

// The selected child ringed and labelled, the edges from it up to the root bold; with a task
// selected, the other tasks' nodes faded (the selected child's ancestors excepted).
void LineageView::applySelection() {
  delete selectedLabel_;
  selectedLabel_ = nullptr;
  const int row = selection_->childRow();
  // A child newer than the picture (its redraw still coalescing) is drawn now.
  if (row >= lineage_.childCount()) return refresh();
  selectedNode_ = row >= 0 ? Lineage::nodeOfRow(row) : -1;
  std::set<int> chain;
  if (selectedNode_ >= 0) {
    chain.insert(selectedNode_);
    for (int a : lineage_.ancestors(selectedNode_))
      chain.insert(a);
  }
  const std::string task = selection_->task().toStdString();
  for (std::size_t i = 0; i < nodeItems_.size(); ++i) {
    const LineageNode& n = lineage_.nodes()[i];
    const bool faded = !task.empty() && n.task != task && n.kind != LineageNode::Kind::Root &&
                       chain.count(static_cast<int>(i)) == 0;
    for (QGraphicsItem* item : {nodeItems_[i], edgeItems_[i]}) {
      if (!item) continue;
      const double base = item->data(kBaseOpacityKey).toDouble();
      item->setOpacity(faded ? kFadedOpacity : base);
    }
    if (auto* edge = static_cast<QGraphicsPathItem*>(edgeItems_[i])) {
      QPen pen = edge->pen();
      const bool onChain = chain.count(static_cast<int>(i)) > 0;
      pen.setWidthF(onChain ? 3.4 : n.parent == Lineage::kRoot ? 1.0 : 1.4);
      edge->setPen(pen);
      edge->setZValue(onChain ? 0.5 : 0);
    }
  }
  if (selectedNode_ >= 0) labelSelected(selectedNode_);
}

void LineageView::labelSelected(int node) {
  QGraphicsItem* item = itemOfNode(node);
  if (!item) return;
  item->setOpacity(1.0);
  const QPointF c = item->sceneBoundingRect().center();
  auto* ring = scene()->addEllipse(QRectF(c - QPointF(14, 14), QSizeF(28, 28)),
                                   QPen(QColor(0xff, 0x6f, 0x00), 3.2));
  ring->setZValue(3);
  // The label keeps its size on screen, whatever the zoom.
  auto* text = new QGraphicsSimpleTextItem(childName(lineage_.node(node)));
  text->setFont(pixelFont(font(), 12, true));
  const QRectF box = text->boundingRect().adjusted(-4, -2, 4, 2);
  auto* back = new QGraphicsRectItem(box, ring);
  back->setBrush(QColor(255, 255, 255, 235));
  back->setPen(QPen(QColor(0xff, 0x6f, 0x00), 1));
  back->setFlag(QGraphicsItem::ItemIgnoresTransformations);
  text->setParentItem(back);
  back->setPos(c + QPointF(16, 0));
  back->setTransform(QTransform::fromTranslate(0, -box.height() / 2));
  selectedLabel_ = ring;
  ensureVisible(ring->sceneBoundingRect(), 60, 30);
}

void LineageView::fit() {
  userZoomed_ = false;
  if (lineage_.nodes().empty()) return;
  fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
  if (transform().m11() > 1.6) setTransform(QTransform::fromScale(1.6, 1.6));
}

int LineageView::nodeAt(QPoint viewportPos) const {
  for (QGraphicsItem* item : items(viewportPos)) {
    while (item->parentItem())
      item = item->parentItem();
    const QString kind = item->data(KindKey).toString();
    if (kind == QLatin1String("node") || kind == QLatin1String("root") ||
        kind == QLatin1String("missing"))
      return item->data(NodeKey).toInt();
  }
  return -1;
}

void LineageView::wheelEvent(QWheelEvent* event) {
  userZoomed_ = true;
  const double current = transform().m11();
  const double next = std::clamp(current * std::pow(1.0015, event->angleDelta().y()), 0.05, 8.0);
  scale(next / current, next / current);
  event->accept();
}

void LineageView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  placeOverlays();
  if (!userZoomed_) fit();
}

void LineageView::mousePressEvent(QMouseEvent* event) {
  pressScroll_ = QPoint(horizontalScrollBar()->value(), verticalScrollBar()->value());
  pressPos_ = event->position().toPoint();
  QGraphicsView::mousePressEvent(event);
}

// A click (no pan) selects the child under the cursor, or clears the selected child.
void LineageView::mouseReleaseEvent(QMouseEvent* event) {
  QGraphicsView::mouseReleaseEvent(event);
  if (event->button() != Qt::LeftButton) return;
  const QPoint scroll(horizontalScrollBar()->value(), verticalScrollBar()->value());
  if (scroll != pressScroll_) {
    userZoomed_ = true;
    return;
  }
  if ((event->position().toPoint() - pressPos_).manhattanLength() > 4) return;
  const int node = nodeAt(event->position().toPoint());
  const int row = node >= 0 ? lineage_.node(node).row : -1;
  if (row >= 0)
    selection_->setChildRow(row);
  else
    selection_->clearChild();
}

void LineageView::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Up && selection_->parentRow() >= 0)
    selection_->setChildRow(selection_->parentRow());
  else if (event->key() == Qt::Key_Escape && selection_->child())
    selection_->clearChild();
  else
    QGraphicsView::keyPressEvent(event);
}

}  // namespace mu2net::ui
