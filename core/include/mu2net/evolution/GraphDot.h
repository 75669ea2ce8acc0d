#pragma once
// Graphviz DOT text for a GraphSnapshot: a pure function, so the picture of a system is fully
// determined by the snapshot (golden-tested) and layout can run in a separate process.
#include <cstddef>
#include <string>

#include "mu2net/evolution/GraphSnapshot.h"

namespace mu2net {

/// The colour of the i-th task route (0-based, root excluded) in the DOT output: a fixed
/// 10-colour palette (Tableau 10), cycled. The root route is always "#555555".
std::string routeColour(std::size_t taskIndex);

/// DOT text (`digraph mu2net`, rankdir=BT, input at the bottom):
///   - a node `input`;
///   - a node `c<id>` per component, in id order, labelled "<slot>\n<params>", filled grey when
///     locked and dashed when trainable, with a tooltip naming its id, creator, generation, locks;
///   - per route, in snapshot order, a task node `t<index>` labelled with the task name and
///     validation (and test) accuracy, and a chain of edges input → first component → … → head →
///     task node, coloured with the route's colour.
/// Names are escaped for DOT string syntax; component ids missing from `nodes` still get an edge
/// (Graphviz creates an unlabelled node), so a malformed snapshot remains visible, not hidden.
std::string toDot(const GraphSnapshot& snapshot);

}  // namespace mu2net
