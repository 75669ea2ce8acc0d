#pragma once
// The throwaway PostgreSQL server of the tests (tests/postgres/test-server.sh, started by the
// CTest fixture "postgresql"): its URL, a new empty database per store, and plain SQL for tests
// that tamper with a store. A test that needs the server fails, never skips, without it.
#include <libpq-fe.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace testpg {

/// The server's URL (its "postgres" database), read from MU2NET_TEST_POSTGRESQL_STATE/url; empty
/// when the fixture did not start one.
inline std::string serverUrl() {
  const char* state = std::getenv("MU2NET_TEST_POSTGRESQL_STATE");
  if (!state) return {};
  std::ifstream in(std::string(state) + "/url");
  std::string url;
  std::getline(in, url);
  return url;
}

/// Runs SQL on the database at `url`; throws std::runtime_error with the server's message.
inline void exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error(url + ": " + error);
}

/// The first value of a query's first row ("" when none).
inline std::string query(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string value;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) value = PQgetvalue(res, 0, 0);
    PQclear(res);
  }
  PQfinish(conn);
  return value;
}

/// A new, empty database on the server; returns its URL.
inline std::string newDatabase() {
  static std::atomic<int> counter{0};
  const std::string server = serverUrl();
  if (server.empty()) throw std::runtime_error("no test PostgreSQL server");
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                           "_" + std::to_string(std::rand() % 100000);
  exec(server, "CREATE DATABASE " + name);
  const auto slash = server.find("/postgres?");
  return server.substr(0, slash) + "/" + name + server.substr(slash + 9);
}

}  // namespace testpg

/// Fails the test when the fixture's server is not running.
#define MU2NET_REQUIRE_POSTGRESQL()                                                         \
  do {                                                                                      \
    if (testpg::serverUrl().empty())                                                        \
      QFAIL(                                                                                \
          "no test PostgreSQL server: run the test through ctest (fixture 'postgresql', "   \
          "tests/postgres/test-server.sh) or set MU2NET_TEST_POSTGRESQL_STATE to a folder " \
          "holding its url");                                                               \
  } while (0)
