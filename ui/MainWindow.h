#pragma once
// The workbench window: toolbar and menus (new experiment, open configuration, recent
// experiments, start, pause, resume, stop, add task, exports), dock widgets (system graph, curves,
// task table, children with the child inspector, event log) and a status bar (current task,
// generation and child, progress with time remaining, samples per second).
//
// The window assembles: each view and panel is its own class (GraphView, PlotPanel, TaskPanel,
// ChildPanel with the ChildInspector, EventLog) that follows the engine's events itself; the
// status bar is a RunStatusBar. Runs go through an ExperimentController (worker thread); the
// window only reacts to its signals, so it never blocks on training. A store is a directory or a
// PostgreSQL database named by its URL (Experiment > Open database store…); one that another
// process (a `mu2net run`, or agents) writes is followed live (StoreFollower feeds the views the
// same signals), and the Agents dock shows which agent evolves each task of a database store. The
// store's exports and per-class test accuracy are StoreExports'; exports of a database store ask
// for a folder (they start in the home folder: nothing is written next to a database). Each window
// holds one experiment. Window geometry (fitted to the screen it opens on: WindowGeometry), dock
// layout and recent experiments are kept with QSettings. Closing during a run asks first, then
// stops the engine at its next safe point and closes once it has.
#include <QMainWindow>
#include <QString>
#include <optional>

#include "ExperimentController.h"

class QAction;
class QDockWidget;
class QMenu;

namespace mu2net::ui {

class AgentsPanel;
class ChildCompareActions;
class ChildInspector;
class ChildListModel;
class ChildPanel;
class EventLog;
class Exporter;
class GraphView;
class HistoryPanel;
class LineageView;
class MutationPanel;
class PlotPanel;
class RecentExperimentsMenu;
class RunStatusBar;
class Selection;
class StoreExports;
class StoreFollower;
struct StoredExperiment;
class TaskDataPanel;
class TaskPanel;
class TaskTableModel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens what `path` names: a configuration file (JSON; refused when a task's dataset folder
  /// is missing or holds another format, naming the task and key), an experiment directory or a
  /// database store's URL (postgresql://…, never looked up as a file) (the store: shown as it
  /// holds it, task statuses and progress included; Start is off when every task has done its
  /// iterations). Opening clears every view first. Returns false (after showing why: for a URL,
  /// the server's answer) when nothing was opened.
  bool openPath(const QString& path);
  /// Opens `path` (openPath) in a new window of its own, which deletes itself when closed.
  static MainWindow* openInNewWindow(const QString& path);
  /// Re-reads the opened experiment directory or configuration (what it holds now); false when
  /// nothing was opened from a file or a run is active.
  bool reload();
  /// The experiment directory (or database store URL) the last or next run writes to (empty
  /// before a first Start).
  QString experimentDirectory() const { return experimentDir_; }
  /// Loads the built-in default experiment (not started).
  bool loadDefaultExperiment();
  /// Uses `config` as the current experiment (not started); `source` names it in the title.
  /// Clears every view and the status bar of the previous experiment.
  void setExperiment(const ExperimentConfig& config, const QString& source);
  bool hasExperiment() const { return config_.has_value(); }
  /// Whether Start would run something now: an experiment is loaded, no run is active, no other
  /// process writes it and its store has task iterations left.
  bool canStart() const;

  ExperimentController* controller() const { return controller_; }
  GraphView* graphView() const { return graph_; }
  PlotPanel* plotPanel() const { return plots_; }
  /// The history view (slider over the store's recorded points).
  HistoryPanel* historyPanel() const { return history_; }
  TaskTableModel* taskModel() const;
  ChildListModel* childModel() const;
  /// The one selection (task, child) every view shows and sets.
  Selection* selection() const { return selection_; }
  LineageView* lineageView() const { return lineage_; }
  /// The graph and curve exports (what they write is said in the status bar and the log).
  Exporter* exporter() const { return exporter_; }
  /// Follows an experiment directory that another process writes (see openPath).
  StoreFollower* follower() const { return follower_; }
  /// The TorchScript and CSV exports and the per-class test accuracy.
  StoreExports* storeExports() const { return storeExports_; }
  /// The agents of the database store shown (empty, with a note, for a directory).
  AgentsPanel* agentsPanel() const { return agents_; }
  /// The last error shown (empty when none was), e.g. why openPath() failed.
  QString lastError() const { return lastError_; }
  /// Whether errors also pop up a (non-modal) message box; default true.
  void setErrorPopups(bool on) { errorPopups_ = on; }

 public Q_SLOTS:
  /// Starts the current experiment. Returns false when there is none or one is running.
  bool startExperiment();
  void newExperiment();
  void openConfigDialog();
  /// Asks for a database store's URL (postgresql://…) and opens it (openPath).
  void openDatabaseDialog();
  void addTaskDialog();
  /// Opens the "Task data" dock on `task`: its classes, counts and sample images.
  void showTaskData(const QString& task);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createActions();
  void createDocks();
  void sizeDocks();
  void connectController();
  void updateActions();
  void updateTitle();
  void showError(const QString& message);
  void showExported(const QString& message);
  bool loadConfigFile(const QString& path);
  bool openExperimentDirectory(const QString& dir);
  void showHistory(const RunStartedEvent& e);
  void showStored(const StoredExperiment& stored);
  void showDoneTasks();
  void warnOfDataProblems();
  void clearViews();

  ExperimentController* controller_;
  TaskPanel* tasks_;
  ChildPanel* children_;
  GraphView* graph_;
  PlotPanel* plots_;
  ChildInspector* inspector_;
  EventLog* log_;
  RunStatusBar* status_;
  Exporter* exporter_;
  TaskDataPanel* taskData_;
  ChildCompareActions* compare_ = nullptr;
  MutationPanel* mutations_ = nullptr;
  StoreFollower* follower_;
  StoreExports* storeExports_;
  HistoryPanel* history_;
  AgentsPanel* agents_ = nullptr;
  QDockWidget* agentsDock_ = nullptr;

  QAction* openDirAction_ = nullptr;
  QAction* openDatabaseAction_ = nullptr;
  QAction *reloadAction_ = nullptr, *newWindowAction_ = nullptr;
  QAction* exportGrowthAction_ = nullptr;
  QAction *newAction_, *openAction_, *startAction_, *pauseAction_, *resumeAction_, *stopAction_,
      *addTaskAction_, *exportGraphAction_, *exportCurvesAction_, *fitAction_, *quitAction_;
  RecentExperimentsMenu* recentMenu_;
  QMenu* viewMenu_;

  std::optional<ExperimentConfig> config_;
  QString source_;  // file the experiment came from (or the default's resource path)
  QString baseDir_;
  // The experiment directory (store) the next Start writes to: the one opened, or a new one
  // chosen at Start under runsRoot().
  QString experimentDir_;
  bool readOnlyExperiment_ = false;  // opened while another process writes it
  QString nothingLeft_;              // why Start has nothing to run (empty: something is left)
  bool closeAfterStop_ = false;
  bool errorPopups_ = true;
  QString lastError_;
  Selection* selection_ = nullptr;
  LineageView* lineage_ = nullptr;
};

}  // namespace mu2net::ui
