#include "GraphvizLayout.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>

#include <gvc.h>

namespace mu2net::layout {
namespace {

using Json = nlohmann::ordered_json;

// Graphviz keeps width and height in inches but every coordinate in points.
constexpr double kPointsPerInch = 72.0;

// Graphviz reports errors and warnings through one global callback and, without one, prints to
// stderr in pieces ("Error", ": ", message). Collecting them lets the helper put Graphviz's own
// words into its one-line JSON error instead of spilling unstructured text.
std::string* gCapturedMessages = nullptr;

int captureMessage(char* text) {
  if (gCapturedMessages && text) gCapturedMessages->append(text);
  return 0;
}

class MessageCapture {
 public:
  static constexpr std::string_view kErrorPrefix = "Error: ";

  MessageCapture() {
    gCapturedMessages = &messages_;
    previous_ = agseterrf(captureMessage);
  }
  ~MessageCapture() {
    agseterrf(previous_);
    gCapturedMessages = nullptr;
  }
  MessageCapture(const MessageCapture&) = delete;
  MessageCapture& operator=(const MessageCapture&) = delete;

  // The messages so far, one per line, without blank lines. The "Error: " prefix Graphviz adds
  // is dropped because the helper's own message already says that it failed.
  std::string text() const {
    std::string out;
    std::size_t start = 0;
    while (start < messages_.size()) {
      auto end = messages_.find('\n', start);
      if (end == std::string::npos) end = messages_.size();
      std::string_view line(messages_.data() + start, end - start);
      start = end + 1;
      if (line.starts_with(kErrorPrefix)) line.remove_prefix(kErrorPrefix.size());
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (!out.empty()) out += '\n';
      // Graphviz quotes the input near an error: control bytes from it are shown escaped.
      for (const char c : line) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
          static constexpr char kHex[] = "0123456789ABCDEF";
          out += "\\x";
          out += kHex[byte >> 4];
          out += kHex[byte & 15];
        } else {
          out += c;
        }
      }
    }
    return out;
  }

 private:
  std::string messages_;
  agusererrf previous_ = nullptr;
};

struct ContextDeleter {
  void operator()(GVC_t* gvc) const { gvFreeContext(gvc); }
};
struct GraphDeleter {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};
using ContextPtr = std::unique_ptr<GVC_t, ContextDeleter>;
using GraphPtr = std::unique_ptr<Agraph_t, GraphDeleter>;

// Frees the layout data before the graph is closed: the unique_ptrs above cannot express that
// order on their own, and gvFreeLayout needs both the context and the graph alive.
class LayoutGuard {
 public:
  LayoutGuard(GVC_t* gvc, Agraph_t* graph) : gvc_(gvc), graph_(graph) {}
  ~LayoutGuard() { gvFreeLayout(gvc_, graph_); }
  LayoutGuard(const LayoutGuard&) = delete;
  LayoutGuard& operator=(const LayoutGuard&) = delete;

 private:
  GVC_t* gvc_;
  Agraph_t* graph_;
};

std::string withDetails(std::string message, const std::string& details) {
  if (!details.empty()) message += ": " + details;
  return message;
}

Json point(const pointf& p) {
  return Json::array({p.x, p.y});
}

// Label text as drawn. The simple-label spans already have \N, \G, ... substituted and the \n,
// \l, \r line breaks split out; HTML labels have no spans, so their source text is passed on.
std::string labelText(const textlabel_t* label) {
  if (!label) return {};
  if (label->html || label->u.txt.nspans <= 0) return label->text ? label->text : "";
  std::string text;
  for (short i = 0; i < label->u.txt.nspans; ++i) {
    if (i > 0) text += '\n';
    if (const char* line = label->u.txt.span[i].str) text += line;
  }
  return text;
}

template <std::size_t N>
Json attributes(Agraph_t* graph, int kind, void* object,
                const std::array<std::string_view, N>& skipped) {
  Json attrs = Json::object();
  for (Agsym_t* sym = agnxtattr(graph, kind, nullptr); sym; sym = agnxtattr(graph, kind, sym)) {
    const std::string_view name = sym->name;
    bool skip = false;
    for (auto s : skipped)
      skip = skip || s == name;
    if (skip) continue;
    const char* value = agxget(object, sym);
    if (value && *value) attrs[std::string(name)] = value;
  }
  return attrs;
}

Json nodeJson(Agraph_t* graph, Agnode_t* node) {
  static constexpr std::array<std::string_view, 4> kSkipped = {"label", "width", "height", "pos"};
  Json out;
  out["name"] = agnameof(node);
  out["label"] = labelText(ND_label(node));
  out["x"] = ND_coord(node).x;
  out["y"] = ND_coord(node).y;
  out["width"] = ND_width(node) * kPointsPerInch;
  out["height"] = ND_height(node) * kPointsPerInch;
  out["attrs"] = attributes(graph, AGNODE, node, kSkipped);
  return out;
}

Json edgeJson(Agraph_t* graph, Agedge_t* edge) {
  static constexpr std::array<std::string_view, 2> kSkipped = {"label", "pos"};
  Json out;
  out["tail"] = agnameof(agtail(edge));
  out["head"] = agnameof(aghead(edge));
  Json points = Json::array();
  const splines* spl = ED_spl(edge);
  if (spl && spl->size > 0) {
    for (int i = 0; i < spl->size; ++i) {
      const bezier& piece = spl->list[i];
      for (int j = 0; j < piece.size; ++j)
        points.push_back(point(piece.list[j]));
    }
  }
  out["points"] = std::move(points);
  if (spl && spl->size > 0) {
    if (spl->list[0].sflag) out["arrow_start"] = point(spl->list[0].sp);
    if (spl->list[spl->size - 1].eflag) out["arrow_end"] = point(spl->list[spl->size - 1].ep);
  }
  if (const textlabel_t* label = ED_label(edge)) {
    out["label"] = labelText(label);
    if (label->set) out["label_pos"] = point(label->pos);
  }
  out["attrs"] = attributes(graph, AGEDGE, edge, kSkipped);
  return out;
}

Json layoutJson(Agraph_t* graph) {
  static constexpr std::array<std::string_view, 1> kSkippedGraph = {"bb"};
  Json out;
  const boxf bb = GD_bb(graph);
  out["bbox"] = Json::array({bb.LL.x, bb.LL.y, bb.UR.x, bb.UR.y});
  Json nodes = Json::array();
  Json edges = Json::array();
  for (Agnode_t* n = agfstnode(graph); n; n = agnxtnode(graph, n)) {
    nodes.push_back(nodeJson(graph, n));
    for (Agedge_t* e = agfstout(graph, n); e; e = agnxtout(graph, e))
      edges.push_back(edgeJson(graph, e));
  }
  out["nodes"] = std::move(nodes);
  out["edges"] = std::move(edges);
  out["graph_attrs"] = attributes(graph, AGRAPH, graph, kSkippedGraph);
  return out;
}

// The DOT text as a Graphviz input channel. agmemread() would do for one graph, but it hides
// where the graph ended; reading through a channel of our own lets a second agread() look at
// whatever follows the first graph (nothing, another graph, or a syntax error).
struct MemoryChannel {
  const char* data;
  std::size_t size;
  std::size_t position;
};

int readChannel(void* channel, char* buffer, int bufferSize) {
  auto* c = static_cast<MemoryChannel*>(channel);
  const std::size_t n =
      std::min(c->size - c->position, static_cast<std::size_t>(std::max(bufferSize, 0)));
  std::memcpy(buffer, c->data + c->position, n);
  c->position += n;
  return static_cast<int>(n);
}

// Whether Graphviz reported anything at error level (not a warning) since agreseterrors().
bool graphvizReportedError() {
  return agerrors() > 0;
}

}  // namespace

LayoutResult layoutDot(std::string_view dot, const std::string& engine) {
  if (dot.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos)
    throw LayoutError("empty input: expected a DOT graph on stdin");
  // agmemread takes a C string: an embedded NUL would silently cut the graph short.
  if (dot.find('\0') != std::string_view::npos)
    throw LayoutError("input contains a NUL byte; expected DOT text");

  MessageCapture capture;
  ContextPtr gvc(gvContext());
  if (!gvc) throw LayoutError(withDetails("could not create a Graphviz context", capture.text()));

  agreseterrors();
  Agiodisc_t io = AgIoDisc;
  io.afread = readChannel;
  Agdisc_t discipline{&AgMemDisc, &AgIdDisc, &io};
  MemoryChannel channel{dot.data(), dot.size(), 0};
  GraphPtr graph(agread(&channel, &discipline));
  if (!graph || graphvizReportedError()) {
    const std::string details = capture.text();
    throw LayoutError(details.empty() ? "no graph found in the DOT input"
                                      : withDetails("could not parse the DOT input", details));
  }
  // Anything but white space and comments after the graph is an error, not silently ignored.
  if (GraphPtr second(agread(&channel, &discipline)); second)
    throw LayoutError("the DOT input holds more than one graph; give exactly one");
  if (graphvizReportedError())
    throw LayoutError(
        withDetails("could not parse the DOT input after the first graph", capture.text()));
  const int nodes = agnnodes(graph.get()), edges = agnedges(graph.get());
  if (nodes > kMaxNodes || edges > kMaxEdges)
    throw LayoutError("the graph has " + std::to_string(nodes) + " nodes and " +
                      std::to_string(edges) + " edges, more than the limit of " +
                      std::to_string(kMaxNodes) + " nodes and " + std::to_string(kMaxEdges) +
                      " edges");

  LayoutGuard layoutGuard(gvc.get(), graph.get());
  if (gvLayout(gvc.get(), graph.get(), engine.c_str()) != 0)
    throw LayoutError(withDetails("Graphviz '" + engine + "' layout failed", capture.text()));
  // An error Graphviz reports while laying out (e.g. a malformed HTML label) fails the layout:
  // it would otherwise be drawn wrong without a word.
  if (graphvizReportedError())
    throw LayoutError(
        withDetails("Graphviz reported an error laying out the graph", capture.text()));

  LayoutResult result;
  result.json = layoutJson(graph.get());
  result.warnings = capture.text();
  return result;
}

std::string graphvizVersion() {
  ContextPtr gvc(gvContext());
  const char* version = gvc ? gvcVersion(gvc.get()) : nullptr;
  return version ? version : "unknown";
}

}  // namespace mu2net::layout
