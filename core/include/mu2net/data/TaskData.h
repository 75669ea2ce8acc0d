#pragma once
// A task's data: its train, validation and test splits, ready for the input pipeline.
//
// A TaskSpec names a dataset folder and optionally a subset of its classes; loadTask() reads the
// folder and makeTask() turns a DatasetSource into the task's three splits:
// - class subset: only the listed classes are kept, relabelled 0..k-1 in the order listed;
// - validation: the dataset's own validation split when it has one, else a fixed, seeded
//   fraction of train held out (ALGORITHM.md §5). Train and validation never share a sample; the
//   same (seed, task name) always gives the same split.
// Errors in the specification or data throw DataError naming the task (and file when relevant).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mu2net/data/DatasetReader.h"
#include "mu2net/data/ImageSet.h"

namespace mu2net {

/// What a task is made of. Defaults documented per field.
struct TaskSpec {
  std::string name;  ///< unique task name; also keys the validation split's RNG stream
  DatasetFormat format = DatasetFormat::Idx;
  std::filesystem::path path;  ///< the dataset folder (see readDataset())
  /// Source class indices to keep, in the order that defines the new labels 0..k-1. Empty = all
  /// classes, labels unchanged. Each must be in [0, numClasses) of the source; no duplicates.
  std::vector<int> classes;
  /// Fraction of train held out for validation when the source has no validation split; must
  /// be in (0, 1) (checked even when unused, so a bad config fails early). At least one sample
  /// goes to each side.
  double validationFraction = 0.1;
};

/// Longest task name accepted, in bytes of UTF-8.
inline constexpr std::size_t kMaxTaskNameBytes = 100;

/// Throws ConfigError "config key '<key>': ..." unless `name` can be a task's name: 1 to
/// kMaxTaskNameBytes bytes of valid UTF-8, printable (no control characters such as NUL, tab or
/// newline, no C1 controls, line separators or bidirectional-text overrides), not beginning or
/// ending with a space. Names reach SQLite, JSON, CSV and terminals; these rules keep every one
/// of them lossless and readable.
void checkTaskName(const std::string& name, const std::string& key);

/// The three splits of one task. Invariants: every label in every split is in [0, numClasses);
/// classNames has numClasses entries (the source's names, or the source class indices as decimal
/// text when the source has none); train and validation are disjoint samples of the source.
struct TaskData {
  std::string name;
  int numClasses = 0;
  std::vector<std::string> classNames;
  ImageSet train;
  ImageSet validation;
  ImageSet test;
};

/// Builds a task from an already read source (tests use in-memory sources). The held-out
/// validation split, if one is needed, is drawn with Rng(deriveSeed(seed, {hashTag(spec.name)})).
TaskData makeTask(const TaskSpec& spec, const DatasetSource& source, std::uint64_t seed);

/// Reads spec.path in spec.format and calls makeTask().
TaskData loadTask(const TaskSpec& spec, std::uint64_t seed);

/// Keeps each dataset folder read once while several tasks are loaded from it (e.g. two class
/// subsets of one dataset). Keyed by the folder's canonical path and the format. Not thread-safe;
/// holding the cache keeps the sources in memory, so drop it once the tasks are built.
class DatasetCache {
 public:
  /// The source for (path, format), read on first use.
  std::shared_ptr<const DatasetSource> get(const std::filesystem::path& path, DatasetFormat format);
  /// Number of folders actually read so far.
  int readCount() const { return reads_; }
  void clear() { sources_.clear(); }

 private:
  std::map<std::pair<std::string, int>, std::shared_ptr<const DatasetSource>> sources_;
  int reads_ = 0;
};

/// loadTask() reading through a cache.
TaskData loadTask(const TaskSpec& spec, std::uint64_t seed, DatasetCache& cache);

}  // namespace mu2net
