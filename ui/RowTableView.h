#pragma once
// A read-only table of one row per item (a task, a child), selected a whole row at a time, whose
// model is fed by the engine's events: the common ground of TaskPanel and ChildPanel.
#include <QTableView>

namespace mu2net::ui {

class EngineSignals;

class RowTableView : public QTableView {
  Q_OBJECT
 public:
  /// Without a model yet (setModel).
  explicit RowTableView(QWidget* parent = nullptr);

  /// Connects the model's slots onX to the engine's events x (EngineSignals::connectHandlers).
  void follow(const EngineSignals* events);
};

}  // namespace mu2net::ui
