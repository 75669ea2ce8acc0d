#pragma once
// Exports the system graph (SVG, PNG or Graphviz DOT) and the curves (PNG or PDF, one file per
// plot) for the window: the save dialogs, which start in the experiment directory when there is
// one, and what is said afterwards: the files written, with their full paths (exported), or why
// nothing was (failed). GUI thread only.
#include <QObject>
#include <QString>
#include <QStringList>
#include <functional>

class QWidget;

namespace mu2net::ui {

class GraphView;
class PlotPanel;

class Exporter : public QObject {
  Q_OBJECT
 public:
  /// `experimentDirectory` gives the current experiment directory (empty when there is none);
  /// `window` parents the dialogs.
  Exporter(QWidget* window, const GraphView* graph, PlotPanel* plots,
           std::function<QString()> experimentDirectory);

  /// Where a save dialog for `fileName` starts (exportStartPath of the experiment directory).
  QString startPath(const QString& fileName) const;
  /// Writes the graph to `path` in the format its suffix names (.png, .dot or .gv, else SVG).
  bool exportGraph(const QString& path);
  /// Writes the curves to `path`'s folder and base name (.pdf, else PNG); returns the files
  /// written, empty after an error.
  QStringList exportCurves(const QString& path);

 public Q_SLOTS:
  void exportGraphDialog();
  void exportCurvesDialog();

 Q_SIGNALS:
  /// What was written, for the status bar and the event log.
  void exported(const QString& message);
  void failed(const QString& message);

 private:
  QWidget* window_;
  const GraphView* graph_;
  PlotPanel* plots_;
  std::function<QString()> experimentDirectory_;
};

}  // namespace mu2net::ui
