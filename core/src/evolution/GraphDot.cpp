#include "mu2net/evolution/GraphDot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace mu2net {
namespace {

// Farthest-point order in CIELAB over sRGB colours of lightness 38–70 and chroma 40–85, starting
// from Tableau blue: the first 30 are at least ΔE 25 apart, the first 40 at least ΔE 21, and all
// far from grey (the root's colour) and legible on white.
constexpr std::array<std::string_view, 48> kPalette = {
    "#4e79a7", "#f87800", "#20c038", "#f80090", "#7840d0", "#606018", "#00c0a8", "#e08080",
    "#e80038", "#d890e0", "#c8a800", "#0080f8", "#984810", "#108038", "#a03068", "#f058e0",
    "#709800", "#d0a060", "#6850a0", "#90b068", "#f87050", "#a82838", "#00b8e8", "#982898",
    "#f870b0", "#90a8f8", "#a080f8", "#b02000", "#c88010", "#f04070", "#00c070", "#989028",
    "#188800", "#2860f0", "#0060b0", "#886000", "#088868", "#985890", "#c01888", "#68b850",
    "#487008", "#00a8f8", "#a05040", "#d88058", "#c868f8", "#68b800", "#60b880", "#d060c0"};
constexpr std::string_view kRootColour = "#555555";
constexpr std::string_view kRootFill = "#dddddd";
constexpr std::string_view kRootBorder = "#333333";
constexpr std::string_view kRootTask = "root";
constexpr double kFillWhiteness = 0.55;  // how far a box's fill is blended towards white
constexpr double kBorderDarkening = 1 / 1.4;

struct Rgb {
  double r = 0, g = 0, b = 0;  // 0..255
};

Rgb parseHex(const std::string& hex) {
  unsigned r = 0, g = 0, b = 0;
  if (hex.size() != 7 || std::sscanf(hex.c_str(), "#%2x%2x%2x", &r, &g, &b) != 3) return {};
  return {double(r), double(g), double(b)};
}

std::string hex(Rgb c) {
  auto channel = [](double v) {
    return static_cast<unsigned>(std::lround(std::clamp(v, 0.0, 255.0)));
  };
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "#%02x%02x%02x", channel(c.r), channel(c.g),
                channel(c.b));
  return buffer.data();
}

// Golden-angle hues beyond the palette, alternating lightness; saturation keeps them off grey.
std::string goldenAngleColour(std::size_t i) {
  const double h = std::fmod(0.61 + static_cast<double>(i) * 0.3819660112501051, 1.0) * 6;
  const double l = i % 2 ? 0.42 : 0.55, s = 0.75;
  const double c = (1 - std::abs(2 * l - 1)) * s;
  const double x = c * (1 - std::abs(std::fmod(h, 2) - 1));
  const std::array<Rgb, 6> sextant = {Rgb{c, x, 0}, Rgb{x, c, 0}, Rgb{0, c, x},
                                      Rgb{0, x, c}, Rgb{x, 0, c}, Rgb{c, 0, x}};
  const Rgb p = sextant[static_cast<std::size_t>(h) % 6];
  const double m = l - c / 2;
  return hex({(p.r + m) * 255, (p.g + m) * 255, (p.b + m) * 255});
}

// Escapes text for a DOT double-quoted string. Newlines become the \n escape so a task name with
// a newline cannot break the line structure of the file.
std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string percent(double quality) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.1f%%", 100.0 * quality);
  return buffer.data();
}

std::string nodeName(std::int64_t id) {
  return "c" + std::to_string(id);
}

std::string boxColours(const std::string& colour) {
  return "fillcolor=\"" + componentFillColour(colour) + "\", color=\"" +
         componentBorderColour(colour) + "\"";
}

void writeComponents(const GraphSnapshot& snapshot,
                     const std::map<std::string, std::string>& colours, std::string& out) {
  // Sorting here, not trusting the producer, keeps the text stable for golden comparisons and
  // for diffing successive snapshots.
  std::vector<const GraphSnapshot::Node*> nodes;
  for (const auto& node : snapshot.nodes)
    nodes.push_back(&node);
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const auto* node : nodes) {
    std::string locks;
    for (const auto& lock : node->locks)
      locks += (locks.empty() ? "" : ", ") + lock;
    const auto colour = colours.find(node->creatorTask);
    out += "  " + nodeName(node->id) + " [label=\"" + escape(node->slot) + "\\n" +
           std::to_string(node->paramCount) + "\"";
    if (node->trainable) out += ", style=\"rounded,filled,dashed\"";
    if (colour != colours.end()) out += ", " + boxColours(colour->second);
    out += ", tooltip=\"component " + std::to_string(node->id) + ", created by " +
           escape(node->creatorTask) + " in generation " + std::to_string(node->generation) +
           ", locks: " + (locks.empty() ? "none" : escape(locks)) + "\"];\n";
  }
}

void writeRoutes(const GraphSnapshot& snapshot, const std::map<std::string, std::string>& colours,
                 std::string& out) {
  for (std::size_t r = 0; r < snapshot.routes.size(); ++r) {
    const auto& route = snapshot.routes[r];
    const std::string& colour = colours.at(route.task);
    const std::string taskNode = "t" + std::to_string(r);
    std::string label = escape(route.task) + "\\nval " + percent(route.validationQuality);
    if (route.testQuality) label += " test " + percent(*route.testQuality);
    out += "  " + taskNode + " [label=\"" + label +
           "\", shape=plaintext, style=solid, fontcolor=\"" + colour + "\"];\n";
    const std::string style = route.task == kRootTask ? ", style=dotted" : "";
    std::string previous = "input";
    auto edge = [&](const std::string& to) {
      out += "  " + previous + " -> " + to + " [color=\"" + colour + "\"" + style + "];\n";
      previous = to;
    };
    for (auto id : route.componentIds)
      edge(nodeName(id));
    edge(taskNode);
  }
}

void writeCandidates(const std::vector<CandidateRoute>& candidates,
                     const std::map<std::string, std::string>& colours, std::string& out) {
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const auto& candidate = candidates[k];
    const std::string& colour = colours.at(candidate.task);
    const std::string labelNode = "k" + std::to_string(k);
    out += "  " + labelNode + " [label=\"" + escape(candidate.task) + "\\nchild " +
           std::to_string(candidate.childIndex + 1) +
           " (training)\", shape=plaintext, style=solid, fontcolor=\"" + colour + "\"];\n";
    std::string previous = "input";
    auto edge = [&](const std::string& to) {
      out += "  " + previous + " -> " + to + " [color=\"" + colour + "\", style=dashed];\n";
      previous = to;
    };
    for (std::size_t l = 0; l < candidate.layers.size(); ++l) {
      const auto& layer = candidate.layers[l];
      if (layer.sharedId >= 0) {
        edge(nodeName(layer.sharedId));
        continue;
      }
      const std::string name = "n" + std::to_string(k) + "_" + std::to_string(l);
      const std::string origin = layer.sourceId >= 0
                                     ? "clone of component " + std::to_string(layer.sourceId)
                                     : std::string("new");
      out += "  " + name + " [label=\"" + escape(layer.slot) + "\\n" + origin +
             "\", style=\"rounded,filled,dashed\", " + boxColours(colour) + ", tooltip=\"" +
             escape(candidate.task) + " child in training: " + origin + "\"];\n";
      edge(name);
    }
    edge(labelNode);
  }
}

}  // namespace

std::string routeColour(std::size_t taskIndex) {
  if (taskIndex < kPalette.size()) return std::string(kPalette[taskIndex]);
  return goldenAngleColour(taskIndex - kPalette.size());
}

std::string rootColour() {
  return std::string(kRootColour);
}

std::string componentFillColour(const std::string& taskColour) {
  if (taskColour == kRootColour) return std::string(kRootFill);
  const Rgb c = parseHex(taskColour);
  auto towardsWhite = [](double v) { return v * (1 - kFillWhiteness) + 255 * kFillWhiteness; };
  return hex({towardsWhite(c.r), towardsWhite(c.g), towardsWhite(c.b)});
}

std::string componentBorderColour(const std::string& taskColour) {
  if (taskColour == kRootColour) return std::string(kRootBorder);
  const Rgb c = parseHex(taskColour);
  return hex({c.r * kBorderDarkening, c.g * kBorderDarkening, c.b * kBorderDarkening});
}

std::map<std::string, std::string> taskColours(const GraphSnapshot& snapshot,
                                               const std::vector<CandidateRoute>& candidates) {
  std::map<std::string, std::string> colours{{std::string(kRootTask), rootColour()}};
  std::size_t next = 0;
  auto add = [&](const std::string& task) {
    if (colours.count(task) == 0) colours.emplace(task, routeColour(next++));
  };
  for (const auto& route : snapshot.routes)
    add(route.task);
  for (const auto& candidate : candidates)
    add(candidate.task);
  return colours;
}

bool isSideways(const GraphSnapshot& snapshot, const std::vector<CandidateRoute>& candidates) {
  return snapshot.routes.size() + candidates.size() > kSidewaysRoutes;
}

std::string toDot(const GraphSnapshot& snapshot, const std::vector<CandidateRoute>& candidates) {
  const auto colours = taskColours(snapshot, candidates);
  std::string out;
  out += "digraph mu2net {\n";
  // Sideways, the routes stack in rows: closer rows (and parallel edges) fit a taller column.
  out += isSideways(snapshot, candidates) ? "  rankdir=LR;\n  nodesep=0.1;\n" : "  rankdir=BT;\n";
  out +=
      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", "
      "fontname=\"Helvetica\", fontsize=10];\n";
  out += "  edge [penwidth=1.5];\n";
  out += "  input [label=\"input\", shape=ellipse, style=solid];\n";
  writeComponents(snapshot, colours, out);
  writeRoutes(snapshot, colours, out);
  writeCandidates(candidates, colours, out);
  out += "}\n";
  return out;
}

}  // namespace mu2net
