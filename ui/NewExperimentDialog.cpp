#include "NewExperimentDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <exception>

#include "ConfigJson.h"

namespace mu2net::ui {

namespace {

enum TaskColumn { NameColumn, FormatColumn, PathColumn, ClassesColumn, TaskColumnCount };

const QStringList kFormats = {QStringLiteral("idx"), QStringLiteral("cifar-binary"),
                              QStringLiteral("image-folder")};

}  // namespace

QSpinBox* NewExperimentDialog::intField(int minimum, int maximum) {
  auto* box = new QSpinBox(this);
  // Wide ranges on purpose: the configuration parser, not the widget, decides what is valid, so
  // the message names the key.
  box->setRange(minimum, maximum);
  return box;
}

NewExperimentDialog::NewExperimentDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("New experiment"));
  seed_ = intField(0, 2147483647);
  architecture_ = new QComboBox(this);
  architecture_->addItems({QStringLiteral("vit"), QStringLiteral("cnn")});
  imageSize_ = intField(0, 4096);
  patchSize_ = intField(0, 4096);
  width_ = intField(0, 100000);
  heads_ = intField(0, 1024);
  mlpDim_ = intField(0, 100000);
  depth_ = intField(0, 1024);
  generationSize_ = intField(0, 100000);
  childrenPerIteration_ = intField(0, 100000);
  taskIterations_ = intField(0, 100000);
  scaleFactor_ = new QDoubleSpinBox(this);
  scaleFactor_->setRange(0, 1);
  scaleFactor_->setDecimals(3);
  scaleFactor_->setSingleStep(0.05);
  batchSize_ = intField(0, 1000000);
  validationsPerChild_ = intField(0, 100000);
  examplesBetweenValidations_ = intField(0, 2000000000);
  validationMax_ = intField(0, 2000000000);
  testMax_ = intField(0, 2000000000);
  threads_ = intField(0, 1024);

  auto* root = new QGroupBox(tr("Root model"), this);
  auto* rootForm = new QFormLayout(root);
  rootForm->addRow(tr("Architecture"), architecture_);
  rootForm->addRow(tr("Image size"), imageSize_);
  rootForm->addRow(tr("Patch size (vit)"), patchSize_);
  rootForm->addRow(tr("Width"), width_);
  rootForm->addRow(tr("Heads (vit)"), heads_);
  rootForm->addRow(tr("MLP dimension (vit)"), mlpDim_);
  rootForm->addRow(tr("Depth"), depth_);

  auto* budget = new QGroupBox(tr("Budgets"), this);
  auto* budgetForm = new QFormLayout(budget);
  budgetForm->addRow(tr("Seed"), seed_);
  budgetForm->addRow(tr("Generation size"), generationSize_);
  budgetForm->addRow(tr("Children per task iteration"), childrenPerIteration_);
  budgetForm->addRow(tr("Task iterations"), taskIterations_);
  budgetForm->addRow(tr("Scale factor"), scaleFactor_);
  budgetForm->addRow(tr("Batch size"), batchSize_);
  budgetForm->addRow(tr("Validations per child"), validationsPerChild_);
  budgetForm->addRow(tr("Examples between validations"), examplesBetweenValidations_);
  budgetForm->addRow(tr("Validation examples (max)"), validationMax_);
  budgetForm->addRow(tr("Test examples (max, 0 = all)"), testMax_);
  budgetForm->addRow(tr("Threads"), threads_);

  tasks_ = new QTableWidget(0, TaskColumnCount, this);
  tasks_->setHorizontalHeaderLabels({tr("Name"), tr("Format"), tr("Folder"), tr("Classes")});
  tasks_->horizontalHeader()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
  tasks_->verticalHeader()->hide();
  auto* add = new QPushButton(tr("Add dataset"), this);
  auto* browse = new QPushButton(tr("Choose folder…"), this);
  auto* remove = new QPushButton(tr("Remove"), this);
  connect(add, &QPushButton::clicked, this, [this] {
    addTaskRow(tr("task%1").arg(tasks_->rowCount() + 1), kFormats[0], QString(), QString());
  });
  connect(remove, &QPushButton::clicked, this, [this] {
    if (tasks_->currentRow() >= 0) tasks_->removeRow(tasks_->currentRow());
  });
  connect(browse, &QPushButton::clicked, this, [this] {
    const int row = tasks_->currentRow();
    if (row < 0) return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"),
                                                          tasks_->item(row, PathColumn)->text());
    if (!dir.isEmpty()) tasks_->item(row, PathColumn)->setText(dir);
  });
  auto* taskBox = new QGroupBox(tr("Tasks (introduced in this order; classes e.g. \"0, 2, 4\", "
                                   "empty = all)"),
                                this);
  auto* taskLayout = new QVBoxLayout(taskBox);
  taskLayout->addWidget(tasks_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add);
  buttons->addWidget(browse);
  buttons->addWidget(remove);
  buttons->addStretch();
  taskLayout->addLayout(buttons);

  error_ = new QLabel(this);
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(box, &QDialogButtonBox::accepted, this, &NewExperimentDialog::accept);
  connect(box, &QDialogButtonBox::rejected, this, &NewExperimentDialog::reject);

  auto* columns = new QHBoxLayout;
  columns->addWidget(root);
  columns->addWidget(budget);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(columns);
  layout->addWidget(taskBox, 1);
  layout->addWidget(error_);
  layout->addWidget(box);
  resize(820, 680);

  setConfig(ExperimentConfig{}, QDir::currentPath());
}

void NewExperimentDialog::addTaskRow(const QString& name, const QString& format,
                                     const QString& path, const QString& classes) {
  const int row = tasks_->rowCount();
  tasks_->insertRow(row);
  tasks_->setItem(row, NameColumn, new QTableWidgetItem(name));
  auto* combo = new QComboBox(tasks_);
  combo->addItems(kFormats);
  combo->setCurrentText(format);
  tasks_->setCellWidget(row, FormatColumn, combo);
  tasks_->setItem(row, PathColumn, new QTableWidgetItem(path));
  tasks_->setItem(row, ClassesColumn, new QTableWidgetItem(classes));
}

void NewExperimentDialog::setConfig(const ExperimentConfig& config, const QString& baseDir) {
  baseDir_ = baseDir;
  base_ = experimentJson(config);
  config_ = config;
  const auto& a = config.root.architecture;
  seed_->setValue(static_cast<int>(config.seed));
  architecture_->setCurrentText(QString::fromStdString(toString(a.kind)));
  imageSize_->setValue(a.imageSize);
  patchSize_->setValue(a.patchSize);
  width_->setValue(a.width);
  heads_->setValue(a.heads);
  mlpDim_->setValue(a.mlpDim);
  depth_->setValue(a.depth);
  const auto& e = config.evolution;
  generationSize_->setValue(e.generationSize);
  childrenPerIteration_->setValue(e.childrenPerTaskIteration);
  taskIterations_->setValue(e.taskIterations);
  scaleFactor_->setValue(e.scaleFactor);
  const auto& t = config.training;
  batchSize_->setValue(t.batchSize);
  validationsPerChild_->setValue(t.validationsPerChild);
  examplesBetweenValidations_->setValue(static_cast<int>(t.trainExamplesBetweenValidations));
  validationMax_->setValue(static_cast<int>(t.validationExamplesMax));
  testMax_->setValue(static_cast<int>(t.testExamplesMax));
  threads_->setValue(t.threads);
  tasks_->setRowCount(0);
  for (const auto& task : config.tasks) {
    QStringList classes;
    for (int c : task.classes)
      classes << QString::number(c);
    addTaskRow(QString::fromStdString(task.name), QString::fromStdString(formatName(task.format)),
               QString::fromStdString(task.path.string()), classes.join(QStringLiteral(", ")));
  }
  error_->clear();
}

QJsonObject NewExperimentDialog::formJson(QString* error) const {
  QJsonObject j = base_;
  j.insert(QStringLiteral("seed"), seed_->value());
  QJsonObject root = j.value(QStringLiteral("root")).toObject();
  root.insert(QStringLiteral("architecture"), architecture_->currentText());
  root.insert(QStringLiteral("image_size"), imageSize_->value());
  root.insert(QStringLiteral("patch_size"), patchSize_->value());
  root.insert(QStringLiteral("width"), width_->value());
  root.insert(QStringLiteral("heads"), heads_->value());
  root.insert(QStringLiteral("mlp_dim"), mlpDim_->value());
  root.insert(QStringLiteral("depth"), depth_->value());
  j.insert(QStringLiteral("root"), root);
  QJsonObject evolution = j.value(QStringLiteral("evolution")).toObject();
  evolution.insert(QStringLiteral("generation_size"), generationSize_->value());
  evolution.insert(QStringLiteral("children_per_task_iteration"), childrenPerIteration_->value());
  evolution.insert(QStringLiteral("task_iterations"), taskIterations_->value());
  evolution.insert(QStringLiteral("scale_factor"), scaleFactor_->value());
  j.insert(QStringLiteral("evolution"), evolution);
  QJsonObject training = j.value(QStringLiteral("training")).toObject();
  training.insert(QStringLiteral("batch_size"), batchSize_->value());
  training.insert(QStringLiteral("validations_per_child"), validationsPerChild_->value());
  training.insert(QStringLiteral("train_examples_between_validations"),
                  examplesBetweenValidations_->value());
  training.insert(QStringLiteral("validation_examples_max"), validationMax_->value());
  training.insert(QStringLiteral("test_examples_max"), testMax_->value());
  training.insert(QStringLiteral("threads"), threads_->value());
  j.insert(QStringLiteral("training"), training);

  // Tasks are rebuilt from the table; a row's validation fraction is kept when its name existed.
  QJsonArray oldTasks = base_.value(QStringLiteral("tasks")).toArray();
  QJsonArray tasks;
  for (int row = 0; row < tasks_->rowCount(); ++row) {
    QString classError;
    const auto classes = parseClassList(tasks_->item(row, ClassesColumn)->text(), &classError);
    if (!classes) {
      if (error) *error = tr("config key 'tasks[%1].classes': %2").arg(row).arg(classError);
      return {};
    }
    const QString name = tasks_->item(row, NameColumn)->text();
    std::optional<double> fraction;
    for (const auto& old : oldTasks)
      if (old.toObject().value(QStringLiteral("name")).toString() == name)
        fraction = old.toObject().value(QStringLiteral("validation_fraction")).toDouble();
    const auto* combo = qobject_cast<QComboBox*>(tasks_->cellWidget(row, FormatColumn));
    tasks.append(taskJson(name, combo ? combo->currentText() : QString(),
                          tasks_->item(row, PathColumn)->text(), *classes, fraction));
  }
  j.insert(QStringLiteral("tasks"), tasks);
  return j;
}

bool NewExperimentDialog::validate() {
  QString error;
  const QJsonObject j = formJson(&error);
  if (!error.isEmpty()) {
    error_->setText(error);
    return false;
  }
  try {
    config_ = validateExperimentJson(j, baseDir_);
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    return false;
  }
  error_->clear();
  return true;
}

QString NewExperimentDialog::errorText() const {
  return error_->text();
}

void NewExperimentDialog::accept() {
  if (validate()) QDialog::accept();
}

}  // namespace mu2net::ui
