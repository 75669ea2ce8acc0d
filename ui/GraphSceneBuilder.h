#pragma once
// Draws a laid-out system graph into a QGraphicsScene, the picture GraphView shows: component
// boxes filled with their creator task's colour (the root's grey; dashed border = trainable), the
// input, each route's chain of edges in its task's colour ending at the task's label, and the
// children in training (dashed boxes for their own layers, dashed edges, a "(training)" label).
// Every item carries GraphView's ItemData keys; the texts that level of detail changes are listed
// (componentTexts(), labels()).
#include <QColor>
#include <QFont>
#include <QGraphicsSimpleTextItem>
#include <map>
#include <string>
#include <vector>

#include "GraphLayout.h"
#include "MetaTypes.h"
#include "mu2net/evolution/GraphDot.h"

class QGraphicsScene;

namespace mu2net::ui {

/// What a layout is made for: the drawn part of a snapshot and the children in training.
struct GraphPicture {
  GraphSnapshot snapshot;
  std::vector<CandidateRoute> candidates;
  int selectedCandidate = -1;  ///< the candidate drawn for a selected child (not in training)
};

class GraphSceneBuilder {
 public:
  /// A label's text at natural size and, one line, when zoomed out.
  struct LabelTexts {
    QString full;
    QString brief;
  };
  static constexpr int kComponentFontPx = 11;  ///< scene units: pixels at zoom 1
  static constexpr int kLabelFontPx = 12;

  GraphSceneBuilder(QGraphicsScene* scene, const GraphLayout& layout, const GraphPicture& picture,
                    const ComponentHashes& hashes, const QFont& font);
  /// Adds every item to the scene and sets its scene rect.
  void build();

  /// Each task's colour (the root's included).
  const std::map<std::string, QColor>& colours() const { return colours_; }
  /// True when the layout runs left to right (mu2net::isSideways).
  bool sideways() const { return sideways_; }
  /// The component, input and candidate-layer texts.
  const std::vector<QGraphicsSimpleTextItem*>& componentTexts() const { return componentTexts_; }
  /// The task and candidate labels.
  const std::vector<QGraphicsSimpleTextItem*>& labels() const { return labels_; }

 private:
  void addNode(const GraphLayout::Node& node);
  void addComponent(const GraphLayout::Node& node, qint64 id);
  void addCandidateLayer(const GraphLayout::Node& node);
  void addLabel(const GraphLayout::Node& node, const QString& kind, int index, const QString& task,
                const LabelTexts& texts, const QColor& colour);
  void addEdges();
  void assignLabelRooms();

  QGraphicsScene* scene_;
  const GraphLayout& layout_;
  const GraphPicture& picture_;
  const ComponentHashes& hashes_;
  QFont font_;
  std::map<std::string, QColor> colours_;
  std::map<std::int64_t, const GraphSnapshot::Node*> nodes_;
  bool sideways_ = false;
  std::vector<QGraphicsSimpleTextItem*> componentTexts_;
  std::vector<QGraphicsSimpleTextItem*> labels_;
};

}  // namespace mu2net::ui
