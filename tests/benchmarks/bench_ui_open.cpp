// Measures how long the workbench takes to open an experiment directory: MainWindow::openPath()
// (reading the store, filling the tables, the curves and the task statuses; the GUI thread is
// busy for this long) and the time until the graph is laid out by the helper process and drawn.
// Each repetition opens the directory in a fresh window. Not a test: run it by hand, e.g.
//   build/app/mu2net run resources/experiments/thirty-tasks.json --out /tmp/thirty
//   QT_QPA_PLATFORM=offscreen build/tests/bench_ui_open /tmp/thirty [--repeat 5]
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "GraphView.h"
#include "MainWindow.h"
#include "TaskTableModel.h"

using namespace mu2net;

namespace {

struct Sample {
  double openMs = 0;    // openPath() returned
  double drawnMs = -1;  // the graph was laid out and drawn (-1: not within 60 s)
};

Sample openOnce(const QString& dir, int* tasks) {
  ui::MainWindow window;
  window.setErrorPopups(false);
  window.resize(1600, 1000);
  window.show();
  bool drawn = false;
  QEventLoop loop;
  QObject::connect(window.graphView(), &ui::GraphView::laidOut, &loop, [&] {
    drawn = true;
    loop.quit();
  });
  QElapsedTimer clock;
  clock.start();
  Sample s;
  if (!window.openPath(dir)) return {-1, -1};
  s.openMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
  if (!drawn) {
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    loop.exec();
  }
  if (drawn) s.drawnMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
  *tasks = window.taskModel()->rowCount();
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QString dir;
  int repeat = 5;
  const QStringList args = app.arguments();
  for (int i = 1; i < args.size(); ++i) {
    if (args[i] == QLatin1String("--repeat") && i + 1 < args.size())
      repeat = std::max(1, args[++i].toInt());
    else
      dir = args[i];
  }
  if (dir.isEmpty()) {
    std::fprintf(stderr, "usage: bench_ui_open EXPERIMENT_DIR [--repeat N]\n");
    return 2;
  }
  std::vector<double> open, drawn;
  int tasks = 0;
  for (int r = 0; r < repeat; ++r) {
    const Sample s = openOnce(dir, &tasks);
    if (s.openMs < 0) {
      std::fprintf(stderr, "could not open %s\n", qPrintable(dir));
      return 1;
    }
    open.push_back(s.openMs);
    if (s.drawnMs >= 0) drawn.push_back(s.drawnMs);
  }
  std::printf("Opening %s (%d tasks), %d time(s) in a fresh 1600x1000 window:\n", qPrintable(dir),
              tasks, repeat);
  std::printf("  openPath() (GUI thread busy): median %.0f ms, max %.0f ms\n", median(open),
              *std::max_element(open.begin(), open.end()));
  if (drawn.empty())
    std::printf("  the graph was not laid out within 60 s\n");
  else
    std::printf("  until the graph is drawn:     median %.0f ms, max %.0f ms (%zu of %d)\n",
                median(drawn), *std::max_element(drawn.begin(), drawn.end()), drawn.size(), repeat);
  return 0;
}
