#pragma once
// Which mutations helped: over the finished children of an experiment (one task or all), how
// often each kind of change led to an improved child and the score change it brought, and the
// points of a scatter of score against one hyperparameter. Torch-free and Qt-free: pure
// functions of the children's records (the store's children table, or the GUI's events).
//
// Kinds of change (one row each, in this order):
//   - every child ("all children"), then the children without a hyperparameter mutation;
//   - each hyperparameter a child's mutations changed (alphabetical): the children whose
//     mutations name it (a child with two mutations counts in both rows);
//   - cloning vs sharing at the child level: the children that share at least one frozen layer,
//     and those that share none (every inherited layer cloned);
//   - each layer slot (in route order) by origin: the children whose slot was cloned, shared or
//     new.
// The score change of a child is score − parentScore, counted only when its parent is a model of
// the same task: a first child's parent is the untrained root (score 0) and another task's model
// has its score on that other task, so neither change says what the mutation did.
#include <cstdint>
#include <string>
#include <vector>

#include "mu2net/evolution/Events.h"

namespace mu2net {

/// One kind of change and what followed it.
struct MutationStat {
  enum class Kind { All, NoMutation, HParam, Sharing, Layer };
  Kind kind = Kind::All;
  /// What the row is about: "all children", "no hyperparameter mutation", the hyperparameter's
  /// name, "shares a layer", "shares no layer", or "<slot> cloned|shared|new".
  std::string label;
  std::string hparam;                                 ///< Kind::HParam: its name
  std::string slot;                                   ///< Kind::Layer: the slot
  SlotOrigin::Kind slotKind = SlotOrigin::Kind::New;  ///< Kind::Layer: the slot's origin

  int64_t children = 0;
  int64_t improved = 0;
  /// Children whose score change is counted (parent of the same task), and its mean and median
  /// over them (0 when there are none).
  int64_t withDelta = 0;
  double meanDelta = 0;
  double medianDelta = 0;

  double improvedRate() const { return children > 0 ? double(improved) / double(children) : 0; }
};

/// The rows above over the `children` of `task` (empty: every task). Rows with no child are left
/// out, except "all children".
std::vector<MutationStat> mutationStats(const std::vector<ChildFinishedEvent>& children,
                                        const std::string& task = {});

/// One child's point of a scatter of score against a hyperparameter.
struct ScorePoint {
  double value = 0;  ///< the hyperparameter's value (a categorical's code, a boolean's 0/1)
  double score = 0;
  std::string task;
  bool improved = false;
};

/// A point per child of `task` (empty: every task) whose hyperparameters hold `hparam`, in the
/// children's order.
std::vector<ScorePoint> scoreAgainst(const std::vector<ChildFinishedEvent>& children,
                                     const std::string& hparam, const std::string& task = {});

/// The hyperparameter names the children hold, alphabetical.
std::vector<std::string> hparamNames(const std::vector<ChildFinishedEvent>& children);

}  // namespace mu2net
