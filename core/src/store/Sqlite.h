#pragma once
// The store's thin layer over SQLite: one database connection, prepared statements that bind a
// whole row at once, and a cursor that reads a row's columns in order; columns holding JSON text
// are read and written through nlohmann's conversions (asJson). Every error is a StoreError naming
// the database file.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "mu2net/store/ExperimentStore.h"

namespace mu2net::sqlite {

/// A column holding `value` as JSON text.
template <typename T>
struct JsonColumn {
  T& value;
};
template <typename T>
JsonColumn<T> asJson(T& value) {
  return {value};
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::filesystem::path& file);
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, int64_t v);
  Statement& bind(int i, double v);
  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, bool v) { return bind(i, int64_t{v ? 1 : 0}); }
  Statement& bind(int i, int v) { return bind(i, int64_t{v}); }
  /// NULL when empty.
  Statement& bind(int i, const std::optional<double>& v);
  template <typename T>
  Statement& bind(int i, const JsonColumn<T>& column) {
    return bind(i, nlohmann::json(column.value).dump());
  }
  /// Binds `values` to parameters 1, 2, … in order: one row of an INSERT.
  template <typename... Values>
  Statement& bindRow(const Values&... values) {
    int i = 0;
    (bind(++i, values), ...);
    return *this;
  }
  /// Returns true while there is a row.
  bool step();
  /// Executes once and resets the statement for the next row.
  void run();

  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::filesystem::path file_;
};

/// The columns of the current row of a statement, read in order: the one way the store decodes
/// a row, so a reader lists its fields in the order of its SELECT and never a column index.
class Row {
 public:
  explicit Row(const Statement& statement) : s_(statement) {}
  /// Reads the next columns into `fields`, in order, by the field's type: int64_t, int, double,
  /// bool (an integer column), std::string, std::optional<double> (NULL: empty) or asJson(x).
  template <typename... Fields>
  void read(Fields&&... fields) {
    (next(std::forward<Fields>(fields)), ...);
  }

 private:
  void next(int64_t& v) { v = s_.integer(col_++); }
  void next(int& v) { v = static_cast<int>(s_.integer(col_++)); }
  void next(double& v) { v = s_.real(col_++); }
  void next(bool& v) { v = s_.integer(col_++) != 0; }
  void next(std::string& v) { v = s_.text(col_++); }
  void next(std::optional<double>& v);
  template <typename T>
  void next(JsonColumn<T> column) {
    column.value = nlohmann::json::parse(s_.text(col_++)).template get<T>();
  }

  const Statement& s_;
  int col_ = 0;
};

/// Runs `insert` with the fields of `value` that `fields(value, visit)` lists, in column order.
template <typename T, typename Fields>
void insertRow(Statement& insert, const T& value, const Fields& fields) {
  fields(value, [&](const auto&... v) { insert.bindRow(v...).run(); });
}

/// A value read from the current row, its fields listed by `fields(value, visit)` in column order.
template <typename T, typename Fields>
T readRow(Row& row, const Fields& fields) {
  T value;
  fields(value, [&](auto&&... v) { row.read(v...); });
  return value;
}

/// One database connection.
class Database {
 public:
  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Opens `file` read-only or read-write (creating it when `create`); `immutable` (read-only
  /// only) tells SQLite that nothing changes the file, so it needs neither locks nor the WAL index
  /// beside it. Throws StoreError when it cannot be opened or is not a database.
  void open(const std::filesystem::path& file, bool readOnly, bool create, bool immutable = false);
  const std::filesystem::path& file() const { return file_; }
  sqlite3* handle() const { return db_; }

  /// Runs SQL text (several statements allowed) without results.
  void exec(const std::string& sql);
  Statement prepare(const std::string& sql) const { return Statement(db_, sql, file_); }

  /// Runs a query and decodes each of its rows with `decode(Row&)`, in order.
  template <typename T, typename Decode>
  std::vector<T> select(const std::string& sql, Decode decode) const {
    std::vector<T> out;
    Statement s = prepare(sql);
    while (s.step()) {
      Row row(s);
      out.push_back(decode(row));
    }
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

/// "?, ?, …, ?" with `n` placeholders.
std::string placeholders(int n);

}  // namespace mu2net::sqlite
