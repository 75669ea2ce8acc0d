#pragma once
// Graphviz DOT text for a GraphSnapshot: a pure function, so the picture of a system is fully
// determined by the snapshot (golden-tested) and layout can run in a separate process. The DOT
// carries the workbench's own colours (the palette below), so an exported .dot file renders as
// the screen shows it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mu2net/evolution/GraphSnapshot.h"

namespace mu2net {

/// A child still in training, drawn as a provisional route: its layers from input to head, each
/// either a component of the system it shares (sharedId) or one of its own, cloned from sourceId
/// or new (sourceId -1), not in the system until the child is kept.
struct CandidateRoute {
  struct Layer {
    std::string slot;
    std::int64_t sharedId = -1;  ///< >= 0: the system's component, used frozen
    std::int64_t sourceId = -1;  ///< the component a cloned layer copies; -1 for a new layer
  };
  std::string task;
  std::int64_t generation = 0;
  int childIndex = 0;
  std::vector<Layer> layers;
};

/// The colour of the i-th task (0-based in introduction order, root excluded): 48 hand-picked
/// colours (farthest-point order in CIELAB, so any prefix is well separated, none near grey),
/// then golden-angle hues. The root's colour is rootColour().
std::string routeColour(std::size_t taskIndex);
/// "#555555", the root's routes and labels.
std::string rootColour();
/// The fill of a component box created by a task of colour `taskColour` ("#rrggbb"): the colour
/// blended with white; "#dddddd" for the root's own (`taskColour` == rootColour()).
std::string componentFillColour(const std::string& taskColour);
/// The border of such a box: the colour darkened; "#333333" for the root's own.
std::string componentBorderColour(const std::string& taskColour);
/// Each task's colour: the root's, then routeColour(i) for the i-th other task in route order,
/// then the tasks of `candidates` not on a route.
std::map<std::string, std::string> taskColours(const GraphSnapshot& snapshot,
                                               const std::vector<CandidateRoute>& candidates = {});
/// More routes (candidates included) than this are laid out left to right (rankdir=LR), so the
/// task labels stack in a column instead of running off one row.
constexpr std::size_t kSidewaysRoutes = 8;
bool isSideways(const GraphSnapshot& snapshot, const std::vector<CandidateRoute>& candidates = {});

/// DOT text (`digraph mu2net`, rankdir=BT with input at the bottom, LR for many routes):
///   - a node `input`;
///   - a node `c<id>` per component, in id order, labelled "<slot>\n<params>", filled and bordered
///     with its creator task's colours (componentFillColour / componentBorderColour), dashed when
///     trainable, with a tooltip naming its id, creator, generation, locks;
///   - per route, in snapshot order, a task node `t<index>` labelled with the task name and
///     validation (and test) accuracy, and a chain of edges input → first component → … → head →
///     task node, in the route's colour (the root's dotted);
///   - per candidate k, its own layers `n<k>_<layer>` (dashed, the task's colours), a label node
///     `k<k>` "<task> child <i> (training)", and dashed edges in the task's colour through its
///     layers and the shared components.
/// Names are escaped for DOT string syntax; component ids missing from `nodes` still get an edge
/// (Graphviz creates an unlabelled node), so a malformed snapshot remains visible, not hidden.
std::string toDot(const GraphSnapshot& snapshot,
                  const std::vector<CandidateRoute>& candidates = {});

}  // namespace mu2net
