#pragma once
// The system graph: components as boxes (filled with the colour of the task that created them,
// grey for the root's own; solid border = frozen/locked, dashed = trainable; labelled with slot
// and parameter count), the input at the bottom, and each task's route as a chain of edges in
// the task's colour (the palette of mu2net::routeColour, root routes dark grey) ending at a label
// with the task's name and accuracy. Components on no route (layers of children that are no
// task's model, as an interrupted run's store holds them) are not drawn; the legend says how many.
//
// Children in training (ChildStartedEvent until its ChildFinishedEvent or the run's end) are
// drawn as provisional routes in their task's colour: dashed boxes for their cloned and new
// layers, dashed edges through the components they share, a "(training)" label.
//
// Legend: a GraphLegend beside the picture (in the view's right margin) lists every task's colour.
// Level of detail: component labels are hidden when they would be smaller than legible, and task
// labels then keep a legible size on screen (task name only). Many routes are laid out sideways.
// Exports (SVG, PNG) draw every label in full; the DOT export carries the screen's colours.
//
// Layout: the DOT text of mu2net::toDot() goes to the mu2net-layout helper process (see
// GraphLayoutProcess) — never in the GUI thread. A snapshot with a new topology (component ids or
// routes, see topologyKey()) starts a new layout and cancels one still running; the previous
// picture stays until the new one is ready. A snapshot with the same topology only restyles the
// current picture (locks, accuracies, tooltips).
//
// Interaction: wheel zooms at the cursor, dragging pans, fit() shows everything; a new layout or
// a resize fits again until the user zooms or pans (fit() forgets that). A highlighted
// task's route is drawn at full strength and everything else dimmed; so is a selected child's
// route (setSelectedChild), drawn as a provisional route of its own when it is no task's model.
// Hovering a component shows its id, slot, creator, generation, parameters, the tasks that use
// (lock) it and, once known, a prefix of its SHA-256.
//
// Marks (setMarks, e.g. the history's changes since the previous point): marked components get a
// bold dark border, marked routes bold edges and underlined labels; the marks' note ends the
// legend.
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>
#include <QLabel>
#include <QString>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "GraphLayout.h"
#include "GraphMarks.h"
#include "GraphSceneBuilder.h"
#include "MetaTypes.h"
#include "mu2net/evolution/GraphDot.h"

class QPainter;

namespace mu2net::ui {

class EngineSignals;
class GraphLayoutProcess;
class GraphLegend;

class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  /// QGraphicsItem::data() keys set on every drawn item.
  enum ItemData {
    KindKey = 0,       ///< "component", "input", "task", "edge"; for children in training
                       ///< "candidate" (a layer of its own), "candidateTask", "candidateEdge"
    IdKey = 1,         ///< component id (components), route index (tasks, edges), candidate index
    TaskKey = 2,       ///< task name (tasks, edges, candidate items)
    FullTextKey = 3,   ///< task labels: the text shown when legible at the current zoom
    ShortTextKey = 4,  ///< task labels: the text shown when zoomed out (the name only)
    AnchorKey = 5,     ///< task labels: the scene point the label is attached to
    RoomKey = 6,       ///< task labels: the scene width they may take (0: no limit)
    MarkedKey = 7      ///< true on marked components, edges and task labels (see setMarks)
  };

  explicit GraphView(QWidget* parent = nullptr);
  ~GraphView() override;

  /// Shows the graph of every snapshot the events carry (run start, task iteration end, run end).
  void follow(const EngineSignals* events);

  /// The helper program used for layout (see GraphLayoutProcess::defaultProgram()).
  void setLayoutProgram(const QString& path);
  QString layoutProgram() const;

  /// The newest snapshot given (drawn once laid out).
  const GraphSnapshot& snapshot() const { return latest_; }
  /// True once a layout has been drawn.
  bool hasLayout() const { return layout_.has_value(); }
  /// True while the helper is running.
  bool isLayoutRunning() const;
  /// Number of component boxes in the scene.
  int componentItemCount() const;
  /// Children in training, drawn as provisional routes once laid out.
  const std::vector<CandidateRoute>& candidates() const { return candidates_; }
  /// Components of the newest snapshot not drawn: no route and no child in training uses them.
  int hiddenComponentCount() const { return hidden_; }
  GraphLegend* legend() const { return legend_; }
  /// True once the user zoomed or panned (no automatic fit until fit()).
  bool userZoomed() const { return userZoomed_; }
  QString highlightedTask() const { return highlight_; }
  /// True when a child is selected and its route is in the picture drawn.
  bool selectedChildShown() const;
  /// The message shown over the graph when the last layout failed (empty while none is shown):
  /// the helper's own words (a time or memory limit, a crash, bad input).
  QString layoutMessage() const;

  /// Writes the picture as SVG / PNG (2× the scene's size), or the DOT text of the newest
  /// snapshot. Return false and set *error on failure.
  bool exportSvg(const QString& path, QString* error) const;
  bool exportPng(const QString& path, QString* error) const;
  bool exportDot(const QString& path, QString* error) const;
  /// Draws the picture (every label in full) into `target` of `painter`.
  void renderTo(QPainter* painter, const QRectF& target) const;
  const GraphMarks& marks() const { return marks_; }

 public Q_SLOTS:
  void setSnapshot(const mu2net::GraphSnapshot& snapshot);
  /// Draws / removes a child in training.
  void addCandidate(const mu2net::ChildStartedEvent& event);
  void removeCandidate(const mu2net::ChildFinishedEvent& event);
  void clearCandidates();
  /// Hashes of locked components, shown in tooltips.
  void setComponentHashes(const mu2net::ui::ComponentHashes& hashes);
  /// Marks components and routes of the snapshot shown (empty marks: none).
  void setMarks(const mu2net::ui::GraphMarks& marks);
  /// Shows `snapshot` with `marks` (drawn once).
  void setMarkedSnapshot(const mu2net::GraphSnapshot& snapshot,
                         const mu2net::ui::GraphMarks& marks);
  /// Highlights the route of `task` (empty: none).
  void setHighlightedTask(const QString& task);
  /// Shows the route of one child (the selection) at full strength, everything else dimmed: the
  /// route of the task whose model it is (`pathId`), its provisional route while it trains, else
  /// a provisional route of its own labelled "(selected)" (the components it shared, its cloned
  /// and new layers). Takes precedence over the highlighted task.
  void setSelectedChild(const mu2net::ChildStartedEvent& child, qint64 pathId);
  void clearSelectedChild();
  /// Scales and scrolls so that the whole graph is visible.
  void fit();
  void zoomIn();
  void zoomOut();
  /// Forgets everything (new experiment).
  void clear();

 Q_SIGNALS:
  /// A new layout has been drawn.
  void laidOut();
  void layoutFailed(const QString& message);
  /// A task of the legend was clicked: `task` is highlighted now (empty: none).
  void taskClicked(const QString& task);

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  using Picture = GraphPicture;
  void refresh();
  void onLayoutFinished(const GraphLayout& layout, quint64 requestId);
  void rebuildScene();
  void updateLegend(const std::map<std::string, QColor>& colours);
  void placeLegend();
  void applyHighlight();
  void applyMarks();
  void applyEmphasis(const std::function<bool(const QGraphicsItem*, const QString&)>& on);
  void updateLevelOfDetail();
  /// Shows the labels as legible at `zoom` (scene to screen scale); changes only the items.
  void showDetailFor(double zoom) const;
  void renderScene(QPainter* painter, const QRectF& target) const;
  void zoomBy(double factor);

  void showLayoutMessage(const QString& message);

  GraphLayoutProcess* layouter_;
  QLabel* layoutMessage_;  // over the top of the view, hidden unless a layout failed
  GraphLegend* legend_;
  GraphSnapshot latest_;
  std::vector<CandidateRoute> candidates_;
  Picture shown_;    // the part of latest_ drawn, with candidates_
  Picture drawn_;    // what layout_ was made for (restyled with shown_ while the topology holds)
  Picture pending_;  // what the running layout is for
  int hidden_ = 0;
  bool sideways_ = false;
  std::vector<QGraphicsSimpleTextItem*> componentTexts_;
  std::vector<QGraphicsSimpleTextItem*> labels_;
  QPoint pressScroll_;
  std::optional<GraphLayout> layout_;
  QString layoutKey_;   // topology of layout_
  QString pendingKey_;  // topology being laid out (empty if none)
  quint64 requestId_ = 0;
  ComponentHashes hashes_;
  QString highlight_;
  GraphMarks marks_;
  struct SelectedChild {
    CandidateRoute route;
    qint64 pathId = -1;
  };
  std::optional<SelectedChild> selected_;
  bool userZoomed_ = false;
};

}  // namespace mu2net::ui
