#pragma once
// The "Add task" dialog, used while a run is in progress: name, dataset format and folder,
// optional class subset and validation fraction. Accepting validates the task with the
// configuration parser (errors name the key), refuses a name the experiment already has and a
// folder that does not exist or holds another format (saying which format fits); the dialog then
// stays open with what was typed. The data itself is read by the engine when the task joins the
// round-robin.
#include <QDialog>
#include <QStringList>

#include "mu2net/data/TaskData.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace mu2net::ui {

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

 public Q_SLOTS:
  void accept() override;

 private:
  QStringList existing_;
  QString baseDir_;
  TaskSpec task_;
  QLineEdit* name_;
  QComboBox* format_;
  QLineEdit* path_;
  QLineEdit* classes_;
  QDoubleSpinBox* fraction_;
  QLabel* error_;
};

}  // namespace mu2net::ui
