#include "RowTableView.h"

#include <QHeaderView>
#include <QMouseEvent>
#include <QSortFilterProxyModel>

#include "EngineSignals.h"

namespace mu2net::ui {

RowTableView::RowTableView(QWidget* parent)
    : QTableView(parent), proxy_(new QSortFilterProxyModel(this)) {
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  verticalHeader()->hide();
  verticalHeader()->setDefaultSectionSize(22);
  setWordWrap(false);
}

void RowTableView::setSourceModel(QAbstractItemModel* source, int sortRole) {
  proxy_->setSourceModel(source);
  proxy_->setSortRole(sortRole);
  setModel(proxy_);
  // No sort indicator: rows in the source's order until a header is clicked; a third click on
  // the same header returns to that order.
  horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  horizontalHeader()->setSortIndicatorClearable(true);
  setSortingEnabled(true);
}

QAbstractItemModel* RowTableView::sourceModel() const {
  return proxy_->sourceModel();
}

int RowTableView::sourceRow(const QModelIndex& index) const {
  return index.isValid() ? proxy_->mapToSource(index).row() : -1;
}

void RowTableView::follow(const EngineSignals* events) {
  events->connectHandlers(sourceModel());
}

void RowTableView::mousePressEvent(QMouseEvent* event) {
  if (!indexAt(event->position().toPoint()).isValid()) {
    clearSelection();
    setCurrentIndex({});
    return;
  }
  QTableView::mousePressEvent(event);
}

}  // namespace mu2net::ui
