#include "RowTableView.h"

#include <QHeaderView>
#include <QMouseEvent>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QToolTip>

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

QModelIndex RowTableView::indexOfSourceRow(int row) const {
  if (row < 0 || row >= proxy_->sourceModel()->rowCount()) return {};
  return proxy_->mapFromSource(proxy_->sourceModel()->index(row, 0));
}

void RowTableView::setRowFilter(int column, const QString& text) {
  proxy_->setFilterKeyColumn(column);
  proxy_->setFilterRegularExpression(text.isEmpty()
                                         ? QRegularExpression()
                                         : QRegularExpression(QRegularExpression::anchoredPattern(
                                               QRegularExpression::escape(text))));
}

void RowTableView::selectSourceRow(int row) {
  const QModelIndex index = indexOfSourceRow(row);
  if (!index.isValid()) {
    clearSelection();
    setCurrentIndex({});
    return;
  }
  selectRow(index.row());
  scrollTo(index);
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

bool RowTableView::viewportEvent(QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QTableView::viewportEvent(event);
  const QPoint pos = static_cast<QHelpEvent*>(event)->pos();
  const QModelIndex index = indexAt(pos);
  QString tip = index.data(Qt::ToolTipRole).toString();
  if (tip.isEmpty() && index.isValid()) {
    const QString text = index.data(Qt::DisplayRole).toString();
    // The text's width with the cell's margins (as the delegate draws it).
    const int margins = 2 * (style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, this) + 1);
    if (fontMetrics().horizontalAdvance(text) + margins > visualRect(index).width()) tip = text;
  }
  if (tip.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), tip, viewport(),
                       visualRect(index));
  return true;
}

}  // namespace mu2net::ui
