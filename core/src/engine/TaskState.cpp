#include "engine/TaskState.h"

#include <algorithm>
#include <numeric>

#include "mu2net/common/Rng.h"
#include "mu2net/data/DataError.h"

namespace mu2net {
namespace {

// A seeded, fixed subset of [0, count): the evaluation examples of a split. Seeded rather than
// "the first n" because some sources (CMATERdb) are sorted by class.
std::vector<int64_t> evaluationSubset(int64_t count, int64_t maxExamples, std::uint64_t seed) {
  std::vector<int64_t> idx(static_cast<std::size_t>(count));
  std::iota(idx.begin(), idx.end(), 0);
  if (maxExamples > 0 && maxExamples < count) {
    Rng rng(seed);
    rng.shuffle(idx.begin(), idx.end());
    idx.resize(static_cast<std::size_t>(maxExamples));
    std::sort(idx.begin(), idx.end());
  }
  return idx;
}

}  // namespace

TaskState loadTaskState(const TaskSpec& spec, const ExperimentConfig& config, DatasetCache* cache) {
  checkTaskName(spec.name, "tasks[].name");  // configurations built in code, added tasks
  TaskState t;
  t.spec = spec;
  t.data = cache ? loadTask(spec, config.seed, *cache) : loadTask(spec, config.seed);
  if (t.data.train.count == 0 || t.data.validation.count == 0 || t.data.test.count == 0)
    throw DataError("task '" + spec.name + "' (" + spec.path.string() +
                    "): train, validation and test splits must all be non-empty");
  const auto tag = hashTag(spec.name);
  t.validationIndices =
      evaluationSubset(t.data.validation.count, config.training.validationExamplesMax,
                       deriveSeed(config.seed, {hashTag("validation-subset"), tag}));
  t.testIndices = evaluationSubset(t.data.test.count, config.training.testExamplesMax,
                                   deriveSeed(config.seed, {hashTag("test-subset"), tag}));
  return t;
}

}  // namespace mu2net
