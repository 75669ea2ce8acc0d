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
#include <QSvgGenerator>
#include <QWheelEvent>
#include <cmath>
#include <map>
#include <set>

#include "EngineSignals.h"
#include "Format.h"
#include "GraphLayoutProcess.h"
#include "mu2net/evolution/GraphDot.h"

namespace mu2net::ui {

namespace {

const QColor kRootColour(0x55, 0x55, 0x55);
constexpr double kDimmedOpacity = 0.15;

QColor blend(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QString percent(double q) {
  return QString::number(100.0 * q, 'f', 1) + QLatin1Char('%');
}

// Centres a text item on `centre` in the coordinates of its parent.
void centreText(QGraphicsSimpleTextItem* text, QPointF centre) {
  const QRectF r = text->boundingRect();
  text->setPos(centre - QPointF(r.width() / 2, r.height() / 2));
}

}  // namespace

GraphView::GraphView(QWidget* parent)
    : QGraphicsView(parent),
      layouter_(new GraphLayoutProcess(this)),
      layoutMessage_(new QLabel(this)) {
  layoutMessage_->setWordWrap(true);
  layoutMessage_->setTextFormat(Qt::PlainText);
  layoutMessage_->setStyleSheet(QStringLiteral(
      "QLabel { background: #fff3cd; color: #5c4400; border: 1px solid #d6b656; padding: 6px; }"));
  layoutMessage_->hide();
  setScene(new QGraphicsScene(this));
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setResizeAnchor(QGraphicsView::AnchorViewCenter);
  setBackgroundBrush(Qt::white);
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
  connect(events, &EngineSignals::runStarted, this,
          [this](const RunStartedEvent& e) { setSnapshot(e.graph); });
  connect(events, &EngineSignals::taskIterationEnded, this,
          [this](const TaskIterationEndedEvent& e) { setSnapshot(e.graph); });
  connect(events, &EngineSignals::runFinished, this,
          [this](const RunFinishedEvent& e) { setSnapshot(e.graph); });
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
  const int w = std::max(100, width() - 16);
  layoutMessage_->setGeometry(8, 8, w, layoutMessage_->heightForWidth(w));
  layoutMessage_->show();
  layoutMessage_->raise();
}

void GraphView::clear() {
  showLayoutMessage({});
  layouter_->cancel();
  latest_ = {};
  layout_.reset();
  layoutKey_.clear();
  pendingKey_.clear();
  hashes_.clear();
  highlight_.clear();
  userZoomed_ = false;
  scene()->clear();
}

void GraphView::setSnapshot(const GraphSnapshot& snapshot) {
  latest_ = snapshot;
  const QString key = topologyKey(snapshot);
  if (layout_ && key == layoutKey_) {
    // Same topology: a layout for an older topology still running would only be replaced.
    if (!pendingKey_.isEmpty()) {
      layouter_->cancel();
      pendingKey_.clear();
    }
    rebuildScene();
    return;
  }
  if (key == pendingKey_ && layouter_->isBusy()) return;
  pendingKey_ = key;
  layouter_->request(QByteArray::fromStdString(toDot(snapshot)), ++requestId_);
}

void GraphView::onLayoutFinished(const GraphLayout& layout, quint64 requestId) {
  if (requestId != requestId_) return;
  layout_ = layout;
  layoutKey_ = pendingKey_;
  pendingKey_.clear();
  showLayoutMessage({});
  // latest_ has this topology unless a newer snapshot arrived meanwhile, which then has its own
  // layout request running (and requestId would not match).
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
  scene()->clear();
  if (!layout_) return;
  const GraphLayout& layout = *layout_;

  // Colours: one per route (root dark grey, tasks from the DOT palette, in route order), and the
  // creator task's colour for each component.
  std::vector<QColor> routeColours;
  std::map<std::string, QColor> taskColours;
  std::size_t taskIndex = 0;
  for (const auto& route : latest_.routes) {
    const QColor c = route.task == "root"
                         ? kRootColour
                         : QColor(QString::fromStdString(routeColour(taskIndex++)));
    routeColours.push_back(c);
    taskColours.emplace(route.task, c);
  }
  std::map<std::int64_t, const GraphSnapshot::Node*> nodes;
  for (const auto& n : latest_.nodes)
    nodes[n.id] = &n;

  QFont font = this->font();
  font.setPointSizeF(8);
  QFont bold = font;
  bold.setBold(true);

  for (const auto& ln : layout.nodes) {
    const QRectF rect(ln.centre - QPointF(ln.size.width() / 2, ln.size.height() / 2), ln.size);
    if (ln.name == QLatin1String("input")) {
      auto* item = scene()->addEllipse(rect, QPen(kRootColour, 1.2), QBrush(Qt::white));
      item->setData(KindKey, QStringLiteral("input"));
      item->setZValue(1);
      auto* text = new QGraphicsSimpleTextItem(tr("input"), item);
      text->setFont(font);
      centreText(text, ln.centre);
      continue;
    }
    if (ln.name.startsWith(QLatin1Char('t'))) {
      bool ok = false;
      const int r = ln.name.mid(1).toInt(&ok);
      if (!ok || r < 0 || r >= static_cast<int>(latest_.routes.size())) continue;
      const auto& route = latest_.routes[static_cast<std::size_t>(r)];
      QString label = QString::fromStdString(route.task) + QLatin1Char('\n') + tr("val ") +
                      percent(route.validationQuality);
      if (route.testQuality) label += tr(" test ") + percent(*route.testQuality);
      auto* text = scene()->addSimpleText(label, bold);
      text->setBrush(routeColours[static_cast<std::size_t>(r)]);
      centreText(text, ln.centre);
      text->setData(KindKey, QStringLiteral("task"));
      text->setData(IdKey, r);
      text->setZValue(1);
      continue;
    }
    if (!ln.name.startsWith(QLatin1Char('c'))) continue;
    bool ok = false;
    const qint64 id = ln.name.mid(1).toLongLong(&ok);
    if (!ok) continue;
    const auto it = nodes.find(id);
    const GraphSnapshot::Node* node = it == nodes.end() ? nullptr : it->second;
    QColor creator(0x99, 0x99, 0x99);
    bool isRoot = false;
    if (node) {
      isRoot = node->creatorTask == "root";
      if (const auto c = taskColours.find(node->creatorTask); c != taskColours.end())
        creator = c->second;
    }
    QPainterPath box;
    box.addRoundedRect(rect, 5, 5);
    QPen pen(isRoot ? QColor(0x33, 0x33, 0x33) : creator.darker(140),
             node && !node->trainable ? 1.6 : 1.4);
    if (node && node->trainable) pen.setStyle(Qt::DashLine);
    const QColor fill = isRoot ? QColor(0xdd, 0xdd, 0xdd) : blend(creator, Qt::white, 0.55);
    auto* item = scene()->addPath(box, pen, QBrush(fill));
    item->setData(KindKey, QStringLiteral("component"));
    item->setData(IdKey, id);
    item->setZValue(1);
    const QString slot = node ? QString::fromStdString(node->slot) : tr("(missing)");
    auto* text = new QGraphicsSimpleTextItem(
        slot + QLatin1Char('\n') +
            (node ? formatCount(static_cast<double>(node->paramCount)) : QString()),
        item);
    text->setFont(font);
    centreText(text, ln.centre);
    if (node) {
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
    } else {
      item->setToolTip(tr("component %1: not in the snapshot").arg(id));
    }
  }

  // Edges: each route is the chain input → components → task label, in its colour. Graphviz keeps
  // one edge per route and pair, so every chain link takes its own spline (several routes through
  // the same pair of components run side by side).
  std::map<std::tuple<QString, QString, QString>, std::vector<int>> free;
  for (int i = 0; i < layout.edges.size(); ++i) {
    const auto& e = layout.edges[i];
    free[{e.tail, e.head, e.colour.toLower()}].push_back(i);
  }
  for (std::size_t r = 0; r < latest_.routes.size(); ++r) {
    const auto& route = latest_.routes[r];
    const QColor colour = routeColours[r];
    const QString colourName =
        route.task == "root" ? QStringLiteral("#555555") : colour.name().toLower();
    QStringList chain{QStringLiteral("input")};
    for (auto id : route.componentIds)
      chain << QStringLiteral("c%1").arg(id);
    chain << QStringLiteral("t%1").arg(r);
    for (int k = 0; k + 1 < chain.size(); ++k) {
      auto& candidates = free[{chain[k], chain[k + 1], colourName}];
      if (candidates.empty()) continue;
      const auto& e = layout.edges[candidates.back()];
      candidates.pop_back();
      QPen pen(colour, route.task == "root" ? 1.2 : 2.0);
      if (route.task == "root") pen.setStyle(Qt::DotLine);
      auto* path = scene()->addPath(e.path, pen);
      path->setData(KindKey, QStringLiteral("edge"));
      path->setData(IdKey, static_cast<int>(r));
      if (e.arrowFrom && e.arrowTo) {
        const QLineF line(*e.arrowFrom, *e.arrowTo);
        const QLineF normal = line.normalVector().unitVector();
        const QPointF side(normal.dx() * 3.5, normal.dy() * 3.5);
        QPolygonF head{*e.arrowTo, *e.arrowFrom + side, *e.arrowFrom - side};
        auto* arrow = new QGraphicsPolygonItem(head, path);
        arrow->setPen(Qt::NoPen);
        arrow->setBrush(colour);
      }
    }
  }
  scene()->setSceneRect(layout.bounds.adjusted(-20, -20, 20, 20));
  applyHighlight();
}

void GraphView::applyHighlight() {
  int routeIndex = -1;
  std::set<qint64> members;
  for (std::size_t r = 0; r < latest_.routes.size(); ++r) {
    if (!highlight_.isEmpty() && QString::fromStdString(latest_.routes[r].task) == highlight_) {
      routeIndex = static_cast<int>(r);
      members.insert(latest_.routes[r].componentIds.begin(), latest_.routes[r].componentIds.end());
      break;
    }
  }
  for (auto* item : scene()->items()) {
    const QString kind = item->data(KindKey).toString();
    if (kind.isEmpty()) continue;  // children follow their parent's opacity
    bool on = true;
    if (routeIndex >= 0) {
      if (kind == QLatin1String("component"))
        on = members.count(item->data(IdKey).toLongLong()) > 0;
      else if (kind == QLatin1String("edge") || kind == QLatin1String("task"))
        on = item->data(IdKey).toInt() == routeIndex;
    }
    item->setOpacity(on ? 1.0 : kDimmedOpacity);
    if (kind == QLatin1String("edge")) item->setZValue(routeIndex >= 0 && on ? 0.5 : 0);
  }
}

void GraphView::fit() {
  userZoomed_ = false;
  if (scene()->items().isEmpty()) return;
  fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
  // Never blow a small graph up beyond twice its natural size.
  if (transform().m11() > 2.0) setTransform(QTransform::fromScale(2.0, 2.0));
}

void GraphView::zoomBy(double factor) {
  userZoomed_ = true;
  const double current = transform().m11();
  const double next = std::clamp(current * factor, 0.05, 20.0);
  scale(next / current, next / current);
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
  if (!layoutMessage_->isHidden()) {
    const int w = std::max(100, width() - 16);
    layoutMessage_->setGeometry(8, 8, w, layoutMessage_->heightForWidth(w));
  }
  if (!userZoomed_) fit();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) userZoomed_ = true;  // a pan keeps the user's view
  QGraphicsView::mousePressEvent(event);
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
  const std::string dot = toDot(latest_);
  if (file.write(dot.data(), static_cast<qint64>(dot.size())) != static_cast<qint64>(dot.size())) {
    if (error) *error = tr("cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

}  // namespace mu2net::ui
