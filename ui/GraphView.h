#pragma once
// The system graph: components as boxes (filled with the colour of the task that created them,
// grey for the root's own; solid border = frozen/locked, dashed = trainable; labelled with slot
// and parameter count), the input at the bottom, and each task's route as a chain of edges in
// the task's colour (the palette of mu2net::routeColour, root routes dark grey) ending at a label
// with the task's name and accuracy.
//
// Layout: the DOT text of mu2net::toDot() goes to the mu2net-layout helper process (see
// GraphLayoutProcess) — never in the GUI thread. A snapshot with a new topology (component ids or
// routes, see topologyKey()) starts a new layout and cancels one still running; the previous
// picture stays until the new one is ready. A snapshot with the same topology only restyles the
// current picture (locks, accuracies, tooltips).
//
// Interaction: wheel zooms at the cursor, dragging pans, fit() shows everything. A highlighted
// task's route is drawn at full strength and everything else dimmed. Hovering a component shows
// its id, slot, creator, generation, parameters, the tasks that use (lock) it and, once known, a
// prefix of its SHA-256.
#include <QGraphicsView>
#include <QLabel>
#include <QString>
#include <optional>

#include "GraphLayout.h"
#include "MetaTypes.h"

namespace mu2net::ui {

class EngineSignals;
class GraphLayoutProcess;

class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  /// QGraphicsItem::data() keys set on every drawn item.
  enum ItemData {
    KindKey = 0,  ///< "component", "input", "task", "edge"
    IdKey = 1     ///< component id (components), route index (tasks, edges)
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
  QString highlightedTask() const { return highlight_; }
  /// The message shown over the graph when the last layout failed (empty while none is shown):
  /// the helper's own words (a time or memory limit, a crash, bad input).
  QString layoutMessage() const;

  /// Writes the picture as SVG / PNG (2× the scene's size), or the DOT text of the newest
  /// snapshot. Return false and set *error on failure.
  bool exportSvg(const QString& path, QString* error) const;
  bool exportPng(const QString& path, QString* error) const;
  bool exportDot(const QString& path, QString* error) const;

 public Q_SLOTS:
  void setSnapshot(const mu2net::GraphSnapshot& snapshot);
  /// Hashes of locked components, shown in tooltips.
  void setComponentHashes(const mu2net::ui::ComponentHashes& hashes);
  /// Highlights the route of `task` (empty: none).
  void setHighlightedTask(const QString& task);
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

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  void onLayoutFinished(const GraphLayout& layout, quint64 requestId);
  void rebuildScene();
  void applyHighlight();
  void zoomBy(double factor);

  void showLayoutMessage(const QString& message);

  GraphLayoutProcess* layouter_;
  QLabel* layoutMessage_;  // over the top of the view, hidden unless a layout failed
  GraphSnapshot latest_;
  std::optional<GraphLayout> layout_;
  QString layoutKey_;   // topology of layout_
  QString pendingKey_;  // topology being laid out (empty if none)
  quint64 requestId_ = 0;
  ComponentHashes hashes_;
  QString highlight_;
  bool userZoomed_ = false;
};

}  // namespace mu2net::ui
