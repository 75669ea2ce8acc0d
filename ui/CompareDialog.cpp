#include "CompareDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <map>

#include "CurvePlots.h"
#include "QCustomPlotInclude.h"

namespace mu2net::ui {

namespace {

const QColor kLeftColour(0x15, 0x65, 0xc0);
const QColor kRightColour(0xef, 0x6c, 0x00);
const QColor kDiffers(0xc6, 0x28, 0x28);

QCPGraph* addCurve(QCustomPlot* plot, const QString& name, const QColor& colour) {
  QCPGraph* g = plot->addGraph();
  g->setName(name);
  QPen pen(colour);
  pen.setWidthF(1.8);
  g->setPen(pen);
  g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 6));
  return g;
}

}  // namespace

CompareDialog::CompareDialog(const ChildListModel* model, int leftRow, int rightRow,
                             QWidget* parent)
    : QDialog(parent),
      model_(model),
      left_(keyOf(model->record(leftRow))),
      right_(keyOf(model->record(rightRow))),
      title_(new QLabel(this)),
      onlyDifferences_(new QCheckBox(tr("Only differences"), this)),
      table_(new QTreeWidget(this)),
      plot_(makeCurvePlot(this, tr("Validation history"), tr("validation"), tr("accuracy"))) {
  setObjectName(QStringLiteral("compareDialog"));
  setWindowTitle(tr("Compare children"));
  title_->setWordWrap(true);
  title_->setTextFormat(Qt::RichText);
  table_->setColumnCount(4);
  table_->setHeaderLabels({tr("Field"), tr("Left"), tr("Right"), tr("Note")});
  table_->setRootIsDecorated(false);
  table_->setAlternatingRowColors(true);
  table_->header()->setSectionResizeMode(QHeaderView::Interactive);
  addCurve(plot_, tr("left"), kLeftColour);
  addCurve(plot_, tr("right"), kRightColour);
  setIntegerTicks(plot_->xAxis);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(table_);
  splitter->addWidget(plot_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addWidget(onlyDifferences_);
  layout->addWidget(splitter, 1);
  layout->addWidget(buttons);
  resize(820, 900);

  connect(onlyDifferences_, &QCheckBox::toggled, this, &CompareDialog::setOnlyDifferences);
  // The children may still be training: follow their updates.
  connect(model_, &QAbstractItemModel::dataChanged, this,
          [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
            for (int row : {rowOf(left_), rowOf(right_)})
              if (row >= topLeft.row() && row <= bottomRight.row()) return refresh();
          });
  connect(model_, &QAbstractItemModel::modelReset, this, &CompareDialog::refresh);
  refresh();
  table_->resizeColumnToContents(0);
  for (int c = 1; c < 3; ++c)
    table_->setColumnWidth(c, 230);
}

CompareDialog::Key CompareDialog::keyOf(const ChildListModel::Record& record) {
  return {record.started.task, record.started.generation, record.started.childIndex};
}

int CompareDialog::rowOf(const Key& key) const {
  return model_->rowOf(key.task, key.generation, key.childIndex);
}

int CompareDialog::curvePoints(int side) const {
  return plot_->graph(side)->dataCount();
}

int CompareDialog::shownRowCount() const {
  int n = 0;
  for (int s = 0; s < table_->topLevelItemCount(); ++s)
    for (int i = 0; i < table_->topLevelItem(s)->childCount(); ++i)
      n += table_->topLevelItem(s)->child(i)->isHidden() ? 0 : 1;
  return n;
}

void CompareDialog::refresh() {
  const int l = rowOf(left_), r = rowOf(right_);
  valid_ = l >= 0 && r >= 0;
  if (!valid_) {
    rows_.clear();
    title_->setText(
        tr("The children list was cleared (another experiment was opened): there is "
           "nothing left to compare."));
    fillTable();
    plot_->graph(0)->data()->clear();
    plot_->graph(1)->data()->clear();
    plot_->replot();
    return;
  }
  const auto& left = model_->record(l);
  const auto& right = model_->record(r);
  rows_ = ChildComparison::rows(left, right);
  QString relation;
  if (ChildComparison::isParentOf(left, right))
    relation = tr(" — the left one is the right one's parent");
  else if (ChildComparison::isParentOf(right, left))
    relation = tr(" — the right one is the left one's parent");
  title_->setText(tr("<b style='color:%1'>Left:</b> %2<br><b style='color:%3'>Right:</b> %4%5")
                      .arg(kLeftColour.name(), ChildComparison::childName(left).toHtmlEscaped(),
                           kRightColour.name(), ChildComparison::childName(right).toHtmlEscaped(),
                           relation));
  fillTable();
  fillPlot(left, right);
}

void CompareDialog::fillTable() {
  table_->clear();
  std::map<int, QTreeWidgetItem*> sections;
  for (const auto& row : rows_) {
    QTreeWidgetItem*& section = sections[static_cast<int>(row.section)];
    if (!section) {
      section = new QTreeWidgetItem(table_, {ChildComparison::sectionName(row.section)});
      QFont bold = section->font(0);
      bold.setBold(true);
      section->setFont(0, bold);
      section->setFirstColumnSpanned(true);
      section->setExpanded(true);
    }
    auto* item = new QTreeWidgetItem(section, {row.field, row.left, row.right, row.note});
    item->setData(0, Qt::UserRole, row.differs);
    for (int c = 1; c < 3; ++c)
      item->setToolTip(c, item->text(c));
    if (row.differs) {
      QFont bold = item->font(0);
      bold.setBold(true);
      for (int c = 0; c < 4; ++c) {
        item->setFont(c, bold);
        item->setForeground(c, kDiffers);
      }
    }
    if (row.mutated) item->setBackground(0, QColor(0xff, 0xf3, 0xc4));
  }
  setOnlyDifferences(onlyDifferences_->isChecked());
}

void CompareDialog::fillPlot(const ChildListModel::Record& left,
                             const ChildListModel::Record& right) {
  DataBounds bounds;
  int side = 0;
  for (const auto* record : {&left, &right}) {
    CurvePoints points;
    for (std::size_t i = 0; i < record->validations.size(); ++i) {
      points.x.push_back(double(i + 1));
      points.y.push_back(record->validations[i]);
    }
    bounds.extend(points);
    QCPGraph* g = plot_->graph(side++);
    g->setData(QVector<double>(points.x.begin(), points.x.end()),
               QVector<double>(points.y.begin(), points.y.end()), true);
  }
  plot_->graph(0)->setName(ChildComparison::childName(left));
  plot_->graph(1)->setName(ChildComparison::childName(right));
  fitAxes(plot_, bounds, true, false);
  plot_->replot();
}

void CompareDialog::setOnlyDifferences(bool only) {
  for (int s = 0; s < table_->topLevelItemCount(); ++s) {
    QTreeWidgetItem* section = table_->topLevelItem(s);
    int shown = 0;
    for (int i = 0; i < section->childCount(); ++i) {
      const bool hide = only && !section->child(i)->data(0, Qt::UserRole).toBool();
      section->child(i)->setHidden(hide);
      shown += hide ? 0 : 1;
    }
    section->setHidden(shown == 0);
  }
}

}  // namespace mu2net::ui
