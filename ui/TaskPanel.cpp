#include "TaskPanel.h"

#include <QHeaderView>
#include <QItemSelectionModel>

#include "TaskTableModel.h"

namespace mu2net::ui {

TaskPanel::TaskPanel(QWidget* parent) : RowTableView(parent), model_(new TaskTableModel(this)) {
  setModel(model_);
  horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  connect(
      selectionModel(), &QItemSelectionModel::currentRowChanged, this,
      [this](const QModelIndex& current) {
        Q_EMIT currentTaskChanged(current.isValid() ? model_->row(current.row()).name : QString());
      });
}

}  // namespace mu2net::ui
