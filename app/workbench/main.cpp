// mu2net-workbench: the desktop workbench (see README.md and DESIGN.md).
//
//   mu2net-workbench [--autostart] [--screenshot FILE --screenshot-after SECONDS]
//   [--task-data TASK] [--confusion TASK] [DIR | URL | CONFIG.json] [DIR2 ...]
//   mu2net-workbench DIR --at-generation N [--screenshot FILE]
//   mu2net-workbench DIR --export-growth FOLDER
//   mu2net-workbench --version | --help
//
// DIR is an experiment directory (shown, and continued by Start); URL a database store
// (postgresql://USER@HOST/DATABASE, or postgresql://USER@/DATABASE?host=SOCKET_FOLDER&port=N),
// opened the same way, with its agents in the Agents view. Without an argument it loads
// the built-in default experiment and offers to start it; --autostart
// starts at once. --screenshot starts the experiment when it has something left to run, grabs the
// window into FILE (PNG) SECONDS later, then stops the run at a safe point and quits (used to make
// the README's screenshots; a finished experiment directory is shown as it is). Each further DIR
// opens in a window of its own (runs side by side); a directory that another process is writing is
// followed live. --confusion shows a task's per-class test accuracy (and is what --screenshot
// grabs). --at-generation shows the history view at the state after generation N (the screenshot is
// then taken once its graph is laid out, nothing is started); --export-growth writes the PNG frames
// of the system's growth, one per generation, and quits (no window).
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QTimer>
#include <cstdio>
#include <cstring>

#include "AboutDialog.h"
#include "BuildInfo.h"
#include "ConfusionView.h"
#include "ExperimentController.h"
#include "GraphView.h"
#include "HistoryCommandLine.h"
#include "HistoryPanel.h"
#include "MainWindow.h"
#include "StoreExports.h"

namespace {

// True when the command line asks for --export-growth (which opens no window).
bool needsNoDisplay(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--export-growth") == 0 ||
        std::strncmp(argv[i], "--export-growth=", 16) == 0)
      return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // --export-growth draws its frames without a window: on a server without a display it runs on
  // the offscreen platform instead of aborting (unless the user chose a platform).
  if (needsNoDisplay(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") &&
      qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  // --version needs no display: it is answered before QApplication connects to one.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") != 0 && std::strcmp(argv[i], "-v") != 0) continue;
    const QByteArray text = mu2net::ui::AboutDialog::versionText(
                                QStringLiteral("%1 (in mu2net-layout)")
                                    .arg(QLatin1String(mu2net::buildinfo::graphvizVersion())))
                                .toUtf8();
    std::fwrite(text.constData(), 1, static_cast<std::size_t>(text.size()), stdout);
    return 0;
  }

  // A database store's server that does not answer makes opening it fail after 10 s rather than
  // hang the window (libpq waits forever by default); the user's own setting wins.
  if (qEnvironmentVariableIsEmpty("PGCONNECT_TIMEOUT")) qputenv("PGCONNECT_TIMEOUT", "10");

  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("mu2net"));
  QApplication::setApplicationName(QStringLiteral("workbench"));
  QApplication::setApplicationDisplayName(QStringLiteral("μ2Net Workbench"));
  QApplication::setApplicationVersion(QStringLiteral(MU2NET_VERSION));
  // The icon of the window and the About dialog (the menu entry's comes from the icon theme);
  // the desktop file name ties the window to the installed menu entry on Wayland.
  Q_INIT_RESOURCE(workbench);
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/desktop/mu2net-workbench.svg")));
  QGuiApplication::setDesktopFileName(QStringLiteral("mu2net-workbench"));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Grow a μ2Net multitask system and watch it live."));
  parser.addHelpOption();
  // Answered above, before the QApplication; declared here for --help.
  parser.addOption(QCommandLineOption(
      {QStringLiteral("v"), QStringLiteral("version")},
      QStringLiteral("Show the version, git commit, library versions and licences.")));
  const QCommandLineOption autostart(QStringLiteral("autostart"),
                                     QStringLiteral("Start the experiment immediately."));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Grab the window into FILE (PNG), then quit."),
                                      QStringLiteral("FILE"));
  const QCommandLineOption screenshotAfter(
      QStringLiteral("screenshot-after"),
      QStringLiteral("Seconds after the start to take the screenshot (default 60)."),
      QStringLiteral("SECONDS"), QStringLiteral("60"));
  const QCommandLineOption taskData(QStringLiteral("task-data"),
                                    QStringLiteral("Open the Task data view on TASK."),
                                    QStringLiteral("TASK"));
  const QCommandLineOption confusion(
      QStringLiteral("confusion"),
      QStringLiteral("Show the per-class test accuracy of TASK in the experiment directory (with "
                     "--screenshot: grab that window)."),
      QStringLiteral("TASK"));
  const QCommandLineOption atGeneration(
      QStringLiteral("at-generation"),
      QStringLiteral("Show the history view at the state after generation N."),
      QStringLiteral("N"));
  const QCommandLineOption exportGrowth(
      QStringLiteral("export-growth"),
      QStringLiteral("Write the growth of DIR as growth-0001.png, ... (one frame per generation) "
                     "into FOLDER, then quit."),
      QStringLiteral("FOLDER"));
  parser.addOptions(
      {autostart, screenshot, screenshotAfter, taskData, confusion, atGeneration, exportGrowth});
  parser.addPositionalArgument(
      QStringLiteral("experiment"),
      QStringLiteral("An experiment directory, a database store's URL (postgresql://…) or a "
                     "configuration (JSON). Default: the built-in experiment."),
      QStringLiteral("[DIR | URL | CONFIG.json] [DIR2 ...]"));
  parser.process(app);

  const QStringList args = parser.positionalArguments();
  if (parser.isSet(exportGrowth) || parser.isSet(atGeneration)) {
    if (args.isEmpty()) {
      std::fputs("error: --at-generation and --export-growth need an experiment directory\n",
                 stderr);
      return 2;
    }
    if (parser.isSet(exportGrowth))
      return mu2net::ui::HistoryCommandLine::exportGrowth(args[0], parser.value(exportGrowth));
  }
  mu2net::ui::MainWindow window;
  const bool loaded = args.isEmpty() ? window.loadDefaultExperiment() : window.openPath(args[0]);
  window.show();
  if (parser.isSet(atGeneration)) {
    if (!loaded) {
      std::fprintf(stderr, "error: %s\n", qPrintable(window.lastError()));
      return 1;
    }
    if (!mu2net::ui::HistoryCommandLine::showGeneration(window, parser.value(atGeneration)))
      return 1;
  }
  if (parser.isSet(taskData)) window.showTaskData(parser.value(taskData));
  for (qsizetype i = 1; i < args.size(); ++i)
    mu2net::ui::MainWindow::openInNewWindow(args[i]);
  if (loaded && parser.isSet(confusion))
    window.storeExports()->showConfusion(parser.value(confusion));

  // A screenshot of an experiment with nothing left to run (a finished store) shows it as it is.
  if (parser.isSet(screenshot)) window.setErrorPopups(false);
  if (loaded && !parser.isSet(atGeneration) &&
      (parser.isSet(autostart) || (parser.isSet(screenshot) && window.canStart()))) {
    window.startExperiment();
  } else if (loaded && args.isEmpty() && !parser.isSet(atGeneration)) {
    QTimer::singleShot(0, &window, [&window] {
      const auto answer = QMessageBox::question(
          &window, QStringLiteral("μ2Net Workbench"),
          QObject::tr("Start the built-in default experiment now? (Three Fashion-MNIST tasks; "
                      "you can also open or create another experiment.)"),
          QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
      if (answer == QMessageBox::Yes) window.startExperiment();
    });
  }

  if (parser.isSet(screenshot)) {
    const QString file = parser.value(screenshot);
    const int ms = static_cast<int>(parser.value(screenshotAfter).toDouble() * 1000);
    // Unattended: say on stderr whether the graph could be laid out (the helper was found).
    QObject::connect(
        window.graphView(), &mu2net::ui::GraphView::laidOut, &app, [] { qInfo("graph laid out"); },
        Qt::SingleShotConnection);
    QObject::connect(
        window.graphView(), &mu2net::ui::GraphView::layoutFailed, &app,
        [](const QString& message) { qWarning("graph layout failed: %s", qPrintable(message)); });
    const auto grab = [&app, &window, file] {
      QWidget* shown = window.storeExports()->confusionView();
      const bool saved = (shown ? shown : &window)->grab().save(file, "PNG");
      qInfo("screenshot %s: %s", saved ? "written" : "NOT written", qPrintable(file));
      // Stop at a safe point; the window closes once the engine has stopped.
      QObject::connect(window.controller(), &mu2net::ui::ExperimentController::stateChanged, &app,
                       [&window](mu2net::ui::ExperimentController::State) {
                         if (!window.controller()->isActive()) QApplication::quit();
                       });
      if (window.controller()->isActive())
        window.controller()->stop();
      else
        QApplication::quit();
    };
    // At a generation: once the history's graph is drawn (or after SECONDS if given).
    if (parser.isSet(atGeneration) && !parser.isSet(screenshotAfter)) {
      auto* view = window.historyPanel()->graphView();
      if (view->isLayoutRunning()) {
        QObject::connect(
            view, &mu2net::ui::GraphView::laidOut, &app, [grab] { QTimer::singleShot(300, grab); },
            Qt::SingleShotConnection);
        QObject::connect(
            view, &mu2net::ui::GraphView::layoutFailed, &app,
            [grab] { QTimer::singleShot(300, grab); }, Qt::SingleShotConnection);
      } else {
        QTimer::singleShot(300, grab);
      }
    } else {
      QTimer::singleShot(ms, &window, grab);
    }
  }
  return QApplication::exec();
}
