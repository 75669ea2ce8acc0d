#include "Lineage.h"

#include <algorithm>
#include <map>
#include <utility>

#include "ChildListModel.h"
#include "mu2net/evolution/System.h"

namespace mu2net::ui {

namespace {

LineageNode::State stateOf(const ChildListModel::Record& r) {
  if (r.done) return r.done->improved ? LineageNode::State::Kept : LineageNode::State::NotKept;
  return r.discarded ? LineageNode::State::Discarded : LineageNode::State::Training;
}

}  // namespace

int parentRow(const ChildListModel& children, int row, bool* parentIsRoot) {
  const auto& started = children.record(row).started;
  const bool root = started.parentTask == System::kRootTask;
  if (parentIsRoot) *parentIsRoot = root;
  if (root || started.parentId < 0) return -1;
  const int parent = children.rowOfPath(started.parentId);
  // A parent finished before its child started: an earlier row, of the task the child names.
  if (parent < 0 || parent >= row || children.record(parent).started.task != started.parentTask)
    return -1;
  return parent;
}

Lineage Lineage::build(const ChildListModel& children, const std::set<qint64>& retainedPaths) {
  Lineage l;
  const int rows = children.rowCount();
  l.childCount_ = rows;
  l.nodes_.resize(static_cast<std::size_t>(rows) + 1);
  LineageNode& root = l.nodes_[kRoot];
  root.kind = LineageNode::Kind::Root;
  root.state = LineageNode::State::Kept;
  root.task = System::kRootTask;
  std::map<std::pair<std::string, qint64>, int> missing;
  for (int row = 0; row < rows; ++row) {
    const auto& r = children.record(row);
    LineageNode n;
    n.row = row;
    n.task = r.started.task;
    n.generation = r.started.generation;
    n.childIndex = r.started.childIndex;
    n.state = stateOf(r);
    n.pathId = r.done && r.done->improved ? r.done->pathId : -1;
    n.retained = n.pathId >= 0 && retainedPaths.count(n.pathId) > 0;
    n.parent = l.parentNode(children, row, retainedPaths, missing);
    l.nodes_[static_cast<std::size_t>(nodeOfRow(row))] = std::move(n);
  }
  l.linkChildren();
  return l;
}

// The parent's node of the child at `row`: a row's, the root's, or (a parent path that is no
// child of the list) a missing parent's, one per path, under the root, appended on first use.
int Lineage::parentNode(const ChildListModel& children, int row,
                        const std::set<qint64>& retainedPaths,
                        std::map<std::pair<std::string, qint64>, int>& missing) {
  bool isRoot = false;
  const int p = parentRow(children, row, &isRoot);
  if (p >= 0) return nodeOfRow(p);
  if (isRoot) return kRoot;
  const auto& s = children.record(row).started;
  const auto key = std::make_pair(s.parentTask, s.parentId);
  if (const auto it = missing.find(key); it != missing.end()) return it->second;
  LineageNode m;
  m.kind = LineageNode::Kind::MissingParent;
  m.state = LineageNode::State::Kept;
  m.task = s.parentTask;
  m.pathId = s.parentId;
  m.parent = kRoot;
  m.depth = 1;
  m.retained = retainedPaths.count(s.parentId) > 0;
  nodes_.push_back(m);
  return missing[key] = static_cast<int>(nodes_.size()) - 1;
}

// Children lists, cross-task flags and depths. A row's parent is the root, a missing parent (its
// depth set) or an earlier row, so the rows in order see their parent's depth already.
void Lineage::linkChildren() {
  for (std::size_t i = 1; i < nodes_.size(); ++i) {
    LineageNode& n = nodes_[i];
    LineageNode& parent = nodes_[static_cast<std::size_t>(n.parent)];
    n.crossTask = parent.kind != LineageNode::Kind::Root && parent.task != n.task;
    parent.children.push_back(static_cast<int>(i));
    if (n.kind == LineageNode::Kind::Child) n.depth = parent.depth + 1;
  }
}

std::vector<int> Lineage::ancestors(int index) const {
  std::vector<int> chain;
  for (int p = node(index).parent; p >= 0; p = node(p).parent)
    chain.push_back(p);
  return chain;
}

// Tidy tree, iteratively (a long chain of improvements must not exhaust the stack): a
// depth-first walk gives each leaf the next column; a parent's column is the middle of its first
// and last child's. Leaves that follow a leaf sibling take half a column, every other one half a
// row lower (staggered, so that discs never overlap): a model's many children not kept take half
// the width.
std::vector<QPointF> Lineage::layout() const {
  std::vector<QPointF> at(nodes_.size());
  double lastX = -1;
  int lastLeaf = -1;                                           // the leaf placed last
  bool lowered = false;                                        // it is half a row lower
  std::vector<std::pair<int, std::size_t>> stack{{kRoot, 0}};  // node, next child to visit
  while (!stack.empty()) {
    auto& [index, next] = stack.back();
    const LineageNode& n = node(index);
    if (next < n.children.size()) {
      const int child = n.children[next++];
      stack.emplace_back(child, 0);
      continue;
    }
    const auto i = static_cast<std::size_t>(index);
    if (n.children.empty()) {
      const bool sibling = lastLeaf >= 0 && node(lastLeaf).parent == n.parent;
      lowered = sibling && !lowered;
      lastX += sibling ? 0.5 : 1.0;
      lastLeaf = index;
      at[i] = QPointF(lastX, n.depth + (lowered ? kStagger : 0.0));
    } else {
      lastLeaf = -1;
      at[i] = QPointF((at[static_cast<std::size_t>(n.children.front())].x() +
                       at[static_cast<std::size_t>(n.children.back())].x()) /
                          2,
                      n.depth);
    }
    stack.pop_back();
  }
  return at;
}

}  // namespace mu2net::ui
