#pragma once
// The "New experiment" dialog: datasets (name, format, folder, optional class subset), budgets,
// seed and the root model. Accepting validates the result with mu2net::parseExperimentConfig, as
// the command line does; an error is shown in the dialog, naming the key, and the dialog stays
// open. Keys the form does not show (search space, image sizes, ...) are kept from the
// configuration given to setConfig().
//
// The root is one of the built-in roots (listBuiltinRoots(); the default root first), a random
// initialisation, or a checkpoint file. The form's `root` object follows the choice:
//   built-in   {"pretrained": NAME, "image_size": N}: the architecture is the root's (shown
//              read-only); only the image size may differ (a ViT's position embedding is
//              re-interpolated),
//   random     every architecture key, stem included,
//   checkpoint {"checkpoint": PATH} plus the keys whose field differs from what the file
//              resolves to (shown when it is chosen), and `heads` for a timm .safetensors file
//              that does not record it; the parser refuses keys that disagree with the file.
//
// "Preview data" opens a pane beside the form with the data of the selected task row (its
// classes, counts and sample images, raw and through the search space's default pipeline for the
// root shown: DataPreviewWidget); while open it follows the selected row and what is typed in it.
#include <QDialog>
#include <QJsonObject>
#include <QString>
#include <vector>

#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/model/RootCatalog.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace mu2net::ui {

class DataPreviewWidget;

class NewExperimentDialog : public QDialog {
  Q_OBJECT
 public:
  /// Where the root's parameters come from.
  enum class RootKind { Builtin, Random, Checkpoint };

  /// A new configuration: the default root (kDefaultRootName) when it is installed, else a
  /// random root.
  explicit NewExperimentDialog(QWidget* parent = nullptr);

  /// Fills the form from `config`; relative paths in the form resolve against `baseDir`.
  void setConfig(const ExperimentConfig& config, const QString& baseDir);
  /// The validated configuration (after the dialog was accepted).
  const ExperimentConfig& config() const { return config_; }
  /// The JSON the form currently describes (unvalidated).
  QJsonObject formJson(QString* error) const;
  /// Validates the form; on success stores config() and returns true, else sets errorText().
  bool validate();
  QString errorText() const;

  /// Table access for tests: the task rows.
  QTableWidget* taskTable() const { return tasks_; }
  void addTaskRow(const QString& name, const QString& format, const QString& path,
                  const QString& classes);

  /// Shows the preview pane with the data of the selected task row (the first when none is).
  void previewData();
  DataPreviewWidget* dataPreview() const { return preview_; }

  /// Root access for tests: the chooser (item data: rootKindRole, rootNameRole), the checkpoint
  /// path, and the field of one architecture key ("architecture", "stem", "image_size", ...).
  static constexpr int rootKindRole = Qt::UserRole;
  static constexpr int rootNameRole = Qt::UserRole + 1;
  QComboBox* rootChooser() const { return rootChoice_; }
  QLineEdit* checkpointEdit() const { return checkpoint_; }
  QWidget* architectureField(const QString& key) const;
  RootKind rootKind() const;
  /// The name of the chosen built-in root (empty for the other kinds).
  QString rootName() const;
  /// Selects the built-in root `name` (listed or not), or another kind, as the user would.
  void chooseBuiltinRoot(const QString& name);
  void chooseRootKind(RootKind kind);

 public Q_SLOTS:
  void accept() override;

 private:
  QSpinBox* intField(int minimum, int maximum);
  /// The chooser's index of the built-in root `name`; an unlisted name gets an item of its own.
  int builtinIndex(const QString& name);
  int kindIndex(RootKind kind) const;
  void rootChoiceChanged();
  /// Enables the fields the current kind lets the user edit; updates the hint.
  void updateRootFields();
  void showArchitecture(const ArchitectureConfig& a);
  ArchitectureConfig fieldArchitecture() const;
  QJsonObject rootJson() const;
  /// Reads what the checkpoint path resolves to and shows it in the fields; a problem is shown
  /// as an error (and the path is read again on the next occasion).
  void resolveCheckpoint();
  void browseCheckpoint();

  QJsonObject base_;
  QString baseDir_;
  ExperimentConfig config_;
  std::vector<RootInfo> builtinRoots_;
  QString resolvedCheckpoint_;  ///< the path the fields show the resolution of
  QSpinBox* seed_;
  QComboBox* rootChoice_;
  QLabel* rootHint_;
  QLineEdit* checkpoint_;
  QPushButton* browseCheckpoint_;
  QComboBox* architecture_;
  QComboBox* stem_;
  QSpinBox *imageSize_, *patchSize_, *width_, *heads_, *mlpDim_, *depth_;
  QSpinBox *generationSize_, *childrenPerIteration_, *taskIterations_;
  QDoubleSpinBox* scaleFactor_;
  QSpinBox *batchSize_, *validationsPerChild_, *examplesBetweenValidations_, *validationMax_,
      *testMax_, *threads_;
  QTableWidget* tasks_;
  QLabel* error_;
  DataPreviewWidget* preview_;
};

}  // namespace mu2net::ui
