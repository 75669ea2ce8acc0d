#pragma once
// An immutable value picture of a System's graph: its components and each task's route through
// them. Made by System::snapshot() on the engine thread and handed to other threads (the GUI,
// the DOT writer) by value; it holds no reference into engine state.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mu2net {

struct GraphSnapshot {
  /// One live component.
  struct Node {
    std::int64_t id = -1;
    std::string slot;         ///< architecture slot, e.g. "block_0", "head"
    std::string creatorTask;  ///< task that created it ("root" for the root's own)
    std::int64_t paramCount = 0;
    std::vector<std::string> locks;  ///< sorted names of the tasks whose retained model uses it
    bool trainable = false;          ///< locks.empty()
    std::int64_t generation = 0;     ///< generation it was created in
    /// SHA-256 (hex) of its tensors when the snapshot's maker knows it (the engine's snapshots
    /// do), else empty.
    std::string sha256;
    bool operator==(const Node&) const = default;
  };
  /// One task's model: the component chain from input to head.
  struct Route {
    std::string task;  ///< "root" for the root path
    std::int64_t pathId = -1;
    std::vector<std::int64_t> componentIds;  ///< in route order, each a Node's id
    double validationQuality = 0;            ///< accuracy in [0, 1]
    std::optional<double> testQuality;       ///< accuracy in [0, 1], once test-evaluated
    bool operator==(const Route&) const = default;
  };
  std::vector<Node> nodes;    ///< sorted by id
  std::vector<Route> routes;  ///< root first, then tasks in introduction order: their retained
                              ///< path, or their current best path if not ended yet
  bool operator==(const GraphSnapshot&) const = default;
};

}  // namespace mu2net
