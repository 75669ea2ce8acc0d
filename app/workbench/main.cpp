// mu2net-workbench: the desktop workbench (see README.md and DESIGN.md).
//
//   mu2net-workbench [--autostart] [--screenshot FILE --screenshot-after SECONDS] [DIR |
//   CONFIG.json]
//
// DIR is an experiment directory (shown, and continued by Start). Without an argument it loads
// the built-in default experiment and offers to start it; --autostart
// starts at once. --screenshot grabs the window into FILE (PNG) SECONDS after the start, then
// stops the run at a safe point and quits (used to make the README's screenshot).
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QTimer>

#include "ExperimentController.h"
#include "MainWindow.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("mu2net"));
  QApplication::setApplicationName(QStringLiteral("workbench"));
  QApplication::setApplicationDisplayName(QStringLiteral("μ2Net Workbench"));
  QApplication::setApplicationVersion(QStringLiteral(MU2NET_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Grow a μ2Net multitask system and watch it live."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption autostart(QStringLiteral("autostart"),
                                     QStringLiteral("Start the experiment immediately."));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Grab the window into FILE (PNG), then quit."),
                                      QStringLiteral("FILE"));
  const QCommandLineOption screenshotAfter(
      QStringLiteral("screenshot-after"),
      QStringLiteral("Seconds after the start to take the screenshot (default 60)."),
      QStringLiteral("SECONDS"), QStringLiteral("60"));
  parser.addOptions({autostart, screenshot, screenshotAfter});
  parser.addPositionalArgument(
      QStringLiteral("experiment"),
      QStringLiteral("An experiment directory or configuration (JSON). Default: the built-in "
                     "experiment."),
      QStringLiteral("[DIR | CONFIG.json]"));
  parser.process(app);

  mu2net::ui::MainWindow window;
  const QStringList args = parser.positionalArguments();
  const bool loaded = args.isEmpty() ? window.loadDefaultExperiment() : window.openPath(args[0]);
  window.show();

  if (loaded && (parser.isSet(autostart) || parser.isSet(screenshot))) {
    window.startExperiment();
  } else if (loaded && args.isEmpty()) {
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
    window.setErrorPopups(false);
    QTimer::singleShot(ms, &window, [&app, &window, file] {
      const bool saved = window.grab().save(file, "PNG");
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
    });
  }
  return QApplication::exec();
}
