#include "DataPreview.h"

#include <QObject>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <exception>

#include "mu2net/common/ErrorText.h"
#include "mu2net/common/Rng.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetFolderCheck.h"

namespace mu2net::ui {

namespace {

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

// The file's pixels of sample i, as a grey or RGB image that owns its bytes.
QImage rawImage(const ImageSet& set, std::int64_t i) {
  const int w = static_cast<int>(set.width), h = static_cast<int>(set.height);
  const int c = static_cast<int>(set.channels);
  const auto format = c == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8;
  return QImage(set.image(i), w, h, w * c, format).copy();
}

// The train indices of each label, in order.
std::vector<std::vector<std::int64_t>> indicesByLabel(const ImageSet& set, int numClasses) {
  std::vector<std::vector<std::int64_t>> byLabel(static_cast<std::size_t>(numClasses));
  for (std::int64_t i = 0; i < set.count; ++i)
    byLabel.at(static_cast<std::size_t>(set.labels[static_cast<std::size_t>(i)])).push_back(i);
  return byLabel;
}

std::vector<std::int64_t> countByLabel(const ImageSet& set, int numClasses) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(numClasses), 0);
  for (const auto label : set.labels)
    ++counts.at(static_cast<std::size_t>(label));
  return counts;
}

// Up to m samples spread evenly over `indices`: the (k·n/m)-th for k = 0 … m-1.
std::vector<std::int64_t> spread(const std::vector<std::int64_t>& indices, int m) {
  const auto n = static_cast<std::int64_t>(indices.size());
  const std::int64_t count = std::min<std::int64_t>(m, n);
  std::vector<std::int64_t> out;
  for (std::int64_t k = 0; k < count; ++k)
    out.push_back(indices[static_cast<std::size_t>(k * n / count)]);
  return out;
}

// The pipeline's view of `indices` (one batch, in order), as images.
std::vector<QImage> pipelineImages(const ImageSet& set, const std::vector<std::int64_t>& indices,
                                   const DataPreviewRequest& r, bool training) {
  const int size = r.pipeline.imageSize;
  const auto per = static_cast<std::size_t>(3 * size * size);
  std::vector<float> images(indices.size() * per);
  std::vector<std::int64_t> labels(indices.size());
  Rng rng(r.augmentationSeed);
  assembleBatch(set, indices, r.pipeline, training, rng, images.data(), labels.data());
  std::vector<QImage> out;
  for (std::size_t i = 0; i < indices.size(); ++i)
    out.push_back(pipelineImage(images.data() + i * per, size));
  return out;
}

}  // namespace

QString DataPreviewRequest::key() const {
  QStringList classes;
  for (int c : task.classes)
    classes << QString::number(c);
  const DataHParams& p = pipeline;
  return QStringList{q(task.name),
                     q(task.path.string()),
                     q(formatName(task.format)),
                     classes.join(QLatin1Char(',')),
                     QString::number(task.validationFraction, 'g', 17),
                     QString::number(seed),
                     QString::number(p.imageSize),
                     QString::number(p.crop),
                     QString::number(p.areaRangeMin, 'g', 17),
                     QString::number(p.aspectRatioRangeMin, 'g', 17),
                     QString::number(p.flipLeftRight),
                     QString::number(p.brightnessDelta, 'g', 17),
                     QString::number(p.contrastDelta, 'g', 17),
                     QString::number(samplesPerClass),
                     QString::number(augmentationSeed),
                     pipelineSource}
      .join(QLatin1Char('\x1f'));
}

QImage pipelineImage(const float* chw, int size) {
  QImage image(size, size, QImage::Format_RGB888);
  const std::size_t plane = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  for (int y = 0; y < size; ++y) {
    uchar* line = image.scanLine(y);
    for (int x = 0; x < size; ++x)
      for (std::size_t c = 0; c < 3; ++c) {
        const float v = chw[c * plane + static_cast<std::size_t>(y * size + x)];
        const long byte = std::lround((static_cast<double>(v) + 1.0) * 127.5);
        line[3 * x + static_cast<int>(c)] = static_cast<uchar>(std::clamp(byte, 0L, 255L));
      }
  }
  return image;
}

DataPreview makeDataPreview(const DataPreviewRequest& request, const TaskData& data) {
  DataPreview p;
  p.request = request;
  p.train = data.train.count;
  p.validation = data.validation.count;
  p.test = data.test.count;
  p.height = data.train.height;
  p.width = data.train.width;
  p.channels = data.train.channels;
  const auto byLabel = indicesByLabel(data.train, data.numClasses);
  const auto validation = countByLabel(data.validation, data.numClasses);
  const auto test = countByLabel(data.test, data.numClasses);
  std::vector<std::int64_t> shown;  // every sample shown, classes in label order
  bool full = false;                // kMaxPreviewSamples reached: no more samples
  for (int label = 0; label < data.numClasses; ++label) {
    const auto l = static_cast<std::size_t>(label);
    DataPreviewClass c;
    c.label = label;
    c.name = q(data.classNames.at(l));
    c.train = static_cast<std::int64_t>(byLabel[l].size());
    c.validation = validation[l];
    c.test = test[l];
    const auto picked = spread(byLabel[l], request.samplesPerClass);
    full = full || shown.size() + picked.size() > static_cast<std::size_t>(kMaxPreviewSamples);
    for (const auto i : full ? std::vector<std::int64_t>{} : picked) {
      c.samples.push_back({i, rawImage(data.train, i), {}, {}});
      shown.push_back(i);
    }
    p.classes.push_back(std::move(c));
  }
  if (shown.empty()) return p;
  const auto training = pipelineImages(data.train, shown, request, true);
  const auto evaluation = pipelineImages(data.train, shown, request, false);
  std::size_t next = 0;
  for (auto& c : p.classes)
    for (auto& s : c.samples) {
      s.training = training[next];
      s.evaluation = evaluation[next++];
    }
  return p;
}

QString dataPreviewError(const TaskSpec& task, const QString& why) {
  return QObject::tr("Task '%1' (folder %2, %3): %4")
      .arg(q(task.name), q(task.path.string()), q(formatName(task.format)), why);
}

DataPreview loadDataPreview(const DataPreviewRequest& request, std::optional<TaskData>* keep) {
  if (keep) keep->reset();
  DataPreview failed;
  failed.request = request;
  // From the folder's names first: the message then says which format fits.
  if (const std::string problem = taskFolderProblem(request.task, {}); !problem.empty()) {
    failed.error = dataPreviewError(request.task, q(problem));
    return failed;
  }
  try {
    validateDataHParams(request.pipeline);
    TaskData data = loadTask(request.task, request.seed);
    if (data.train.channels != 1 && data.train.channels != 3)
      throw DataError(std::to_string(data.train.channels) + " channels (1 or 3 can be shown)");
    DataPreview preview = makeDataPreview(request, data);
    if (keep) *keep = std::move(data);
    return preview;
  } catch (const std::exception& e) {
    failed.error = dataPreviewError(request.task, q(errorText(e)));
    return failed;
  }
}

HParams dataDefaults(const ExperimentConfig& config) {
  const auto& a = config.root.architecture;
  SearchSpace space = SearchSpace::laptopDefaults(0, 28);
  try {
    space = SearchSpace::laptopDefaults(a.depth, a.imageSize, config.imageSizes);
  } catch (const std::exception&) {
    // A root the parser would refuse: the table's own defaults, until the form is fixed.
  }
  for (const auto& [name, o] : config.searchSpace) {
    try {
      space.override(name, o.values, o.defaultValue);
    } catch (const std::exception&) {
      // The configuration's own validation names it; the preview keeps the table's default.
    }
  }
  return space.generationDefaults();
}

DataPreviewRequest defaultDataPreviewRequest(const ExperimentConfig& config, std::size_t index) {
  DataPreviewRequest r;
  r.task = config.tasks.at(index);
  r.seed = config.seed;
  r.pipeline = toDataHParams(dataDefaults(config));
  r.pipelineSource = QObject::tr("the search space's defaults (before any run)");
  return r;
}

}  // namespace mu2net::ui
