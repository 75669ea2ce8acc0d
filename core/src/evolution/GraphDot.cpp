#include "mu2net/evolution/GraphDot.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace mu2net {
namespace {

constexpr std::array<std::string_view, 10> kPalette = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                                       "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                                                       "#9c755f", "#bab0ac"};
constexpr std::string_view kRootColour = "#555555";
constexpr std::string_view kRootTask = "root";

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

}  // namespace

std::string routeColour(std::size_t taskIndex) {
  return std::string(kPalette[taskIndex % kPalette.size()]);
}

std::string toDot(const GraphSnapshot& snapshot) {
  std::string out;
  out += "digraph mu2net {\n";
  out += "  rankdir=BT;\n";
  out +=
      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", "
      "fontname=\"Helvetica\", fontsize=10];\n";
  out += "  edge [penwidth=1.5];\n";
  out += "  input [label=\"input\", shape=ellipse, style=solid];\n";

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
    out += "  " + nodeName(node->id) + " [label=\"" + escape(node->slot) + "\\n" +
           std::to_string(node->paramCount) + "\"";
    if (node->trainable) out += ", style=\"rounded,dashed\"";
    out += ", tooltip=\"component " + std::to_string(node->id) + ", created by " +
           escape(node->creatorTask) + " in generation " + std::to_string(node->generation) +
           ", locks: " + (locks.empty() ? "none" : escape(locks)) + "\"];\n";
  }

  std::size_t taskIndex = 0;
  for (std::size_t r = 0; r < snapshot.routes.size(); ++r) {
    const auto& route = snapshot.routes[r];
    const std::string colour =
        route.task == kRootTask ? std::string(kRootColour) : routeColour(taskIndex++);
    const std::string taskNode = "t" + std::to_string(r);
    std::string label = escape(route.task) + "\\nval " + percent(route.validationQuality);
    if (route.testQuality) label += " test " + percent(*route.testQuality);
    out += "  " + taskNode + " [label=\"" + label +
           "\", shape=plaintext, style=solid, fontcolor=\"" + colour + "\"];\n";
    std::string previous = "input";
    auto edge = [&](const std::string& to) {
      out += "  " + previous + " -> " + to + " [color=\"" + colour + "\"];\n";
      previous = to;
    };
    for (auto id : route.componentIds)
      edge(nodeName(id));
    edge(taskNode);
  }
  out += "}\n";
  return out;
}

}  // namespace mu2net
