// Measures the history view on an experiment directory: the time to open it in the workbench
// (MainWindow::openPath, the History dock included) and to open its history alone
// (HistoryPanel::setDirectory: the point list and the newest point), then the time of each step
// when stepping through every recorded point (Right key): the GUI thread's part (reading the
// point, diffing it, filling the table) and the time until its graph is drawn (a new layout by
// the helper process when the topology changed, a restyle otherwise). Not a test: run it by hand,
//   build/app/mu2net run resources/experiments/thirty-tasks.json --out /tmp/thirty
//   QT_QPA_PLATFORM=offscreen build/tests/bench_ui_history /tmp/thirty
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "GraphView.h"
#include "HistoryModel.h"
#include "HistoryPanel.h"
#include "MainWindow.h"

using namespace mu2net;

namespace {

double msSince(const QElapsedTimer& clock) {
  return static_cast<double>(clock.nsecsElapsed()) / 1e6;
}

// Waits until `view` has drawn what it was given last (at most 60 s).
void waitForDrawing(ui::GraphView* view) {
  if (!view->isLayoutRunning()) return;
  QEventLoop loop;
  QObject::connect(view, &ui::GraphView::laidOut, &loop, &QEventLoop::quit);
  QObject::connect(view, &ui::GraphView::layoutFailed, &loop, &QEventLoop::quit);
  QTimer::singleShot(60000, &loop, &QEventLoop::quit);
  loop.exec();
}

void printStats(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return;
  std::printf("%-34s median %8.1f ms   max %8.1f ms   (%zu steps)\n", what, v[v.size() / 2],
              v.back(), v.size());
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const QStringList args = app.arguments();
  if (args.size() != 2) {
    std::fprintf(stderr, "usage: bench_ui_history EXPERIMENT_DIR\n");
    return 2;
  }
  const QString dir = args[1];
  {
    ui::MainWindow window;
    window.setErrorPopups(false);
    window.resize(1600, 1000);
    window.show();
    QElapsedTimer clock;
    clock.start();
    if (!window.openPath(dir)) return 1;
    std::printf("open in the workbench (openPath)    %8.1f ms\n", msSince(clock));
  }
  ui::HistoryPanel panel;
  panel.resize(1600, 1000);
  panel.show();
  QElapsedTimer clock;
  clock.start();
  panel.setDirectory(dir);
  const double openMs = msSince(clock);
  waitForDrawing(panel.graphView());
  const int n = panel.model()->count();
  std::printf("history points                      %8d\n", n);
  std::printf("open the history (setDirectory)     %8.1f ms\n", openMs);
  std::printf("  and its newest graph drawn        %8.1f ms\n", msSince(clock));
  std::vector<double> gui, drawn;
  panel.stepByKey(Qt::Key_Home);
  waitForDrawing(panel.graphView());
  for (int i = 1; i < n; ++i) {
    clock.restart();
    panel.stepByKey(Qt::Key_Right);
    gui.push_back(msSince(clock));
    waitForDrawing(panel.graphView());
    drawn.push_back(msSince(clock));
  }
  printStats("step: GUI thread", gui);
  printStats("step: until the graph is drawn", drawn);
  return 0;
}
