#include "store/Sqlite.h"

namespace mu2net::sqlite {
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

}  // namespace

Statement::Statement(sqlite3* db, const std::string& sql, const std::filesystem::path& file)
    : db_(db), file_(file) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
    throw StoreError(file_.string() + ": " + sqlite3_errmsg(db) + " (in: " + sql + ")");
}

Statement& Statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Statement& Statement::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}

Statement& Statement::bind(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int i, const std::optional<double>& v) {
  if (v) return bind(i, *v);
  sqlite3_bind_null(stmt_, i);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw StoreError(file_.string() + ": " + sqlite3_errmsg(db_));
}

void Statement::run() {
  step();
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
}

void Row::next(std::optional<double>& v) {
  const int col = col_++;
  v = s_.isNull(col) ? std::nullopt : std::optional<double>(s_.real(col));
}

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

void Database::open(const std::filesystem::path& file, bool readOnly, bool create, bool immutable) {
  file_ = file;
  std::string name = file.string();
  int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  if (readOnly && immutable) {
    name = sqliteUri(file, "immutable=1");
    flags |= SQLITE_OPEN_URI;
  }
  if (sqlite3_open_v2(name.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    throw StoreError("cannot open " + file.string() + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  // Reading the schema is the cheapest way to find out whether this is a database at all.
  try {
    exec("SELECT count(*) FROM sqlite_master");
  } catch (const StoreError& e) {
    throw StoreError(file.string() + " is not a readable experiment database (" + e.what() + ")");
  }
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError(file_.string() + ": " + msg);
  }
}

std::string placeholders(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += i ? ", ?" : "?";
  return s;
}

}  // namespace mu2net::sqlite
