#pragma once
// Two children side by side, as rows of (section, field, left value, right value, differs): who
// they are (task, generation, parent, status), score and validation accuracy, parameters,
// training time and validation history, mutations, every hyperparameter (the union of both
// children's) and every layer slot (shared, cloned or new, with component ids). When one child is
// the other's parent, the hyperparameter rows its mutations changed are marked as mutated.
// Pure functions of the two records; the CompareDialog shows them.
#include <QString>
#include <vector>

#include "ChildListModel.h"

namespace mu2net::ui {

struct ComparisonRow {
  enum class Section { Child, Score, Parameters, Training, Hyperparameters, Layers };
  Section section = Section::Child;
  QString field;
  QString left;
  QString right;
  bool differs = false;
  /// A hyperparameter the child's mutations changed (one side is the other's parent).
  bool mutated = false;
  QString note;  ///< why it differs, when known ("mutation 0.01→0.02", "the generation's data")
};

class ChildComparison {
 public:
  /// The rows comparing `left` with `right`, section by section.
  static std::vector<ComparisonRow> rows(const ChildListModel::Record& left,
                                         const ChildListModel::Record& right);
  static QString sectionName(ComparisonRow::Section section);
  /// "shared #3", "cloned #19 from #14", "new #21"; "(not kept)" without a component id.
  static QString slotText(const SlotOrigin& slot);
  /// "digits-0-4, generation 3, child 2".
  static QString childName(const ChildListModel::Record& record);
  /// Whether `parent` is the record of `child`'s parent (its path id and task).
  static bool isParentOf(const ChildListModel::Record& parent, const ChildListModel::Record& child);
  /// The row of `child`'s parent in `model`, or -1 with *why saying why there is none (the root,
  /// or a parent that is not listed).
  static int parentRow(const ChildListModel& model, const ChildListModel::Record& child,
                       QString* why);
};

}  // namespace mu2net::ui
