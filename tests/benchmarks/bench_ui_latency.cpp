// Measures how responsive the workbench's GUI thread stays during a real run: a 10 ms timer on
// the GUI thread records how late each tick fires while the main window shows a run of the given
// experiment (default: a small Fashion-MNIST experiment). Prints the latency distribution.
// Not a test: run it by hand, e.g.
//   QT_QPA_PLATFORM=offscreen build/tests/bench_ui_latency [CONFIG.json] [--seconds N]
#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "ExperimentController.h"
#include "MainWindow.h"
#include "TestData.h"
#include "mu2net/evolution/ExperimentConfig.h"

using namespace mu2net;

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QString configPath;
  int seconds = 60;
  const QStringList args = app.arguments();
  for (int i = 1; i < args.size(); ++i) {
    if (args[i] == QLatin1String("--seconds") && i + 1 < args.size())
      seconds = args[++i].toInt();
    else
      configPath = args[i];
  }
  ExperimentConfig config;
  if (!configPath.isEmpty()) {
    config = loadExperimentConfig(configPath.toStdString());
  } else {
    config.seed = 3;
    config.root.architecture.width = 32;
    config.root.architecture.heads = 2;
    config.root.architecture.mlpDim = 64;
    config.root.architecture.depth = 2;
    config.evolution.taskIterations = 2;
    config.training.validationsPerChild = 2;
    config.training.trainExamplesBetweenValidations = 2048;
    config.training.validationExamplesMax = 512;
    config.training.testExamplesMax = 1000;
    config.training.threads = 1;
    for (const auto& [name, classes] : std::vector<std::pair<std::string, std::vector<int>>>{
             {"fashion", {}}, {"tops", {0, 2, 4, 6}}, {"footwear", {5, 7, 9}}}) {
      TaskSpec t;
      t.name = name;
      t.format = DatasetFormat::Idx;
      t.path = testdata::fashionMnistDir();
      t.classes = classes;
      config.tasks.push_back(t);
    }
  }
  QTemporaryDir runs;
  qputenv("MU2NET_RUNS_DIR", runs.path().toUtf8());

  ui::MainWindow window;
  window.setErrorPopups(false);
  window.resize(1600, 1000);
  window.show();
  window.setExperiment(config, QStringLiteral("benchmark"));
  if (!window.startExperiment()) {
    std::fprintf(stderr, "could not start the experiment\n");
    return 1;
  }

  std::vector<double> lateMs;
  QElapsedTimer clock;
  clock.start();
  qint64 expected = 10;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.elapsed();
    lateMs.push_back(static_cast<double>(std::max<qint64>(0, now - expected)));
    expected = now + 10;
  });
  tick.start(10);
  QTimer::singleShot(seconds * 1000, &app, [&] {
    tick.stop();
    window.controller()->stop();
    app.quit();
  });
  QObject::connect(window.controller(), &ui::ExperimentController::finished, &app, [&] {
    tick.stop();
    app.quit();
  });
  app.exec();

  std::sort(lateMs.begin(), lateMs.end());
  const auto pct = [&](double p) {
    return lateMs.empty() ? 0.0 : lateMs[static_cast<std::size_t>(p * (lateMs.size() - 1))];
  };
  std::printf("GUI event-loop latency during a run (%zu ticks of a 10 ms timer, %.1f s):\n",
              lateMs.size(), clock.elapsed() / 1000.0);
  std::printf("  median %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.5), pct(0.95),
              pct(0.99), lateMs.empty() ? 0.0 : lateMs.back());
  window.controller()->waitForWorker(60000);
  return 0;
}
