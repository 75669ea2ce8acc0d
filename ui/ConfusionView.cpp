#include "ConfusionView.h"

#include <QColor>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mu2net::ui {

namespace {

QTableWidgetItem* cell(const QString& text,
                       Qt::Alignment align = Qt::AlignRight | Qt::AlignVCenter) {
  auto* item = new QTableWidgetItem(text);
  item->setTextAlignment(align);
  item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  return item;
}

QStringList names(const ConfusionMatrix& m) {
  QStringList list;
  for (std::size_t c = 0; c < m.counts.size(); ++c)
    list << (c < m.classNames.size() ? QString::fromStdString(m.classNames[c])
                                     : QString::number(c));
  return list;
}

// White for none of the row, deep blue for all of it.
QColor heat(double share) {
  const QColor none(255, 255, 255), all(8, 48, 107);
  const auto mix = [share](int a, int b) { return static_cast<int>(a + (b - a) * share); };
  return QColor(mix(none.red(), all.red()), mix(none.green(), all.green()),
                mix(none.blue(), all.blue()));
}

}  // namespace

ConfusionView::ConfusionView(QWidget* parent)
    : QWidget(parent, Qt::Window),
      summary_(new QLabel(this)),
      classes_(new QTableWidget(this)),
      heatMap_(new QTableWidget(this)) {
  setObjectName(QStringLiteral("confusionView"));
  auto* layout = new QVBoxLayout(this);
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(classes_);
  auto* matrix = new QWidget(split);
  auto* matrixLayout = new QVBoxLayout(matrix);
  matrixLayout->setContentsMargins(0, 0, 0, 0);
  matrixLayout->addWidget(new QLabel(
      tr("Confusion matrix: rows are the true classes, columns the predicted ones"), matrix));
  matrixLayout->addWidget(heatMap_, 1);
  split->addWidget(matrix);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);
  layout->addWidget(split, 1);
  classes_->setColumnCount(4);
  classes_->setHorizontalHeaderLabels(
      {tr("class"), tr("test examples"), tr("correct"), tr("accuracy")});
  classes_->verticalHeader()->hide();
  classes_->setSortingEnabled(false);
  heatMap_->setToolTip(
      tr("Rows: true class; columns: predicted class. The colour is the share "
         "of the row's test examples."));
  resize(1150, 640);
}

void ConfusionView::setMatrix(const ConfusionMatrix& matrix, const QString& experiment) {
  matrix_ = matrix;
  const QString task = QString::fromStdString(matrix.task);
  setWindowTitle(tr("Per-class test accuracy — %1 — %2").arg(task, experiment));
  const int64_t total = matrix.total();
  summary_->setText(
      tr("Task <b>%1</b>: the retained model classifies %2 of %3 test examples correctly "
         "(accuracy %4).")
          .arg(task)
          .arg(matrix.correct())
          .arg(total)
          .arg(total > 0 ? static_cast<double>(matrix.correct()) / static_cast<double>(total) : 0.0,
               0, 'f', 4));
  fillClassTable();
  fillHeatMap();
}

void ConfusionView::fillClassTable() {
  const QStringList classNames = names(matrix_);
  classes_->setRowCount(static_cast<int>(classNames.size()));
  for (int c = 0; c < classNames.size(); ++c) {
    const auto k = static_cast<std::size_t>(c);
    classes_->setItem(c, 0, cell(classNames[c], Qt::AlignLeft | Qt::AlignVCenter));
    classes_->setItem(c, 1, cell(QString::number(matrix_.examplesOf(k))));
    classes_->setItem(c, 2, cell(QString::number(matrix_.counts[k][k])));
    classes_->setItem(c, 3, cell(QString::number(matrix_.classAccuracy(k), 'f', 4)));
  }
  classes_->resizeColumnsToContents();
  // The whole table shows beside the matrix (the splitter gives the rest to the matrix).
  classes_->setMinimumWidth(classes_->horizontalHeader()->length() + 2 * classes_->frameWidth() +
                            classes_->verticalScrollBar()->sizeHint().width());
}

void ConfusionView::fillHeatMap() {
  const QStringList classNames = names(matrix_);
  const int n = static_cast<int>(classNames.size());
  heatMap_->clear();
  heatMap_->setRowCount(n);
  heatMap_->setColumnCount(n);
  heatMap_->setVerticalHeaderLabels(classNames);
  heatMap_->setHorizontalHeaderLabels(classNames);
  for (int t = 0; t < n; ++t) {
    const auto row = static_cast<std::size_t>(t);
    const int64_t examples = matrix_.examplesOf(row);
    for (int p = 0; p < n; ++p) {
      const int64_t count = matrix_.counts[row][static_cast<std::size_t>(p)];
      const double share =
          examples > 0 ? static_cast<double>(count) / static_cast<double>(examples) : 0.0;
      auto* item = cell(QString::number(count), Qt::AlignCenter);
      item->setBackground(heat(share));
      item->setForeground(share > 0.5 ? QColor(Qt::white) : QColor(Qt::black));
      item->setToolTip(tr("true %1, predicted %2: %3 of %4 (%5%)")
                           .arg(classNames[t], classNames[p])
                           .arg(count)
                           .arg(examples)
                           .arg(100.0 * share, 0, 'f', 1));
      heatMap_->setItem(t, p, item);
    }
  }
  // Square-ish cells that keep a count legible; long class names widen the headers, not the cells.
  heatMap_->horizontalHeader()->setMinimumSectionSize(24);
  heatMap_->horizontalHeader()->setDefaultSectionSize(n > 30 ? 36 : 52);
  heatMap_->verticalHeader()->setDefaultSectionSize(n > 30 ? 24 : 36);
  heatMap_->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  heatMap_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
}

}  // namespace mu2net::ui
