#pragma once
// The event log: one timestamped line per thing worth knowing about a run (run and task
// iterations starting and ending, generations, every child's outcome, test accuracies, tasks
// added, pauses), and whatever the window reports (experiments loaded, errors, exports). It shows
// the latest line until the user scrolls back.
#include <QPlainTextEdit>
#include <QString>

namespace mu2net::ui {

class EngineSignals;

class EventLog : public QPlainTextEdit {
  Q_OBJECT
 public:
  /// Keeps the last 5000 lines.
  explicit EventLog(QWidget* parent = nullptr);

  /// Logs the engine's events.
  void follow(const EngineSignals* events);

 public Q_SLOTS:
  /// Appends `line` with the time of day.
  void log(const QString& line);

 private:
  bool following_ = true;  // the latest line is in view
};

}  // namespace mu2net::ui
