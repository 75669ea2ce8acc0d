#pragma once
// The history table of the store's database (schema 3): one append-only row per commit of a
// generation or of a task iteration's end, holding the committed system's GraphSnapshot and the
// tasks' counters as compact JSON (arrays, not objects: a 30-task graph stays a few kilobytes).
#include <string>
#include <vector>

#include "mu2net/store/ExperimentStore.h"
#include "store/Sql.h"

namespace mu2net::storerows {

/// CREATE TABLE history (also run by the migration of an older store).
extern const char* const kHistorySchema;
/// The meta key recording the generation an older store's history starts at (set when a store
/// written before schema 3 is migrated).
extern const char* const kHistorySinceKey;

extern const std::string kHistoryInfoColumns;  ///< id, generation, task, iteration, kind, children
HistoryPointInfo readHistoryInfo(sql::Row& row);

/// Appends a point: `info` (its id is assigned by the database), `graph`, `tasks`.
void writeHistory(sql::Database& db, const HistoryPointInfo& info, const GraphSnapshot& graph,
                  const std::vector<StoreTask>& tasks);

/// The JSON of a graph and of task counters as the history holds them; the readers throw
/// nlohmann::json::exception on malformed text.
std::string historyGraphJson(const GraphSnapshot& graph);
GraphSnapshot readHistoryGraphJson(const std::string& text);
std::string historyTasksJson(const std::vector<StoreTask>& tasks);
std::vector<HistoryTask> readHistoryTasksJson(const std::string& text);

}  // namespace mu2net::storerows
