// Measures how responsive the workbench's GUI thread stays during a real run: a 10 ms timer on
// the GUI thread records how late each tick fires while the main window shows a run of the given
// experiment (default: a small Fashion-MNIST experiment). Prints the latency distribution.
// With --follow, the window instead follows the directory a separate `mu2net run CONFIG.json`
// process writes (as a user watching a server's run), and the benchmark also prints the delay
// from each commit (seen by a thread polling the store every 50 ms) to its children appearing in
// the window.
// Not a test: run it by hand, e.g.
//   QT_QPA_PLATFORM=offscreen build/tests/bench_ui_latency [CONFIG.json] [--seconds N]
//   QT_QPA_PLATFORM=offscreen build/tests/bench_ui_latency --follow CONFIG.json [--seconds N]
//       [--cli build/app/mu2net]
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "ChildListModel.h"
#include "ExperimentController.h"
#include "MainWindow.h"
#include "StoreFollower.h"
#include "TestData.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;

namespace {

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void printDistribution(const char* what, const std::vector<double>& ms) {
  std::printf("  %s: median %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%zu samples)\n", what,
              percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 0.99), percentile(ms, 1.0),
              ms.size());
}

// When each number of children first appeared in a store (a thread polling it every 50 ms) and
// in the window, in ms on one clock.
struct CommitDelays {
  std::mutex mutex;
  std::map<std::size_t, double> committed, shown;

  std::vector<double> delays() {
    std::lock_guard lock(mutex);
    std::vector<double> out;
    for (const auto& [n, at] : shown)
      if (const auto c = committed.find(n); n > 0 && c != committed.end())
        out.push_back(std::max(0.0, at - c->second));
    return out;
  }
};

// Starts `mu2net run CONFIG --out DIR` and makes `window` follow DIR once the process writes it;
// a thread records when each commit appears in the store. Returns false when the run did not
// start.
bool followSeparateRun(ui::MainWindow& window, QProcess& run, const QString& cli,
                       const QString& config, const QString& dir, const QElapsedTimer& clock,
                       CommitDelays& delays, std::atomic<bool>& done, std::thread& poller) {
  run.setProcessChannelMode(QProcess::ForwardedErrorChannel);
  run.start(cli, {QStringLiteral("run"), config, QStringLiteral("--out"), dir});
  if (!run.waitForStarted()) return false;
  // Opened as soon as the writer holds a store that can be read (its first commit may be to come).
  while (!ExperimentStore::isBeingWritten(dir.toStdString()) ||
         !ExperimentStore::isStore(dir.toStdString()) || !window.openPath(dir)) {
    if (run.state() == QProcess::NotRunning) return false;
    QThread::msleep(50);
  }
  poller = std::thread([&delays, &done, &clock, dir = dir.toStdString()] {
    while (!done) {
      try {
        const auto n =
            ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly)->children().size();
        std::lock_guard lock(delays.mutex);
        delays.committed.emplace(n, static_cast<double>(clock.nsecsElapsed()) / 1e6);
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  QObject::connect(window.follower(), &ui::StoreFollower::updated, &window, [&](qint64 n) {
    std::lock_guard lock(delays.mutex);
    delays.shown.emplace(static_cast<std::size_t>(n),
                         static_cast<double>(clock.nsecsElapsed()) / 1e6);
  });
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QString configPath;
  QString cli =
      QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../app/mu2net"));
  int seconds = 60;
  bool follow = false;
  const QStringList args = app.arguments();
  for (int i = 1; i < args.size(); ++i) {
    if (args[i] == QLatin1String("--seconds") && i + 1 < args.size())
      seconds = args[++i].toInt();
    else if (args[i] == QLatin1String("--cli") && i + 1 < args.size())
      cli = args[++i];
    else if (args[i] == QLatin1String("--follow"))
      follow = true;
    else
      configPath = args[i];
  }
  ExperimentConfig config;
  if (follow) {
    if (configPath.isEmpty()) {
      std::fprintf(stderr, "--follow needs a configuration\n");
      return 2;
    }
  } else if (!configPath.isEmpty()) {
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
  QElapsedTimer clock;
  clock.start();
  QProcess separateRun;
  CommitDelays delays;
  std::atomic<bool> pollerDone{false};
  std::thread poller;
  if (follow) {
    if (!followSeparateRun(window, separateRun, cli, configPath,
                           runs.filePath(QStringLiteral("followed")), clock, delays, pollerDone,
                           poller)) {
      std::fprintf(stderr, "could not follow a run of %s by %s\n", qPrintable(configPath),
                   qPrintable(cli));
      return 1;
    }
  } else {
    window.setExperiment(config, QStringLiteral("benchmark"));
    if (!window.startExperiment()) {
      std::fprintf(stderr, "could not start the experiment\n");
      return 1;
    }
  }

  std::vector<double> lateMs;
  qint64 expected = clock.elapsed() + 10;
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

  std::printf("GUI event-loop latency %s (%zu ticks of a 10 ms timer, %.1f s):\n",
              follow ? "while following a separate run" : "during a run", lateMs.size(),
              static_cast<double>(clock.elapsed()) / 1000.0);
  printDistribution("lateness", lateMs);
  if (follow) {
    pollerDone = true;
    poller.join();
    std::printf("Delay from a commit (polled every 50 ms) to its children in the window:\n");
    printDistribution("delay", delays.delays());
    separateRun.terminate();
    separateRun.waitForFinished(60000);
    return 0;
  }
  window.controller()->waitForWorker(60000);
  return 0;
}
