#include "HistoryCommandLine.h"

#include <QDockWidget>
#include <cstdio>

#include "GrowthExporter.h"
#include "HistoryPanel.h"
#include "MainWindow.h"

namespace mu2net::ui {

namespace {

void print(FILE* stream, const QString& text) {
  const QByteArray bytes = (text + QLatin1Char('\n')).toLocal8Bit();
  std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stream);
  std::fflush(stream);
}

}  // namespace

bool HistoryCommandLine::showGeneration(MainWindow& window, const QString& text) {
  bool ok = false;
  const qint64 generation = text.toLongLong(&ok);
  if (!ok || generation < 1) {
    print(stderr, QObject::tr("error: --at-generation needs a generation number (1, 2, ...), not "
                              "'%1'")
                      .arg(text));
    return false;
  }
  HistoryPanel* panel = window.historyPanel();
  QString error;
  if (!panel->showGeneration(generation, &error)) {
    print(stderr, QObject::tr("error: %1").arg(error));
    return false;
  }
  if (auto* dock = qobject_cast<QDockWidget*>(panel->parentWidget())) dock->raise();
  return true;
}

int HistoryCommandLine::exportGrowth(const QString& dir, const QString& folder) {
  QString error;
  const int frames = GrowthExporter::exportGrowth(dir, folder, &error);
  if (frames < 0) {
    print(stderr, QObject::tr("error: %1").arg(error));
    return 1;
  }
  print(stdout, QObject::tr("wrote %1 frame(s) to %2").arg(frames).arg(folder));
  return 0;
}

}  // namespace mu2net::ui
