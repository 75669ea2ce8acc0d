// The SQLite connection of store/Sql.h: a store directory's system.sqlite.
#include <sqlite3.h>

#include <filesystem>

#include "store/Sql.h"

namespace mu2net::sql {
namespace {

// SQLite URI of a file name: '%', '?' and '#' would otherwise end or change the path.
std::string sqliteUri(const std::filesystem::path& file, const char* query) {
  std::string uri = "file:";
  for (const char c : std::filesystem::absolute(file).string()) {
    if (c == '%' || c == '?' || c == '#') {
      static const char* hex = "0123456789ABCDEF";
      uri += '%';
      uri += hex[(static_cast<unsigned char>(c) >> 4) & 15];
      uri += hex[static_cast<unsigned char>(c) & 15];
    } else {
      uri += c;
    }
  }
  return uri + "?" + query;
}

class SqliteStatement : public StatementImpl {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql, const std::string& name)
      : db_(db), name_(name) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(name_ + ": " + sqlite3_errmsg(db) + " (in: " + sql + ")");
  }
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void bindInteger(int i, int64_t v) override { sqlite3_bind_int64(stmt_, i, v); }
  void bindReal(int i, double v) override { sqlite3_bind_double(stmt_, i, v); }
  void bindText(int i, const std::string& v) override {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bindBlob(int i, const std::vector<char>& v) override {
    sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  }
  void bindNull(int i) override { sqlite3_bind_null(stmt_, i); }
  bool step() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(name_ + ": " + sqlite3_errmsg(db_));
  }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t integer(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const override { return sqlite3_column_double(stmt_, col); }
  bool isNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const override {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }
  std::vector<char> blob(int col) const override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::vector<char>(p, p + sqlite3_column_bytes(stmt_, col)) : std::vector<char>();
  }
  int columnCount() const override { return sqlite3_column_count(stmt_); }
  std::string columnName(int col) const override { return sqlite3_column_name(stmt_, col); }
  Value value(int col) const override {
    switch (sqlite3_column_type(stmt_, col)) {
      case SQLITE_INTEGER:
        return integer(col);
      case SQLITE_FLOAT:
        return real(col);
      case SQLITE_TEXT:
        return text(col);
      case SQLITE_BLOB:
        return blob(col);
      default:
        return std::monostate{};
    }
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string name_;
};

class SqliteDatabase : public Database {
 public:
  ~SqliteDatabase() override {
    if (db_) sqlite3_close(db_);
  }

  void open(const std::string& file, bool readOnly, bool create, bool immutable) {
    name_ = file;
    std::string name = file;
    int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create) flags |= SQLITE_OPEN_CREATE;
    if (readOnly && immutable) {
      name = sqliteUri(file, "immutable=1");
      flags |= SQLITE_OPEN_URI;
    }
    if (sqlite3_open_v2(name.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      throw StoreError("cannot open " + file + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
    // Reading the schema is the cheapest way to find out whether this is a database at all.
    try {
      exec("SELECT count(*) FROM sqlite_master");
    } catch (const StoreError& e) {
      throw StoreError(file + " is not a readable experiment database (" + e.what() + ")");
    }
  }

  const std::string& name() const override { return name_; }
  void exec(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw StoreError(name_ + ": " + msg);
    }
  }
  Statement prepare(const std::string& sql) const override {
    return Statement(std::make_unique<SqliteStatement>(db_, sql, name_));
  }
  void createTables(const std::string& sql) override { exec(sql); }
  void beginWrite() override { exec("BEGIN IMMEDIATE"); }
  // In WAL mode a read transaction sees the database as of its first read.
  void beginRead() override { exec("BEGIN"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  bool hasTable(const std::string& table) const override {
    Statement s = prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, table);
    return s.step() && s.integer(0) > 0;
  }
  void continueIdsAfterMax(const std::string&) override {}

 private:
  sqlite3* db_ = nullptr;
  std::string name_;
};

}  // namespace

std::unique_ptr<Database> openSqlite(const std::string& file, bool readOnly, bool create,
                                     bool immutable) {
  auto db = std::make_unique<SqliteDatabase>();
  db->open(file, readOnly, create, immutable);
  return db;
}

std::string placeholders(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += i ? ", ?" : "?";
  return s;
}

}  // namespace mu2net::sql
