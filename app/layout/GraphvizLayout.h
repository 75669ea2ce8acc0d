#pragma once
// Lays out one DOT graph with Graphviz and describes the result as JSON. This is the only file of
// the project that includes Graphviz headers; it lives in the mu2net-layout helper process so that
// Graphviz (EPL-1.0) never shares a binary with QCustomPlot (GPL-3.0), and a hang or crash inside
// Graphviz cannot take the workbench down.
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mu2net::layout {

/// Bad input or a failed layout. what() is a human-readable message that includes what Graphviz
/// itself reported (e.g. "syntax error in line 3 near '->'").
class LayoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A finished layout.
struct LayoutResult {
  /// The layout, in the format below.
  nlohmann::ordered_json json;
  /// Warnings Graphviz printed while parsing and laying out (one per line; empty if none). They
  /// do not make the layout invalid; the helper forwards them to stderr.
  std::string warnings;
};

/// The largest graph laid out: more nodes or edges are refused before layout (LayoutError).
inline constexpr int kMaxNodes = 50000;
inline constexpr int kMaxEdges = 200000;

/// Parses `dot` (the text of exactly one graph; white space and comments may follow it, anything
/// else is an error) and lays it out with `engine` ("dot", "neato", "fdp", "sfdp", "circo" or
/// "twopi").
///
/// Output (all coordinates and sizes in points, 1/72 inch; the Y axis points UP, as in Graphviz,
/// with the origin at the bottom-left of the drawing: the GUI flips it for screen coordinates):
///
///   {
///     "bbox":  [x0, y0, x1, y1],            // lower-left and upper-right corner of the drawing
///     "nodes": [{
///        "name":   "a",                     // the DOT node id
///        "label":  "text",                  // displayed text: DOT escapes resolved (\N -> name),
///                                           // lines joined by "\n"; raw text for HTML labels
///        "x": 27.0, "y": 90.0,              // centre of the node
///        "width": 54.0, "height": 36.0,     // laid-out size (Graphviz keeps inches; ×72 here)
///        "attrs": {"color": "red", ...}     // every other attribute with a non-empty value,
///                                           // defaults from `node [...]` included; label, width,
///                                           // height and pos are left out (given above)
///     }, ...],                              // in the order Graphviz created the nodes
///     "edges": [{
///        "tail": "a", "head": "b",          // node names, as written (tail -> head)
///        "points": [[x, y], ...],           // control points of all cubic Bézier pieces of the
///                                           // edge, in order from tail to head (1 + 3k points
///                                           // per piece); empty if Graphviz drew no spline
///        "arrow_start": [x, y],             // optional: tip of the arrowhead at the tail end
///        "arrow_end": [x, y],               // optional: tip of the arrowhead at the head end
///        "label": "text", "label_pos": [x, y],  // optional, only for edges with a label
///        "attrs": {...}                     // every other non-empty attribute (pos, label left
///        out)
///     }, ...],                              // grouped by tail node, in node order
///     "graph_attrs": {...}                  // every non-empty graph attribute except "bb"
///   }
///
/// When arrow_end is present, the last control point is where the line stops and the arrowhead
/// runs from there to arrow_end (likewise for arrow_start and the first point).
///
/// Throws LayoutError when the text holds no graph or more than one, does not parse, has more
/// than kMaxNodes nodes or kMaxEdges edges, Graphviz reports an error (e.g. a malformed HTML
/// label), or the layout fails. Graphviz
/// diagnostics are captured while this runs instead of going to stderr. Not thread-safe:
/// Graphviz keeps global state (one layout per process, which is how the helper uses it).
LayoutResult layoutDot(std::string_view dot, const std::string& engine);

/// The version of the Graphviz library this process runs with (gvcVersion), e.g. "2.43.0".
std::string graphvizVersion();

}  // namespace mu2net::layout
