#include "RowTableView.h"

#include <QHeaderView>

#include "EngineSignals.h"

namespace mu2net::ui {

RowTableView::RowTableView(QWidget* parent) : QTableView(parent) {
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  verticalHeader()->hide();
  verticalHeader()->setDefaultSectionSize(22);
  setWordWrap(false);
}

void RowTableView::follow(const EngineSignals* events) {
  events->connectHandlers(model());
}

}  // namespace mu2net::ui
