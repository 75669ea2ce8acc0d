#pragma once
// A task as the engine holds it during a run: its data, the fixed evaluation subsets and its
// counters (what the store keeps of it is a StoreTask).
#include <cstdint>
#include <vector>

#include "mu2net/data/TaskData.h"
#include "mu2net/evolution/ExperimentConfig.h"

namespace mu2net {

struct TaskState {
  TaskSpec spec;
  TaskData data;
  std::vector<int64_t> validationIndices;  ///< fixed, seeded subset used for every validation
  std::vector<int64_t> testIndices;        ///< fixed, seeded subset used for every test
  int64_t childrenTried = 0;
  int64_t childrenImproved = 0;
  int iterationsDone = 0;  ///< task iterations completed (end_task applied)
  /// False for a task an agent's engine does not evolve: its data was not read (data holds its
  /// number of classes only, from the store).
  bool dataRead = true;
};

/// Reads the task's data (through `cache` when given) and draws its evaluation subsets
/// (training.validation_examples_max, training.test_examples_max) from the experiment's seed.
/// Throws DataError when a split is empty, or what loadTask() throws.
TaskState loadTaskState(const TaskSpec& spec, const ExperimentConfig& config,
                        DatasetCache* cache = nullptr);

}  // namespace mu2net
