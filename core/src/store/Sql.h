#pragma once
// The store's thin layer over its databases: one connection (SQLite for a store directory,
// PostgreSQL through libpq for a store URL), statements that bind a whole row at once, and a cursor
// that reads a row's columns in order; columns holding JSON text are read and written through
// nlohmann's conversions (asJson). The store's SQL is written once, with '?' placeholders, in the
// dialect both databases accept; the few differences (column types in CREATE TABLE, starting a
// write transaction, looking up a table) are the connection's. Every error is a StoreError naming
// the database.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "mu2net/store/ExperimentStore.h"

namespace mu2net::sql {

/// A column holding `value` as JSON text.
template <typename T>
struct JsonColumn {
  T& value;
};
template <typename T>
JsonColumn<T> asJson(T& value) {
  return {value};
}

/// Bytes bound or read as a BLOB (SQLite) or BYTEA (PostgreSQL) column.
struct Blob {
  const std::vector<char>& bytes;
};

/// One column's value as the database holds it, for copying rows between databases exactly.
using Value = std::variant<std::monostate, int64_t, double, std::string, std::vector<char>>;

/// What a connection's statement does; one implementation per database.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void bindInteger(int i, int64_t v) = 0;
  virtual void bindReal(int i, double v) = 0;
  virtual void bindText(int i, const std::string& v) = 0;
  virtual void bindBlob(int i, const std::vector<char>& v) = 0;
  virtual void bindNull(int i) = 0;
  /// Executes on the first call; true while there is a row.
  virtual bool step() = 0;
  /// Forgets the results and the bindings: the statement can run again.
  virtual void reset() = 0;
  virtual int64_t integer(int col) const = 0;
  virtual double real(int col) const = 0;
  virtual bool isNull(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual std::vector<char> blob(int col) const = 0;
  virtual int columnCount() const = 0;
  virtual std::string columnName(int col) const = 0;
  /// The column's value by its type in the database.
  virtual Value value(int col) const = 0;
};

class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}

  Statement& bind(int i, int64_t v) {
    impl_->bindInteger(i, v);
    return *this;
  }
  Statement& bind(int i, double v) {
    impl_->bindReal(i, v);
    return *this;
  }
  Statement& bind(int i, const std::string& v) {
    impl_->bindText(i, v);
    return *this;
  }
  Statement& bind(int i, const Blob& v) {
    impl_->bindBlob(i, v.bytes);
    return *this;
  }
  Statement& bind(int i, bool v) { return bind(i, int64_t{v ? 1 : 0}); }
  Statement& bind(int i, int v) { return bind(i, int64_t{v}); }
  /// NULL when empty.
  Statement& bind(int i, const std::optional<double>& v) {
    if (v) return bind(i, *v);
    impl_->bindNull(i);
    return *this;
  }
  Statement& bind(int i, const Value& v) {
    std::visit(
        [&](const auto& x) {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<X, std::monostate>)
            impl_->bindNull(i);
          else if constexpr (std::is_same_v<X, std::vector<char>>)
            impl_->bindBlob(i, x);
          else
            bind(i, x);
        },
        v);
    return *this;
  }
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
  bool step() { return impl_->step(); }
  /// Executes once and resets the statement for the next row.
  void run() {
    impl_->step();
    impl_->reset();
  }

  int64_t integer(int col) const { return impl_->integer(col); }
  double real(int col) const { return impl_->real(col); }
  bool isNull(int col) const { return impl_->isNull(col); }
  std::string text(int col) const { return impl_->text(col); }
  std::vector<char> blob(int col) const { return impl_->blob(col); }
  int columnCount() const { return impl_->columnCount(); }
  std::string columnName(int col) const { return impl_->columnName(col); }
  Value value(int col) const { return impl_->value(col); }

 private:
  std::unique_ptr<StatementImpl> impl_;
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
  void next(std::optional<double>& v) {
    const int col = col_++;
    v = s_.isNull(col) ? std::nullopt : std::optional<double>(s_.real(col));
  }
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
  virtual ~Database() = default;

  /// What error messages call the database: the SQLite file, or the PostgreSQL URL without its
  /// password.
  virtual const std::string& name() const = 0;
  /// Runs SQL text (several statements allowed) without results.
  virtual void exec(const std::string& sql) = 0;
  virtual Statement prepare(const std::string& sql) const = 0;
  /// Runs CREATE TABLE statements written with SQLite's column types (INTEGER, REAL, TEXT,
  /// BLOB, INTEGER PRIMARY KEY AUTOINCREMENT), translated to this database's.
  virtual void createTables(const std::string& sql) = 0;
  /// Starts a transaction that writes (SQLite: BEGIN IMMEDIATE, so it never has to be retried).
  virtual void beginWrite() = 0;
  /// Starts a transaction that only reads, seeing one consistent state throughout.
  virtual void beginRead() = 0;
  void commit() { exec("COMMIT"); }
  /// Rolls the open transaction back; never throws (used while unwinding).
  virtual void rollback() noexcept = 0;
  /// True when the store's schema has a table of this name.
  virtual bool hasTable(const std::string& table) const = 0;
  /// After rows were inserted with explicit values of an AUTOINCREMENT `id` column: the next
  /// row without one gets an id above them all (SQLite does this itself).
  virtual void continueIdsAfterMax(const std::string& table) = 0;

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
};

/// Runs `body` in a transaction begun by `begin`: committed when it returns (with its value),
/// rolled back when it throws.
template <typename Body>
auto inTransaction(Database& db, void (Database::*begin)(), Body&& body) {
  (db.*begin)();
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      db.commit();
    } else {
      auto result = body();
      db.commit();
      return result;
    }
  } catch (...) {
    db.rollback();
    throw;
  }
}

/// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
template <typename Body>
auto inWriteTransaction(Database& db, Body&& body) {
  return inTransaction(db, &Database::beginWrite, std::forward<Body>(body));
}

/// Runs `body` in a read transaction (one consistent state throughout) and returns its value.
template <typename Body>
auto inReadTransaction(Database& db, Body&& body) {
  return inTransaction(db, &Database::beginRead, std::forward<Body>(body));
}

/// Opens a SQLite file read-only or read-write (creating it when `create`); `immutable`
/// (read-only only) tells SQLite that nothing changes the file, so it needs neither locks nor the
/// WAL index beside it. Throws StoreError when it cannot be opened or is not a database.
std::unique_ptr<Database> openSqlite(const std::string& file, bool readOnly, bool create,
                                     bool immutable = false);

/// Connects to a PostgreSQL server by a libpq connection URL (postgresql://…). Throws StoreError
/// with the server's or libpq's reason when it cannot.
std::unique_ptr<Database> connectPostgres(const std::string& url);

/// "?, ?, …, ?" with `n` placeholders.
std::string placeholders(int n);

}  // namespace mu2net::sql
