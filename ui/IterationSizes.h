#pragma once
// The sizes the curves show at the end of each task iteration: the system size and the activated
// parameters of the model the task retained, placed after the children finished by then (over
// all tasks and over the task's own). Read back from an experiment store (its stored
// task_iteration_ended events, generations and children) so that a reopened directory draws the
// same size curves as the run did.
#include <QtGlobal>
#include <optional>
#include <string>
#include <vector>

#include "mu2net/evolution/GraphSnapshot.h"

namespace mu2net {
class ExperimentStore;
}

namespace mu2net::ui {

struct IterationSize {
  std::string task;
  int iteration = 0;
  qint64 childrenFinished = 0;           ///< children finished over all tasks when it ended
  qint64 taskChildrenFinished = 0;       ///< the task's own children finished when it ended
  double systemSize = 0;                 ///< unique parameters in use by retained models
  std::optional<double> retainedParams;  ///< activated parameters of the retained model
};

/// The activated parameters of `task`'s route in `graph` (its retained model), if it has one.
std::optional<double> retainedParams(const GraphSnapshot& graph, const std::string& task);
/// Every task iteration ended in `store`, in order. Reads no tensor. Throws StoreError.
std::vector<IterationSize> storedIterationSizes(const ExperimentStore& store);

}  // namespace mu2net::ui
