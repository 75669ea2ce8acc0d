#pragma once
// The "New experiment" dialog: datasets (name, format, folder, optional class subset), budgets,
// seed and root architecture. Accepting validates the result with mu2net::parseExperimentConfig,
// as the command line does; an error is shown in the dialog, naming the key, and the dialog stays
// open. Keys the form does not show (search space, image sizes, checkpoint) are kept from the
// configuration given to setConfig().
#include <QDialog>
#include <QJsonObject>
#include <QString>

#include "mu2net/ExperimentConfig.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace mu2net::ui {

class NewExperimentDialog : public QDialog {
  Q_OBJECT
 public:
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

 public Q_SLOTS:
  void accept() override;

 private:
  QSpinBox* intField(int minimum, int maximum);

  QJsonObject base_;
  QString baseDir_;
  ExperimentConfig config_;
  QSpinBox* seed_;
  QComboBox* architecture_;
  QSpinBox *imageSize_, *patchSize_, *width_, *heads_, *mlpDim_, *depth_;
  QSpinBox *generationSize_, *childrenPerIteration_, *taskIterations_;
  QDoubleSpinBox* scaleFactor_;
  QSpinBox *batchSize_, *validationsPerChild_, *examplesBetweenValidations_, *validationMax_,
      *testMax_, *threads_;
  QTableWidget* tasks_;
  QLabel* error_;
};

}  // namespace mu2net::ui
