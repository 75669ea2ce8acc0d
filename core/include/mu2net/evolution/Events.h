#pragma once
// What the engine reports while it runs, as immutable value snapshots.
//
// The engine calls EventSink::handle() from its own (worker) thread. Every event is a plain value
// that owns its data (no references into engine state), so a sink may copy it to another thread
// (the GUI's controller queues them as signals). Training progress is rate-limited by the engine.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mu2net/evolution/GraphSnapshot.h"
#include "mu2net/evolution/LayerCloning.h"
#include "mu2net/evolution/SearchSpace.h"

namespace mu2net {

struct TaskIterationStartedEvent {
  std::string task;
  int iteration = 0;  ///< 1-based
};

struct GenerationStartedEvent {
  std::string task;
  int iteration = 0;
  int64_t generation = 0;  ///< global generation counter, 1-based
  HParams dataHParams;     ///< the generation's ds_* values, shared by its children
  std::vector<Mutation> dataMutations;
};

struct ChildStartedEvent {
  std::string task;
  int64_t generation = 0;
  int childIndex = 0;  ///< 0-based within the generation
  int64_t parentId = -1;
  std::string parentTask;
  std::vector<Mutation> mutations;  ///< relative to the parent (hyperparameters and layers)
  HParams hparams;
  std::vector<SlotOrigin> slots;
  int64_t trainableParams = 0;
  int64_t totalParams = 0;
  int64_t totalSteps = 0;
};

struct TrainingProgressEvent {
  std::string task;
  int64_t generation = 0;
  int childIndex = 0;
  int64_t step = 0;  ///< steps done by this child
  int64_t totalSteps = 0;
  double loss = 0;
  double samplesPerSecond = 0;
};

struct ValidationEvent {
  std::string task;
  int64_t generation = 0;
  int childIndex = 0;
  int validation = 0;  ///< 1-based
  double quality = 0;  ///< validation accuracy
  double score = 0;
};

struct ChildFinishedEvent {
  std::string task;
  int64_t generation = 0;
  int childIndex = 0;
  int64_t pathId = -1;  ///< the child's path id (kept in the population only if improved)
  int64_t parentId = -1;
  std::string parentTask;
  bool improved = false;
  double quality = 0;  ///< best validation accuracy
  double score = 0;
  double parentScore = 0;
  int64_t trainableParams = 0;
  int64_t totalParams = 0;
  double accountedParams = 0;
  std::vector<Mutation> mutations;
  HParams hparams;
  std::vector<SlotOrigin> slots;
  std::vector<double> validationHistory;
  double seconds = 0;
  /// > 0: training stopped at this step because the loss or the weights became NaN or infinite
  /// (the child is then never improved). Not stored: a record read back from a store has 0.
  int64_t divergedAtStep = 0;
};

struct RunStartedEvent {
  std::vector<std::string> tasks;  ///< in round-robin order
  int taskIterations = 0;
  int childrenPerTaskIteration = 0;
  int generationSize = 0;
  int64_t totalChildren = 0;  ///< children the whole run will train (may grow with add-task)
  GraphSnapshot graph;
  /// Children trained before this run started: the history of an experiment continued from its
  /// store (empty for a new one), so that views can show the whole experiment.
  std::vector<ChildFinishedEvent> history;
};

struct TaskIterationEndedEvent {
  std::string task;
  int iteration = 0;
  int64_t retainedPathId = -1;
  double validationQuality = 0;
  double systemSize = 0;  ///< unique parameters in use by retained paths
  GraphSnapshot graph;
};

struct TestEvaluatedEvent {
  std::string task;
  int64_t pathId = -1;
  double testQuality = 0;
  int64_t examples = 0;
};

struct TaskAddedEvent {
  std::string task;
};

struct RunFinishedEvent {
  bool stopped = false;  ///< true when a stop request ended the run early
  double wallSeconds = 0;
  GraphSnapshot graph;
};

struct PausedEvent {
  bool paused = false;  ///< true on pause, false on resume
};

struct ErrorEvent {
  std::string message;
};

using Event = std::variant<RunStartedEvent, TaskIterationStartedEvent, GenerationStartedEvent,
                           ChildStartedEvent, TrainingProgressEvent, ValidationEvent,
                           ChildFinishedEvent, TaskIterationEndedEvent, TestEvaluatedEvent,
                           TaskAddedEvent, RunFinishedEvent, PausedEvent, ErrorEvent>;

/// Receives the engine's events, on the engine's thread. Must not call back into the engine
/// except for the thread-safe control requests (pause, resume, stop, add task).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void handle(const Event& event) = 0;
};

}  // namespace mu2net
