#include "GraphLayout.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <set>

namespace mu2net::ui {

int GraphLayout::nodeIndex(const QString& name) const {
  for (int i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return i;
  return -1;
}

namespace {

std::optional<QPointF> point(const QJsonValue& value, double top) {
  const QJsonArray a = value.toArray();
  if (a.size() != 2) return std::nullopt;
  return QPointF(a[0].toDouble(), top - a[1].toDouble());
}

}  // namespace

std::optional<GraphLayout> parseGraphLayout(const QByteArray& json, QString* error) {
  QJsonParseError parseError{};
  const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
  auto fail = [&](const QString& message) -> std::optional<GraphLayout> {
    if (error) *error = message;
    return std::nullopt;
  };
  if (doc.isNull() || !doc.isObject())
    return fail(
        QStringLiteral("layout helper answered no JSON object (%1)").arg(parseError.errorString()));
  const QJsonObject root = doc.object();
  if (root.contains(QStringLiteral("error")))
    return fail(
        QStringLiteral("layout failed: %1").arg(root.value(QStringLiteral("error")).toString()));
  const QJsonArray bbox = root.value(QStringLiteral("bbox")).toArray();
  if (bbox.size() != 4 || !root.value(QStringLiteral("nodes")).isArray() ||
      !root.value(QStringLiteral("edges")).isArray())
    return fail(QStringLiteral("layout helper answer lacks bbox, nodes or edges"));

  GraphLayout layout;
  const double x0 = bbox[0].toDouble(), y0 = bbox[1].toDouble();
  const double x1 = bbox[2].toDouble(), top = bbox[3].toDouble();
  layout.bounds = QRectF(QPointF(x0, 0), QPointF(x1, top - y0));

  for (const auto& value : root.value(QStringLiteral("nodes")).toArray()) {
    const QJsonObject n = value.toObject();
    GraphLayout::Node node;
    node.name = n.value(QStringLiteral("name")).toString();
    node.label = n.value(QStringLiteral("label")).toString();
    node.centre = QPointF(n.value(QStringLiteral("x")).toDouble(),
                          top - n.value(QStringLiteral("y")).toDouble());
    node.size = QSizeF(n.value(QStringLiteral("width")).toDouble(),
                       n.value(QStringLiteral("height")).toDouble());
    layout.nodes.push_back(node);
  }
  for (const auto& value : root.value(QStringLiteral("edges")).toArray()) {
    const QJsonObject e = value.toObject();
    GraphLayout::Edge edge;
    edge.tail = e.value(QStringLiteral("tail")).toString();
    edge.head = e.value(QStringLiteral("head")).toString();
    const QJsonObject attrs = e.value(QStringLiteral("attrs")).toObject();
    edge.colour = attrs.value(QStringLiteral("color")).toString();
    edge.style = attrs.value(QStringLiteral("style")).toString();
    QVector<QPointF> points;
    for (const auto& p : e.value(QStringLiteral("points")).toArray())
      if (auto q = point(p, top)) points.push_back(*q);
    if (!points.isEmpty()) {
      edge.path.moveTo(points[0]);
      // 1 + 3k control points: cubic pieces; anything left over is drawn as straight lines.
      int i = 1;
      for (; i + 2 < points.size(); i += 3)
        edge.path.cubicTo(points[i], points[i + 1], points[i + 2]);
      for (; i < points.size(); ++i)
        edge.path.lineTo(points[i]);
      if (auto tip = point(e.value(QStringLiteral("arrow_end")), top)) {
        edge.arrowFrom = points.back();
        edge.arrowTo = tip;
      }
    }
    layout.edges.push_back(edge);
  }
  return layout;
}

QString topologyKey(const GraphSnapshot& snapshot, const std::vector<CandidateRoute>& candidates) {
  QStringList parts;
  QStringList ids;
  for (const auto& n : snapshot.nodes)
    ids << QString::number(n.id);
  parts << ids.join(QLatin1Char(','));
  for (const auto& r : snapshot.routes) {
    QStringList chain;
    for (auto id : r.componentIds)
      chain << QString::number(id);
    // The task name is followed by a separator no name can produce unescaped in this position.
    parts << QString::fromStdString(r.task).toUtf8().toHex() + QLatin1Char(':') +
                 chain.join(QLatin1Char(','));
  }
  for (const auto& c : candidates) {
    QStringList layers;
    for (const auto& l : c.layers)
      layers << QStringLiteral("%1/%2").arg(l.sharedId).arg(l.sourceId);
    parts << QStringLiteral("candidate ") + QString::fromStdString(c.task).toUtf8().toHex() +
                 QLatin1Char(':') + layers.join(QLatin1Char(','));
  }
  return parts.join(QLatin1Char(';'));
}

GraphSnapshot routedPart(const GraphSnapshot& snapshot,
                         const std::vector<CandidateRoute>& candidates, int* hidden) {
  std::set<std::int64_t> used;
  for (const auto& r : snapshot.routes)
    used.insert(r.componentIds.begin(), r.componentIds.end());
  for (const auto& c : candidates)
    for (const auto& l : c.layers)
      if (l.sharedId >= 0) used.insert(l.sharedId);
  GraphSnapshot part;
  part.routes = snapshot.routes;
  for (const auto& n : snapshot.nodes)
    if (used.count(n.id) > 0) part.nodes.push_back(n);
  if (hidden) *hidden = static_cast<int>(snapshot.nodes.size() - part.nodes.size());
  return part;
}

}  // namespace mu2net::ui
