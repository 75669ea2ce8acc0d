#include "Exporter.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <utility>

#include "ExperimentFiles.h"
#include "GraphView.h"
#include "PlotPanel.h"

namespace mu2net::ui {

Exporter::Exporter(QWidget* window, const GraphView* graph, PlotPanel* plots,
                   std::function<QString()> experimentDirectory)
    : QObject(window),
      window_(window),
      graph_(graph),
      plots_(plots),
      experimentDirectory_(std::move(experimentDirectory)) {}

QString Exporter::startPath(const QString& fileName) const {
  return exportStartPath(experimentDirectory_(), fileName);
}

bool Exporter::exportGraph(const QString& path) {
  const QString file = QFileInfo(path).absoluteFilePath();
  QString error;
  bool ok = false;
  if (file.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
    ok = graph_->exportPng(file, &error);
  else if (file.endsWith(QLatin1String(".dot"), Qt::CaseInsensitive) ||
           file.endsWith(QLatin1String(".gv"), Qt::CaseInsensitive))
    ok = graph_->exportDot(file, &error);
  else
    ok = graph_->exportSvg(file, &error);
  if (ok)
    Q_EMIT exported(tr("Graph exported to %1").arg(file));
  else
    Q_EMIT failed(error);
  return ok;
}

QStringList Exporter::exportCurves(const QString& path) {
  const QFileInfo info(path);
  const QString format = info.suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0
                             ? QStringLiteral("pdf")
                             : QStringLiteral("png");
  QString error;
  const QStringList files =
      plots_->exportAll(info.absoluteDir().filePath(info.completeBaseName()), format, &error);
  if (!error.isEmpty()) {
    Q_EMIT failed(error);
    return {};
  }
  Q_EMIT exported(tr("Curves exported: %1").arg(files.join(QStringLiteral(", "))));
  return files;
}

void Exporter::exportGraphDialog() {
  const QString path = QFileDialog::getSaveFileName(
      window_, tr("Export the system graph"), startPath(QStringLiteral("mu2net-graph.svg")),
      tr("SVG image (*.svg);;PNG image (*.png);;Graphviz DOT (*.dot)"));
  if (!path.isEmpty()) exportGraph(path);
}

void Exporter::exportCurvesDialog() {
  const QString path =
      QFileDialog::getSaveFileName(window_, tr("Export the curves (one file per plot)"),
                                   startPath(QStringLiteral("mu2net-curves.png")),
                                   tr("PNG images (*.png);;PDF documents (*.pdf)"));
  if (!path.isEmpty()) exportCurves(path);
}

}  // namespace mu2net::ui
