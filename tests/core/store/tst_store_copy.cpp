// Copying a store between a directory and a PostgreSQL database (ExperimentStore::copy, what
// `mu2net store copy` does): directory → database → directory gives the same rows, ids included;
// a run continued in the copy ends exactly as one continued in the original; a copy that cannot
// be made (a tampered component, a destination that holds a store) leaves the destination as it
// was. Needs the test PostgreSQL server (CTest fixture "postgresql").
#include <QtTest/QtTest>

#include <sqlite3.h>

#include <QTemporaryDir>
#include <filesystem>
#include <fstream>

#include "StoreTestUtil.h"
#include "TestConfigs.h"
#include "TestData.h"
#include "TestPostgres.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using testdata::storeError;
namespace fs = std::filesystem;

namespace {

ExperimentConfig tinyConfig(int taskIterations) {
  ExperimentConfig c = testdata::tinyVitConfig(23, {.batchSize = 32,
                                                    .validations = 1,
                                                    .examples = 128,
                                                    .validationMax = 128,
                                                    .testMax = 128,
                                                    .taskIterations = taskIterations});
  c.tasks = {testdata::idxTask("low", testdata::mnistDir(), {0, 1, 2}),
             testdata::idxTask("high", testdata::mnistDir(), {7, 8, 9})};
  return c;
}

// Continues (or starts) the run in the store at `location` with `c`; the report as JSON.
std::string runIn(const fs::path& location, const ExperimentConfig& c) {
  auto store = ExperimentStore::isStore(location)
                   ? ExperimentStore::open(location, ExperimentStore::Mode::ReadWrite)
                   : ExperimentStore::create(location, c, testdata::testMetadata(c));
  const ExperimentConfig merged = store->hasState() ? mergeResumeConfig(store->config(), c) : c;
  store->replaceConfig(merged);
  Engine engine(merged, nullptr, store.get());
  return runReportToJson(engine.run(), engine.config());
}

// Every row of every table of a directory store's database, as text, in key order.
QStringList sqliteRows(const fs::path& dir) {
  sqlite3* db = nullptr;
  sqlite3_open_v2((dir / "system.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  QStringList rows;
  for (const char* sql :
       {"SELECT * FROM meta ORDER BY key", "SELECT * FROM tasks ORDER BY position",
        "SELECT * FROM components ORDER BY id", "SELECT * FROM paths ORDER BY id",
        "SELECT * FROM children ORDER BY id", "SELECT * FROM generations ORDER BY generation",
        "SELECT * FROM events ORDER BY id", "SELECT * FROM history ORDER BY id",
        "SELECT * FROM state"}) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      QString row = QString::fromUtf8(sql) + ":";
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        // Reals by their bits: "same" means exactly the same.
        if (sqlite3_column_type(s, c) == SQLITE_FLOAT)
          row += QString::number(sqlite3_column_double(s, c), 'g', 17) + "|";
        else
          row += QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(s, c))) + "|";
      }
      rows << row;
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return rows;
}

}  // namespace

class TstStoreCopy : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    MU2NET_REQUIRE_POSTGRESQL();
  }

  void directoryToDatabaseAndBackIsIdentical() {
    QTemporaryDir tmp;
    const fs::path a = fs::path(tmp.path().toStdString()) / "a";
    const fs::path b = fs::path(tmp.path().toStdString()) / "b";
    runIn(a, tinyConfig(1));
    const std::string url = testpg::newDatabase();
    {
      const auto source = ExperimentStore::open(a, ExperimentStore::Mode::ReadOnly);
      ExperimentStore::copy(*source, url);
    }
    {
      const auto database = ExperimentStore::open(url, ExperimentStore::Mode::ReadOnly);
      QVERIFY(database->isRemote());
      QCOMPARE(testpg::query(url, "SELECT count(*) FROM component_data"),
               std::to_string(database->storedHashes().size()));
      for (const auto& [id, hash] : database->storedHashes())
        QCOMPARE(database->componentFileHash(id), hash);
      QCOMPARE(experimentConfigToJson(database->config()),
               experimentConfigToJson(
                   ExperimentStore::open(a, ExperimentStore::Mode::ReadOnly)->config()));
      ExperimentStore::copy(*database, b);
    }
    QCOMPARE(sqliteRows(b), sqliteRows(a));
    for (const auto& [id, hash] :
         ExperimentStore::open(b, ExperimentStore::Mode::ReadOnly)->storedHashes())
      QCOMPARE(hashComponentFile(b / "components" / (std::to_string(id) + ".pt")), hash);

    // The copy is a store like any other: continued, it ends exactly as the original continued.
    const std::string original = runIn(a, tinyConfig(2));
    QCOMPARE(runIn(url, tinyConfig(2)), original);
  }

  void aFailedCopyLeavesTheDestinationAsItWas() {
    QTemporaryDir tmp;
    const fs::path a = fs::path(tmp.path().toStdString()) / "a";
    runIn(a, tinyConfig(1));
    // A destination that holds a store is refused and unchanged.
    const std::string url = testpg::newDatabase();
    {
      const auto source = ExperimentStore::open(a, ExperimentStore::Mode::ReadOnly);
      ExperimentStore::copy(*source, url);
      const std::string children = testpg::query(url, "SELECT count(*) FROM children");
      QVERIFY(storeError([&] { ExperimentStore::copy(*source, url); }).contains("already holds"));
      QCOMPARE(testpg::query(url, "SELECT count(*) FROM children"), children);
    }
    // A component modified after it was written: named, and nothing is left behind.
    const auto hashes = ExperimentStore::open(a, ExperimentStore::Mode::ReadOnly)->storedHashes();
    const fs::path victim = a / "components" / (std::to_string(hashes.back().first) + ".pt");
    {
      std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(100);
      f.put('\x7f');
    }
    const auto source = ExperimentStore::open(a, ExperimentStore::Mode::ReadOnly);
    const std::string empty = testpg::newDatabase();
    QString e = storeError([&] { ExperimentStore::copy(*source, empty); });
    QVERIFY2(e.contains("modified") && e.contains(QString::fromStdString(victim.string())),
             qPrintable(e));
    QVERIFY(!ExperimentStore::isStore(empty));
    QCOMPARE(testpg::query(empty,
                           "SELECT count(*) FROM information_schema.tables WHERE "
                           "table_schema = 'public'"),
             std::string("0"));
    const fs::path newDir = fs::path(tmp.path().toStdString()) / "new";
    e = storeError([&] { ExperimentStore::copy(*source, newDir); });
    QVERIFY2(e.contains("modified"), qPrintable(e));
    QVERIFY(!fs::exists(newDir));
  }
};

QTEST_GUILESS_MAIN(TstStoreCopy)
#include "tst_store_copy.moc"
