#pragma once
// The colour legend of the system graph: one row per task, the root first — a swatch of the
// task's colour (the colour of its route and of the boxes it created), its name and validation
// accuracy, or "training" for a task whose first children are still in training — and, last, a
// note when components on no route are not drawn. It scrolls when the tasks do not fit (30 tasks
// and more); GraphView keeps it beside the picture, never over it. Clicking a task highlights
// its route.
#include <QColor>
#include <QListWidget>
#include <QString>
#include <QVector>

namespace mu2net::ui {

class GraphLegend : public QListWidget {
  Q_OBJECT
 public:
  /// Item data roles: the task's name and its colour.
  enum Role { TaskRole = Qt::UserRole, ColourRole };
  struct Entry {
    QString task;
    QColor colour;
    QString detail;  ///< shown after the name, e.g. "92.1%"
  };

  explicit GraphLegend(QWidget* parent = nullptr);

  void setEntries(const QVector<Entry>& entries, const QString& note = {});
  /// Number of task rows (the note not counted).
  int taskCount() const;
  /// The width that shows the longest row without eliding, within bounds.
  int preferredWidth() const;

 Q_SIGNALS:
  void taskClicked(const QString& task);
};

}  // namespace mu2net::ui
