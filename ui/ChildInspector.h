#pragma once
// Shows one child in full: task, generation, parent, mutations relative to the parent,
// hyperparameters, each slot's origin (shared frozen component, cloned copy, or new) and its
// validation history. Hyperparameters that differ from the parent's are marked (bold, colour, "was
// X"): those the child's mutations changed, and, when the parent is a child of the list it looks
// parents up in, every other value that differs from the parent's (the generation's data
// hyperparameters). Its layers say which task created each shared component and each component
// a layer was cloned from, when the system's components are known (lookUpComponentsIn). Its
// ancestors, parent first and up to the root, are listed with the task of each and the mutations
// each step added, when the children list is known (lookUpParentsIn). Read-only rich text.
#include <QTextBrowser>
#include <vector>

#include "ChildListModel.h"

namespace mu2net::ui {

class ChildInspector : public QTextBrowser {
  Q_OBJECT
 public:
  /// What is shown of a child besides its record.
  struct Context {
    const HParams* parentHParams = nullptr;  ///< its parent's hyperparameters (null: unknown)
    /// Its ancestors, parent first (never null).
    std::vector<const ChildListModel::Record*> ancestors;
    /// The last ancestor's parent (its own parent when there are none) is the root; false when
    /// it is a path that is no child of the list.
    bool ancestorsReachRoot = false;
    bool ancestorsKnown = false;              ///< false: no ancestors section
    const GraphSnapshot* snapshot = nullptr;  ///< the system's components (creators)
  };

  explicit ChildInspector(QWidget* parent = nullptr);

  /// The HTML shown for `record` whose parent has `parentHParams` (null: unknown); a pure
  /// function of them.
  static QString html(const ChildListModel::Record& record, const HParams* parentHParams = nullptr);
  /// The HTML shown for `record` in `context`; a pure function of them.
  static QString html(const ChildListModel::Record& record, const Context& context);

  /// Looks the parents and ancestors of the children shown up in `children` (a child whose path
  /// id is their parent's); none by default.
  void lookUpParentsIn(const ChildListModel* children) { children_ = children; }
  /// Looks the creators of components up in `snapshot` (kept by its owner, e.g. the graph view's
  /// newest); none by default.
  void lookUpComponentsIn(const GraphSnapshot* snapshot) { snapshot_ = snapshot; }
  /// The hyperparameters of `record`'s parent, when it is a child in the list; else null.
  const HParams* parentHParams(const ChildListModel::Record& record) const;
  /// What the lookups say of `record`.
  Context context(const ChildListModel::Record& record) const;

 public Q_SLOTS:
  void showChild(const mu2net::ui::ChildListModel::Record& record);
  void showNothing();

 private:
  const ChildListModel* children_ = nullptr;
  const GraphSnapshot* snapshot_ = nullptr;
};

}  // namespace mu2net::ui
