#include "GraphSceneBuilder.h"

#include <QCoreApplication>
#include <QGraphicsEllipseItem>
#include <QGraphicsPathItem>
#include <QGraphicsPolygonItem>
#include <QGraphicsScene>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <tuple>

#include "Format.h"
#include "GraphView.h"

namespace mu2net::ui {

namespace {

constexpr auto KindKey = GraphView::KindKey;
constexpr auto IdKey = GraphView::IdKey;
constexpr auto TaskKey = GraphView::TaskKey;
constexpr auto FullTextKey = GraphView::FullTextKey;
constexpr auto ShortTextKey = GraphView::ShortTextKey;
constexpr auto AnchorKey = GraphView::AnchorKey;
constexpr auto RoomKey = GraphView::RoomKey;

// The view's translations: the texts drawn are GraphView's.
QString tr(const char* text) {
  return QCoreApplication::translate("mu2net::ui::GraphView", text);
}

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

}  // namespace

GraphSceneBuilder::GraphSceneBuilder(QGraphicsScene* scene, const GraphLayout& layout,
                                     const GraphPicture& picture, const ComponentHashes& hashes,
                                     const QFont& font)
    : scene_(scene), layout_(layout), picture_(picture), hashes_(hashes), font_(font) {
  for (const auto& [task, colour] : taskColours(picture.snapshot, picture.candidates))
    colours_.emplace(task, QColor(QString::fromStdString(colour)));
  sideways_ = isSideways(picture.snapshot, picture.candidates);
  for (const auto& n : picture.snapshot.nodes)
    nodes_.emplace(n.id, &n);
}

void GraphSceneBuilder::build() {
  for (const auto& ln : layout_.nodes)
    addNode(ln);
  addEdges();
  scene_->setSceneRect(layout_.bounds.adjusted(-20, -20, 20, 20));
  if (!sideways_) assignLabelRooms();
}

// Side by side (bottom to top), labels grown for legibility are elided rather than overlap: each
// may take the distance to its nearest neighbour on the same row (two centred labels each no
// wider than the distance between their centres cannot overlap), and twice its distance to the
// edge of the picture.
void GraphSceneBuilder::assignLabelRooms() {
  constexpr double kSameRow = 20;  // scene units between anchors on one row
  constexpr double kGap = 6;
  const QRectF bounds = scene_->sceneRect();
  for (auto* label : labels_) {
    const QPointF a = label->data(AnchorKey).toPointF();
    double room = 2 * std::min(a.x() - bounds.left(), bounds.right() - a.x());
    for (const auto* other : labels_) {
      const QPointF b = other->data(AnchorKey).toPointF();
      if (other != label && std::abs(b.y() - a.y()) < kSameRow)
        room = std::min(room, std::abs(b.x() - a.x()));
    }
    label->setData(RoomKey, std::max(room - kGap, 1.0));
  }
}

void GraphSceneBuilder::addNode(const GraphLayout::Node& ln) {
  const QRectF rect(ln.centre - QPointF(ln.size.width() / 2, ln.size.height() / 2), ln.size);
  const QChar kind = ln.name.isEmpty() ? QChar() : ln.name.front();
  if (ln.name == QLatin1String("input")) {
    auto* item = scene_->addEllipse(rect, QPen(QColor(QString::fromStdString(rootColour())), 1.2),
                                    QBrush(Qt::white));
    item->setData(KindKey, QStringLiteral("input"));
    item->setZValue(1);
    auto* text = new QGraphicsSimpleTextItem(tr("input"), item);
    QFont font = font_;
    font.setPixelSize(kComponentFontPx);
    text->setFont(font);
    centreText(text, ln.centre);
    componentTexts_.push_back(text);
  } else if (kind == QLatin1Char('t')) {
    const int r = indexIn(ln.name, picture_.snapshot.routes.size());
    if (r < 0) return;
    const auto& route = picture_.snapshot.routes[static_cast<std::size_t>(r)];
    QString label = QString::fromStdString(route.task) + QLatin1Char('\n') + tr("val ") +
                    percent(route.validationQuality);
    if (route.testQuality) label += tr(" test ") + percent(*route.testQuality);
    const QString task = QString::fromStdString(route.task);
    addLabel(ln, QStringLiteral("task"), r, task, {label, task}, colourOf(colours_, route.task));
  } else if (kind == QLatin1Char('k')) {
    const int k = indexIn(ln.name, picture_.candidates.size());
    if (k < 0) return;
    const auto& c = picture_.candidates[static_cast<std::size_t>(k)];
    const QString task = QString::fromStdString(c.task);
    const QString child = tr("child %1").arg(c.childIndex + 1);
    // Zoomed out, the short text must fit the label's node: the task shows in its colour (and the
    // tooltip), the dashes say it is training.
    const QString state = k == picture_.selectedCandidate ? tr(" (selected)") : tr(" (training)");
    addLabel(ln, QStringLiteral("candidateTask"), k, task,
             {task + QLatin1Char('\n') + child + state, child}, colourOf(colours_, c.task));
  } else if (kind == QLatin1Char('n')) {
    addCandidateLayer(ln);
  } else if (kind == QLatin1Char('c')) {
    bool ok = false;
    const qint64 id = ln.name.mid(1).toLongLong(&ok);
    if (ok) addComponent(ln, id);
  }
}

void GraphSceneBuilder::addLabel(const GraphLayout::Node& ln, const QString& kind, int index,
                                 const QString& task, const LabelTexts& texts,
                                 const QColor& colour) {
  const QString& full = texts.full;
  QFont bold = font_;
  bold.setPixelSize(kLabelFontPx);
  bold.setBold(true);
  auto* text = scene_->addSimpleText(full, bold);
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

void GraphSceneBuilder::addComponent(const GraphLayout::Node& ln, qint64 id) {
  const QRectF rect(ln.centre - QPointF(ln.size.width() / 2, ln.size.height() / 2), ln.size);
  const auto found = nodes_.find(id);
  const GraphSnapshot::Node* node = found == nodes_.end() ? nullptr : found->second;
  const QColor creator = node ? colourOf(colours_, node->creatorTask) : QColor(0x99, 0x99, 0x99);
  QPainterPath box;
  box.addRoundedRect(rect, 5, 5);
  QPen pen(borderOf(creator), node && !node->trainable ? 1.6 : 1.4);
  if (node && node->trainable) pen.setStyle(Qt::DashLine);
  auto* item = scene_->addPath(box, pen, QBrush(fillOf(creator)));
  item->setData(KindKey, QStringLiteral("component"));
  item->setData(IdKey, id);
  item->setZValue(1);
  const QString slot = node ? QString::fromStdString(node->slot) : tr("(missing)");
  auto* text = new QGraphicsSimpleTextItem(
      slot + QLatin1Char('\n') +
          (node ? formatCount(static_cast<double>(node->paramCount)) : QString()),
      item);
  QFont font = font_;
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
void GraphSceneBuilder::addCandidateLayer(const GraphLayout::Node& ln) {
  const QStringList parts = ln.name.mid(1).split(QLatin1Char('_'));
  if (parts.size() != 2) return;
  const int k = indexIn(QLatin1Char('k') + parts[0], picture_.candidates.size());
  if (k < 0) return;
  const auto& c = picture_.candidates[static_cast<std::size_t>(k)];
  const int l = indexIn(QLatin1Char('l') + parts[1], c.layers.size());
  if (l < 0) return;
  const auto& layer = c.layers[static_cast<std::size_t>(l)];
  const QColor colour = colourOf(colours_, c.task);
  const QRectF rect(ln.centre - QPointF(ln.size.width() / 2, ln.size.height() / 2), ln.size);
  QPainterPath box;
  box.addRoundedRect(rect, 5, 5);
  QPen pen(borderOf(colour), 1.4, Qt::DashLine);
  auto* item = scene_->addPath(box, pen, QBrush(fillOf(colour)));
  item->setData(KindKey, QStringLiteral("candidate"));
  item->setData(IdKey, k);
  item->setData(TaskKey, QString::fromStdString(c.task));
  item->setZValue(1);
  const QString origin = layer.sourceId >= 0 ? tr("clone of %1").arg(layer.sourceId) : tr("new");
  auto* text = new QGraphicsSimpleTextItem(
      QString::fromStdString(layer.slot) + QLatin1Char('\n') + origin, item);
  QFont font = font_;
  font.setPixelSize(kComponentFontPx);
  text->setFont(font);
  centreText(text, ln.centre);
  componentTexts_.push_back(text);
  const bool selected = k == picture_.selectedCandidate;
  item->setToolTip((selected ? tr("%1, child %2 of generation %3 (selected)\n%4: %5")
                             : tr("%1, child %2 of generation %3, in training\n%4: %5"))
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
void GraphSceneBuilder::addEdges() {
  const GraphLayout& layout = layout_;
  std::map<std::tuple<QString, QString, QString, bool>, std::vector<int>> free;
  for (int i = 0; i < layout.edges.size(); ++i) {
    const auto& e = layout.edges[i];
    free[{e.tail, e.head, e.colour.toLower(), e.style == QLatin1String("dashed")}].push_back(i);
  }
  auto draw = [&](const QStringList& chain, const std::string& task, const QString& kind, int index,
                  bool dashed) {
    const QColor colour = colourOf(colours_, task);
    const bool root = task == "root";
    for (int k = 0; k + 1 < chain.size(); ++k) {
      auto& candidates = free[{chain[k], chain[k + 1], colour.name().toLower(), dashed}];
      if (candidates.empty()) continue;
      const auto& e = layout.edges[candidates.back()];
      candidates.pop_back();
      QPen pen(colour, root ? 1.2 : dashed ? 1.6 : 2.0);
      if (root) pen.setStyle(Qt::DotLine);
      if (dashed) pen.setStyle(Qt::DashLine);
      auto* path = scene_->addPath(e.path, pen);
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
  for (std::size_t r = 0; r < picture_.snapshot.routes.size(); ++r) {
    const auto& route = picture_.snapshot.routes[r];
    QStringList chain{QStringLiteral("input")};
    for (auto id : route.componentIds)
      chain << QStringLiteral("c%1").arg(id);
    chain << QStringLiteral("t%1").arg(r);
    draw(chain, route.task, QStringLiteral("edge"), static_cast<int>(r), false);
  }
  for (std::size_t k = 0; k < picture_.candidates.size(); ++k) {
    const auto& c = picture_.candidates[k];
    QStringList chain{QStringLiteral("input")};
    for (std::size_t l = 0; l < c.layers.size(); ++l)
      chain << (c.layers[l].sharedId >= 0 ? QStringLiteral("c%1").arg(c.layers[l].sharedId)
                                          : QStringLiteral("n%1_%2").arg(k).arg(l));
    chain << QStringLiteral("k%1").arg(k);
    draw(chain, c.task, QStringLiteral("candidateEdge"), static_cast<int>(k), true);
  }
}

}  // namespace mu2net::ui
