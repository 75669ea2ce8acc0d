#include "MainWindow.h"

#include <QDateTime>
#include <filesystem>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTime>
#include <QTimer>
#include <QToolBar>
#include <exception>
#include <filesystem>

#include "AddTaskDialog.h"
#include "ChildInspector.h"
#include "ChildListModel.h"
#include "DefaultExperiment.h"
#include "Format.h"
#include "GraphView.h"
#include "NewExperimentDialog.h"
#include "PlotPanel.h"
#include "TaskTableModel.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

namespace {

constexpr int kMaxRecent = 8;
const QString kRecentKey = QStringLiteral("recentExperiments");

QString stateName(ExperimentController::State state) {
  switch (state) {
    case ExperimentController::State::Idle:
      return QObject::tr("idle");
    case ExperimentController::State::Loading:
      return QObject::tr("loading data…");
    case ExperimentController::State::Running:
      return QObject::tr("running");
    case ExperimentController::State::Paused:
      return QObject::tr("paused");
    case ExperimentController::State::Stopping:
      return QObject::tr("stopping…");
    case ExperimentController::State::Finished:
      return QObject::tr("finished");
    case ExperimentController::State::Failed:
      return QObject::tr("failed");
  }
  return {};
}

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      controller_(new ExperimentController(this)),
      taskModel_(new TaskTableModel(this)),
      childModel_(new ChildListModel(this)),
      graph_(new GraphView(this)),
      plots_(new PlotPanel(this)),
      inspector_(new ChildInspector(this)),
      log_(new QPlainTextEdit(this)) {
  setObjectName(QStringLiteral("MainWindow"));
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setObjectName(QStringLiteral("eventLog"));
  createActions();
  createDocks();
  connectController();

  taskLabel_ = new QLabel(this);
  stateLabel_ = new QLabel(this);
  speedLabel_ = new QLabel(this);
  remainingLabel_ = new QLabel(this);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setMaximumWidth(220);
  progress_->setFormat(QStringLiteral("%p%"));
  statusBar()->addWidget(stateLabel_);
  statusBar()->addWidget(taskLabel_, 1);
  statusBar()->addPermanentWidget(speedLabel_);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(remainingLabel_);

  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
  if (!restoreState(settings.value(QStringLiteral("windowState")).toByteArray())) {
    resize(1500, 920);
    // Dock sizes only take once the window has its size: give the graph and the curves most of
    // the height, split evenly side by side.
    QTimer::singleShot(0, this, [this] {
      auto* graphDock = findChild<QDockWidget*>(QStringLiteral("graphDock"));
      auto* plotDock = findChild<QDockWidget*>(QStringLiteral("plotDock"));
      auto* taskDock = findChild<QDockWidget*>(QStringLiteral("taskDock"));
      if (!graphDock || !plotDock || !taskDock) return;
      resizeDocks({graphDock, plotDock}, {width() / 2, width() / 2}, Qt::Horizontal);
      resizeDocks({graphDock, taskDock}, {height() * 66 / 100, height() * 34 / 100}, Qt::Vertical);
    });
  }
  rebuildRecentMenu();
  updateActions();
  updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions() {
  newAction_ = new QAction(tr("&New experiment…"), this);
  newAction_->setShortcut(QKeySequence::New);
  openAction_ = new QAction(tr("&Open configuration…"), this);
  openAction_->setShortcut(QKeySequence::Open);
  openDirAction_ = new QAction(tr("Open experiment &directory…"), this);
  startAction_ = new QAction(tr("&Start"), this);
  startAction_->setShortcut(Qt::Key_F5);
  pauseAction_ = new QAction(tr("&Pause"), this);
  resumeAction_ = new QAction(tr("&Resume"), this);
  stopAction_ = new QAction(tr("S&top"), this);
  addTaskAction_ = new QAction(tr("&Add task…"), this);
  exportGraphAction_ = new QAction(tr("Export &graph…"), this);
  exportCurvesAction_ = new QAction(tr("Export &curves…"), this);
  fitAction_ = new QAction(tr("&Fit graph"), this);
  fitAction_->setShortcut(Qt::CTRL | Qt::Key_0);
  quitAction_ = new QAction(tr("&Quit"), this);
  quitAction_->setShortcut(QKeySequence::Quit);

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
  connect(startAction_, &QAction::triggered, this, &MainWindow::startExperiment);
  connect(pauseAction_, &QAction::triggered, controller_, &ExperimentController::pause);
  connect(resumeAction_, &QAction::triggered, controller_, &ExperimentController::resume);
  connect(stopAction_, &QAction::triggered, controller_, &ExperimentController::stop);
  connect(addTaskAction_, &QAction::triggered, this, &MainWindow::addTaskDialog);
  connect(exportGraphAction_, &QAction::triggered, this, &MainWindow::exportGraphDialog);
  connect(exportCurvesAction_, &QAction::triggered, this, &MainWindow::exportCurvesDialog);
  connect(fitAction_, &QAction::triggered, graph_, &GraphView::fit);
  connect(quitAction_, &QAction::triggered, this, &QWidget::close);

  QMenu* file = menuBar()->addMenu(tr("&Experiment"));
  file->addAction(newAction_);
  file->addAction(openAction_);
  file->addAction(openDirAction_);
  recentMenu_ = file->addMenu(tr("Open &recent"));
  file->addSeparator();
  file->addAction(startAction_);
  file->addAction(pauseAction_);
  file->addAction(resumeAction_);
  file->addAction(stopAction_);
  file->addAction(addTaskAction_);
  file->addSeparator();
  file->addAction(exportGraphAction_);
  file->addAction(exportCurvesAction_);
  file->addSeparator();
  file->addAction(quitAction_);
  viewMenu_ = menuBar()->addMenu(tr("&View"));
  viewMenu_->addAction(fitAction_);
  viewMenu_->addSeparator();

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
  taskView_ = new QTableView(this);
  taskView_->setModel(taskModel_);
  taskView_->setSelectionBehavior(QAbstractItemView::SelectRows);
  taskView_->setSelectionMode(QAbstractItemView::SingleSelection);
  taskView_->verticalHeader()->hide();
  taskView_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  taskView_->verticalHeader()->setDefaultSectionSize(22);
  taskView_->setWordWrap(false);
  childView_ = new QTableView(this);
  childView_->setModel(childModel_);
  childView_->setSelectionBehavior(QAbstractItemView::SelectRows);
  childView_->setSelectionMode(QAbstractItemView::SingleSelection);
  childView_->verticalHeader()->hide();
  childView_->horizontalHeader()->setStretchLastSection(true);
  childView_->verticalHeader()->setDefaultSectionSize(22);
  childView_->setWordWrap(false);
  // Fixed starting widths: sizing to contents would measure every row of a long run.
  const std::pair<int, int> widths[] = {
      {ChildListModel::Generation, 40}, {ChildListModel::Task, 120},
      {ChildListModel::Child, 45},      {ChildListModel::Parent, 130},
      {ChildListModel::Status, 95},     {ChildListModel::Validation, 75},
      {ChildListModel::Params, 120}};
  for (const auto& [column, w] : widths)
    childView_->setColumnWidth(column, w);

  // Rough first layout: graph left, curves right, tables below; QSettings keeps the user's own.
  auto* graphDock =
      dock(tr("System graph"), QStringLiteral("graphDock"), graph_, Qt::LeftDockWidgetArea);
  auto* plotDock = dock(tr("Curves"), QStringLiteral("plotDock"), plots_, Qt::RightDockWidgetArea);
  auto* taskDock =
      dock(tr("Tasks"), QStringLiteral("taskDock"), taskView_, Qt::BottomDockWidgetArea);
  auto* childDock =
      dock(tr("Children"), QStringLiteral("childDock"), childView_, Qt::BottomDockWidgetArea);
  auto* inspectorDock = dock(tr("Child inspector"), QStringLiteral("inspectorDock"), inspector_,
                             Qt::BottomDockWidgetArea);
  auto* logDock = dock(tr("Event log"), QStringLiteral("logDock"), log_, Qt::BottomDockWidgetArea);
  splitDockWidget(graphDock, plotDock, Qt::Horizontal);
  splitDockWidget(taskDock, childDock, Qt::Horizontal);
  splitDockWidget(childDock, inspectorDock, Qt::Horizontal);
  tabifyDockWidget(taskDock, logDock);
  taskDock->raise();

  connect(taskView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            graph_->setHighlightedTask(current.isValid() ? taskModel_->row(current.row()).name
                                                         : QString());
          });
  connect(childView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (current.isValid())
              inspector_->showChild(childModel_->record(current.row()));
            else
              inspector_->showNothing();
          });
  // The inspector follows updates of the selected child (validations arriving, finish); with no
  // child selected it shows the child that changed last, so a running experiment is always
  // explained somewhere.
  connect(childModel_, &QAbstractItemModel::dataChanged, this,
          [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
            const QModelIndex current = childView_->currentIndex();
            if (!current.isValid())
              inspector_->showChild(childModel_->record(bottomRight.row()));
            else if (current.row() >= topLeft.row() && current.row() <= bottomRight.row())
              inspector_->showChild(childModel_->record(current.row()));
          });
  connect(graph_, &GraphView::layoutFailed, this,
          [this](const QString& message) { log(tr("graph layout failed: %1").arg(message)); });
}

void MainWindow::connectController() {
  auto* c = controller_;
  connect(c, &ExperimentController::runStarted, taskModel_, &TaskTableModel::onRunStarted);
  connect(c, &ExperimentController::taskAdded, taskModel_, &TaskTableModel::onTaskAdded);
  connect(c, &ExperimentController::taskIterationStarted, taskModel_,
          &TaskTableModel::onTaskIterationStarted);
  connect(c, &ExperimentController::childFinished, taskModel_, &TaskTableModel::onChildFinished);
  connect(c, &ExperimentController::taskIterationEnded, taskModel_,
          &TaskTableModel::onTaskIterationEnded);
  connect(c, &ExperimentController::testEvaluated, taskModel_, &TaskTableModel::onTestEvaluated);
  connect(c, &ExperimentController::runFinished, taskModel_, &TaskTableModel::onRunFinished);

  connect(c, &ExperimentController::childStarted, childModel_, &ChildListModel::onChildStarted);
  connect(c, &ExperimentController::validation, childModel_, &ChildListModel::onValidation);
  connect(c, &ExperimentController::childFinished, childModel_, &ChildListModel::onChildFinished);
  connect(c, &ExperimentController::runFinished, childModel_, &ChildListModel::onRunFinished);

  connect(c, &ExperimentController::runStarted, plots_, &PlotPanel::onRunStarted);
  connect(c, &ExperimentController::taskAdded, plots_, &PlotPanel::onTaskAdded);
  connect(c, &ExperimentController::childStarted, plots_, &PlotPanel::onChildStarted);
  connect(c, &ExperimentController::trainingProgress, plots_, &PlotPanel::onTrainingProgress);
  connect(c, &ExperimentController::childFinished, plots_, &PlotPanel::onChildFinished);
  connect(c, &ExperimentController::taskIterationEnded, plots_, &PlotPanel::onTaskIterationEnded);

  connect(c, &ExperimentController::runStarted, graph_,
          [this](const RunStartedEvent& e) { graph_->setSnapshot(e.graph); });
  connect(c, &ExperimentController::taskIterationEnded, graph_,
          [this](const TaskIterationEndedEvent& e) { graph_->setSnapshot(e.graph); });
  connect(c, &ExperimentController::runFinished, graph_,
          [this](const RunFinishedEvent& e) { graph_->setSnapshot(e.graph); });
  connect(c, &ExperimentController::componentHashesReady, graph_, &GraphView::setComponentHashes);

  connect(c, &ExperimentController::stateChanged, this, [this](ExperimentController::State s) {
    stateLabel_->setText(stateName(s));
    if (s == ExperimentController::State::Paused) pauseClock_.start();
    if (s == ExperimentController::State::Running && pauseClock_.isValid()) {
      pausedMs_ += pauseClock_.elapsed();
      pauseClock_.invalidate();
    }
    updateActions();
    if ((s == ExperimentController::State::Finished || s == ExperimentController::State::Failed) &&
        closeAfterStop_)
      close();
  });
  connect(c, &ExperimentController::errorOccurred, this, &MainWindow::showError);

  connect(c, &ExperimentController::runStarted, this, [this](const RunStartedEvent& e) {
    if (!e.history.empty()) showHistory(e);
    totalChildren_ = e.totalChildren;
    childrenPerTaskIteration_ = e.childrenPerTaskIteration;
    taskIterations_ = e.taskIterations;
    childrenFinished_ = 0;
    currentIteration_ = 1;
    runClock_.start();
    pausedMs_ = 0;
    QStringList tasks;
    for (const auto& t : e.tasks)
      tasks << q(t);
    log(tr("run started: %1 task(s) (%2), %3 task iteration(s), %4 children in all")
            .arg(e.tasks.size())
            .arg(tasks.join(QStringLiteral(", ")))
            .arg(e.taskIterations)
            .arg(e.totalChildren));
    updateProgress();
  });
  connect(c, &ExperimentController::taskIterationStarted, this,
          [this](const TaskIterationStartedEvent& e) {
            currentIteration_ = e.iteration;
            log(tr("%1: task iteration %2 begins").arg(q(e.task)).arg(e.iteration));
          });
  connect(c, &ExperimentController::generationStarted, this,
          [this](const GenerationStartedEvent& e) {
            QString line = tr("%1: generation %2").arg(q(e.task)).arg(e.generation);
            if (!e.dataMutations.empty())
              line += tr(" (data: %1)").arg(describeMutations(e.dataMutations));
            log(line);
            generation_.clear();
            trainingLabels_.clear();
          });
  // Children of a generation may train at the same time (training.parallel_children): the
  // status bar names every child in training, sums their speeds and counts their shares.
  connect(c, &ExperimentController::childStarted, this, [this](const ChildStartedEvent& e) {
    generation_.start(e.childIndex);
    for (const int child : trainingLabels_.keys())  // children done training leave the label
      if (generation_.doneTraining(child)) trainingLabels_.remove(child);
    trainingLabels_[e.childIndex] =
        tr("child %1 (parent %2 #%3)").arg(e.childIndex + 1).arg(q(e.parentTask)).arg(e.parentId);
    taskLabel_->setText(tr("task %1 · generation %2 · %3")
                            .arg(q(e.task))
                            .arg(e.generation)
                            .arg(QStringList(trainingLabels_.values()).join(QStringLiteral(", "))));
  });
  connect(c, &ExperimentController::trainingProgress, this, [this](const TrainingProgressEvent& e) {
    generation_.update(e);
    // Once every child has run its steps, the generation validates: no speed to show.
    if (generation_.onlyValidating())
      speedLabel_->setText(tr("validating"));
    else
      speedLabel_->setText(tr("%1 samples/s").arg(generation_.samplesPerSecond(), 0, 'f', 0));
    updateProgress();
  });
  connect(c, &ExperimentController::childFinished, this, [this](const ChildFinishedEvent& e) {
    ++childrenFinished_;
    generation_.finish(e.childIndex);
    log(tr("%1: generation %2 child %3 %4 — validation %5%, %6 trainable params, %7")
            .arg(q(e.task))
            .arg(e.generation)
            .arg(e.childIndex + 1)
            .arg(e.improved ? tr("improved") : tr("not improved"))
            .arg(100.0 * e.quality, 0, 'f', 1)
            .arg(formatCount(static_cast<double>(e.trainableParams)))
            .arg(e.mutations.empty() ? tr("no mutations") : describeMutations(e.mutations)));
    updateProgress();
  });
  connect(c, &ExperimentController::taskIterationEnded, this,
          [this](const TaskIterationEndedEvent& e) {
            log(tr("%1: task iteration %2 ends, retained path %3, validation %4%, system size %5")
                    .arg(q(e.task))
                    .arg(e.iteration)
                    .arg(e.retainedPathId)
                    .arg(100.0 * e.validationQuality, 0, 'f', 1)
                    .arg(formatCount(e.systemSize)));
          });
  connect(c, &ExperimentController::testEvaluated, this, [this](const TestEvaluatedEvent& e) {
    log(tr("%1: test accuracy %2% on %3 examples")
            .arg(q(e.task))
            .arg(100.0 * e.testQuality, 0, 'f', 1)
            .arg(e.examples));
  });
  connect(c, &ExperimentController::taskAdded, this, [this](const TaskAddedEvent& e) {
    // The new task joins the current pass and every later one.
    totalChildren_ += static_cast<qint64>(childrenPerTaskIteration_) *
                      std::max(1, taskIterations_ - currentIteration_ + 1);
    log(tr("task %1 added; it joins the round-robin").arg(q(e.task)));
  });
  connect(c, &ExperimentController::pausedChanged, this,
          [this](const PausedEvent& e) { log(e.paused ? tr("paused") : tr("resumed")); });
  connect(c, &ExperimentController::runFinished, this, [this](const RunFinishedEvent& e) {
    log(e.stopped ? tr("run stopped after %1").arg(formatDuration(e.wallSeconds))
                  : tr("run finished in %1").arg(formatDuration(e.wallSeconds)));
    if (!e.stopped) progress_->setValue(progress_->maximum());
    remainingLabel_->clear();
    taskLabel_->clear();
  });
}

void MainWindow::updateProgress() {
  if (totalChildren_ <= 0) return;
  const double done =
      std::min(1.0, (static_cast<double>(childrenFinished_) + generation_.unfinishedShare()) /
                        static_cast<double>(totalChildren_));
  progress_->setValue(static_cast<int>(done * progress_->maximum()));
  const double elapsed = static_cast<double>(runClock_.elapsed() - pausedMs_) / 1000.0;
  if (done > 0.002 && elapsed > 1)
    remainingLabel_->setText(tr("%1 left").arg(formatDuration(elapsed * (1 - done) / done)));
}

void MainWindow::updateActions() {
  using S = ExperimentController::State;
  const S s = controller_->state();
  const bool active = controller_->isActive();
  startAction_->setEnabled(!active && config_.has_value() && !readOnlyExperiment_);
  newAction_->setEnabled(!active);
  openAction_->setEnabled(!active);
  openDirAction_->setEnabled(!active);
  recentMenu_->setEnabled(!active);
  pauseAction_->setEnabled(s == S::Running || s == S::Loading);
  resumeAction_->setEnabled(s == S::Paused);
  stopAction_->setEnabled(active && s != S::Stopping);
  addTaskAction_->setEnabled(s == S::Running || s == S::Paused || s == S::Loading);
  stateLabel_->setText(stateName(s));
}

void MainWindow::updateTitle() {
  QString name = source_.isEmpty() ? tr("no experiment") : QFileInfo(source_).fileName();
  if (source_ == defaultExperimentResource()) name = tr("default experiment");
  setWindowTitle(tr("%1 — μ2Net Workbench").arg(name));
}

void MainWindow::log(const QString& line) {
  log_->appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

void MainWindow::showError(const QString& message) {
  log(tr("error: %1").arg(message));
  statusBar()->showMessage(tr("Error: %1").arg(message), 15000);
  if (!errorPopups_) return;
  // Non-modal: an error must not stop the event loop (nor the events still arriving).
  auto* box =
      new QMessageBox(QMessageBox::Warning, tr("μ2Net Workbench"), message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::setExperiment(const ExperimentConfig& config, const QString& source) {
  config_ = config;
  experimentDir_.clear();
  readOnlyExperiment_ = false;
  source_ = source;
  baseDir_ =
      source.startsWith(QLatin1Char(':')) ? QDir::currentPath() : QFileInfo(source).absolutePath();
  QStringList tasks;
  for (const auto& t : config.tasks)
    tasks << q(t.name);
  log(tr("experiment loaded from %1: tasks %2").arg(source, tasks.join(QStringLiteral(", "))));
  statusBar()->showMessage(tr("Experiment ready — press Start to run it."));
  updateActions();
  updateTitle();
}

bool MainWindow::loadDefaultExperiment() {
  const QByteArray json = defaultExperimentJson();
  try {
    setExperiment(parseExperimentConfig(json.toStdString(), QDir::currentPath().toStdString()),
                  defaultExperimentResource());
    return true;
  } catch (const std::exception& e) {
    showError(tr("the built-in default experiment is invalid: %1").arg(q(e.what())));
    return false;
  }
}

bool MainWindow::openPath(const QString& path) {
  const QFileInfo info(path);
  if (info.isDir()) return openExperimentDirectory(info.absoluteFilePath());
  return loadConfigFile(path);
}

// Opens an experiment directory: shows what it holds (graph, tasks, every child trained) at once,
// read-only; Start continues it unless another process is writing it.
bool MainWindow::openExperimentDirectory(const QString& dir) {
  try {
    const std::filesystem::path d = dir.toStdString();
    const auto store = ExperimentStore::open(d, ExperimentStore::Mode::ReadOnly);
    const ExperimentConfig config = store->config();
    setExperiment(config, dir + QStringLiteral("/experiment.json"));
    experimentDir_ = dir;
    addRecent(dir);
    clearViews();
    if (store->hasState()) {
      const StoreState st = store->loadMetadata();
      const System system(st.system);
      RunStartedEvent shown;
      for (const auto& t : st.tasks)
        shown.tasks.push_back(t.spec.name);
      shown.taskIterations = config.evolution.taskIterations;
      shown.graph = system.snapshot();
      shown.history = store->children();
      showHistory(shown);
      graph_->setSnapshot(shown.graph);
    }
    if (ExperimentStore::isBeingWritten(d)) {
      readOnlyExperiment_ = true;
      log(tr("%1 is being written by another process: shown read-only").arg(dir));
      statusBar()->showMessage(tr("Read-only: another process is running this experiment."));
    } else {
      readOnlyExperiment_ = false;
      statusBar()->showMessage(tr("Experiment directory opened — press Start to continue it."));
    }
    updateActions();
    return true;
  } catch (const std::exception& e) {
    showError(q(e.what()));
    return false;
  }
}

// Feeds children trained before (a stored experiment's history) to the views, as if they had
// just finished.
void MainWindow::showHistory(const RunStartedEvent& e) {
  taskModel_->onRunStarted(e);
  plots_->onRunStarted(e);
  for (const auto& c : e.history) {
    taskModel_->onChildFinished(c);
    childModel_->onChildFinished(c);
    plots_->onChildFinished(c);
  }
}

QString MainWindow::runsRoot() {
  const QByteArray env = qgetenv("MU2NET_RUNS_DIR");
  return env.isEmpty() ? QDir::home().filePath(QStringLiteral("mu2net-runs"))
                       : QString::fromLocal8Bit(env);
}

bool MainWindow::loadConfigFile(const QString& path) {
  try {
    // A configuration is a small JSON file: reading it here takes milliseconds.
    const ExperimentConfig config = loadExperimentConfig(path.toStdString());
    setExperiment(config, QFileInfo(path).absoluteFilePath());
    addRecent(QFileInfo(path).absoluteFilePath());
    return true;
  } catch (const std::exception& e) {
    showError(q(e.what()));
    return false;
  }
}

void MainWindow::clearViews() {
  taskModel_->clear();
  childModel_->clear();
  plots_->clear();
  graph_->clear();
  inspector_->showNothing();
}

bool MainWindow::startExperiment() {
  if (!config_ || controller_->isActive() || readOnlyExperiment_) return false;
  if (experimentDir_.isEmpty()) {
    const QString stem = source_.startsWith(QLatin1Char(':'))
                             ? QStringLiteral("default")
                             : QFileInfo(source_).completeBaseName();
    experimentDir_ =
        QDir(runsRoot())
            .filePath(stem + QLatin1Char('-') +
                      QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  }
  log(tr("the experiment is kept in %1 (crash-safe; open it later to continue it)")
          .arg(experimentDir_));
  clearViews();
  statusBar()->clearMessage();
  progress_->setValue(0);
  remainingLabel_->clear();
  speedLabel_->clear();
  totalChildren_ = 0;
  childrenFinished_ = 0;
  log(tr("starting: loading the data of %1 task(s)…").arg(config_->tasks.size()));
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
  QFile file(path);
  const std::string json = experimentConfigToJson(dialog.config());
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
      file.write(json.data(), static_cast<qint64>(json.size())) !=
          static_cast<qint64>(json.size())) {
    showError(tr("cannot write %1: %2").arg(path, file.errorString()));
    setExperiment(dialog.config(), tr("new experiment"));
    return;
  }
  file.close();
  setExperiment(dialog.config(), path);
  addRecent(path);
}

void MainWindow::openConfigDialog() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open experiment configuration"), baseDir_, tr("Experiment configuration (*.json)"));
  if (!path.isEmpty()) openPath(path);
}

void MainWindow::addTaskDialog() {
  QStringList existing;
  for (int r = 0; r < taskModel_->rowCount(); ++r)
    existing << taskModel_->row(r).name;
  AddTaskDialog dialog(existing, baseDir_, this);
  if (dialog.exec() != QDialog::Accepted) return;
  controller_->addTask(dialog.task());
  log(tr("task %1 requested; it joins between children").arg(q(dialog.task().name)));
}

void MainWindow::exportGraphDialog() {
  QString filter;
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export the system graph"),
      QDir::home().filePath(QStringLiteral("mu2net-graph.svg")),
      tr("SVG image (*.svg);;PNG image (*.png);;Graphviz DOT (*.dot)"), &filter);
  if (path.isEmpty()) return;
  QString error;
  bool ok = false;
  if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
    ok = graph_->exportPng(path, &error);
  else if (path.endsWith(QLatin1String(".dot"), Qt::CaseInsensitive) ||
           path.endsWith(QLatin1String(".gv"), Qt::CaseInsensitive))
    ok = graph_->exportDot(path, &error);
  else
    ok = graph_->exportSvg(path, &error);
  if (ok)
    log(tr("graph exported to %1").arg(path));
  else
    showError(error);
}

void MainWindow::exportCurvesDialog() {
  QString filter;
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export the curves (one file per plot)"),
                                   QDir::home().filePath(QStringLiteral("mu2net-curves.png")),
                                   tr("PNG images (*.png);;PDF documents (*.pdf)"), &filter);
  if (path.isEmpty()) return;
  const QFileInfo info(path);
  const QString format = info.suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0
                             ? QStringLiteral("pdf")
                             : QStringLiteral("png");
  QString error;
  const QStringList files =
      plots_->exportAll(info.dir().filePath(info.completeBaseName()), format, &error);
  if (!error.isEmpty())
    showError(error);
  else
    log(tr("curves exported: %1").arg(files.join(QStringLiteral(", "))));
}

void MainWindow::addRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent)
    recent.removeLast();
  settings.setValue(kRecentKey, recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value(kRecentKey).toStringList();
  for (const QString& path : recent) {
    QAction* a = recentMenu_->addAction(path);
    connect(a, &QAction::triggered, this, [this, path] { openPath(path); });
  }
  recentMenu_->setEnabled(!recent.isEmpty() && !controller_->isActive());
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
      log(tr("stopping before closing…"));
    }
    event->ignore();  // closes once the controller reports Finished (see connectController)
    return;
  }
  QSettings settings;
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("windowState"), saveState());
  event->accept();
}

}  // namespace mu2net::ui
