#pragma once
// Shows one child in full: task, generation, parent, mutations relative to the parent,
// hyperparameters, each slot's origin (shared frozen component, cloned copy, or new) and its
// validation history. Hyperparameters that differ from the parent's are marked (bold, colour, "was
// X"): those the child's mutations changed, and, when the parent is a child of the list it looks
// parents up in, every other value that differs from the parent's (the generation's data
// hyperparameters). Read-only rich text.
#include <QTextBrowser>

#include "ChildListModel.h"

namespace mu2net::ui {

class ChildInspector : public QTextBrowser {
  Q_OBJECT
 public:
  explicit ChildInspector(QWidget* parent = nullptr);

  /// The HTML shown for `record` whose parent has `parentHParams` (null: unknown); a pure
  /// function of them.
  static QString html(const ChildListModel::Record& record, const HParams* parentHParams = nullptr);

  /// Looks the parents of the children shown up in `children` (a child whose path id is their
  /// parent's); none by default.
  void lookUpParentsIn(const ChildListModel* children) { children_ = children; }
  /// The hyperparameters of `record`'s parent, when it is a child in the list; else null.
  const HParams* parentHParams(const ChildListModel::Record& record) const;

 public Q_SLOTS:
  void showChild(const mu2net::ui::ChildListModel::Record& record);
  void showNothing();

 private:
  const ChildListModel* children_ = nullptr;
};

}  // namespace mu2net::ui
