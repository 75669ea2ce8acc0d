#include "AddTaskDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <exception>

#include "ConfigJson.h"
#include "mu2net/data/DatasetFolderCheck.h"

namespace mu2net::ui {

AddTaskDialog::AddTaskDialog(const QStringList& existingTasks, const QString& baseDir,
                             QWidget* parent)
    : QDialog(parent), existing_(existingTasks), baseDir_(baseDir) {
  setWindowTitle(tr("Add task"));
  name_ = new QLineEdit(this);
  format_ = new QComboBox(this);
  format_->addItems(
      {QStringLiteral("idx"), QStringLiteral("cifar-binary"), QStringLiteral("image-folder")});
  path_ = new QLineEdit(this);
  auto* browse = new QPushButton(tr("Choose…"), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Dataset folder"), path_->text());
    if (!dir.isEmpty()) path_->setText(dir);
  });
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);
  classes_ = new QLineEdit(this);
  classes_->setPlaceholderText(tr("all classes, or e.g. 0, 2, 4"));
  fraction_ = new QDoubleSpinBox(this);
  fraction_->setRange(0, 1);
  fraction_->setDecimals(3);
  fraction_->setSingleStep(0.05);
  fraction_->setValue(TaskSpec{}.validationFraction);

  auto* form = new QFormLayout;
  form->addRow(tr("Name"), name_);
  form->addRow(tr("Format"), format_);
  form->addRow(tr("Folder"), pathRow);
  form->addRow(tr("Classes"), classes_);
  form->addRow(tr("Validation fraction"), fraction_);
  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(box, &QDialogButtonBox::accepted, this, &AddTaskDialog::accept);
  connect(box, &QDialogButtonBox::rejected, this, &AddTaskDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(box);
  resize(520, 240);
}

void AddTaskDialog::setFields(const QString& name, const QString& format, const QString& path,
                              const QString& classes) {
  name_->setText(name);
  format_->setCurrentText(format);
  path_->setText(path);
  classes_->setText(classes);
}

bool AddTaskDialog::validate() {
  QString error;
  const auto classes = parseClassList(classes_->text(), &error);
  if (!classes) {
    error_->setText(tr("config key 'tasks[0].classes': %1").arg(error));
    return false;
  }
  if (existing_.contains(name_->text())) {
    error_->setText(tr("a task named '%1' already exists").arg(name_->text()));
    return false;
  }
  // A one-task experiment goes through the same parser as a configuration file.
  const QJsonObject experiment{
      {QStringLiteral("tasks"), QJsonArray{taskJson(name_->text(), format_->currentText(),
                                                    path_->text(), *classes, fraction_->value())}}};
  try {
    task_ = validateExperimentJson(experiment, baseDir_).tasks.at(0);
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    return false;
  }
  // The folder is checked now: the dialog stays open, with what was typed, until it fits.
  if (const std::string problem = taskFolderProblem(task_, {}); !problem.empty()) {
    error_->setText(QString::fromStdString(problem));
    return false;
  }
  error_->clear();
  return true;
}

QString AddTaskDialog::errorText() const {
  return error_->text();
}

void AddTaskDialog::accept() {
  if (validate()) QDialog::accept();
}

}  // namespace mu2net::ui
