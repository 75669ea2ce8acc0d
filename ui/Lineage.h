#pragma once
// The genealogy of an experiment's children, built from the children list (ChildListModel): a
// pure function of its records and of the path ids of the tasks' models. Every child is a node
// whose parent is the node of the child whose path its parent path is (a kept child, of the same
// task or of another: a cross-task edge), or the root for children of the root path. A parent
// path that is no child of the list (a store missing children) gets a "missing" node under the
// root, so that no child is ever dropped.
//
// Nodes: 0 is the root, then one per row of the list in row order (nodeOfRow), then the missing
// parents. layout() places them as a tidy tree: rows by depth from the root, the leaves in
// columns in the children's start order (a run of leaf siblings staggered, half a column apart),
// each parent centred over its children; linear in the number of nodes (a 500-child store lays
// out in well under a millisecond).
#include <QPointF>
#include <QtGlobal>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mu2net::ui {

class ChildListModel;

struct LineageNode {
  enum class Kind { Root, Child, MissingParent };
  enum class State { Training, Kept, NotKept, Discarded };
  Kind kind = Kind::Child;
  State state = State::Training;
  int row = -1;     ///< the child's row in the children list (children only)
  int parent = -1;  ///< the parent's node (-1 for the root only)
  std::vector<int> children;
  std::string task;  ///< "root" for the root
  qint64 generation = 0;
  int childIndex = 0;
  qint64 pathId = -1;      ///< a kept child's (or a missing parent's) path id, else -1
  bool retained = false;   ///< its path is a task's model (a route of the system graph)
  bool crossTask = false;  ///< its parent is another task's model (not the root)
  int depth = 0;           ///< edges from the root
};

class Lineage {
 public:
  static constexpr int kRoot = 0;
  /// How far (in rows) layout() lowers every other leaf of a run of leaf siblings.
  static constexpr double kStagger = 0.4;

  /// The genealogy of every child of `children`; `retainedPaths` are the path ids of the tasks'
  /// models (GraphSnapshot routes).
  static Lineage build(const ChildListModel& children, const std::set<qint64>& retainedPaths);

  const std::vector<LineageNode>& nodes() const { return nodes_; }
  const LineageNode& node(int index) const { return nodes_.at(static_cast<std::size_t>(index)); }
  /// The node of the child at `row` of the list the lineage was built from.
  static int nodeOfRow(int row) { return row + 1; }
  /// Number of child nodes (the rows of the list).
  int childCount() const { return childCount_; }
  /// The ancestors of `index`: its parent first, the root last (empty for the root).
  std::vector<int> ancestors(int index) const;
  /// Each node's position: x in columns (0, 0.5, 1, …), y in rows (the depth; plus kStagger for
  /// every other leaf of a run of leaf siblings).
  std::vector<QPointF> layout() const;

 private:
  int parentNode(const ChildListModel& children, int row, const std::set<qint64>& retainedPaths,
                 std::map<std::pair<std::string, qint64>, int>& missing);
  void linkChildren();

  std::vector<LineageNode> nodes_;
  int childCount_ = 0;
};

/// The row of the parent of the child at `row` of `children`: -1 when its parent is the root path
/// or is no child of the list (parentIsRoot then says which).
int parentRow(const ChildListModel& children, int row, bool* parentIsRoot = nullptr);

}  // namespace mu2net::ui
