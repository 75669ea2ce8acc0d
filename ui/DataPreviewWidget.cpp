#include "DataPreviewWidget.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "DataPreviewLoader.h"

namespace mu2net::ui {

namespace {

constexpr int kCellPixels = 64;  // samples are drawn this large (nearest neighbour)

QString count(std::int64_t n) {
  return QLocale(QLocale::English).toString(static_cast<qlonglong>(n));
}

QTableWidgetItem* textItem(const QString& text, const QString& tip = {}) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  item->setToolTip(tip);
  return item;
}

QTableWidgetItem* imageItem(const QImage& image, const QString& tip) {
  auto* item = textItem(QString(), tip);
  item->setData(DataPreviewWidget::ImageRole, image);
  item->setData(Qt::DecorationRole,
                QPixmap::fromImage(image.scaled(kCellPixels, kCellPixels, Qt::KeepAspectRatio,
                                                Qt::FastTransformation)));
  return item;
}

}  // namespace

DataPreviewWidget::DataPreviewWidget(QWidget* parent)
    : QWidget(parent), loader_(new DataPreviewLoader(this)) {
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  viewChooser_ = new QComboBox(this);
  viewChooser_->addItem(tr("training (random augmentation)"));
  viewChooser_->addItem(tr("evaluation (resize only)"));
  viewChooser_->setToolTip(
      tr("The input pipeline the model's view goes through: a training batch's, with the random "
         "crop, flip, brightness and contrast of the data hyperparameters, or a validation and "
         "test batch's"));
  connect(viewChooser_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setView(i == 0 ? View::Training : View::Evaluation); });
  grid_ = new QTableWidget(this);
  grid_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  grid_->setIconSize(QSize(kCellPixels, kCellPixels));
  grid_->verticalHeader()->setDefaultSectionSize(kCellPixels + 6);
  grid_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);

  auto* viewRow = new QHBoxLayout;
  viewRow->addWidget(new QLabel(tr("The model's view:"), this));
  viewRow->addWidget(viewChooser_);
  viewRow->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary_);
  layout->addLayout(viewRow);
  layout->addWidget(message_);
  layout->addWidget(grid_, 1);
  connect(loader_, &DataPreviewLoader::ready, this, &DataPreviewWidget::showPreview);
  showMessage(tr("No task chosen."));
}

void DataPreviewWidget::preview(const DataPreviewRequest& request) {
  showMessage(tr("Loading the data of task '%1' from %2…")
                  .arg(QString::fromStdString(request.task.name),
                       QString::fromStdString(request.task.path.string())));
  loader_->request(request);
}

void DataPreviewWidget::showMessage(const QString& text, bool error) {
  loader_->cancel();
  shown_.reset();
  summary_->clear();
  summary_->hide();
  grid_->clear();
  grid_->setRowCount(0);
  grid_->setColumnCount(0);
  grid_->hide();
  message_->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
  message_->setText(text);
  message_->show();
}

void DataPreviewWidget::showProblem(const QString& task, const QString& why) {
  DataPreview failed;
  failed.request.task.name = task.toStdString();
  failed.error = tr("Task '%1' cannot be previewed: %2").arg(task, why);
  showPreview(failed);
}

void DataPreviewWidget::showPreview(const DataPreview& preview) {
  if (!preview.ok()) {
    showMessage(preview.error, true);
    shown_ = preview;
    Q_EMIT previewShown();
    return;
  }
  loader_->cancel();
  shown_ = preview;
  message_->hide();
  const auto& task = preview.request.task;
  const QString where = QString::fromStdString(task.path.string());
  const auto n = preview.classes.size();
  const auto sampled = std::count_if(preview.classes.begin(), preview.classes.end(),
                                     [](const DataPreviewClass& c) { return !c.samples.empty(); });
  const QString classes =
      (n == 1 ? tr("1 class") : tr("%1 classes").arg(n)) +
      (task.classes.empty() ? QString() : tr(" (a subset of the dataset's)")) +
      (static_cast<std::size_t>(sampled) < n ? tr(", samples of the first %1").arg(sampled)
                                             : QString());
  summary_->setText(
      tr("<b>Task %1</b> — %2 (%3)<br>%4 · train %5 · validation %6 · test %7 · images %8×%9, "
         "%10<br>%11")
          .arg(QString::fromStdString(task.name).toHtmlEscaped(), where.toHtmlEscaped(),
               QString::fromStdString(formatName(task.format)), classes, count(preview.train),
               count(preview.validation), count(preview.test))
          .arg(preview.height)
          .arg(preview.width)
          .arg(preview.channels == 1 ? tr("1 channel (grey)")
                                     : tr("%1 channels (RGB)").arg(preview.channels),
               pipelineText().toHtmlEscaped()));
  summary_->show();
  fillGrid();
  grid_->show();
  Q_EMIT previewShown();
}

QString DataPreviewWidget::pipelineText() const {
  const DataHParams& p = shown_->request.pipeline;
  QStringList parts;
  parts << tr("%1×%1 px").arg(p.imageSize);
  parts << (p.crop ? tr("random crop (area ≥ %1, aspect ratio %2–%3)")
                         .arg(p.areaRangeMin)
                         .arg(p.aspectRatioRangeMin, 0, 'g', 3)
                         .arg(1.0 / p.aspectRatioRangeMin, 0, 'g', 3)
                   : tr("no crop"));
  parts << (p.flipLeftRight ? tr("left-right flips") : tr("no flip"));
  parts << tr("brightness ±%1").arg(p.brightnessDelta);
  parts << tr("contrast ±%1").arg(p.contrastDelta);
  return tr("The model sees %1 — %2")
      .arg(parts.join(QStringLiteral(", ")), shown_->request.pipelineSource);
}

void DataPreviewWidget::fillGrid() {
  const auto& classes = shown_->classes;
  const int samples = shown_->request.samplesPerClass;
  grid_->clear();
  grid_->setRowCount(static_cast<int>(classes.size()));
  grid_->setColumnCount(kFirstSampleColumn + 2 * samples);
  QStringList headers = {tr("Class"), tr("Train"), tr("Val."), tr("Test")};
  for (int k = 1; k <= samples; ++k)
    headers << tr("%1 raw").arg(k) << tr("%1 model").arg(k);
  grid_->setHorizontalHeaderLabels(headers);
  grid_->horizontalHeaderItem(ValidationColumn)->setToolTip(tr("Samples in the validation split"));
  QStringList labels;
  for (int r = 0; r < static_cast<int>(classes.size()); ++r) {
    const auto& c = classes[static_cast<std::size_t>(r)];
    labels << QString::number(c.label);
    grid_->setItem(
        r, ClassColumn,
        textItem(c.name, tr("class '%1', label %2 of the task").arg(c.name).arg(c.label)));
    grid_->setItem(r, TrainColumn, textItem(count(c.train)));
    grid_->setItem(r, ValidationColumn, textItem(count(c.validation)));
    grid_->setItem(r, TestColumn, textItem(count(c.test)));
    for (std::size_t k = 0; k < c.samples.size(); ++k) {
      const auto& s = c.samples[k];
      grid_->setItem(r, kFirstSampleColumn + 2 * static_cast<int>(k),
                     imageItem(s.raw, tr("train sample %1 as stored, %2×%3")
                                          .arg(s.index)
                                          .arg(s.raw.width())
                                          .arg(s.raw.height())));
    }
  }
  grid_->setVerticalHeaderLabels(labels);
  fillSampleColumns();
  grid_->resizeColumnsToContents();
}

// The model's view of each sample, in the chosen pipeline.
void DataPreviewWidget::fillSampleColumns() {
  if (!shown_ || !shown_->ok()) return;
  const bool training = view_ == View::Training;
  for (int r = 0; r < static_cast<int>(shown_->classes.size()); ++r) {
    const auto& samples = shown_->classes[static_cast<std::size_t>(r)].samples;
    for (std::size_t k = 0; k < samples.size(); ++k) {
      const QImage& image = training ? samples[k].training : samples[k].evaluation;
      grid_->setItem(r, kFirstSampleColumn + 2 * static_cast<int>(k) + 1,
                     imageItem(image, tr("train sample %1 as the model sees it in %2, %3×%3")
                                          .arg(samples[k].index)
                                          .arg(training ? tr("training") : tr("evaluation"))
                                          .arg(image.width())));
    }
  }
}

void DataPreviewWidget::setView(View view) {
  view_ = view;
  viewChooser_->setCurrentIndex(view == View::Training ? 0 : 1);
  fillSampleColumns();
}

bool DataPreviewWidget::isLoading() const {
  return loader_->busy();
}

QString DataPreviewWidget::message() const {
  return message_->isHidden() ? QString() : message_->text();
}

QString DataPreviewWidget::summary() const {
  return summary_->isHidden() ? QString() : summary_->text();
}

QImage DataPreviewWidget::cellImage(int row, int column) const {
  const QTableWidgetItem* item = grid_->item(row, column);
  return item ? item->data(ImageRole).value<QImage>() : QImage();
}

}  // namespace mu2net::ui
