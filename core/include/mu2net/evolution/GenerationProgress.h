#pragma once
// The children of the current generation as they train, from the engine's events: what the CLI's
// progress line and the workbench's status bar and progress bar show. Children of a generation may
// train at the same time (training.parallel_children), so each keeps its own latest progress.
#include <map>
#include <vector>

#include "mu2net/evolution/Events.h"

namespace mu2net {

class GenerationProgress {
 public:
  /// A generation starts: the previous one's children are forgotten.
  void clear();
  /// A child starts (ChildStartedEvent): it counts as running its steps until its progress says
  /// otherwise.
  void start(int childIndex);
  /// A child's latest TrainingProgressEvent.
  void update(const TrainingProgressEvent& e);
  /// A child is finished (trained, validated and judged): it no longer counts as in progress.
  void finish(int childIndex);

  /// Children still running training steps, in child-index order.
  std::vector<TrainingProgressEvent> training() const;
  /// Whether the child has run all its training steps (it may still be validating) or finished.
  /// False for a child with no progress yet.
  bool doneTraining(int childIndex) const;
  /// Children done with their training steps but not finished: validating their final
  /// parameters, or waiting for the rest of the generation.
  int validating() const;
  /// Whether the generation is validating: some children are, and no started child is still
  /// running training steps.
  bool onlyValidating() const;
  /// Summed speed of the children still running training steps, in samples per second.
  double samplesPerSecond() const;
  /// The unfinished children's shares of their training steps, summed: with the count of finished
  /// children, how many children's worth of work the run has done.
  double unfinishedShare() const;

 private:
  struct Child {
    TrainingProgressEvent latest;
    bool finished = false;
    /// Its progress says every training step is done (false before its first progress event).
    bool ranAllSteps() const { return latest.totalSteps > 0 && latest.step >= latest.totalSteps; }
  };
  std::map<int, Child> children_;
};

}  // namespace mu2net
