#pragma once
// The history view: how the system grew. A bar with a slider over the store's recorded points (one
// per committed generation and per task iteration end), a caption (generation, task, iteration)
// and a Live button, above the graph (its own GraphView) and the task table (HistoryTaskModel) as
// they were at that point. Changes since the previous generation are marked: new components with a
// bold border, new and replaced routes bold, the legend saying since when; the table's rows of
// changed tasks are bold. A note says when the store's history is incomplete (written by an older
// version).
//
// Keys (on the slider or the panel): Left/Right step one point, PgUp/PgDn to the previous/next
// task iteration end, Home the first point, End the newest (Live). During a run new points are
// read after every commit (follow()); Live follows them, a point the user chose stays.
// Export growth writes one PNG frame per generation (GrowthExporter).
#include <QWidget>

#include "MetaTypes.h"

class QLabel;
class QSlider;
class QPushButton;
class QTableView;

namespace mu2net::ui {

class EngineSignals;
class GraphView;
class HistoryModel;
class HistoryTaskModel;

class HistoryPanel : public QWidget {
  Q_OBJECT
 public:
  explicit HistoryPanel(QWidget* parent = nullptr);

  /// Reads new points after every commit of a run whose events `events` carries.
  void follow(const EngineSignals* events);
  /// Shows the history of the store in `dir` (empty: none), at its newest point, live.
  void setDirectory(const QString& dir);
  void clear();
  /// Shows the state after generation `generation`; false (and *error says why, with the
  /// recorded range) when it is not recorded.
  bool showGeneration(qint64 generation, QString* error);

  HistoryModel* model() const { return model_; }
  HistoryTaskModel* taskModel() const { return tasks_; }
  GraphView* graphView() const { return graph_; }
  QSlider* slider() const { return slider_; }
  /// The caption of the point shown ("generation 4 · task high, iteration 1 · …").
  QString caption() const;
  /// The note shown under the bar (incomplete history, unreadable store), empty when none.
  QString note() const;

  /// Writes the growth of the store shown as PNG frames (GrowthExporter) into `folder`; says
  /// what was written with exported() or why not with exportFailed(). Returns the frame count or
  /// -1.
  int exportGrowth(const QString& folder);

 public Q_SLOTS:
  /// Asks for a folder, then exportGrowth().
  void exportGrowthDialog();

 public:
  /// Steps as a key press would (Left, Right, PageUp, PageDown, Home, End); false for other keys.
  bool stepByKey(int key);

 Q_SIGNALS:
  void exported(const QString& message);
  void exportFailed(const QString& message);

 protected:
  void keyPressEvent(QKeyEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void onPointsChanged();
  void onCurrentChanged();

  HistoryModel* model_;
  HistoryTaskModel* tasks_;
  GraphView* graph_;
  QTableView* table_;
  QSlider* slider_;
  QPushButton* live_;
  QLabel* caption_;
  QLabel* note_;
};

}  // namespace mu2net::ui
