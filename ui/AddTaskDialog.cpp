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
#include <algorithm>
#include <exception>

#include "ConfigJson.h"
#include "DataPreview.h"
#include "DataPreviewWidget.h"
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
  previewButton_ = box->addButton(tr("Preview data"), QDialogButtonBox::ActionRole);
  connect(previewButton_, &QPushButton::clicked, this, &AddTaskDialog::previewData);
  preview_ = new DataPreviewWidget(this);
  preview_->hide();
  // An open preview follows the fields.
  for (auto* edit : {path_, classes_})
    connect(edit, &QLineEdit::editingFinished, this, [this] {
      if (!preview_->isHidden()) previewData();
    });
  connect(format_, &QComboBox::currentTextChanged, this, [this] {
    if (!preview_->isHidden()) previewData();
  });
  auto* column = new QVBoxLayout;
  column->addLayout(form);
  column->addWidget(error_);
  column->addStretch();
  column->addWidget(box);
  auto* layout = new QHBoxLayout(this);
  layout->addLayout(column, 2);
  layout->addWidget(preview_, 3);
  resize(520, 240);
}

void AddTaskDialog::previewData() {
  if (preview_->isHidden()) {
    preview_->show();
    resize(std::max(width(), 1240), std::max(height(), 620));
  }
  QString error;
  const auto task = typedTask(&error);
  if (!task) {
    preview_->showProblem(name_->text(), error);
    return;
  }
  ExperimentConfig experiment = experiment_;
  experiment.tasks = {*task};
  preview_->preview(defaultDataPreviewRequest(experiment, 0));
}

void AddTaskDialog::setFields(const QString& name, const QString& format, const QString& path,
                              const QString& classes) {
  name_->setText(name);
  format_->setCurrentText(format);
  path_->setText(path);
  classes_->setText(classes);
}

std::optional<TaskSpec> AddTaskDialog::typedTask(QString* error) const {
  const auto classes = parseClassList(classes_->text(), error);
  if (!classes) {
    *error = tr("config key 'tasks[0].classes': %1").arg(*error);
    return {};
  }
  // A one-task experiment goes through the same parser as a configuration file.
  const QJsonObject experiment{
      {QStringLiteral("tasks"), QJsonArray{taskJson(name_->text(), format_->currentText(),
                                                    path_->text(), *classes, fraction_->value())}}};
  try {
    return validateExperimentJson(experiment, baseDir_).tasks.at(0);
  } catch (const std::exception& e) {
    *error = QString::fromStdString(e.what());
    return {};
  }
}

bool AddTaskDialog::validate() {
  QString error;
  if (existing_.contains(name_->text())) {
    error_->setText(tr("a task named '%1' already exists").arg(name_->text()));
    return false;
  }
  const auto task = typedTask(&error);
  if (!task) {
    error_->setText(error);
    return false;
  }
  task_ = *task;
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
