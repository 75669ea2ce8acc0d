#pragma once
// Shows one child in full: task, generation, parent, mutations relative to the parent,
// hyperparameters, each slot's origin (shared frozen component, cloned copy, or new) and its
// validation history. Read-only rich text.
#include <QTextBrowser>

#include "ChildListModel.h"

namespace mu2net::ui {

class ChildInspector : public QTextBrowser {
  Q_OBJECT
 public:
  explicit ChildInspector(QWidget* parent = nullptr);

  /// The HTML shown for `record` (a pure function of it).
  static QString html(const ChildListModel::Record& record);

 public Q_SLOTS:
  void showChild(const mu2net::ui::ChildListModel::Record& record);
  void showNothing();
};

}  // namespace mu2net::ui
