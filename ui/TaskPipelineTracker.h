#pragma once
// Which data hyperparameters (ds_image_size, crop, flip, brightness, contrast) each task's data
// goes through, as the engine's events tell it: while one of the task's generations trains, that
// generation's (GenerationStartedEvent::dataHParams); otherwise those of the task's retained path
// (its child record's hyperparameters: the latest task iteration's retained path, or a stored
// experiment's graph route); before any of them, the search space's defaults. Each comes with
// where it is from, for the reader. Fed from the controller's events (connect the slots, e.g.
// with EngineSignals::connectHandlers); GUI thread only.
#include <QHash>
#include <QObject>
#include <QString>

#include "MetaTypes.h"
#include "mu2net/data/InputPipeline.h"

namespace mu2net::ui {

class TaskPipelineTracker : public QObject {
  Q_OBJECT
 public:
  /// A task's pipeline settings and where they come from.
  struct Settings {
    DataHParams hparams;
    QString source;
  };

  explicit TaskPipelineTracker(QObject* parent = nullptr);

  /// Forgets every task's settings; `config`'s search space gives the defaults.
  void setExperiment(const ExperimentConfig& config);
  /// The settings `task`'s data goes through now.
  Settings settings(const QString& task) const;

 public Q_SLOTS:
  /// A run's start: a continued experiment's retained paths come from its graph and history.
  void onRunStarted(const mu2net::RunStartedEvent& event);
  void onGenerationStarted(const mu2net::GenerationStartedEvent& event);
  void onChildFinished(const mu2net::ChildFinishedEvent& event);
  void onTaskIterationEnded(const mu2net::TaskIterationEndedEvent& event);
  void onRunFinished(const mu2net::RunFinishedEvent& event);

 Q_SIGNALS:
  /// `task`'s settings changed.
  void changed(const QString& task);

 private:
  /// `hp` with the defaults where a ds_* key is missing, as pipeline settings.
  DataHParams withDefaults(const HParams& hp) const;
  void retain(const QString& task, qint64 pathId, const QString& source);

  HParams defaults_;
  QHash<qint64, HParams> pathHParams_;  ///< every finished child's hyperparameters, by path id
  QHash<QString, Settings> retained_;   ///< each task's retained path's settings
  QHash<QString, Settings> training_;   ///< the generation in training, per task
};

}  // namespace mu2net::ui
