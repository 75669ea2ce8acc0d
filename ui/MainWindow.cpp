#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QTimer>
#include <QToolBar>
#include <algorithm>
#include <exception>
#include <filesystem>

#include "AboutDialog.h"
#include "AddTaskDialog.h"
#include "AgentsPanel.h"
#include "ChildCompareActions.h"
#include "ChildInspector.h"
#include "ChildPanel.h"
#include "ChildrenPane.h"
#include "DefaultExperiment.h"
#include "EventLog.h"
#include "ExperimentFiles.h"
#include "Exporter.h"
#include "GraphView.h"
#include "HistoryPanel.h"
#include "LineageView.h"
#include "MutationPanel.h"
#include "NewExperimentDialog.h"
#include "PlotPanel.h"
#include "RecentExperimentsMenu.h"
#include "RunStatusBar.h"
#include "Selection.h"
#include "SelectionLinks.h"
#include "StoreExports.h"
#include "StoreFollower.h"
#include "TaskDataPanel.h"
#include "TaskPanel.h"
#include "TaskTableModel.h"
#include "WindowGeometry.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

namespace {

// The version of the dock layout: a state saved by a workbench with another layout (1: the event
// log was a tab of the tasks) is not restored; the first layout is used instead.
constexpr int kDockLayoutVersion = 2;

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

// The database store URL last opened (without its password), offered by the next Open database
// store dialog.
const QString kLastDatabaseKey = QStringLiteral("lastDatabaseStore");

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      controller_(new ExperimentController(this)),
      tasks_(new TaskPanel(this)),
      children_(new ChildPanel(this)),
      graph_(new GraphView(this)),
      plots_(new PlotPanel(this)),
      inspector_(new ChildInspector(this)),
      log_(new EventLog(this)),
      status_(new RunStatusBar(this)),
      exporter_(new Exporter(this, graph_, plots_, [this] { return experimentDir_; })),
      taskData_(new TaskDataPanel(this)),
      follower_(new StoreFollower(status_, tasks_->taskModel(), this)),
      storeExports_(new StoreExports(
          this, status_, [this] { return experimentDir_; },
          [this] { return tasks_->selectedTask(); })),
      history_(new HistoryPanel(this)) {
  setObjectName(QStringLiteral("MainWindow"));
  setStatusBar(status_);
  createActions();
  createDocks();
  connectController();

  // The saved geometry, or a large first one, within the screen the window opens on.
  QSettings settings;
  WindowGeometry::restore(this, settings.value(QStringLiteral("geometry")).toByteArray(),
                          QSize(1500, 920));
  if (!restoreState(settings.value(QStringLiteral("windowState")).toByteArray(),
                    kDockLayoutVersion))
    QTimer::singleShot(0, this, &MainWindow::sizeDocks);
  updateActions();
  updateTitle();
}

MainWindow::~MainWindow() = default;

TaskTableModel* MainWindow::taskModel() const {
  return tasks_->taskModel();
}
ChildListModel* MainWindow::childModel() const {
  return children_->childModel();
}

void MainWindow::createActions() {
  newAction_ = new QAction(tr("&New experiment…"), this);
  newAction_->setShortcut(QKeySequence::New);
  openAction_ = new QAction(tr("&Open configuration…"), this);
  openAction_->setShortcut(QKeySequence::Open);
  openDirAction_ = new QAction(tr("Open experiment &directory…"), this);
  openDatabaseAction_ = new QAction(tr("Open data&base store…"), this);
  openDatabaseAction_->setObjectName(QStringLiteral("openDatabaseAction"));
  openDatabaseAction_->setToolTip(
      tr("Open an experiment store kept in a PostgreSQL database (postgresql://…), e.g. one that "
         "agents are growing"));
  newWindowAction_ = new QAction(tr("Open directory in new &window…"), this);
  reloadAction_ = new QAction(tr("Re&load"), this);
  reloadAction_->setShortcut(Qt::CTRL | Qt::Key_R);
  reloadAction_->setObjectName(QStringLiteral("reloadAction"));
  startAction_ = new QAction(tr("&Start"), this);
  startAction_->setShortcut(Qt::Key_F5);
  pauseAction_ = new QAction(tr("&Pause"), this);
  resumeAction_ = new QAction(tr("&Resume"), this);
  stopAction_ = new QAction(tr("S&top"), this);
  addTaskAction_ = new QAction(tr("&Add task…"), this);
  exportGraphAction_ = new QAction(tr("Export &graph…"), this);
  exportCurvesAction_ = new QAction(tr("Export &curves…"), this);
  exportGrowthAction_ = new QAction(tr("Export gro&wth…"), this);
  exportGrowthAction_->setObjectName(QStringLiteral("exportGrowthAction"));
  fitAction_ = new QAction(tr("&Fit graph"), this);
  fitAction_->setShortcut(Qt::CTRL | Qt::Key_0);
  quitAction_ = new QAction(tr("&Quit"), this);
  quitAction_->setShortcut(QKeySequence::Quit);
  startAction_->setObjectName(QStringLiteral("startAction"));
  exportCurvesAction_->setObjectName(QStringLiteral("exportCurvesAction"));
  exportGraphAction_->setObjectName(QStringLiteral("exportGraphAction"));

  const auto style = QApplication::style();
  startAction_->setIcon(style->standardIcon(QStyle::SP_MediaPlay));
  pauseAction_->setIcon(style->standardIcon(QStyle::SP_MediaPause));
  resumeAction_->setIcon(style->standardIcon(QStyle::SP_MediaSeekForward));
  stopAction_->setIcon(style->standardIcon(QStyle::SP_MediaStop));
  newAction_->setIcon(style->standardIcon(QStyle::SP_FileIcon));
  openAction_->setIcon(style->standardIcon(QStyle::SP_DialogOpenButton));
  addTaskAction_->setIcon(style->standardIcon(QStyle::SP_FileDialogNewFolder));

  connect(newAction_, &QAction::triggered, this, &MainWindow::newExperiment);
  connect(openAction_, &QAction::triggered, this, &MainWindow::openConfigDialog);
  connect(openDirAction_, &QAction::triggered, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Open experiment directory"), runsRoot());
    if (!dir.isEmpty()) openPath(dir);
  });
  connect(newWindowAction_, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open experiment directory in a new window"), runsRoot());
    if (!dir.isEmpty()) openInNewWindow(dir)->move(pos() + QPoint(40, 40));
  });
  connect(openDatabaseAction_, &QAction::triggered, this, &MainWindow::openDatabaseDialog);
  connect(reloadAction_, &QAction::triggered, this, &MainWindow::reload);
  connect(startAction_, &QAction::triggered, this, &MainWindow::startExperiment);
  connect(pauseAction_, &QAction::triggered, controller_, &ExperimentController::pause);
  connect(resumeAction_, &QAction::triggered, controller_, &ExperimentController::resume);
  connect(stopAction_, &QAction::triggered, controller_, &ExperimentController::stop);
  connect(addTaskAction_, &QAction::triggered, this, &MainWindow::addTaskDialog);
  connect(exportGraphAction_, &QAction::triggered, exporter_, &Exporter::exportGraphDialog);
  connect(exportCurvesAction_, &QAction::triggered, exporter_, &Exporter::exportCurvesDialog);
  connect(exportGrowthAction_, &QAction::triggered, history_, &HistoryPanel::exportGrowthDialog);
  connect(history_, &HistoryPanel::exportFailed, exporter_, &Exporter::failed);
  connect(history_, &HistoryPanel::exported, exporter_, &Exporter::exported);
  connect(exporter_, &Exporter::failed, this, &MainWindow::showError);
  connect(exporter_, &Exporter::exported, this, &MainWindow::showExported);
  connect(storeExports_, &StoreExports::exported, this, &MainWindow::showExported);
  connect(storeExports_, &StoreExports::failed, this, &MainWindow::showError);
  connect(fitAction_, &QAction::triggered, graph_, &GraphView::fit);
  connect(quitAction_, &QAction::triggered, this, &QWidget::close);

  QMenu* file = menuBar()->addMenu(tr("&Experiment"));
  file->addAction(newAction_);
  file->addAction(openAction_);
  file->addAction(openDirAction_);
  file->addAction(openDatabaseAction_);
  file->addAction(newWindowAction_);
  file->addAction(reloadAction_);
  recentMenu_ = new RecentExperimentsMenu(tr("Open &recent"), this);
  connect(recentMenu_, &RecentExperimentsMenu::openRequested, this, &MainWindow::openPath);
  file->addMenu(recentMenu_);
  file->addSeparator();
  file->addAction(startAction_);
  file->addAction(pauseAction_);
  file->addAction(resumeAction_);
  file->addAction(stopAction_);
  file->addAction(addTaskAction_);
  file->addSeparator();
  file->addAction(exportGraphAction_);
  file->addAction(exportCurvesAction_);
  file->addAction(exportGrowthAction_);
  QMenu* exports = file->addMenu(tr("&Export"));
  exports->addAction(storeExports_->torchScriptAction());
  exports->addAction(storeExports_->csvAction());
  file->addAction(storeExports_->confusionAction());
  file->addSeparator();
  file->addAction(quitAction_);
  viewMenu_ = menuBar()->addMenu(tr("&View"));
  viewMenu_->addAction(fitAction_);
  compare_ = new ChildCompareActions(children_);
  viewMenu_->addActions(compare_->actions());
  viewMenu_->addSeparator();
  QAction* about = menuBar()->addMenu(tr("&Help"))->addAction(tr("&About μ2Net Workbench"));
  about->setObjectName(QStringLiteral("aboutAction"));
  about->setMenuRole(QAction::AboutRole);
  connect(about, &QAction::triggered, this, [this] {
    auto* dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
  });

  QToolBar* bar = addToolBar(tr("Experiment"));
  bar->setObjectName(QStringLiteral("experimentToolBar"));
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  for (QAction* a : {newAction_, openAction_})
    bar->addAction(a);
  bar->addSeparator();
  for (QAction* a : {startAction_, pauseAction_, resumeAction_, stopAction_, addTaskAction_})
    bar->addAction(a);
  bar->addSeparator();
  for (QAction* a : {fitAction_, exportGraphAction_, exportCurvesAction_})
    bar->addAction(a);
}

void MainWindow::createDocks() {
  setDockNestingEnabled(true);
  auto dock = [this](const QString& title, const QString& name, QWidget* w, Qt::DockWidgetArea a) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(name);
    d->setWidget(w);
    addDockWidget(a, d);
    viewMenu_->addAction(d->toggleViewAction());
    return d;
  };
  // First layout: graph left and curves right above the tables: tasks with the event log below
  // them, the children, the child inspector. QSettings keeps the user's own.
  auto* graphDock =
      dock(tr("System graph"), QStringLiteral("graphDock"), graph_, Qt::LeftDockWidgetArea);
  // The curves scroll rather than keep the window taller than a small screen.
  auto* plotArea = new QScrollArea(this);
  plotArea->setWidget(plots_);
  plotArea->setWidgetResizable(true);
  plotArea->setFrameShape(QFrame::NoFrame);
  auto* plotDock =
      dock(tr("Curves"), QStringLiteral("plotDock"), plotArea, Qt::RightDockWidgetArea);
  auto* taskDock = dock(tr("Tasks"), QStringLiteral("taskDock"), tasks_, Qt::BottomDockWidgetArea);
  selection_ = new Selection(children_->childModel(), this);
  lineage_ = new LineageView(selection_, this);
  auto* lineageDock =
      dock(tr("Lineage"), QStringLiteral("lineageDock"), lineage_, Qt::RightDockWidgetArea);
  auto* childDock = dock(tr("Children"), QStringLiteral("childDock"),
                         new ChildrenPane(children_, selection_, this), Qt::BottomDockWidgetArea);
  auto* inspectorDock = dock(tr("Child inspector"), QStringLiteral("inspectorDock"), inspector_,
                             Qt::BottomDockWidgetArea);
  auto* logDock = dock(tr("Event log"), QStringLiteral("logDock"), log_, Qt::BottomDockWidgetArea);
  mutations_ = new MutationPanel(this);
  mutations_->watch(children_->childModel());
  auto* mutationDock =
      dock(tr("Mutations"), QStringLiteral("mutationDock"), mutations_, Qt::RightDockWidgetArea);
  splitDockWidget(graphDock, plotDock, Qt::Horizontal);
  splitDockWidget(taskDock, childDock, Qt::Horizontal);
  splitDockWidget(childDock, inspectorDock, Qt::Horizontal);
  splitDockWidget(taskDock, logDock, Qt::Vertical);
  // The agents of a database store: a tab beside the event log, under the tasks they evolve.
  agents_ = new AgentsPanel(this);
  agentsDock_ = dock(tr("Agents"), QStringLiteral("agentsDock"), agents_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(logDock, agentsDock_);
  logDock->raise();
  tabifyDockWidget(plotDock, mutationDock);
  auto* dataDock =
      dock(tr("Task data"), QStringLiteral("taskDataDock"), taskData_, Qt::RightDockWidgetArea);
  tabifyDockWidget(plotDock, dataDock);
  dataDock->hide();  // opened from the task table or the View menu, as a tab beside the curves
  viewMenu_->addAction(taskData_->openFrom(tasks_));
  tabifyDockWidget(graphDock, dock(tr("History"), QStringLiteral("historyDock"), history_,
                                   Qt::LeftDockWidgetArea));
  graphDock->raise();
  tabifyDockWidget(plotDock, lineageDock);
  plotDock->raise();

  // Right-click on a task: its per-class test accuracy, its model as TorchScript.
  tasks_->setContextMenuPolicy(Qt::ActionsContextMenu);
  tasks_->addActions({storeExports_->confusionAction(), storeExports_->torchScriptAction()});
  linkSelection(selection_, {tasks_, children_, inspector_, graph_, plots_});
  connect(graph_, &GraphView::layoutFailed, this, [this](const QString& message) {
    log_->log(tr("graph layout failed: %1").arg(message));
  });
}

// Dock sizes only take once the window has its size: the graph and the curves side by side above,
// the tables below with the task table widest, the event log under the tasks.
void MainWindow::sizeDocks() {
  const auto find = [this](const char* name) {
    return findChild<QDockWidget*>(QLatin1String(name));
  };
  QDockWidget *graph = find("graphDock"), *plot = find("plotDock"), *task = find("taskDock"),
              *child = find("childDock"), *inspector = find("inspectorDock"),
              *log = find("logDock");
  const int w = width(), h = height();
  resizeDocks({graph, plot}, {w / 2, w / 2}, Qt::Horizontal);
  resizeDocks({graph, task}, {h * 58 / 100, h * 42 / 100}, Qt::Vertical);
  resizeDocks({task, child, inspector}, {w * 44 / 100, w * 32 / 100, w * 24 / 100}, Qt::Horizontal);
  resizeDocks({task, log}, {h * 24 / 100, h * 18 / 100}, Qt::Vertical);
  plot->raise();  // the curves in front of the mutations (their tab)
}

// Every view follows the engine's events itself; the window keeps the experiment's history, its
// actions and closing after a stop.
void MainWindow::connectController() {
  auto* c = controller_;
  tasks_->follow(c);
  children_->follow(c);
  plots_->follow(c);
  graph_->follow(c);
  history_->follow(c);
  lineage_->follow(c);
  connect(c, &ExperimentController::componentHashesReady, graph_, &GraphView::setComponentHashes);
  status_->follow(c);
  taskData_->follow(c);
  connect(c, &ExperimentController::stateChanged, this, [this](ExperimentController::State s) {
    updateActions();
    if ((s == ExperimentController::State::Finished || s == ExperimentController::State::Failed) &&
        closeAfterStop_)
      close();
  });
  connect(c, &ExperimentController::errorOccurred, this, &MainWindow::showError);
  connect(c, &ExperimentController::runStarted, this, [this](const RunStartedEvent& e) {
    if (e.history.empty()) return;
    showHistory(e);
    showDoneTasks();
  });
  log_->follow(c);
  // A directory another process writes is followed: its new rows arrive as the run's events.
  follower_->events()->relayTo(c);
  connect(follower_, &StoreFollower::message, log_, &EventLog::log);
  connect(follower_, &StoreFollower::agentsRead, agents_, &AgentsPanel::showLeases);
  connect(follower_, &StoreFollower::writerFinished, this,
          [this](const QString&, const QString& nothingLeft) {
            readOnlyExperiment_ = false;
            nothingLeft_ = nothingLeft;
            updateActions();
          });
}

bool MainWindow::canStart() const {
  return !controller_->isActive() && config_.has_value() && !readOnlyExperiment_ &&
         nothingLeft_.isEmpty();
}

void MainWindow::updateActions() {
  using S = ExperimentController::State;
  const S s = controller_->state();
  const bool active = controller_->isActive();
  startAction_->setEnabled(canStart());
  if (!nothingLeft_.isEmpty())
    startAction_->setToolTip(tr("Start is off: %1").arg(nothingLeft_));
  else if (readOnlyExperiment_)
    startAction_->setToolTip(tr("Start is off: another process is running this experiment."));
  else
    startAction_->setToolTip(tr("Start (or continue) the experiment"));
  newAction_->setEnabled(!active);
  openAction_->setEnabled(!active);
  openDirAction_->setEnabled(!active);
  openDatabaseAction_->setEnabled(!active);
  reloadAction_->setEnabled(!active && !source_.isEmpty());
  recentMenu_->setEnabled(!active);
  pauseAction_->setEnabled(s == S::Running || s == S::Loading);
  resumeAction_->setEnabled(s == S::Paused);
  stopAction_->setEnabled(active && s != S::Stopping);
  addTaskAction_->setEnabled(s == S::Running || s == S::Paused || s == S::Loading);
}

void MainWindow::updateTitle() {
  QString name = source_.isEmpty() ? tr("no experiment") : QFileInfo(source_).fileName();
  if (source_ == defaultExperimentResource()) name = tr("default experiment");
  // An experiment directory is named by its folder (windows side by side tell runs apart), a
  // database store by its database.
  if (isDatabaseLocation(source_))
    name = tr("%1 (database)").arg(storeName(source_));
  else if (QFileInfo(source_).fileName() == QLatin1String("experiment.json"))
    name = QFileInfo(source_).dir().dirName();
  setWindowTitle(tr("%1 — μ2Net Workbench").arg(name));
}

void MainWindow::showExported(const QString& message) {
  log_->log(message);
  statusBar()->showMessage(message, 15000);
}

void MainWindow::showError(const QString& message) {
  lastError_ = message;
  log_->log(tr("error: %1").arg(message));
  statusBar()->showMessage(tr("Error: %1").arg(message), 15000);
  if (!errorPopups_) return;
  // Non-modal: an error must not stop the event loop (nor the events still arriving).
  auto* box =
      new QMessageBox(QMessageBox::Warning, tr("μ2Net Workbench"), message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::setExperiment(const ExperimentConfig& config, const QString& source) {
  follower_->stop();
  config_ = config;
  experimentDir_.clear();
  readOnlyExperiment_ = false;
  nothingLeft_.clear();
  source_ = source;
  // Nothing of the previous experiment stays on screen.
  clearViews();
  status_->reset();
  taskData_->setExperiment(config);
  baseDir_ = source.startsWith(QLatin1Char(':')) || isDatabaseLocation(source)
                 ? QDir::currentPath()
                 : QFileInfo(source).absolutePath();
  QStringList tasks;
  for (const auto& t : config.tasks)
    tasks << q(t.name);
  log_->log(
      tr("experiment loaded from %1: tasks %2").arg(source, tasks.join(QStringLiteral(", "))));
  statusBar()->showMessage(tr("Experiment ready — press Start to run it."));
  updateActions();
  updateTitle();
}

bool MainWindow::loadDefaultExperiment() {
  const QByteArray json = defaultExperimentJson();
  try {
    setExperiment(parseExperimentConfig(json.toStdString(), QDir::currentPath().toStdString()),
                  defaultExperimentResource());
    warnOfDataProblems();
    return true;
  } catch (const std::exception& e) {
    showError(tr("the built-in default experiment is invalid: %1").arg(q(errorText(e))));
    return false;
  }
}

MainWindow* MainWindow::openInNewWindow(const QString& path) {
  auto* window = new MainWindow;
  window->setAttribute(Qt::WA_DeleteOnClose);
  window->openPath(path);
  window->show();
  return window;
}

// What the opened store or configuration holds now; a directory another process writes is
// followed again.
bool MainWindow::reload() {
  if (controller_->isActive() || source_.isEmpty()) return false;
  // A database store is opened again whatever its server answers (openPath says why it fails).
  if (!experimentDir_.isEmpty() && (isDatabaseLocation(experimentDir_) ||
                                    ExperimentStore::isStore(experimentDir_.toStdString())))
    return openPath(experimentDir_);
  if (source_ == defaultExperimentResource()) return loadDefaultExperiment();
  return QFileInfo(source_).isFile() && openPath(source_);
}

bool MainWindow::openPath(const QString& path) {
  if (isDatabaseLocation(path)) return openExperimentDirectory(path);
  const QFileInfo info(path);
  if (info.isDir()) return openExperimentDirectory(info.absoluteFilePath());
  return loadConfigFile(path);
}

// Opens an experiment directory or a database store (its URL): shows what it holds (graph,
// tasks, every child trained, a database's agents) at once, read-only; Start continues it unless
// another process (or agents) is writing it. A URL is only ever handed to the store: the
// password it may hold stays out of the title, the log and the recent experiments.
bool MainWindow::openExperimentDirectory(const QString& dir) {
  const bool database = isDatabaseLocation(dir);
  const QString shownDir = displayLocation(dir);
  try {
    const std::filesystem::path d = dir.toStdString();
    const auto store = ExperimentStore::open(d, ExperimentStore::Mode::ReadOnly);
    const ExperimentConfig config = store->config();
    const std::vector<TaskLease> leases = store->taskLeases();
    setExperiment(config, database ? shownDir : dir + QStringLiteral("/experiment.json"));
    experimentDir_ = dir;
    history_->setDirectory(dir);
    recentMenu_->add(shownDir);
    const auto shown = storedExperiment(*store, config);
    if (shown) {
      showStored(*shown);
      plots_->showStoredSizes(storedIterationSizes(*store));
    }
    if (store->isRemote()) {
      agents_->showLeases(leases);
      if (!leases.empty()) agentsDock_->raise();
    }
    if (ExperimentStore::isBeingWritten(d)) {
      readOnlyExperiment_ = true;
      log_->log((database ? tr("%1 is being written by its agents or another process: following "
                               "it (read-only)")
                          : tr("%1 is being written by another process: following it (read-only)"))
                    .arg(shownDir));
      follower_->follow(dir, storeCursor(*store, shown ? shown->run.history.size() : 0));
    } else {
      readOnlyExperiment_ = false;
      const QString opened =
          database ? tr("Database store opened") : tr("Experiment directory opened");
      statusBar()->showMessage(nothingLeft_.isEmpty()
                                   ? tr("%1 — press Start to continue it.").arg(opened)
                                   : tr("%1: %2").arg(opened, nothingLeft_));
    }
    // Shown all the same (its history is in the store); continuing it needs the data.
    warnOfDataProblems();
    updateActions();
    return true;
  } catch (const std::exception& e) {
    showError(q(errorText(e)));
    return false;
  }
}

// Feeds children trained before (a stored experiment's history) to the views, as if they had
// just finished. The task table then takes each task's values from the graph (its retained
// path): the best child of the history need not be the model the task kept.
void MainWindow::showHistory(const RunStartedEvent& e) {
  taskModel()->onRunStarted(e);
  plots_->onRunStarted(e);
  for (const auto& c : e.history) {
    taskModel()->onChildFinished(c);
    childModel()->onChildFinished(c);
    plots_->onChildFinished(c);
  }
  taskModel()->applySnapshot(e.graph);
}

// A stored experiment as the store has it: its history, graph, task statuses and progress.
void MainWindow::showStored(const StoredExperiment& stored) {
  // The graph first: the inspector names the creators of the children's layers from it.
  graph_->setSnapshot(stored.run.graph);
  showHistory(stored.run);
  taskData_->showStored(stored.run);
  lineage_->setSnapshot(stored.run.graph);
  for (const auto& [task, status] : stored.taskStatus)
    taskModel()->setStatus(task, status);
  nothingLeft_ = stored.nothingLeft;
  status_->showStored(stored.childrenTrained, stored.childrenPlanned,
                      stored.finished ? tr("finished") : tr("not finished"));
}

// Says (log and status bar) when the current experiment's data cannot be read: Start would fail.
void MainWindow::warnOfDataProblems() {
  const QString problems = dataProblems(*config_);
  if (problems.isEmpty()) return;
  const QString warning =
      tr("Start will fail until this experiment's data can be read: %1").arg(problems);
  log_->log(warning);
  statusBar()->showMessage(warning);
}

// A continued run trains only the tasks with iterations left: the others keep the status the
// store gives them ("done (iteration k)") rather than "waiting".
void MainWindow::showDoneTasks() {
  try {
    const auto store =
        ExperimentStore::open(experimentDir_.toStdString(), ExperimentStore::Mode::ReadOnly);
    const auto shown = storedExperiment(*store, controller_->config());
    if (!shown) return;
    for (const auto& [task, status] : shown->taskStatus)
      if (status.startsWith(tr("done"))) taskModel()->setStatus(task, status);
  } catch (const std::exception& e) {
    log_->log(tr("the tasks' stored status could not be read: %1").arg(q(errorText(e))));
  }
}

bool MainWindow::loadConfigFile(const QString& path) {
  try {
    // A configuration is a small JSON file: reading it here takes milliseconds.
    const ExperimentConfig config = loadExperimentConfig(path.toStdString());
    // Its dataset folders are checked by name now, not at Start.
    if (const QString problems = dataProblems(config); !problems.isEmpty()) {
      showError(tr("%1 cannot be opened: %2").arg(path, problems));
      return false;
    }
    setExperiment(config, QFileInfo(path).absoluteFilePath());
    recentMenu_->add(QFileInfo(path).absoluteFilePath());
    return true;
  } catch (const std::exception& e) {
    showError(q(errorText(e)));
    return false;
  }
}

void MainWindow::clearViews() {
  taskModel()->clear();
  childModel()->clear();
  plots_->clear();
  graph_->clear();
  history_->clear();
  inspector_->showNothing();
  selection_->clear();
  lineage_->clear();
  agents_->showNoDatabaseStore();
}

bool MainWindow::startExperiment() {
  if (!config_ || controller_->isActive() || readOnlyExperiment_) return false;
  if (!nothingLeft_.isEmpty()) {
    showError(nothingLeft_);
    return false;
  }
  if (experimentDir_.isEmpty()) experimentDir_ = newExperimentDirectory(source_);
  log_->log(tr("the experiment is kept in %1 (crash-safe; open it later to continue it)")
                .arg(displayLocation(experimentDir_)));
  clearViews();
  if (isDatabaseLocation(experimentDir_)) agents_->showRunHere();
  history_->setDirectory(experimentDir_);
  status_->reset(QString());
  log_->log(tr("starting: loading the data of %1 task(s)…").arg(config_->tasks.size()));
  const bool ok = controller_->start(*config_, experimentDir_);
  updateActions();
  return ok;
}

void MainWindow::newExperiment() {
  NewExperimentDialog dialog(this);
  if (config_) dialog.setConfig(*config_, baseDir_);
  if (dialog.exec() != QDialog::Accepted) return;
  // Save it beside the other configurations so that it can be reopened (and is in the recent
  // list); the user picks the file.
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Save the experiment configuration"),
                                   QDir::home().filePath(QStringLiteral("experiment.json")),
                                   tr("Experiment configuration (*.json)"));
  if (path.isEmpty()) {
    setExperiment(dialog.config(), tr("new experiment"));
    return;
  }
  if (const QString error = saveExperimentConfig(path, dialog.config()); !error.isEmpty()) {
    showError(error);
    setExperiment(dialog.config(), tr("new experiment"));
    return;
  }
  setExperiment(dialog.config(), path);
  recentMenu_->add(path);
}

void MainWindow::openConfigDialog() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open experiment configuration"), baseDir_, tr("Experiment configuration (*.json)"));
  if (!path.isEmpty()) openPath(path);
}

void MainWindow::openDatabaseDialog() {
  QSettings settings;
  QInputDialog dialog(this);
  dialog.setWindowTitle(tr("Open database store"));
  dialog.setInputMode(QInputDialog::TextInput);
  dialog.setLabelText(
      tr("URL of an experiment store in a PostgreSQL database:\n"
         "  postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE\n"
         "  postgresql://USER@/DATABASE?host=/SOCKET/FOLDER&port=PORT"));
  dialog.setTextValue(settings.value(kLastDatabaseKey, QStringLiteral("postgresql://")).toString());
  dialog.resize(std::max(dialog.sizeHint().width(), 620), dialog.sizeHint().height());
  if (dialog.exec() != QDialog::Accepted) return;
  const QString url = dialog.textValue().trimmed();
  if (url.isEmpty()) return;
  if (!isDatabaseLocation(url)) {
    showError(tr("%1 is not a database URL: it starts with postgresql:// (an experiment directory "
                 "opens with Open experiment directory…)")
                  .arg(url));
    return;
  }
  if (openPath(url)) settings.setValue(kLastDatabaseKey, displayLocation(url));
}

void MainWindow::addTaskDialog() {
  QStringList existing;
  for (int r = 0; r < taskModel()->rowCount(); ++r)
    existing << taskModel()->row(r).name;
  AddTaskDialog dialog(existing, baseDir_, this);
  dialog.setExperiment(controller_->config());
  if (dialog.exec() != QDialog::Accepted) return;
  controller_->addTask(dialog.task());
  taskData_->addTask(dialog.task());
  log_->log(tr("task %1 requested; it joins between children").arg(q(dialog.task().name)));
}

void MainWindow::showTaskData(const QString& task) {
  taskData_->open(task);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (controller_->isActive()) {
    if (!closeAfterStop_) {
      const auto answer = QMessageBox::question(
          this, tr("Stop the run?"),
          tr("An experiment is running. Stop it at the next safe point and close the window? "
             "Tasks keep their best models so far."),
          QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
      if (answer != QMessageBox::Yes) {
        event->ignore();
        return;
      }
      closeAfterStop_ = true;
      controller_->stop();
      log_->log(tr("stopping before closing…"));
    }
    event->ignore();  // closes once the controller reports Finished (see connectController)
    return;
  }
  QSettings settings;
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("windowState"), saveState(kDockLayoutVersion));
  event->accept();
}

}  // namespace mu2net::ui
