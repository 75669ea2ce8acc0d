#pragma once
// Turns an experiment store into one written before its history was recorded (schema 2): drops
// the history table and sets the schema version back, with SQLite directly. For the history
// tests (link SQLite::SQLite3).
#include <sqlite3.h>

#include <string>

namespace mu2net::testdata {

/// True when `database` (a system.sqlite) was changed.
inline bool makeSchema2Store(const std::string& database) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(database.c_str(), &db) == SQLITE_OK &&
            sqlite3_exec(db,
                         "DROP TABLE history; UPDATE meta SET value = '2' WHERE key = "
                         "'schema_version'",
                         nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

}  // namespace mu2net::testdata
