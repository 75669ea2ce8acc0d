#pragma once
// The workbench's curves, drawn with QCustomPlot (this widget is the only place that includes
// qcustomplot.h: the library's quirks stay in one adapter):
//   - Validation: every child's best validation accuracy (dots) per task, against the number of
//     children finished so far in the run, and each task's best-so-far (step line);
//   - Loss: the training loss of the child started last, live, against its step;
//   - Size: the system size (unique parameters in use by retained models) and each task's
//     activated parameters, against children finished.
// Tasks keep the colours of the graph view (mu2net::routeColour in introduction order).
//
// Long runs stay smooth: the full series are kept here and only their min/max decimation for the
// visible range and pixel width (decimateMinMax) is handed to QCustomPlot, replotting at most a
// few times per second. Clicking a legend entry hides or shows its curve; wheel zooms, dragging
// pans, double-click returns to following the data.
#include <QColor>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "CurveDecimation.h"
#include "MetaTypes.h"

class QCustomPlot;
class QCPGraph;
class QTimer;

namespace mu2net::ui {

class EngineSignals;

class PlotPanel : public QWidget {
  Q_OBJECT
 public:
  enum class Plot { Validation, Loss, Size };

  explicit PlotPanel(QWidget* parent = nullptr);
  ~PlotPanel() override;

  /// Connects the slots below (onX for the engine's signal x) to the engine's events.
  void follow(const EngineSignals* events);

  /// The plot widget of `which` (for screenshots and tests).
  QWidget* plotWidget(Plot which) const;
  /// Number of curves in `which` (hidden ones included).
  int curveCount(Plot which) const;
  /// Total number of data points stored (before decimation) in `which`.
  qint64 pointCount(Plot which) const;
  /// Number of points currently handed to QCustomPlot for `which` (after decimation).
  qint64 drawnPointCount(Plot which) const;

  /// Writes every plot as `<base>-validation.<ext>`, `-loss`, `-size` where ext is png or pdf.
  /// Returns the files written; sets *error and stops at the first failure.
  QStringList exportAll(const QString& basePath, const QString& format, QString* error);

 public Q_SLOTS:
  void clear();
  void onRunStarted(const mu2net::RunStartedEvent& event);
  void onTaskAdded(const mu2net::TaskAddedEvent& event);
  void onChildStarted(const mu2net::ChildStartedEvent& event);
  void onTrainingProgress(const mu2net::TrainingProgressEvent& event);
  void onChildFinished(const mu2net::ChildFinishedEvent& event);
  void onTaskIterationEnded(const mu2net::TaskIterationEndedEvent& event);
  /// Redraws now (normally a timer coalesces updates).
  void replotNow();

 private:
  struct Series {
    CurvePoints points;
    QCPGraph* graph = nullptr;
    qint64 drawn = 0;
  };
  struct TaskCurves {
    QCPGraph* children = nullptr;   // dots: each child's best validation accuracy
    QCPGraph* best = nullptr;       // step line: best so far
    QCPGraph* activated = nullptr;  // activated parameters of the task's best model
    double bestSoFar = -1;
  };

  QCustomPlot* plot(Plot which) const;
  TaskCurves& curvesOf(const QString& task);
  QColor colourOf(const QString& task) const;
  QCPGraph* addGraph(QCustomPlot* plot, const QString& name, const QColor& colour, bool dots);
  void append(QCPGraph* graph, double x, double y);
  void scheduleReplot();
  void redraw(QCustomPlot* plot);
  void snapshotSizes(const mu2net::GraphSnapshot& graph, double systemSize);

  QCustomPlot* validation_;
  QCustomPlot* loss_;
  QCustomPlot* size_;
  QTimer* replotTimer_;
  QStringList tasks_;  // introduction order: fixes colours
  std::map<QString, TaskCurves> curves_;
  std::map<QCPGraph*, Series> series_;
  QHash<QCustomPlot*, bool> following_;  // false once the user zoomed or panned
  QCPGraph* lossGraph_ = nullptr;
  std::tuple<std::string, std::int64_t, int> lossChild_;  // task, generation, child index
  QCPGraph* systemSize_ = nullptr;
  double childrenFinished_ = 0;
};

}  // namespace mu2net::ui
