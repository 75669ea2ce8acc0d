// Measures the task data preview's worker side on the real datasets: loadDataPreview() (reading
// the folder and drawing 4 samples per class, what the "Task data" view waits for when a task is
// chosen) and makeDataPreview() on data already read (what a new generation of the task shown
// costs: the loader keeps the task's data) in the worker; then DataPreviewWidget::showPreview(),
// the GUI thread's part (filling the grid). Not a test: run it by hand, e.g.
//   QT_QPA_PLATFORM=offscreen build/tests/bench_ui_data_preview [--repeat 3]
#include <QApplication>
#include <QElapsedTimer>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "DataPreview.h"
#include "DataPreviewWidget.h"
#include "TestData.h"

using namespace mu2net;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void measure(const char* label, TaskSpec task, int repeat) {
  ui::DataPreviewRequest request;
  request.task = std::move(task);
  std::vector<double> load, redraw, show;
  ui::DataPreviewWidget widget;
  for (int i = 0; i < repeat; ++i) {
    std::optional<TaskData> data;
    QElapsedTimer t;
    t.start();
    const ui::DataPreview p = ui::loadDataPreview(request, &data);
    load.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    if (!p.ok() || !data) {
      std::printf("%-22s error: %s\n", label, qPrintable(p.error));
      return;
    }
    request.pipeline.brightnessDelta = 0.1 * (i + 1);  // another generation's settings
    t.restart();
    const ui::DataPreview again = ui::makeDataPreview(request, *data);
    redraw.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    t.restart();
    widget.showPreview(again);
    show.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
  }
  std::printf("%-22s load %7.1f ms  redraw %6.1f ms  grid (GUI thread) %6.1f ms  (median of %d)\n",
              label, median(load), median(redraw), median(show), repeat);
}

TaskSpec task(const std::string& name, const std::filesystem::path& path, DatasetFormat format) {
  TaskSpec t;
  t.name = name;
  t.path = path;
  t.format = format;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  int repeat = 3;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
  measure("MNIST (60k)", task("mnist", testdata::mnistDir(), DatasetFormat::Idx), repeat);
  measure("Fashion-MNIST (60k)", task("fashion", testdata::fashionMnistDir(), DatasetFormat::Idx),
          repeat);
  measure("Bangla CIFAR-bin (5k)",
          task("bangla", testdata::banglaCifarDir(), DatasetFormat::CifarBinary), repeat);
  measure("Omniglot 242 classes", task("omniglot", testdata::omniglot28Dir(), DatasetFormat::Idx),
          repeat);
  return 0;
}
