#pragma once
// The workbench's curves, drawn with QCustomPlot (qcustomplot.h is included only by the ui's .cpp
// files, through QCustomPlotInclude.h: the library's quirks stay out of the headers):
//   - Validation: every child's best validation accuracy (dots) per task and each task's best so
//     far (step line), against the children finished;
//   - Loss: the training loss of the child selected in the children table or, while none is, of
//     the children training now (both when a generation trains two side by side), per step;
//   - Size: the system size (unique parameters in use by retained models) and the activated
//     parameters of each task's retained model, at each task iteration's end.
// A task filter (the toolbar's selector, or setTaskFilter from the task table) shows one task
// against its own children; with "All tasks", x counts the children of every task. A marked
// child (the selection) is ringed on the validation plot. Tasks keep
// the colours of the graph view (mu2net::routeColour in introduction order).
//
// Legends sit right of the axes, in as many columns as their entries need, never over data. The
// y axes fit the data shown; "Full y range" shows 0–1 for accuracy and 0–max for the others.
// Counts (children, steps, parameters) get integer ticks.
//
// Long runs stay smooth: the full series are kept here and only their min/max decimation for the
// visible range and pixel width (decimateMinMax) is handed to QCustomPlot, replotting at most a
// few times per second. Clicking a legend entry hides or shows its curve; wheel zooms, dragging
// pans, double-click returns to following the data.
#include <QColor>
#include <QHash>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "ChildListModel.h"
#include "ChildLossHistory.h"
#include "CurveDecimation.h"
#include "IterationSizes.h"
#include "MetaTypes.h"

class QAction;
class QComboBox;
class QCustomPlot;
class QCPGraph;
class QCPItemText;
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

  /// The plot widget of `which` (a QCustomPlot, for screenshots and tests).
  QWidget* plotWidget(Plot which) const;
  /// Number of curves in `which` (hidden ones included).
  int curveCount(Plot which) const;
  /// Total number of data points stored (before decimation) for the curves of `which`.
  qint64 pointCount(Plot which) const;
  /// Number of points currently handed to QCustomPlot for `which` (after decimation).
  qint64 drawnPointCount(Plot which) const;
  /// The task shown alone (empty: all tasks).
  QString taskFilter() const { return filter_; }
  /// The note shown instead of a loss curve (empty when there is none).
  QString lossNote() const;
  /// The marked child's point on the validation plot as drawn now (x, accuracy), if shown.
  std::optional<QPointF> markedPoint() const;

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
  /// The sizes at the task iterations a store recorded (storedIterationSizes), after its history
  /// was shown; they stay when a run continues that history.
  void showStoredSizes(const std::vector<mu2net::ui::IterationSize>& sizes);
  /// Shows `task` alone, against its own children (empty or unknown: all tasks).
  void setTaskFilter(const QString& task);
  /// Shows the loss of one child (a note when its loss was never seen).
  void showChildLoss(const QString& task, qint64 generation, int childIndex);
  /// showChildLoss for the child of a children-table record.
  void showRecordLoss(const mu2net::ui::ChildListModel::Record& record);
  /// Shows the loss of the children training now (no child selected).
  void showLiveLoss();
  /// Marks one child's point on the validation plot (a ring; shown once it finished, and while
  /// its task is shown); clearMarkedChild() removes the mark.
  void markChild(const QString& task, qint64 generation, int childIndex);
  void clearMarkedChild();
  /// Redraws now (normally a timer coalesces updates).
  void replotNow();

 Q_SIGNALS:
  /// The task selector was used: `task` is shown alone now (empty: all tasks).
  void taskFilterChosen(const QString& task);

 private:
  /// A curve's points: over all tasks, and per task against the task's own children.
  struct Series {
    CurvePoints all;
    std::map<QString, CurvePoints> byTask;
    const CurvePoints* source = nullptr;  // loss curves: the points kept by losses_
    bool holds = false;  // a size: drawn on to the latest child, as it holds until it changes
    qint64 drawn = 0;
  };
  struct TaskCurves {
    QCPGraph* children = nullptr;  // dots: each child's best validation accuracy
    QCPGraph* best = nullptr;      // step line: best so far
    QCPGraph* retained = nullptr;  // activated parameters of the retained model
    double bestSoFar = -1;
    qint64 childrenFinished = 0;
  };

  void createToolBar();
  QCustomPlot* plot(Plot which) const;
  std::vector<QCustomPlot*> plots() const;
  TaskCurves& curvesOf(const QString& task);
  QColor colourOf(const QString& task) const;
  QCPGraph* addGraph(QCustomPlot* plot, const QString& name, const QColor& colour, bool dots);
  void append(QCPGraph* graph, const QString& task, double x, double taskX, double y);
  void addIterationSize(const IterationSize& size);
  const CurvePoints& shownPoints(const Series& series) const;
  /// shownPoints, with the last value held on to the latest child when the series holds (then
  /// copied into `held`).
  const CurvePoints& pointsToDraw(const Series& series, CurvePoints& held) const;
  void scheduleReplot();
  void redraw(QCustomPlot* plot);
  void followData(QCustomPlot* plot);
  void applyFilter();
  void showLoss(const std::vector<ChildLossHistory::Key>& children, bool selected);
  void toggleFromLegend(QCustomPlot* plot, QCPGraph* graph);
  void updateMarker();

  QCustomPlot* validation_;
  QCustomPlot* loss_;
  QCustomPlot* size_;
  QComboBox* taskSelector_;
  QAction* fullRange_;
  QCPItemText* lossNote_ = nullptr;
  QTimer* replotTimer_;
  QStringList tasks_;  // introduction order: fixes colours
  std::map<QString, TaskCurves> curves_;
  std::map<QCPGraph*, Series> series_;
  QHash<QCustomPlot*, bool> following_;  // false once the user zoomed or panned
  QHash<QCPGraph*, bool> hiddenByUser_;  // legend clicks
  QString filter_;
  ChildLossHistory losses_;
  std::vector<ChildLossHistory::Key> lossShown_;
  bool lossSelected_ = false;  // a child is selected (else: the children training now)
  QCPGraph* systemSize_ = nullptr;
  std::vector<IterationSize> storedSizes_;
  qint64 childrenFinished_ = 0;
  /// Each finished child's point: x over all tasks, x within its task, accuracy.
  std::map<ChildLossHistory::Key, std::tuple<double, double, double>> finishedAt_;
  std::optional<ChildLossHistory::Key> marked_;
  QCPGraph* marker_ = nullptr;  // the marked child's point: one point, a ring
};

}  // namespace mu2net::ui
