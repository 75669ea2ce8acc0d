#pragma once
// What the task-data preview shows of one task ("What is each task?"): a few training samples per
// class, each raw (the file's own pixels) and as the model sees it after the input pipeline
// (mu2net::assembleBatch with the given data hyperparameters, once for training, with its random
// crop, flip, brightness and contrast, and once for evaluation), with the task's class names,
// per-class and per-split counts, image size and channels.
//
// Worker-side: QImage only, no widget, so it may be made in any thread. loadDataPreview() reads
// the dataset (seconds for MNIST), so the GUI calls it through DataPreviewLoader, never itself.
// Unreadable data never throws: the preview's `error` says what was wrong, naming the task and
// its folder.
#include <QImage>
#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

#include "mu2net/data/InputPipeline.h"
#include "mu2net/data/TaskData.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/SearchSpace.h"

namespace mu2net::ui {

/// At most this many samples are shown in all: later classes are listed with their counts but
/// no samples (a dataset of many classes of large images stays small in memory).
inline constexpr int kMaxPreviewSamples = 400;

/// Which task to preview and through which pipeline.
struct DataPreviewRequest {
  TaskSpec task;
  std::uint64_t seed = 0;  ///< the experiment's seed: it draws the held-out validation split
  DataHParams pipeline;    ///< the data hyperparameters of the model's view
  QString pipelineSource;  ///< where they come from, for the reader (e.g. "search space defaults")
  int samplesPerClass = 4;
  std::uint64_t augmentationSeed = 1;  ///< Rng seed of the training view's random draws

  /// Equal keys give equal previews (every field).
  QString key() const;
};

/// One training sample of a class, in three forms.
struct DataPreviewSample {
  std::int64_t index = -1;  ///< its index in the task's train split
  QImage raw;               ///< the file's pixels: Grayscale8 (1 channel) or RGB888 (3 channels)
  QImage training;    ///< assembleBatch(training = true) mapped back to 0..255 (RGB888, size²)
  QImage evaluation;  ///< assembleBatch(training = false), likewise
};

/// One class of the task: its name, how many samples each split holds and a few of them.
struct DataPreviewClass {
  int label = 0;  ///< the task's label (0..k-1 for a class subset, in the order listed)
  QString name;
  std::int64_t train = 0, validation = 0, test = 0;
  /// Spread evenly over the class's train samples; none for this class and every later one once
  /// its samples would exceed kMaxPreviewSamples in all.
  std::vector<DataPreviewSample> samples;
};

/// The preview of one task.
struct DataPreview {
  DataPreviewRequest request;
  QString error;  ///< not empty: the data could not be read (task and folder named); no classes
  std::int64_t train = 0, validation = 0, test = 0;  ///< split sizes
  std::int64_t height = 0, width = 0, channels = 0;  ///< of the dataset's images
  std::vector<DataPreviewClass> classes;             ///< in label order
  bool ok() const { return error.isEmpty(); }
};

/// The preview of `data` (a task as loadTask() made it from request.task). Samples are drawn from
/// the train split: for a class with n samples, the k-th of m = min(samplesPerClass, n) is its
/// (k·n/m)-th, up to the first class whose samples would make more than kMaxPreviewSamples. The
/// training view of every sample comes from one assembleBatch call over all of them, classes in
/// label order and samples in order, from Rng(request.augmentationSeed).
DataPreview makeDataPreview(const DataPreviewRequest& request, const TaskData& data);

/// Reads request.task with loadTask(task, seed) and calls makeDataPreview(); a folder that does
/// not fit its format, unreadable data or invalid hyperparameters give a preview with `error`.
/// With `keep`, the task data read is left there (empty when none was read).
DataPreview loadDataPreview(const DataPreviewRequest& request,
                            std::optional<TaskData>* keep = nullptr);

/// The message of a preview that could not be made: "Task 'NAME' (folder PATH, FORMAT): WHY".
QString dataPreviewError(const TaskSpec& task, const QString& why);

/// A batch image of assembleBatch (3 × size × size floats in [-1, 1], NCHW) as the 0..255 RGB image
/// it encodes: v ↦ round((v + 1) · 127.5), clamped.
QImage pipelineImage(const float* chw, int size);

/// The default of every data hyperparameter (ds_*) of `config`'s search space: the laptop table
/// for its root with its overrides (an override the space refuses is left out).
HParams dataDefaults(const ExperimentConfig& config);

/// The request for task `index` of `config` before any run: its seed and the search space's
/// default data hyperparameters.
DataPreviewRequest defaultDataPreviewRequest(const ExperimentConfig& config, std::size_t index);

}  // namespace mu2net::ui
