#pragma once
// The "Add task" dialog, used while a run is in progress: name, dataset format and folder,
// optional class subset and validation fraction. Accepting validates the task with the
// configuration parser (errors name the key), refuses a name the experiment already has and a
// folder that does not exist or holds another format (saying which format fits); the dialog then
// stays open with what was typed. The data itself is read by the engine when the task joins the
// round-robin. "Preview data" shows the task typed in (its classes, counts and sample images,
// raw and as the model sees them: DataPreviewWidget) in a pane beside the form, before it is
// added; the pane follows the fields while it is open.
#include <QDialog>
#include <QStringList>
#include <optional>

#include "mu2net/data/TaskData.h"
#include "mu2net/evolution/ExperimentConfig.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace mu2net::ui {

class DataPreviewWidget;

class AddTaskDialog : public QDialog {
  Q_OBJECT
 public:
  /// `existingTasks`: names already in the experiment; `baseDir`: where relative paths resolve.
  AddTaskDialog(const QStringList& existingTasks, const QString& baseDir,
                QWidget* parent = nullptr);

  void setFields(const QString& name, const QString& format, const QString& path,
                 const QString& classes);
  /// Validates the fields; on success stores task() and returns true, else sets errorText().
  bool validate();
  QString errorText() const;
  const TaskSpec& task() const { return task_; }
  /// The experiment the task joins: its seed and search space set what the preview shows.
  void setExperiment(const ExperimentConfig& experiment) { experiment_ = experiment; }

  /// Shows the preview pane with the task typed in (or why it cannot be read).
  void previewData();
  DataPreviewWidget* dataPreview() const { return preview_; }

 public Q_SLOTS:
  void accept() override;

 private:
  /// The task the fields describe, parsed as a configuration's; nothing (and *error set) when
  /// they do not make one.
  std::optional<TaskSpec> typedTask(QString* error) const;

  QStringList existing_;
  QString baseDir_;
  TaskSpec task_;
  ExperimentConfig experiment_;
  QLineEdit* name_;
  QComboBox* format_;
  QLineEdit* path_;
  QLineEdit* classes_;
  QDoubleSpinBox* fraction_;
  QLabel* error_;
  QPushButton* previewButton_;
  DataPreviewWidget* preview_;
};

}  // namespace mu2net::ui
