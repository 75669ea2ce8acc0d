#pragma once
// Where the selected child's route is in a picture of the system graph (GraphView): the route of
// a task whose model it is, its provisional route while it trains, or else a provisional route
// of its own to add (its layers as it was trained: the components it shared, its cloned and new
// layers). Pure functions of the picture's snapshot and children in training.
#include <QtGlobal>
#include <set>
#include <vector>

#include "MetaTypes.h"
#include "mu2net/evolution/GraphDot.h"

namespace mu2net::ui {

struct SelectedRoute {
  int routeIndex = -1;          ///< the snapshot's route that is the child's path, or -1
  int candidateIndex = -1;      ///< the provisional route drawn for it, or -1
  std::set<qint64> components;  ///< the system's components on its route

  bool found() const { return routeIndex >= 0 || candidateIndex >= 0; }

  /// Finds `child` (its provisional route; `pathId` >= 0 once kept) among the routes of
  /// `snapshot` and the provisional routes `candidates`.
  static SelectedRoute locate(const GraphSnapshot& snapshot,
                              const std::vector<CandidateRoute>& candidates,
                              const CandidateRoute& child, qint64 pathId);
};

/// The provisional route of a child: its layers from input to head, shared components by id,
/// cloned layers with the component they copy, new layers.
CandidateRoute candidateOf(const ChildStartedEvent& child);

}  // namespace mu2net::ui
