#pragma once
// The workbench window: toolbar and menus (new experiment, open configuration, recent
// experiments, start, pause, resume, stop, add task, exports), dock widgets (system graph, curves,
// task table, children with the child inspector, event log) and a status bar (current task,
// generation and child, progress with time remaining, samples per second).
//
// Runs go through an ExperimentController (worker thread); this window only reacts to its
// signals, so it never blocks on training. Window geometry, dock layout and recent experiments
// are kept with QSettings. Closing during a run asks first, then stops the engine at its next safe
// point and closes once it has.
#include <QElapsedTimer>
#include <QMainWindow>
#include <QMap>
#include <QString>
#include <optional>

#include "ExperimentController.h"
#include "mu2net/evolution/GenerationProgress.h"

class QAction;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QTableView;

namespace mu2net::ui {

class ChildInspector;
class ChildListModel;
class GraphView;
class PlotPanel;
class TaskTableModel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens what `path` names: a configuration file (JSON). An experiment directory (the
  /// persistent store) is recognised here too, and refused with a message until the store is
  /// part of the build. Returns false (after showing why) when nothing was opened.
  bool openPath(const QString& path);
  /// The experiment directory the last or next run writes to (empty before a first Start).
  QString experimentDirectory() const { return experimentDir_; }
  /// Loads the built-in default experiment (not started).
  bool loadDefaultExperiment();
  /// Uses `config` as the current experiment (not started); `source` names it in the title.
  void setExperiment(const ExperimentConfig& config, const QString& source);
  bool hasExperiment() const { return config_.has_value(); }

  ExperimentController* controller() const { return controller_; }
  GraphView* graphView() const { return graph_; }
  PlotPanel* plotPanel() const { return plots_; }
  TaskTableModel* taskModel() const { return taskModel_; }
  ChildListModel* childModel() const { return childModel_; }
  /// Whether errors also pop up a (non-modal) message box; default true.
  void setErrorPopups(bool on) { errorPopups_ = on; }

 public Q_SLOTS:
  /// Starts the current experiment. Returns false when there is none or one is running.
  bool startExperiment();
  void newExperiment();
  void openConfigDialog();
  void addTaskDialog();
  void exportGraphDialog();
  void exportCurvesDialog();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createActions();
  void createDocks();
  void connectController();
  void updateActions();
  void updateTitle();
  void log(const QString& line);
  void showError(const QString& message);
  void addRecent(const QString& path);
  void rebuildRecentMenu();
  void updateProgress();
  bool loadConfigFile(const QString& path);
  bool openExperimentDirectory(const QString& dir);
  void showHistory(const RunStartedEvent& e);
  void clearViews();
  /// Where new experiment directories go: MU2NET_RUNS_DIR, else ~/mu2net-runs.
  static QString runsRoot();

  ExperimentController* controller_;
  TaskTableModel* taskModel_;
  ChildListModel* childModel_;
  GraphView* graph_;
  PlotPanel* plots_;
  ChildInspector* inspector_;
  QPlainTextEdit* log_;
  QTableView* taskView_;
  QTableView* childView_;

  QAction* openDirAction_ = nullptr;
  QAction *newAction_, *openAction_, *startAction_, *pauseAction_, *resumeAction_, *stopAction_,
      *addTaskAction_, *exportGraphAction_, *exportCurvesAction_, *fitAction_, *quitAction_;
  QMenu* recentMenu_;
  QMenu* viewMenu_;
  QLabel* taskLabel_;
  QLabel* stateLabel_;
  QLabel* speedLabel_;
  QLabel* remainingLabel_;
  QProgressBar* progress_;

  std::optional<ExperimentConfig> config_;
  QString source_;  // file the experiment came from (or the default's resource path)
  QString baseDir_;
  // The experiment directory (store) the next Start writes to: the one opened, or a new one
  // chosen at Start under runsRoot().
  QString experimentDir_;
  bool readOnlyExperiment_ = false;  // opened while another process writes it
  bool closeAfterStop_ = false;
  bool errorPopups_ = true;
  // Progress: children finished of the run's expected total, plus the shares of those in training.
  qint64 totalChildren_ = 0;
  qint64 childrenFinished_ = 0;
  int childrenPerTaskIteration_ = 0;
  int taskIterations_ = 0;
  int currentIteration_ = 1;
  QElapsedTimer runClock_;
  qint64 pausedMs_ = 0;
  QElapsedTimer pauseClock_;
  // The generation's children in training: their progress and status-bar text per child index.
  mu2net::GenerationProgress generation_;
  QMap<int, QString> trainingLabels_;
};

}  // namespace mu2net::ui
