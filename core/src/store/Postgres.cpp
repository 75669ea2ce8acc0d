// The PostgreSQL connection of store/Sql.h (libpq): a store held by a database server. Values
// travel as text (doubles in their shortest exact form, both ways), blobs as binary parameters.
#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <system_error>

#include "store/Sql.h"

namespace mu2net::sql {
namespace {

// A URL fit for messages: "postgresql://user:secret@host/db" loses ":secret", and a
// "password=" parameter its value.
std::string withoutPassword(const std::string& url) {
  std::string out = url;
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto at = out.find('@', start);
    const auto slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const auto colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const auto end = out.find('&', p);
    out.replace(p + 9, (end == std::string::npos ? out.size() : end) - (p + 9), "***");
  }
  return out;
}

// '?' placeholders (outside quoted literals) as PostgreSQL's $1, $2, …
std::string numberedPlaceholders(const std::string& sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (const char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted)
      out += "$" + std::to_string(++n);
    else
      out += c;
  }
  return out;
}

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
}

std::string resultError(PGconn* conn, PGresult* res) {
  std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
    msg.pop_back();
  return msg.empty() ? "unknown error" : msg;
}

class PostgresStatement : public StatementImpl {
 public:
  PostgresStatement(PGconn* conn, const std::string& sql, const std::string& name)
      : conn_(conn), sql_(numberedPlaceholders(sql)), name_(name) {}
  ~PostgresStatement() override { clear(); }

  void bindInteger(int i, int64_t v) override { set(i, std::to_string(v), false); }
  void bindReal(int i, double v) override {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    set(i, std::string(buf, r.ptr), false);
  }
  void bindText(int i, const std::string& v) override { set(i, v, false); }
  void bindBlob(int i, const std::vector<char>& v) override {
    set(i, std::string(v.begin(), v.end()), true);
  }
  void bindNull(int i) override {
    grow(i);
    params_[static_cast<std::size_t>(i - 1)].reset();
  }
  bool step() override {
    if (!res_) execute();
    return ++row_ < PQntuples(res_);
  }
  void reset() override {
    clear();
    params_.clear();
    binary_.clear();
  }
  int64_t integer(int col) const override { return std::strtoll(cell(col), nullptr, 10); }
  double real(int col) const override {
    const char* v = cell(col);
    double d = 0;
    // from_chars reads the shortest exact form PostgreSQL writes; strtod its "NaN"/"Infinity".
    const char* end = v + std::char_traits<char>::length(v);
    if (std::from_chars(v, end, d).ec != std::errc()) d = std::strtod(v, nullptr);
    return d;
  }
  bool isNull(int col) const override { return PQgetisnull(res_, row_, col) != 0; }
  std::string text(int col) const override {
    return std::string(cell(col), static_cast<std::size_t>(PQgetlength(res_, row_, col)));
  }
  std::vector<char> blob(int col) const override {
    std::size_t n = 0;
    unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(cell(col)), &n);
    if (!bytes) throw StoreError(name_ + ": out of memory reading a blob");
    std::vector<char> out(reinterpret_cast<char*>(bytes), reinterpret_cast<char*>(bytes) + n);
    PQfreemem(bytes);
    return out;
  }
  int columnCount() const override { return PQnfields(res_); }
  std::string columnName(int col) const override { return PQfname(res_, col); }
  Value value(int col) const override {
    if (isNull(col)) return std::monostate{};
    switch (PQftype(res_, col)) {  // type OIDs of pg_type.h
      case 20:                     // int8
      case 21:                     // int2
      case 23:                     // int4
        return integer(col);
      case 700:  // float4
      case 701:  // float8
        return real(col);
      case 17:  // bytea
        return blob(col);
      default:
        return text(col);
    }
  }

 private:
  void grow(int i) {
    if (params_.size() < static_cast<std::size_t>(i)) {
      params_.resize(static_cast<std::size_t>(i));
      binary_.resize(static_cast<std::size_t>(i), 0);
    }
  }
  void set(int i, std::string v, bool binary) {
    grow(i);
    params_[static_cast<std::size_t>(i - 1)] = std::move(v);
    binary_[static_cast<std::size_t>(i - 1)] = binary ? 1 : 0;
  }
  const char* cell(int col) const { return PQgetvalue(res_, row_, col); }
  void clear() {
    if (res_) PQclear(res_);
    res_ = nullptr;
    row_ = -1;
  }
  void execute() {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& p : params_) {
      values.push_back(p ? p->data() : nullptr);
      lengths.push_back(p ? static_cast<int>(p->size()) : 0);
    }
    res_ = PQexecParams(conn_, sql_.c_str(), static_cast<int>(params_.size()), nullptr,
                        values.data(), lengths.data(), binary_.data(), 0);
    const auto status = res_ ? PQresultStatus(res_) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const std::string msg = resultError(conn_, res_);
      clear();
      throw StoreError(name_ + ": " + msg + " (in: " + sql_ + ")");
    }
    row_ = -1;
  }

  PGconn* conn_;
  std::string sql_;
  std::string name_;
  std::vector<std::optional<std::string>> params_;
  std::vector<int> binary_;
  PGresult* res_ = nullptr;
  int row_ = -1;
};

void ignoreNotice(void*, const char*) {}

class PostgresDatabase : public Database {
 public:
  ~PostgresDatabase() override {
    if (conn_) PQfinish(conn_);
  }

  void connect(const std::string& url) {
    name_ = withoutPassword(url);
    // A server that does not answer is an error after 10 s, not a wait without end (libpq's
    // default); the URL's connect_timeout or PGCONNECT_TIMEOUT, when given, say otherwise.
    const char* timeout = std::getenv("PGCONNECT_TIMEOUT") ? "" : "10";
    const char* keywords[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {timeout, url.c_str(), nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_) throw StoreError("cannot connect to " + name_ + ": out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
      // libpq may quote the URL (a malformed one): never with its password.
      std::string why = resultError(conn_, nullptr);
      replaceAll(why, url, name_);
      throw StoreError("cannot connect to " + name_ + ": " + why);
    }
    PQsetNoticeProcessor(conn_, ignoreNotice, nullptr);
    // Doubles as text in their shortest exact form; text in UTF-8.
    exec("SET extra_float_digits = 3; SET client_encoding = 'UTF8'");
  }

  const std::string& name() const override { return name_; }
  void exec(const std::string& sql) override {
    PGresult* res = PQexec(conn_, sql.c_str());
    const auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    const std::string msg = ok ? std::string() : resultError(conn_, res);
    if (res) PQclear(res);
    if (!ok) throw StoreError(name_ + ": " + msg);
  }
  Statement prepare(const std::string& sql) const override {
    return Statement(std::make_unique<PostgresStatement>(conn_, sql, name_));
  }
  void createTables(const std::string& sql) override {
    std::string s = sql;
    replaceAll(s, "INTEGER PRIMARY KEY AUTOINCREMENT",
               "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    replaceAll(s, "INTEGER", "BIGINT");
    replaceAll(s, "REAL", "DOUBLE PRECISION");
    replaceAll(s, "BLOB", "BYTEA");
    exec(s);
  }
  void beginWrite() override { exec("BEGIN"); }
  void beginRead() override { exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  void rollback() noexcept override {
    PGresult* res = PQexec(conn_, "ROLLBACK");
    if (res) PQclear(res);
  }
  bool hasTable(const std::string& table) const override {
    Statement s = prepare(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name = ?");
    s.bind(1, table);
    return s.step() && s.integer(0) > 0;
  }
  void continueIdsAfterMax(const std::string& table) override {
    exec("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), coalesce(max(id), 0) + 1, " +
         "false) FROM " + table);
  }

 private:
  PGconn* conn_ = nullptr;
  std::string name_;
};

}  // namespace

std::unique_ptr<Database> connectPostgres(const std::string& url) {
  auto db = std::make_unique<PostgresDatabase>();
  db->connect(url);
  return db;
}

}  // namespace mu2net::sql
