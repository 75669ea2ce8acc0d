#include "mu2net/data/TaskData.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "mu2net/common/Rng.h"
#include "mu2net/data/DataError.h"

namespace mu2net {
namespace {

std::string taskPrefix(const TaskSpec& spec) {
  return "task '" + spec.name + "' (" + spec.path.string() + "): ";
}

// Keeps the samples whose source label maps to a new label (>= 0), relabelled, in source order.
ImageSet filterClasses(const ImageSet& set, const std::vector<int>& newLabelOf) {
  std::vector<std::int64_t> keep;
  keep.reserve(static_cast<std::size_t>(set.count));
  for (std::int64_t i = 0; i < set.count; ++i) {
    const auto label = set.labels[static_cast<std::size_t>(i)];
    if (label >= 0 && label < static_cast<int>(newLabelOf.size()) &&
        newLabelOf[static_cast<std::size_t>(label)] >= 0)
      keep.push_back(i);
  }
  ImageSet out = set.subset(keep);
  for (auto& label : out.labels)
    label = newLabelOf[static_cast<std::size_t>(label)];
  return out;
}

}  // namespace

TaskData makeTask(const TaskSpec& spec, const DatasetSource& source, std::uint64_t seed) {
  if (!(spec.validationFraction > 0.0 && spec.validationFraction < 1.0))
    throw DataError(taskPrefix(spec) + "validationFraction " +
                    std::to_string(spec.validationFraction) + " is not in (0, 1)");
  if (source.numClasses <= 0) throw DataError(taskPrefix(spec) + "the dataset has no classes");

  TaskData task;
  task.name = spec.name;
  const bool subset = !spec.classes.empty();
  std::vector<int> sourceClasses = spec.classes;
  if (!subset) {
    sourceClasses.resize(static_cast<std::size_t>(source.numClasses));
    std::iota(sourceClasses.begin(), sourceClasses.end(), 0);
  }
  std::vector<int> newLabelOf(static_cast<std::size_t>(source.numClasses), -1);
  for (std::size_t k = 0; k < sourceClasses.size(); ++k) {
    const int c = sourceClasses[k];
    if (c < 0 || c >= source.numClasses)
      throw DataError(taskPrefix(spec) + "class " + std::to_string(c) +
                      " does not exist (the dataset has classes 0.." +
                      std::to_string(source.numClasses - 1) + ")");
    if (newLabelOf[static_cast<std::size_t>(c)] >= 0)
      throw DataError(taskPrefix(spec) + "class " + std::to_string(c) + " is listed twice");
    newLabelOf[static_cast<std::size_t>(c)] = static_cast<int>(k);
    task.classNames.push_back(source.classNames.empty()
                                  ? std::to_string(c)
                                  : source.classNames[static_cast<std::size_t>(c)]);
  }
  task.numClasses = static_cast<int>(sourceClasses.size());
  if (task.numClasses < 2)
    throw DataError(taskPrefix(spec) +
                    "the dataset has only one class (label 0); a classifier needs at least two: "
                    "check the path and the labels");

  // Without a subset the labels are already right: use the source's sets without filtering
  // (and without copying the training set twice).
  ImageSet filteredTrain;
  if (subset) filteredTrain = filterClasses(source.train, newLabelOf);
  const ImageSet& train = subset ? filteredTrain : source.train;
  task.test = subset ? filterClasses(source.test, newLabelOf) : source.test;
  if (train.empty())
    throw DataError(taskPrefix(spec) + "no training samples in the chosen classes");
  if (task.test.empty())
    throw DataError(taskPrefix(spec) + "no test samples in the chosen classes");
  if (train.distinctLabels() < 2)
    throw DataError(taskPrefix(spec) + "the training split holds only one class (label " +
                    std::to_string(train.labels.front()) +
                    "); a classifier needs examples of at least two");

  if (source.validation) {
    task.validation = subset ? filterClasses(*source.validation, newLabelOf) : *source.validation;
    task.train = train;
    if (task.validation.empty())
      throw DataError(taskPrefix(spec) + "no validation samples in the chosen classes");
    return task;
  }

  // Hold out a seeded random sample of train. Drawing a permutation and taking its first
  // nValidation entries gives a uniformly random subset; sorting both parts keeps the source
  // order inside each split, so the result depends only on (seed, name, source).
  if (train.count < 2)
    throw DataError(taskPrefix(spec) + "only " + std::to_string(train.count) +
                    " training sample(s): cannot hold out a validation split");
  auto nValidation = static_cast<std::int64_t>(
      std::llround(spec.validationFraction * static_cast<double>(train.count)));
  // A split smaller than the number of classes cannot measure the task: every child would score
  // the same (often 0) and look as good as its parent.
  if (nValidation < task.numClasses) {
    std::ostringstream fraction;
    fraction << spec.validationFraction;
    throw DataError(taskPrefix(spec) + "validation_fraction " + fraction.str() + " holds out " +
                    std::to_string(nValidation) + " of " + std::to_string(train.count) +
                    " training examples, fewer than the task's " + std::to_string(task.numClasses) +
                    " classes; raise the task's validation_fraction (0.1 holds out " +
                    std::to_string(std::llround(0.1 * static_cast<double>(train.count))) + ")");
  }
  nValidation = std::clamp<std::int64_t>(nValidation, 1, train.count - 1);
  std::vector<std::int64_t> order(static_cast<std::size_t>(train.count));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(deriveSeed(seed, {hashTag(spec.name)}));
  rng.shuffle(order.begin(), order.end());
  const auto cut = order.begin() + nValidation;
  std::sort(order.begin(), cut);
  std::sort(cut, order.end());
  task.validation = train.subset({order.data(), static_cast<std::size_t>(nValidation)});
  task.train = train.subset(
      {order.data() + nValidation, order.size() - static_cast<std::size_t>(nValidation)});
  return task;
}

TaskData loadTask(const TaskSpec& spec, std::uint64_t seed) {
  return makeTask(spec, readDataset(spec.path, spec.format), seed);
}

std::shared_ptr<const DatasetSource> DatasetCache::get(const std::filesystem::path& path,
                                                       DatasetFormat format) {
  std::error_code error;
  auto canonical = std::filesystem::weakly_canonical(path, error);
  if (error) canonical = path;
  const auto key = std::make_pair(canonical.string(), static_cast<int>(format));
  if (auto it = sources_.find(key); it != sources_.end()) return it->second;
  auto source = std::make_shared<const DatasetSource>(readDataset(path, format));
  ++reads_;
  sources_.emplace(key, source);
  return source;
}

TaskData loadTask(const TaskSpec& spec, std::uint64_t seed, DatasetCache& cache) {
  return makeTask(spec, *cache.get(spec.path, spec.format), seed);
}

}  // namespace mu2net
