#pragma once
// Shared by the data-preview tests: waiting for a preview, and checking what a DataPreviewWidget's
// grid shows against the task's own data (read with loadTask) and the input pipeline's own output
// (assembleBatch), computed here independently of the widget's code.
#include <QImage>
#include <QString>
#include <QTableWidget>
#include <QtTest/QtTest>
#include <cmath>
#include <cstdint>
#include <vector>

#include "DataPreviewWidget.h"
#include "TestConfigs.h"
#include "mu2net/common/Rng.h"
#include "mu2net/data/InputPipeline.h"
#include "mu2net/data/TaskData.h"

namespace mu2net::testui {

using ui::DataPreviewWidget;

/// A task over a CIFAR-binary folder (testdata::idxTask's counterpart).
inline TaskSpec cifarTask(const std::string& name, const std::filesystem::path& path,
                          std::vector<int> classes = {}) {
  TaskSpec t = testdata::idxTask(name, path, std::move(classes));
  t.format = DatasetFormat::CifarBinary;
  return t;
}

/// Waits until `w` shows a preview (or its error) and loads nothing more.
inline bool waitForPreview(const DataPreviewWidget& w, int ms = 60000) {
  if (QTest::qWaitFor([&] { return w.shown().has_value() && !w.isLoading(); }, ms)) return true;
  qWarning("no preview; the widget says: %s", qPrintable(w.message()));
  return false;
}

/// Samples per class of `set`.
inline std::vector<std::int64_t> classCounts(const ImageSet& set, int numClasses) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(numClasses), 0);
  for (const auto label : set.labels)
    ++counts[static_cast<std::size_t>(label)];
  return counts;
}

/// The train samples the preview documents it shows: per class (label order) with n samples,
/// the (k·n/m)-th for k < m = min(perClass, n); none from the first class that would make more
/// than kMaxPreviewSamples in all.
inline std::vector<std::vector<std::int64_t>> documentedSamples(const TaskData& data,
                                                                int perClass) {
  std::vector<std::vector<std::int64_t>> byClass(static_cast<std::size_t>(data.numClasses));
  for (std::int64_t i = 0; i < data.train.count; ++i)
    byClass[static_cast<std::size_t>(data.train.labels[static_cast<std::size_t>(i)])].push_back(i);
  std::int64_t total = 0;
  for (auto& indices : byClass) {
    const auto n = static_cast<std::int64_t>(indices.size());
    const auto m = std::min<std::int64_t>(perClass, n);
    std::vector<std::int64_t> picked;
    for (std::int64_t k = 0; k < m; ++k)
      picked.push_back(indices[static_cast<std::size_t>(k * n / m)]);
    total = total + m > ui::kMaxPreviewSamples ? ui::kMaxPreviewSamples + 1 : total + m;
    indices = total > ui::kMaxPreviewSamples ? std::vector<std::int64_t>{} : picked;
  }
  return byClass;
}

/// Why the grid of `w` does not show `data` (empty when it does): class names, the per-class
/// counts of each split, every raw sample equal to the file's pixels and every model's view
/// equal to assembleBatch's output (training with Rng(augmentationSeed) over all samples in
/// order, or evaluation) mapped back to 0..255.
inline QString gridMismatch(const DataPreviewWidget& w, const TaskData& data) {
  const auto& request = w.shown()->request;
  const QTableWidget* grid = w.grid();
  if (grid->rowCount() != data.numClasses)
    return QStringLiteral("%1 rows for %2 classes").arg(grid->rowCount()).arg(data.numClasses);
  const auto train = classCounts(data.train, data.numClasses);
  const auto validation = classCounts(data.validation, data.numClasses);
  const auto test = classCounts(data.test, data.numClasses);
  const auto samples = documentedSamples(data, request.samplesPerClass);
  std::vector<std::int64_t> all;
  for (int r = 0; r < data.numClasses; ++r) {
    const auto c = static_cast<std::size_t>(r);
    const QStringList row = {grid->item(r, DataPreviewWidget::ClassColumn)->text(),
                             grid->item(r, DataPreviewWidget::TrainColumn)->text(),
                             grid->item(r, DataPreviewWidget::ValidationColumn)->text(),
                             grid->item(r, DataPreviewWidget::TestColumn)->text()};
    const QStringList expected = {QString::fromStdString(data.classNames[c]),
                                  QLocale(QLocale::English).toString(qlonglong(train[c])),
                                  QLocale(QLocale::English).toString(qlonglong(validation[c])),
                                  QLocale(QLocale::English).toString(qlonglong(test[c]))};
    if (row != expected)
      return QStringLiteral("row %1: %2, expected %3")
          .arg(r)
          .arg(row.join(QLatin1Char('|')), expected.join(QLatin1Char('|')));
    all.insert(all.end(), samples[c].begin(), samples[c].end());
  }
  // Raw: the file's pixels; no sample where the documented rule shows none.
  const ImageSet& set = data.train;
  for (int r = 0; r < data.numClasses; ++r)
    if (samples[static_cast<std::size_t>(r)].empty() &&
        !w.cellImage(r, DataPreviewWidget::kFirstSampleColumn).isNull())
      return QStringLiteral("row %1 shows a sample beyond the limit").arg(r);
  for (int r = 0; r < data.numClasses; ++r)
    for (std::size_t k = 0; k < samples[static_cast<std::size_t>(r)].size(); ++k) {
      const auto i = samples[static_cast<std::size_t>(r)][k];
      const QImage raw = w.cellImage(r, DataPreviewWidget::kFirstSampleColumn + 2 * int(k));
      if (raw.width() != set.width || raw.height() != set.height)
        return QStringLiteral("row %1 sample %2: raw image %3x%4")
            .arg(r)
            .arg(k)
            .arg(raw.width())
            .arg(raw.height());
      for (int y = 0; y < raw.height(); ++y)
        for (int x = 0; x < raw.width(); ++x) {
          const QRgb p = raw.pixel(x, y);
          const int rgb[3] = {qRed(p), qGreen(p), qBlue(p)};
          for (int ch = 0; ch < 3; ++ch)
            if (rgb[ch] != set.pixel(i, y, x, set.channels == 3 ? ch : 0))
              return QStringLiteral("row %1 sample %2 (train %3): raw pixel (%4, %5) differs")
                  .arg(r)
                  .arg(k)
                  .arg(i)
                  .arg(x)
                  .arg(y);
        }
    }
  // The model's view: assembleBatch's output.
  const bool training = w.view() == DataPreviewWidget::View::Training;
  const int size = request.pipeline.imageSize;
  const std::size_t per = std::size_t(3 * size * size);
  std::vector<float> batch(all.size() * per);
  std::vector<std::int64_t> labels(all.size());
  Rng rng(request.augmentationSeed);
  assembleBatch(set, all, request.pipeline, training, rng, batch.data(), labels.data());
  std::size_t next = 0;
  for (int r = 0; r < data.numClasses; ++r)
    for (std::size_t k = 0; k < samples[static_cast<std::size_t>(r)].size(); ++k, ++next) {
      const QImage model = w.cellImage(r, DataPreviewWidget::kFirstSampleColumn + 2 * int(k) + 1);
      if (model.width() != size || model.height() != size)
        return QStringLiteral("row %1 sample %2: model image %3 px, pipeline %4 px")
            .arg(r)
            .arg(k)
            .arg(model.width())
            .arg(size);
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
          const QRgb p = model.pixel(x, y);
          const int rgb[3] = {qRed(p), qGreen(p), qBlue(p)};
          for (int ch = 0; ch < 3; ++ch) {
            const float v = batch[next * per + std::size_t(ch * size * size + y * size + x)];
            const int byte = int(std::lround((double(v) + 1.0) * 127.5));
            if (rgb[ch] != std::clamp(byte, 0, 255))
              return QStringLiteral(
                         "row %1 sample %2: model pixel (%3, %4) channel %5 is %6, "
                         "the pipeline gives %7")
                  .arg(r)
                  .arg(k)
                  .arg(x)
                  .arg(y)
                  .arg(ch)
                  .arg(rgb[ch])
                  .arg(byte);
          }
        }
    }
  return {};
}

}  // namespace mu2net::testui
