#include "ChildCompareActions.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QMessageBox>
#include <algorithm>

#include "ChildComparison.h"
#include "ChildPanel.h"
#include "CompareDialog.h"

namespace mu2net::ui {

ChildCompareActions::ChildCompareActions(ChildPanel* panel)
    : QObject(panel),
      panel_(panel),
      compare_(new QAction(tr("&Compare children"), panel)),
      compareWithParent_(new QAction(tr("Compare with &parent"), panel)) {
  setObjectName(QStringLiteral("childCompareActions"));
  compare_->setObjectName(QStringLiteral("compareChildrenAction"));
  compareWithParent_->setObjectName(QStringLiteral("compareWithParentAction"));
  compare_->setToolTip(tr("Compare the two children selected (Ctrl+click a second one)"));
  compareWithParent_->setToolTip(tr("Compare the child selected with its parent"));
  panel->setSelectionMode(QAbstractItemView::ExtendedSelection);
  panel->setContextMenuPolicy(Qt::ActionsContextMenu);
  panel->addAction(compare_);
  panel->addAction(compareWithParent_);

  connect(compare_, &QAction::triggered, this, [this] {
    const QList<int> rows = selectedRows();
    if (rows.size() == 2) compare(rows[0], rows[1]);
  });
  connect(compareWithParent_, &QAction::triggered, this, [this] {
    const QList<int> rows = selectedRows();
    if (rows.size() == 1) compareWithParent(rows[0]);
  });
  connect(panel->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &ChildCompareActions::updateEnabled);
  connect(panel->childModel(), &QAbstractItemModel::modelReset, this,
          &ChildCompareActions::updateEnabled);
  updateEnabled();
}

QList<QAction*> ChildCompareActions::actions() const {
  return {compare_, compareWithParent_};
}

QList<int> ChildCompareActions::selectedRows() const {
  QList<int> rows;
  QModelIndexList selected = panel_->selectionModel()->selectedRows();
  std::sort(selected.begin(), selected.end(),
            [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  for (const QModelIndex& index : selected)
    rows << panel_->sourceRow(index);
  return rows;
}

void ChildCompareActions::updateEnabled() {
  const auto n = panel_->selectionModel()->selectedRows().size();
  compare_->setEnabled(n == 2);
  compareWithParent_->setEnabled(n == 1);
}

CompareDialog* ChildCompareActions::compare(int leftRow, int rightRow) {
  auto* dialog = new CompareDialog(panel_->childModel(), leftRow, rightRow, panel_->window());
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
  return dialog;
}

CompareDialog* ChildCompareActions::compareWithParent(int row) {
  QString why;
  const ChildListModel& model = *panel_->childModel();
  const int parent = ChildComparison::parentRow(model, model.record(row), &why);
  if (parent < 0) {
    refuse(why);
    return nullptr;
  }
  return compare(parent, row);
}

void ChildCompareActions::refuse(const QString& why) {
  Q_EMIT refused(why);
  auto* box = new QMessageBox(QMessageBox::Information, tr("Compare with parent"), why,
                              QMessageBox::Ok, panel_->window());
  box->setObjectName(QStringLiteral("compareRefusedMessage"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace mu2net::ui
