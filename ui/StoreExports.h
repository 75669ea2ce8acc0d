#pragma once
// The exports and analyses that read an experiment store (not the views): a task's model as
// TorchScript, the store as CSV (the four tables `mu2net export --csv` writes, storeCsvTables),
// and a task's per-class test accuracy with its confusion matrix (a ConfusionView window). Each
// runs on a worker thread (the model ones construct an engine over the store read-only, which
// loads every task's data: seconds), one at a time; the status bar says what runs and then what
// was written, with the file's full path (also sent as exported() for the event log), or why
// nothing was (failed()).
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <functional>

class QAction;
class QWidget;

namespace mu2net::ui {

class ConfusionView;
class RunStatusBar;

class StoreExports : public QObject {
  Q_OBJECT
 public:
  /// `experimentDirectory` gives the current experiment directory, `currentTask` the task
  /// selected in the task table (either may be empty); `window` parents dialogs and views.
  StoreExports(QWidget* window, RunStatusBar* status, std::function<QString()> experimentDirectory,
               std::function<QString()> currentTask);

  QAction* torchScriptAction() const { return torchScript_; }
  QAction* csvAction() const { return csv_; }
  QAction* confusionAction() const { return confusion_; }

  /// The tasks of the current store that have a retained model (empty without a store).
  QStringList tasksWithModels() const;
  /// Starts writing `task`'s model to `file`; false (and failed()) when no store or busy.
  bool exportTorchScript(const QString& task, const QString& file);
  /// Starts writing the four CSV tables into the folder `dir`.
  bool exportCsv(const QString& dir);
  /// Starts computing `task`'s confusion matrix; a ConfusionView shows it when done.
  bool showConfusion(const QString& task);
  bool isBusy() const { return busy_; }
  /// The last confusion view shown (null before one, or once closed).
  ConfusionView* confusionView() const;

 Q_SIGNALS:
  void exported(const QString& message);
  void failed(const QString& message);
  /// A job ended (after exported(), failed() or the view was shown).
  void jobFinished();

 private:
  void torchScriptDialog();
  void csvDialog();
  void confusionDialog();
  QString chooseTask(const QString& title);
  // Starts `work` (returns an error message, empty on success) unless busy or without a store.
  bool start(const QString& doing, std::function<QString(const QString& dir)> work,
             std::function<void()> done);

  QWidget* window_;
  RunStatusBar* status_;
  std::function<QString()> experimentDirectory_;
  std::function<QString()> currentTask_;
  QAction *torchScript_, *csv_, *confusion_;
  bool busy_ = false;
  QPointer<ConfusionView> view_;
};

}  // namespace mu2net::ui
