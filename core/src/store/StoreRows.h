#pragma once
// How each table of the store's database maps to the store's values: per table one column list,
// used by both its INSERT and its SELECT, and one list of the value's fields in that order, used by
// both its writer and its reader (through sql::Row and Statement::bindRow). Columns that hold
// structured values hold their JSON. The schema itself is kSchema.
#include <cstdint>
#include <string>

#include "mu2net/store/ExperimentStore.h"
#include "store/Sql.h"

namespace mu2net::storerows {

/// The CREATE TABLE statements of schema version ExperimentStore::kSchemaVersion.
extern const char* const kSchema;

/// "INSERT INTO table(columns) VALUES (?, …)" for a column list.
std::string insertInto(const std::string& table, const std::string& columns);

// tasks: a StoreTask at its position in the task list.
extern const std::string kTaskColumns;
void writeTask(sql::Statement& insert, int64_t position, const StoreTask& task);
StoreTask readTask(sql::Row& row);

// components: a component's metadata; its tensors are in its file.
extern const std::string kComponentColumns;
/// A component's row: the component (without tensors) and what only the row records.
struct ComponentRow {
  Component component;
  std::string shapesJson;  ///< the shapes of its tensors, checked when they are loaded
  std::string sha256;      ///< of its file's bytes (schema 1: ComponentTensors::sha256Hex)
  std::string file;        ///< its file, relative to the experiment directory
};
void writeComponent(sql::Statement& insert, const ComponentRow& row);
ComponentRow readComponent(sql::Row& row);
/// The locks column of a component.
std::string locksJson(const Component& component);

// paths: a live path, marked when it is its task's retained one.
extern const std::string kPathColumns;
void writePath(sql::Statement& insert, const Path& path, bool retained);
/// The path of a row (whether it is retained is in the system's state).
Path readPath(sql::Row& row);

// children: every trained child, kept or not.
extern const std::string kChildColumns;
void writeChild(sql::Statement& insert, const ChildRecord& child);
ChildRecord readChild(sql::Row& row);

// generations: a generation's boundary.
extern const std::string kGenerationColumns;
void writeGeneration(sql::Statement& insert, const GenerationRecord& generation);
GenerationRecord readGeneration(sql::Row& row);

// state: the single row holding the system's scalar state and the engine's progress (JSON).
/// The system's state except its components and paths (which have their own tables).
std::string systemStateJson(const SystemState& system);
/// Fills those fields of `system` from systemStateJson text; throws nlohmann::json::exception.
void readSystemStateJson(const std::string& text, SystemState& system);
std::string progressJson(const StoreProgress& progress);
StoreProgress readProgressJson(const std::string& text);

}  // namespace mu2net::storerows
