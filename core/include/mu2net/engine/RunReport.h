#pragma once
// The final facts of a run: what the CLI prints and writes to report.json, what the GUI keeps.
// Assembled from the system (makeTaskReport, makeRunReport) and written (runReportToJson,
// writeRunReport) here only.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/GraphSnapshot.h"
#include "mu2net/evolution/SearchSpace.h"
#include "mu2net/evolution/System.h"

namespace mu2net {

/// Final facts about one task, as printed by the CLI and written to report.json.
struct TaskReport {
  std::string name;
  int numClasses = 0;
  int64_t retainedPathId = -1;
  std::vector<int64_t> route;  ///< component ids of the retained path, in forward order
  std::vector<std::string> routeSlots;
  double validationQuality = 0;
  std::optional<double> testQuality;
  int64_t activatedParams = 0;
  double accountedParams = 0;
  int64_t childrenTried = 0;
  int64_t childrenImproved = 0;
  double reusedShare = 0;  ///< share of the route's parameters in components created by other tasks
  HParams hparams;
};

struct RunReport {
  std::vector<TaskReport> tasks;
  double systemSize = 0;
  int64_t numComponents = 0;
  int64_t generations = 0;
  double wallSeconds = 0;
  bool stopped = false;
  int threads = 1;
  /// The arithmetic the run used (training.precision with "auto" resolved on this CPU).
  Precision precision = Precision::Float32;
  GraphSnapshot graph;
};

/// The facts of `task` (with `numClasses` classes and the given child counters) as `system`
/// holds them now: its retained path's route, qualities, parameters and hyperparameters (left
/// at their defaults when the task has no retained path).
TaskReport makeTaskReport(const System& system, const std::string& task, int numClasses,
                          int64_t childrenTried, int64_t childrenImproved);
/// The report of `system` with the given task facts and run facts.
RunReport makeRunReport(const System& system, std::vector<TaskReport> tasks, int64_t generations,
                        double wallSeconds, bool stopped, int threads);

/// report.json text: the configuration, every task's facts and routes, the system graph.
/// Deterministic: wall times are left out (same seed and thread count → identical text).
std::string runReportToJson(const RunReport& report, const ExperimentConfig& config);
/// Writes runReportToJson(report, config) to `file` with writeOutputFile (common/OutputFile.h): all
/// of it or nothing. Throws OutputError naming the file when it cannot be written.
void writeRunReport(const std::filesystem::path& file, const RunReport& report,
                    const ExperimentConfig& config);

}  // namespace mu2net
