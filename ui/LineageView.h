#pragma once
// The lineage of the experiment's children (Lineage): every child a node under its parent, the
// root at the top, parents above children (a tidy tree, rows by descent), drawn with the task
// colours of the system graph (mu2net::taskColours). Kept (improved) children are filled discs,
// children not kept hollow and faded, children in training dashed, children a stop discarded
// dotted grey; the tasks' models (the graph's routes) have a thick dark ring and a star. An edge
// from a parent of another task (a cross-task parent: the child started from another task's
// model) is dashed; edges from the root are dotted. A legend beside the picture lists the task
// colours (clicking one selects the task); a key above it says what the marks mean.
//
// It follows the children list (ChildListModel) it is given: new children, finishes and a reset
// redraw it (coalesced: at most five times a second, and redrawing at most a fifth of the time;
// a redraw of 500 children takes about 10 ms), so it follows a live run and shows a reopened
// store at once. setSnapshot() gives it the task colours and the tasks' models (the system
// graph's newest snapshot).
//
// The Selection: clicking a node selects that child (clicking the root or empty space clears the
// child); the selected child is ringed and labelled, its ancestors' edges drawn bold up to the
// root, and it is scrolled into view; a selected task fades the other tasks' nodes.
// Keys: Up selects the selected child's parent, Escape clears the child. Wheel zooms, dragging
// pans, fit() shows everything (again after each redraw until the user zooms or pans).
#include <QBrush>
#include <QGraphicsView>
#include <QPen>
#include <QString>
#include <QTimer>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "Lineage.h"
#include "MetaTypes.h"

class QAbstractGraphicsShapeItem;
class QGraphicsItem;
class QLabel;

namespace mu2net::ui {

class EngineSignals;
class GraphLegend;
class Selection;

class LineageView : public QGraphicsView {
  Q_OBJECT
 public:
  /// QGraphicsItem::data() keys of the items drawn.
  enum ItemData {
    KindKey = 0,  ///< "node" (a child), "root", "missing" (a parent not in the list), "edge"
    NodeKey = 1,  ///< the node's index in lineage() (edges: the child's)
    RowKey = 2,   ///< a child's row in the children list
    CrossKey = 3  ///< edges: true when the parent is another task's model
  };

  /// Shows the children of `selection`'s list, and follows and sets `selection`.
  explicit LineageView(Selection* selection, QWidget* parent = nullptr);

  /// Takes the tasks' models and colours from every snapshot the events carry.
  void follow(const EngineSignals* events);

  /// The lineage drawn.
  const Lineage& lineage() const { return lineage_; }
  /// The item of `node` (null when not drawn).
  QGraphicsItem* itemOfNode(int node) const;
  /// The node drawn as selected (-1: none).
  int selectedNode() const { return selectedNode_; }
  /// The colour a task's nodes are drawn in.
  QColor colourOf(const std::string& task) const;
  /// True once the user zoomed or panned (no automatic fit until fit()).
  bool userZoomed() const { return userZoomed_; }

 public Q_SLOTS:
  /// The system's newest snapshot: its routes are the tasks' models, its tasks fix the colours.
  void setSnapshot(const mu2net::GraphSnapshot& snapshot);
  /// Rebuilds and redraws now (normally coalesced).
  void refresh();
  /// Scales and scrolls so that the whole lineage is visible.
  void fit();
  /// Forgets the snapshot (another experiment); the children list clears itself.
  void clear();

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void scheduleRefresh();
  void updateColours();
  void drawNodes(const std::vector<QPointF>& at);
  void drawEdges(const std::vector<QPointF>& at);
  struct DiscStyle {
    QPen pen;
    QBrush brush;
    double opacity = 1.0;
  };
  QGraphicsItem* drawNode(int index, QPointF centre);
  QAbstractGraphicsShapeItem* drawDisc(const LineageNode& node, QPointF centre);
  DiscStyle discStyle(const LineageNode& node) const;
  void addCentredText(QGraphicsItem* parent, const QString& text, QPointF centre) const;
  void updateLegend();
  void placeOverlays();
  void applySelection();
  void labelSelected(int node);
  int nodeAt(QPoint viewportPos) const;

  Selection* selection_;
  GraphLegend* legend_;
  QLabel* key_;
  QTimer refreshTimer_;
  GraphSnapshot snapshot_;
  std::map<std::string, QColor> colours_;
  std::vector<std::string> taskOrder_;  // the root, then the tasks in colour order
  Lineage lineage_;
  std::vector<QGraphicsItem*> nodeItems_;  // by node index
  std::vector<QGraphicsItem*> edgeItems_;  // by child node index (null for the root)
  QGraphicsItem* selectedLabel_ = nullptr;
  int selectedNode_ = -1;
  QPoint pressScroll_;
  QPoint pressPos_;
  bool userZoomed_ = false;
};

}  // namespace mu2net::ui
