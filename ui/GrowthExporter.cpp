#include "GrowthExporter.h"

#include <QDir>
#include <QEventLoop>
#include <QImage>
#include <QPainter>
#include <QTimer>
#include <filesystem>
#include <map>

#include "ExperimentFiles.h"
#include "GraphMarks.h"
#include "GraphView.h"
#include "HistoryModel.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/evolution/GraphDiff.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

namespace {

constexpr int kLayoutTimeoutMs = 120000;

// Waits until `view` has drawn the snapshot last given; false (and *error) when the layout failed.
bool waitForLayout(GraphView& view, QString* error) {
  if (!view.isLayoutRunning()) return view.hasLayout();
  QEventLoop loop;
  bool ok = false;
  QObject::connect(&view, &GraphView::laidOut, &loop, [&] {
    ok = true;
    loop.quit();
  });
  QObject::connect(&view, &GraphView::layoutFailed, &loop, [&](const QString& message) {
    *error = message;
    loop.quit();
  });
  QTimer::singleShot(kLayoutTimeoutMs, &loop, [&] {
    *error = QObject::tr("the graph layout took longer than %1 s").arg(kLayoutTimeoutMs / 1000);
    loop.quit();
  });
  loop.exec();
  return ok;
}

// One frame: the caption (and the marks' note) on top, the picture fitted below.
QImage frame(const GraphView& view, const QString& caption, const QString& note) {
  QImage image(GrowthExporter::kFrameSize, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  QFont font = view.font();
  font.setPixelSize(26);
  font.setBold(true);
  painter.setFont(font);
  painter.setPen(Qt::black);
  painter.drawText(QRect(24, 12, image.width() - 48, 36), Qt::AlignLeft | Qt::AlignVCenter,
                   caption);
  font.setPixelSize(18);
  font.setBold(false);
  painter.setFont(font);
  painter.setPen(QColor(0x55, 0x55, 0x55));
  painter.drawText(QRect(24, 50, image.width() - 48, 26), Qt::AlignLeft | Qt::AlignVCenter, note);
  view.renderTo(&painter, QRectF(16, 84, image.width() - 32, image.height() - 100));
  return image;
}

}  // namespace

QString GrowthExporter::frameName(int number) {
  return QStringLiteral("growth-%1.png").arg(number, 4, 10, QLatin1Char('0'));
}

int GrowthExporter::exportGrowth(const QString& storeDir, const QString& folder, QString* error,
                                 const std::function<void(int, int)>& progress) {
  try {
    const auto store =
        ExperimentStore::open(storeDir.toStdString(), ExperimentStore::Mode::ReadOnly);
    // The state after each generation: the last point recorded with its number.
    std::map<qint64, HistoryPointInfo> last;
    for (const auto& p : store->history())
      last[p.generation] = p;
    if (last.empty()) {
      const std::string note = store->historyNote();
      *error =
          QObject::tr("%1 holds no recorded history%2")
              .arg(displayLocation(storeDir),
                   note.empty() ? QString() : QStringLiteral(": ") + QString::fromStdString(note));
      return -1;
    }
    if (!QDir().mkpath(folder)) {
      *error = QObject::tr("cannot create the folder %1").arg(folder);
      return -1;
    }
    GraphView view;
    view.resize(kFrameSize);
    std::optional<HistoryPoint> previous;
    int written = 0;
    for (const auto& [generation, info] : last) {
      const HistoryPoint point = store->historyPoint(info.id);
      const QString note =
          previous ? HistoryModel::changesNote(previous->info.generation) : QString();
      view.setMarkedSnapshot(
          point.graph, previous ? marksOfChanges(diffSnapshots(previous->graph, point.graph), note)
                                : GraphMarks{});
      if (!waitForLayout(view, error)) {
        *error = QObject::tr("generation %1: %2").arg(generation).arg(*error);
        return -1;
      }
      const QString file = QDir(folder).filePath(frameName(++written));
      if (!frame(view, HistoryModel::caption(info), note).save(file, "PNG")) {
        *error = QObject::tr("cannot write %1").arg(file);
        return -1;
      }
      if (progress) progress(written, static_cast<int>(last.size()));
      previous = point;
    }
    return written;
  } catch (const std::exception& e) {
    *error = QString::fromStdString(errorText(e));
    return -1;
  }
}

}  // namespace mu2net::ui
