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
    LineageNode& n = l.nodes_[static_cast<std::size_t>(nodeOfRow(row))];
    n.row = row;
    n.task = r.started.task;
    n.generation = r.started.generation;
    n.childIndex = r.started.childIndex;
    n.state = stateOf(r);
    n.pathId = r.done && r.done->improved ? r.done->pathId : -1;
    n.retained = n.pathId >= 0 && retainedPaths.count(n.pathId) > 0;
    bool isRoot = false;
    const int p = parentRow(children, row, &isRoot);
    if (p >= 0) {
      n.parent = nodeOfRow(p);
    } else if (isRoot) {
      n.parent = kRoot;
    } else {
      // A parent path that is no child of the list: one node for it, under the root.
      const auto key = std::make_pair(r.started.parentTask, r.started.parentId);
      auto it = missing.find(key);
      if (it == missing.end()) {
        LineageNode m;
        m.kind = LineageNode::Kind::MissingParent;
        m.state = LineageNode::State::Kept;
        m.task = key.first;
        m.pathId = key.second;
        m.parent = kRoot;
        m.retained = retainedPaths.count(key.second) > 0;
        it = missing.emplace(key, static_cast<int>(l.nodes_.size())).first;
        l.nodes_.push_back(m);  // may move nodes_: `n` is not used after this
      }
      l.nodes_[static_cast<std::size_t>(nodeOfRow(row))].parent = it->second;
    }
  }
  // Parents precede their children (earlier rows; missing parents hang from the root).
  for (std::size_t i = 1; i < l.nodes_.size(); ++i) {
    LineageNode& n = l.nodes_[i];
    const auto& parent = l.nodes_[static_cast<std::size_t>(n.parent)];
    n.crossTask = parent.kind != LineageNode::Kind::Root && parent.task != n.task;
    l.nodes_[static_cast<std::size_t>(n.parent)].children.push_back(static_cast<int>(i));
  }
  // Depths top-down: missing parents (appended last) have the root as parent, so visit in an
  // order where every parent comes first: root, missing parents, then the rows.
  std::vector<int> order{kRoot};
  for (std::size_t i = static_cast<std::size_t>(rows) + 1; i < l.nodes_.size(); ++i)
    order.push_back(static_cast<int>(i));
  for (int row = 0; row < rows; ++row)
    order.push_back(nodeOfRow(row));
  for (int i : order)
    if (i != kRoot)
      l.nodes_[static_cast<std::size_t>(i)].depth =
          l.nodes_[static_cast<std::size_t>(l.nodes_[static_cast<std::size_t>(i)].parent)].depth +
          1;
  return l;
}

std::vector<int> Lineage::ancestors(int index) const {
  std::vector<int> chain;
  for (int p = node(index).parent; p >= 0; p = node(p).parent)
    chain.push_back(p);
  return chain;
}

// Tidy tree, iteratively (a long chain of improvements must not exhaust the stack): a
// depth-first walk gives each leaf the next column; a parent's column is the middle of its first
// and last child's.
std::vector<QPointF> Lineage::layout() const {
  std::vector<QPointF> at(nodes_.size());
  double nextColumn = 0;
  std::vector<std::pair<int, std::size_t>> stack{{kRoot, 0}};  // node, next child to visit
  while (!stack.empty()) {
    auto& [index, next] = stack.back();
    const LineageNode& n = node(index);
    if (next < n.children.size()) {
      const int child = n.children[next++];
      stack.emplace_back(child, 0);
      continue;
    }
    const double x = n.children.empty() ? nextColumn++
                                        : (at[static_cast<std::size_t>(n.children.front())].x() +
                                           at[static_cast<std::size_t>(n.children.back())].x()) /
                                              2;
    at[static_cast<std::size_t>(index)] = QPointF(x, n.depth);
    stack.pop_back();
  }
  return at;
}

}  // namespace mu2net::ui
