#pragma once
// A laid-out graph as the mu2net-layout helper describes it (JSON format documented in
// app/layout/GraphvizLayout.h), converted to screen coordinates: Graphviz's Y axis points up
// with the origin at the bottom-left; here Y points down with the origin at the top-left of the
// drawing (y' = bbox.top - y). Units stay points (1/72 inch), one scene unit each.
#include <QByteArray>
#include <QHash>
#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QVector>
#include <optional>

#include "mu2net/evolution/GraphDot.h"
#include "mu2net/evolution/GraphSnapshot.h"

namespace mu2net::ui {

struct GraphLayout {
  struct Node {
    QString name;    ///< DOT node id ("input", "c<component id>", "t<route index>")
    QString label;   ///< displayed text, lines joined by '\n'
    QPointF centre;  ///< screen coordinates
    QSizeF size;
  };
  struct Edge {
    QString tail;
    QString head;
    QString colour;                    ///< the edge's `color` attribute ("" if none)
    QString style;                     ///< the edge's `style` attribute ("" if none)
    QPainterPath path;                 ///< the spline (cubic Bézier pieces), tail to head
    std::optional<QPointF> arrowFrom;  ///< where the arrowhead at the head end starts …
    std::optional<QPointF> arrowTo;    ///< … and its tip
  };
  QRectF bounds;  ///< the whole drawing
  QVector<Node> nodes;
  QVector<Edge> edges;

  /// Index of the node called `name` in `nodes`, or -1.
  int nodeIndex(const QString& name) const;
};

/// Parses the helper's answer (one JSON object). Returns nothing and sets *error when the text is
/// not JSON, is the helper's {"error": "..."} answer, or lacks bbox / nodes / edges.
std::optional<GraphLayout> parseGraphLayout(const QByteArray& json, QString* error);

/// A text that is equal for two snapshots exactly when they have the same topology: the same
/// component ids, the same routes (task names and component chains, in order) and the same
/// children in training (their layers). Labels, parameters, locks and accuracies do not count: a
/// change of those restyles the picture without a new layout.
QString topologyKey(const GraphSnapshot& snapshot,
                    const std::vector<CandidateRoute>& candidates = {});

/// The part of `snapshot` that is drawn: every route, and the components on a route or shared by
/// a child in training. Components on neither (layers of children that are no task's model, as
/// an interrupted run's store holds them) are dropped; *hidden (if given) says how many.
GraphSnapshot routedPart(const GraphSnapshot& snapshot,
                         const std::vector<CandidateRoute>& candidates, int* hidden = nullptr);

}  // namespace mu2net::ui
