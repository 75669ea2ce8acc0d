// The "New experiment" form. Longer than 500 lines: one dialog whose sections (tasks, budgets,
// root) build one JSON object that core's parser validates as a whole; most of it is the root
// section (built-in, random or checkpoint root and the architecture it fixes), the first
// candidate to become a widget of its own.
#include "NewExperimentDialog.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "ConfigJson.h"
#include "DataPreview.h"
#include "DataPreviewWidget.h"
#include "ExperimentFiles.h"
#include "Format.h"
#include "mu2net/common/ErrorText.h"

namespace mu2net::ui {

namespace {

enum TaskColumn { NameColumn, FormatColumn, PathColumn, ClassesColumn, TaskColumnCount };

const QStringList kFormats = {QStringLiteral("idx"), QStringLiteral("cifar-binary"),
                              QStringLiteral("image-folder")};

// The architecture keys of a `root` object, in the order of the form.
const QStringList kArchitectureKeys = {QStringLiteral("architecture"), QStringLiteral("stem"),
                                       QStringLiteral("image_size"),   QStringLiteral("patch_size"),
                                       QStringLiteral("width"),        QStringLiteral("heads"),
                                       QStringLiteral("mlp_dim"),      QStringLiteral("depth")};

QJsonObject architectureObject(const ArchitectureConfig& a) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(architectureToJson(a))).object();
}

// One line per kind of root, for the hint under the chooser and the items' tooltips.
QString rootHint(NewExperimentDialog::RootKind kind) {
  switch (kind) {
    case NewExperimentDialog::RootKind::Builtin:
      return QObject::tr(
          "Pretrained: children learn far faster from it. Its architecture is "
          "fixed; only the image size may change.");
    case NewExperimentDialog::RootKind::Random:
      return QObject::tr(
          "Random initialisation from the seed: the paper-free baseline; every "
          "size is yours to choose.");
    case NewExperimentDialog::RootKind::Checkpoint:
      return QObject::tr(
          "A root written by 'mu2net pretrain' (.pt with its .json) or a timm ViT "
          "(.safetensors).");
  }
  return {};
}

// "Built-in: NAME (ViT, conv stem, 28 px, 212k parameters; synthetic glyphs, 93.1 %)".
QString builtinLabel(const RootInfo& r) {
  const auto& a = r.architecture;
  QStringList parts;
  parts << (a.kind == ArchitectureKind::Vit
                ? QObject::tr("ViT, %1 stem").arg(QString::fromStdString(toString(a.stem)))
                : QObject::tr("CNN"));
  parts << QObject::tr("%1 px").arg(a.imageSize);
  QString label =
      parts.join(QStringLiteral(", ")) +
      QObject::tr(", %1 parameters").arg(formatCount(static_cast<double>(r.parameters)));
  QStringList pretraining;
  if (!r.source.empty()) pretraining << QString::fromStdString(r.source);
  if (r.pretrainAccuracy > 0)
    pretraining << QStringLiteral("%1 %").arg(100 * r.pretrainAccuracy, 0, 'f', 1);
  if (!pretraining.isEmpty())
    label += QStringLiteral("; ") + pretraining.join(QStringLiteral(", "));
  return QObject::tr("Built-in: %1 (%2)").arg(QString::fromStdString(r.name), label);
}

QString builtinTooltip(const RootInfo& r) {
  const auto& a = r.architecture;
  QString sizes =
      a.kind == ArchitectureKind::Vit
          ? QObject::tr(
                "ViT (%1 stem): image %2 px, patch %3, width %4, %5 heads, MLP %6, depth %7")
                .arg(QString::fromStdString(toString(a.stem)))
                .arg(a.imageSize)
                .arg(a.patchSize)
                .arg(a.width)
                .arg(a.heads)
                .arg(a.mlpDim)
                .arg(a.depth)
          : QObject::tr("CNN: image %1 px, width %2, depth %3")
                .arg(a.imageSize)
                .arg(a.width)
                .arg(a.depth);
  return QObject::tr(
             "%1\n%2 parameters; pretrained on %3 for %4 steps (%5), %6 % accuracy on "
             "held-out examples\n%7\n%8")
      .arg(sizes, formatCount(static_cast<double>(r.parameters)),
           r.source.empty() ? QObject::tr("unknown data") : QString::fromStdString(r.source))
      .arg(r.steps)
      .arg(formatDuration(r.seconds))
      .arg(100 * r.pretrainAccuracy, 0, 'f', 1)
      .arg(rootHint(NewExperimentDialog::RootKind::Builtin),
           QString::fromStdString(r.metadata.string()));
}

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

  // The root chooser: the built-in roots (the default one first), random, a checkpoint file.
  rootChoice_ = new QComboBox(this);
  rootChoice_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  rootChoice_->setMinimumContentsLength(24);
  builtinRoots_ = listBuiltinRoots();
  std::stable_partition(builtinRoots_.begin(), builtinRoots_.end(),
                        [](const RootInfo& r) { return r.name == kDefaultRootName; });
  const auto addChoice = [this](const QString& text, RootKind kind, const QString& name,
                                const QString& tip) {
    const int i = rootChoice_->count();
    rootChoice_->addItem(text);
    rootChoice_->setItemData(i, static_cast<int>(kind), rootKindRole);
    rootChoice_->setItemData(i, name, rootNameRole);
    rootChoice_->setItemData(i, tip, Qt::ToolTipRole);
  };
  for (const auto& r : builtinRoots_)
    addChoice(builtinLabel(r), RootKind::Builtin, QString::fromStdString(r.name),
              builtinTooltip(r));
  addChoice(tr("Random initialisation"), RootKind::Random, QString(), rootHint(RootKind::Random));
  addChoice(tr("Checkpoint file…"), RootKind::Checkpoint, QString(),
            rootHint(RootKind::Checkpoint));
  // The list shows the whole descriptions even where the closed chooser elides them.
  rootChoice_->view()->setMinimumWidth(rootChoice_->view()->sizeHintForColumn(0) + 24);
  rootHint_ = new QLabel(this);
  rootHint_->setWordWrap(true);
  QFont hintFont = rootHint_->font();
  hintFont.setPointSizeF(hintFont.pointSizeF() * 0.9);
  rootHint_->setFont(hintFont);
  checkpoint_ = new QLineEdit(this);
  checkpoint_->setPlaceholderText(tr(".pt or .safetensors file"));
  checkpoint_->setClearButtonEnabled(true);
  browseCheckpoint_ = new QPushButton(tr("Browse…"), this);
  connect(rootChoice_, &QComboBox::currentIndexChanged, this,
          &NewExperimentDialog::rootChoiceChanged);
  connect(checkpoint_, &QLineEdit::editingFinished, this, [this] {
    if (checkpoint_->text().trimmed() != resolvedCheckpoint_) resolveCheckpoint();
  });
  connect(browseCheckpoint_, &QPushButton::clicked, this, &NewExperimentDialog::browseCheckpoint);

  architecture_ = new QComboBox(this);
  architecture_->addItems({QStringLiteral("vit"), QStringLiteral("cnn")});
  stem_ = new QComboBox(this);
  stem_->addItems({QStringLiteral("patch"), QStringLiteral("conv")});
  stem_->setToolTip(
      tr("patch: one p×p convolution (the paper's ViT); conv: a small "
         "convolutional stem that learns small images faster"));
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
  rootForm->addRow(tr("Root"), rootChoice_);
  rootForm->addRow(rootHint_);
  auto* checkpointRow = new QHBoxLayout;
  checkpointRow->addWidget(checkpoint_, 1);
  checkpointRow->addWidget(browseCheckpoint_);
  rootForm->addRow(tr("Checkpoint"), checkpointRow);
  rootForm->addRow(tr("Architecture"), architecture_);
  rootForm->addRow(tr("Stem (vit)"), stem_);
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
  budgetForm->addRow(tr("Validation examples (max, 0 = all)"), validationMax_);
  budgetForm->addRow(tr("Test examples (max, 0 = all)"), testMax_);
  budgetForm->addRow(tr("Threads"), threads_);

  tasks_ = new QTableWidget(0, TaskColumnCount, this);
  tasks_->setHorizontalHeaderLabels({tr("Name"), tr("Format"), tr("Folder"), tr("Classes")});
  tasks_->horizontalHeader()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
  tasks_->verticalHeader()->hide();
  auto* add = new QPushButton(tr("Add dataset"), this);
  auto* browse = new QPushButton(tr("Choose folder…"), this);
  auto* remove = new QPushButton(tr("Remove"), this);
  auto* preview = new QPushButton(tr("Preview data"), this);
  preview->setToolTip(tr("The selected task's classes, counts and sample images"));
  connect(preview, &QPushButton::clicked, this, &NewExperimentDialog::previewData);
  preview_ = new DataPreviewWidget(this);
  preview_->hide();
  // An open preview follows the selected row and what is typed in it.
  const auto follow = [this] {
    if (!preview_->isHidden()) previewData();
  };
  connect(tasks_, &QTableWidget::currentCellChanged, this, follow);
  connect(tasks_, &QTableWidget::itemChanged, this, follow);
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
  buttons->addWidget(preview);
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
  auto* form = new QVBoxLayout;
  form->addLayout(columns);
  form->addWidget(taskBox, 1);
  form->addWidget(error_);
  form->addWidget(box);
  auto* layout = new QHBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(preview_, 1);
  resize(860, 640);  // fits a 1024x700 screen with a title bar

  // A new configuration starts from the default root when it is installed.
  ExperimentConfig initial;
  for (const auto& r : builtinRoots_)
    if (r.name == kDefaultRootName) {
      initial.root.pretrained = r.name;
      initial.root.checkpoint = r.file;
      initial.root.architecture = r.architecture;
    }
  setConfig(initial, QDir::currentPath());
}

QWidget* NewExperimentDialog::architectureField(const QString& key) const {
  const QList<QWidget*> fields = {architecture_, stem_,  imageSize_, patchSize_,
                                  width_,        heads_, mlpDim_,    depth_};
  const auto i = kArchitectureKeys.indexOf(key);
  return i < 0 ? nullptr : fields[i];
}

NewExperimentDialog::RootKind NewExperimentDialog::rootKind() const {
  return static_cast<RootKind>(rootChoice_->currentData(rootKindRole).toInt());
}

QString NewExperimentDialog::rootName() const {
  return rootKind() == RootKind::Builtin ? rootChoice_->currentData(rootNameRole).toString()
                                         : QString();
}

int NewExperimentDialog::kindIndex(RootKind kind) const {
  for (int i = 0; i < rootChoice_->count(); ++i)
    if (rootChoice_->itemData(i, rootKindRole).toInt() == static_cast<int>(kind)) return i;
  return -1;
}

int NewExperimentDialog::builtinIndex(const QString& name) {
  for (int i = 0; i < rootChoice_->count(); ++i)
    if (rootChoice_->itemData(i, rootKindRole).toInt() == static_cast<int>(RootKind::Builtin) &&
        rootChoice_->itemData(i, rootNameRole).toString() == name)
      return i;
  // A configuration naming a root this installation lacks: shown as such; validating it gives
  // the parser's message (the known roots and the folders searched).
  const QSignalBlocker block(rootChoice_);
  const int i = kindIndex(RootKind::Random);
  rootChoice_->insertItem(i, tr("Built-in: %1 (not installed)").arg(name));
  rootChoice_->setItemData(i, static_cast<int>(RootKind::Builtin), rootKindRole);
  rootChoice_->setItemData(i, name, rootNameRole);
  rootChoice_->setItemData(
      i, tr("No built-in root named '%1' was found; see 'mu2net roots'.").arg(name),
      Qt::ToolTipRole);
  return i;
}

void NewExperimentDialog::chooseBuiltinRoot(const QString& name) {
  rootChoice_->setCurrentIndex(builtinIndex(name));
}

void NewExperimentDialog::chooseRootKind(RootKind kind) {
  rootChoice_->setCurrentIndex(kindIndex(kind));
}

void NewExperimentDialog::rootChoiceChanged() {
  error_->clear();
  switch (rootKind()) {
    case RootKind::Builtin: {
      const std::string name = rootName().toStdString();
      for (const auto& r : builtinRoots_)
        if (r.name == name) showArchitecture(r.architecture);
      break;
    }
    case RootKind::Random:
      break;  // starts from the sizes shown
    case RootKind::Checkpoint:
      resolveCheckpoint();
      break;
  }
  updateRootFields();
}

void NewExperimentDialog::updateRootFields() {
  const RootKind kind = rootKind();
  // A built-in root fixes its architecture but the image size.
  for (QWidget* field : {static_cast<QWidget*>(architecture_), static_cast<QWidget*>(stem_),
                         static_cast<QWidget*>(patchSize_), static_cast<QWidget*>(width_),
                         static_cast<QWidget*>(heads_), static_cast<QWidget*>(mlpDim_),
                         static_cast<QWidget*>(depth_)})
    field->setEnabled(kind != RootKind::Builtin);
  checkpoint_->setEnabled(kind == RootKind::Checkpoint);
  browseCheckpoint_->setEnabled(kind == RootKind::Checkpoint);
  rootHint_->setText(rootHint(kind));
}

void NewExperimentDialog::showArchitecture(const ArchitectureConfig& a) {
  architecture_->setCurrentText(QString::fromStdString(toString(a.kind)));
  stem_->setCurrentText(QString::fromStdString(toString(a.stem)));
  imageSize_->setValue(a.imageSize);
  patchSize_->setValue(a.patchSize);
  width_->setValue(a.width);
  heads_->setValue(a.heads);
  mlpDim_->setValue(a.mlpDim);
  depth_->setValue(a.depth);
}

ArchitectureConfig NewExperimentDialog::fieldArchitecture() const {
  ArchitectureConfig a;
  a.kind = architecture_->currentText() == QStringLiteral("cnn") ? ArchitectureKind::Cnn
                                                                 : ArchitectureKind::Vit;
  a.stem = stem_->currentText() == QStringLiteral("conv") ? StemKind::Conv : StemKind::Patch;
  a.imageSize = imageSize_->value();
  a.patchSize = patchSize_->value();
  a.width = width_->value();
  a.heads = heads_->value();
  a.mlpDim = mlpDim_->value();
  a.depth = depth_->value();
  return a;
}

void NewExperimentDialog::resolveCheckpoint() {
  const QString path = checkpoint_->text().trimmed();
  resolvedCheckpoint_.clear();
  if (path.isEmpty()) return;
  const CheckpointResolution r = resolveCheckpointRoot(path, baseDir_, heads_->value());
  if (!r.architecture) {
    error_->setText(r.error);
    return;
  }
  resolvedCheckpoint_ = path;
  error_->clear();
  showArchitecture(*r.architecture);
}

void NewExperimentDialog::browseCheckpoint() {
  const QString current = checkpoint_->text().trimmed();
  const QString start =
      current.isEmpty() ? baseDir_ : QFileInfo(QDir(baseDir_), current).absolutePath();
  const QString file =
      QFileDialog::getOpenFileName(this, tr("Root checkpoint"), start,
                                   tr("Root checkpoints (*.pt *.safetensors);;All files (*)"));
  if (file.isEmpty()) return;
  checkpoint_->setText(file);
  resolveCheckpoint();
}

QJsonObject NewExperimentDialog::rootJson() const {
  const ArchitectureConfig shown = fieldArchitecture();
  switch (rootKind()) {
    case RootKind::Builtin:
      return {{QStringLiteral("pretrained"), rootName()},
              {QStringLiteral("image_size"), shown.imageSize}};
    case RootKind::Random:
      return architectureObject(shown);
    case RootKind::Checkpoint:
      break;
  }
  // A checkpoint: the keys whose field differs from what the file resolves to (the parser
  // refuses those that disagree with the file's own architecture, naming them).
  const QString path = checkpoint_->text().trimmed();
  const CheckpointResolution r = resolveCheckpointRoot(path, baseDir_, shown.heads);
  const QJsonObject file = architectureObject(r.architecture.value_or(ArchitectureConfig{}));
  const QJsonObject fields = architectureObject(shown);
  QJsonObject root{{QStringLiteral("checkpoint"), path}};
  for (const auto& key : kArchitectureKeys)
    if (fields.value(key) != file.value(key) || (key == QStringLiteral("heads") && r.headsNeeded))
      root.insert(key, fields.value(key));
  return root;
}

void NewExperimentDialog::addTaskRow(const QString& name, const QString& format,
                                     const QString& path, const QString& classes) {
  const int row = tasks_->rowCount();
  tasks_->insertRow(row);
  tasks_->setItem(row, NameColumn, new QTableWidgetItem(name));
  auto* combo = new QComboBox(tasks_);
  combo->addItems(kFormats);
  combo->setCurrentText(format);
  connect(combo, &QComboBox::currentTextChanged, this, [this] {
    if (!preview_->isHidden()) previewData();
  });
  tasks_->setCellWidget(row, FormatColumn, combo);
  tasks_->setItem(row, PathColumn, new QTableWidgetItem(path));
  tasks_->setItem(row, ClassesColumn, new QTableWidgetItem(classes));
}

void NewExperimentDialog::setConfig(const ExperimentConfig& config, const QString& baseDir) {
  baseDir_ = baseDir;
  base_ = experimentJson(config);
  config_ = config;
  seed_->setValue(static_cast<int>(config.seed));
  const auto& root = config.root;
  {
    const QSignalBlocker block(rootChoice_);
    if (!root.pretrained.empty())
      rootChoice_->setCurrentIndex(builtinIndex(QString::fromStdString(root.pretrained)));
    else if (root.trained())
      rootChoice_->setCurrentIndex(kindIndex(RootKind::Checkpoint));
    else
      rootChoice_->setCurrentIndex(kindIndex(RootKind::Random));
  }
  checkpoint_->setText(root.pretrained.empty() && root.trained()
                           ? QString::fromStdString(root.checkpoint.string())
                           : QString());
  resolvedCheckpoint_ = checkpoint_->text();
  showArchitecture(root.architecture);
  updateRootFields();
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
  if (rootKind() == RootKind::Checkpoint) {
    // An empty or missing file is refused here: the parser reads an empty checkpoint as "no
    // checkpoint" (a random root) and opens the file only when the run starts.
    const QString problem = checkpointFileError(checkpoint_->text().trimmed(), baseDir_);
    if (!problem.isEmpty()) {
      if (error) *error = problem;
      return {};
    }
  }
  j.insert(QStringLiteral("root"), rootJson());
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
  // A path typed without leaving the field, or one that could not be read: show what it resolves
  // to first.
  if (rootKind() == RootKind::Checkpoint && checkpoint_->text().trimmed() != resolvedCheckpoint_)
    resolveCheckpoint();
  QString error;
  const QJsonObject j = formJson(&error);
  if (!error.isEmpty()) {
    error_->setText(error);
    return false;
  }
  try {
    config_ = validateExperimentJson(j, baseDir_);
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(mu2net::errorText(e)));
    return false;
  }
  // Caught here, with the task and key named, rather than when the run starts.
  if (const QString problems = dataProblems(config_); !problems.isEmpty()) {
    error_->setText(problems);
    return false;
  }
  showArchitecture(config_.root.architecture);  // what the root resolved to
  error_->clear();
  return true;
}

void NewExperimentDialog::previewData() {
  if (preview_->isHidden()) {
    preview_->show();
    resize(std::max(width(), 1500), height());
  }
  const int row = std::max(tasks_->currentRow(), 0);
  if (row >= tasks_->rowCount()) {
    preview_->showMessage(tr("Add a dataset to preview its data."));
    return;
  }
  const QString name = tasks_->item(row, NameColumn)->text();
  QString error;
  const QJsonObject j = formJson(&error);
  try {
    if (error.isEmpty()) {
      const ExperimentConfig config = validateExperimentJson(j, baseDir_);
      preview_->preview(defaultDataPreviewRequest(config, static_cast<std::size_t>(row)));
      return;
    }
  } catch (const std::exception& e) {
    error = QString::fromStdString(mu2net::errorText(e));
  }
  preview_->showProblem(name, error);
}

QString NewExperimentDialog::errorText() const {
  return error_->text();
}

void NewExperimentDialog::accept() {
  if (validate()) QDialog::accept();
}

}  // namespace mu2net::ui
