// The experiment store: round trip of a real run, exact resume after a stop, read-only access,
// orphan cleanup at the end of a run, resume-configuration rules, and bad stores refused without
// damage. One suite for both kinds of store: CTest runs it on directories (tst_experiment_store)
// and on databases of the test PostgreSQL server (tst_experiment_store_postgresql, with
// MU2NET_TEST_STORE_BACKEND=postgresql).
#include <QtTest/QtTest>

#include <sqlite3.h>

#include <QTemporaryDir>
#include <atomic>
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

// The suite's kind of store.
bool remote() {
  const char* backend = std::getenv("MU2NET_TEST_STORE_BACKEND");
  return backend && std::string(backend) == "postgresql";
}

// A new store's location: a folder `name` in `tmp`, or a new database.
fs::path newStore(const QTemporaryDir& tmp, const char* name) {
  if (remote()) return testpg::newDatabase();
  return fs::path(tmp.path().toStdString()) / name;
}

ExperimentConfig tinyConfig() {
  ExperimentConfig c = testdata::tinyVitConfig(21, {.batchSize = 32,
                                                    .validations = 2,
                                                    .examples = 128,
                                                    .validationMax = 128,
                                                    .testMax = 200,
                                                    .taskIterations = 2});
  c.tasks = {testdata::idxTask("low", testdata::mnistDir(), {0, 1, 2}),
             testdata::idxTask("high", testdata::mnistDir(), {7, 8, 9})};
  return c;
}

std::string runInStore(const fs::path& dir, const ExperimentConfig& c) {
  auto store = ExperimentStore::create(dir, c, testdata::testMetadata(c));
  Engine engine(c, nullptr, store.get());
  return runReportToJson(engine.run(), engine.config());
}

std::vector<char> fileBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class StopAfter : public EventSink {
 public:
  explicit StopAfter(int children) : left_(children) {}
  Engine* engine = nullptr;
  void handle(const Event& e) override {
    if (std::holds_alternative<ChildStartedEvent>(e) && --left_ < 0) engine->stop();
  }

 private:
  int left_;
};

}  // namespace

class TstExperimentStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    if (remote()) MU2NET_REQUIRE_POSTGRESQL();
  }

  void runRoundTrips() {
    QTemporaryDir tmp;
    const fs::path dir = newStore(tmp, "run");
    const ExperimentConfig c = tinyConfig();
    runInStore(dir, c);
    if (remote()) {
      QVERIFY(testpg::query(dir.string(), "SELECT count(*) FROM component_data") != "0");
    } else {
      QVERIFY(fs::is_regular_file(dir / "experiment.json"));
      QVERIFY(fs::is_regular_file(dir / "system.sqlite"));
    }

    const auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);
    QVERIFY(store->hasState());
    QCOMPARE(store->config().seed, c.seed);
    QCOMPARE(store->metadata().configHash, configHash(c));
    const StoreState st = store->load();
    QVERIFY(st.progress.finished);
    QCOMPARE(st.progress.generationCounter, int64_t{4});
    QCOMPARE(st.tasks.size(), std::size_t{2});
    for (const auto& t : st.tasks) {
      QCOMPARE(t.iterationsDone, 2);
      QCOMPARE(t.childrenTried, int64_t{4});
      QCOMPARE(t.numClasses, 3);
    }
    // Every live component has its file and its hash; every retained path has a test score.
    const auto hashes = store->storedHashes();
    QCOMPARE(hashes.size(), st.system.components.size());
    for (const auto& [id, hash] : hashes) {
      if (!remote()) {
        QVERIFY(fs::is_regular_file(store->componentFile(id)));
        QCOMPARE(hashComponentFile(store->componentFile(id)), hash);
      }
      QCOMPARE(store->componentFileHash(id), hash);
      QVERIFY(st.system.components.at(id).tensors != nullptr);
    }
    const System system(st.system);
    for (const auto& name : {"low", "high"}) {
      const int64_t id = system.retainedPath(name);
      QVERIFY(id >= 0);
      QVERIFY(system.path(id).metrics.testQuality.has_value());
    }
    QCOMPARE(store->children().size(), std::size_t{8});
    const auto gens = store->generations();
    QCOMPARE(gens.size(), std::size_t{4});
    QCOMPARE(gens[0].task, std::string("low"));
    QVERIFY(gens[0].rng.s != RngState{}.s);
    int tests = 0;
    for (const auto& e : store->events())
      tests += e.kind == "test_evaluated";
    QCOMPARE(tests, 4);  // each task's retained path changes in each of its 2 iterations
    // Nothing in a read-only store can be written.
    const QString e =
        storeError([&] { store->commit(st.system, st.progress, {}, {}, {}, nullptr); });
    QVERIFY(e.contains("read-only"));
  }

  // A stopped run continued from its store ends exactly as an uninterrupted one.
  void stopAndResumeIsExact() {
    QTemporaryDir tmp;
    const ExperimentConfig c = tinyConfig();
    const fs::path a = newStore(tmp, "a");
    const std::string reference = runInStore(a, c);
    for (int stopAt : {1, 4}) {
      const fs::path b = newStore(tmp, stopAt == 1 ? "b1" : "b4");
      {
        auto store = ExperimentStore::create(b, c, testdata::testMetadata(c));
        StopAfter sink(stopAt);
        Engine engine(c, &sink, store.get());
        sink.engine = &engine;
        QVERIFY(engine.run().stopped);
      }
      auto store = ExperimentStore::open(b, ExperimentStore::Mode::ReadWrite);
      Engine engine(mergeResumeConfig(store->config(), c), nullptr, store.get());
      const std::string resumed = runReportToJson(engine.run(), engine.config());
      QCOMPARE(resumed, reference);
      const auto ra = ExperimentStore::open(a, ExperimentStore::Mode::ReadOnly)->storedHashes();
      QCOMPARE(store->storedHashes(), ra);
    }
  }

  // Files no row references (left by a crash, or components of children that were not kept)
  // are removed when a run ends, never by opening the store.
  void orphansAreRemovedWhenARunEnds() {
    QTemporaryDir tmp;
    const fs::path dir = newStore(tmp, "run");
    ExperimentConfig c = tinyConfig();
    c.evolution.taskIterations = 1;
    runInStore(dir, c);
    // Bytes no row refers to: a crash's leftovers (a directory's files; a database's rows).
    const fs::path orphan = dir / "components" / "9999.pt";
    const fs::path partial = dir / "components" / "3.pt.tmp";
    const std::string orphanRows = "SELECT count(*) FROM component_data WHERE id = 9999";
    if (remote()) {
      testpg::exec(dir.string(), "INSERT INTO component_data(id, bytes) VALUES (9999, 'x')");
    } else {
      std::ofstream(orphan) << "x";
      std::ofstream(partial) << "y";
    }
    ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);
    ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite);
    if (remote())
      QCOMPARE(testpg::query(dir.string(), orphanRows), std::string("1"));
    else
      QVERIFY(fs::exists(orphan) && fs::exists(partial));
    c.evolution.taskIterations = 2;
    {
      auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite);
      Engine engine(mergeResumeConfig(store->config(), c), nullptr, store.get());
      engine.run();
    }
    if (remote())
      QCOMPARE(testpg::query(dir.string(), orphanRows), std::string("0"));
    else
      QVERIFY(!fs::exists(orphan) && !fs::exists(partial));
    const auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);
    for (const auto& [id, hash] : store->storedHashes())
      QCOMPARE(store->componentFileHash(id), hash);
  }

  void oneWriterAtATime() {
    QTemporaryDir tmp;
    const fs::path dir = newStore(tmp, "run");
    const ExperimentConfig c = tinyConfig();
    auto writer = ExperimentStore::create(dir, c, testdata::testMetadata(c));
    QVERIFY(ExperimentStore::isBeingWritten(dir));
    const QString e =
        storeError([&] { ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite); });
    QVERIFY2(e.contains("being written by another process"), qPrintable(e));
    ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly);  // watching is allowed
    writer.reset();
    QVERIFY(!ExperimentStore::isBeingWritten(dir));
    ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite);
  }

  void resumeConfigurationRules() {
    const ExperimentConfig stored = tinyConfig();
    ExperimentConfig other = stored;
    other.seed = 5;
    QVERIFY_THROWS_EXCEPTION(ConfigError, mergeResumeConfig(stored, other));
    try {
      mergeResumeConfig(stored, other);
    } catch (const ConfigError& e) {
      QVERIFY(std::string(e.what()).find("'seed'") != std::string::npos);
    }
    other = stored;
    other.root.architecture.kind = ArchitectureKind::Cnn;
    try {
      mergeResumeConfig(stored, other);
      QFAIL("another root architecture was accepted");
    } catch (const ConfigError& e) {
      QVERIFY(std::string(e.what()).find("'root'") != std::string::npos);
    }
    other = stored;
    other.tasks[1].classes = {6, 7};
    try {
      mergeResumeConfig(stored, other);
      QFAIL("a redefined task was accepted");
    } catch (const ConfigError& e) {
      QVERIFY(std::string(e.what()).find("'high'") != std::string::npos);
    }
    // The same folder written another way (as a configuration kept elsewhere would) is the same.
    other = stored;
    other.tasks[0].path = stored.tasks[0].path / "sub" / ".." / ".";
    QCOMPARE(mergeResumeConfig(stored, other).tasks.size(), stored.tasks.size());
    other = stored;
    other.evolution.taskIterations = 5;
    TaskSpec extra = stored.tasks[0];
    extra.name = "middle";
    extra.classes = {3, 4, 5};
    other.tasks.push_back(extra);
    const ExperimentConfig merged = mergeResumeConfig(stored, other);
    QCOMPARE(merged.evolution.taskIterations, 5);
    QCOMPARE(merged.tasks.size(), std::size_t{3});
    QCOMPARE(merged.tasks[2].name, std::string("middle"));
  }

  // A task introduced on resume joins the system and bootstraps from the others' models.
  void resumeIntroducesNewTasks() {
    QTemporaryDir tmp;
    const fs::path dir = newStore(tmp, "run");
    ExperimentConfig c = tinyConfig();
    c.evolution.taskIterations = 1;
    runInStore(dir, c);
    TaskSpec extra = c.tasks[0];
    extra.name = "middle";
    extra.classes = {3, 4, 5};
    c.tasks.push_back(extra);
    auto store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite);
    const ExperimentConfig merged = mergeResumeConfig(store->config(), c);
    store->replaceConfig(merged);
    Engine engine(merged, nullptr, store.get());
    const RunReport r = engine.run();
    QCOMPARE(r.tasks.size(), std::size_t{3});
    QCOMPARE(r.tasks[2].name, std::string("middle"));
    QCOMPARE(r.tasks[2].childrenTried, int64_t{2});
    QCOMPARE(r.tasks[0].childrenTried, int64_t{2});  // the finished tasks did not run again
    QCOMPARE(store->config().tasks.size(), std::size_t{3});
  }

  void badStoresAreRefusedWithoutDamage() {
    if (remote()) return badDatabaseStoresAreRefusedWithoutDamage();
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    QVERIFY(storeError([&] {
              ExperimentStore::open(root / "missing", ExperimentStore::Mode::ReadOnly);
            }).contains("is not a directory"));
    fs::create_directories(root / "plain");
    QVERIFY(storeError([&] {
              ExperimentStore::open(root / "plain", ExperimentStore::Mode::ReadWrite);
            }).contains("is not an experiment store"));

    const fs::path dir = root / "run";
    ExperimentConfig c = tinyConfig();
    c.evolution.taskIterations = 1;
    runInStore(dir, c);
    QVERIFY(storeError([&] {
              ExperimentStore::create(dir, c, testdata::testMetadata(c));
            }).contains("already"));

    // A missing and a truncated component file are named; nothing is deleted or rewritten.
    const auto hashes = ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly)->storedHashes();
    const fs::path victim = dir / "components" / (std::to_string(hashes.back().first) + ".pt");
    const std::vector<char> original = fileBytes(victim);
    {
      std::ofstream out(victim, std::ios::binary | std::ios::trunc);
      out.write(original.data(), static_cast<std::streamsize>(original.size() / 2));
    }
    const std::vector<char> truncated = fileBytes(victim);
    QString e =
        storeError([&] { ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite)->load(); });
    QVERIFY2(e.contains(QString::fromStdString(victim.string())), qPrintable(e));
    QCOMPARE(fileBytes(victim), truncated);
    fs::remove(victim);
    e = storeError([&] { ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite)->load(); });
    QVERIFY2(e.contains("missing") && e.contains(QString::fromStdString(victim.string())),
             qPrintable(e));
    QCOMPARE(ExperimentStore::open(dir, ExperimentStore::Mode::ReadOnly)->storedHashes(), hashes);

    // A newer schema version is refused, naming it.
    const fs::path db = dir / "system.sqlite";
    sqlite3* handle = nullptr;
    QCOMPARE(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
    QCOMPARE(sqlite3_exec(handle, "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(handle);
    e = storeError([&] { ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite); });
    QVERIFY2(e.contains("newer version") && e.contains("99"), qPrintable(e));

    // A corrupt database is refused and left as it was.
    const fs::path corrupt = root / "corrupt";
    fs::create_directories(corrupt);
    std::ofstream(corrupt / "experiment.json") << "{}";
    std::ofstream(corrupt / "system.sqlite") << std::string(4096, 'z');
    const std::vector<char> before = fileBytes(corrupt / "system.sqlite");
    e = storeError([&] { ExperimentStore::open(corrupt, ExperimentStore::Mode::ReadWrite); });
    QVERIFY2(e.contains("not a readable experiment database"), qPrintable(e));
    QCOMPARE(fileBytes(corrupt / "system.sqlite"), before);
  }

 private:
  // The database store's side of badStoresAreRefusedWithoutDamage.
  void badDatabaseStoresAreRefusedWithoutDamage() {
    const std::string empty = testpg::newDatabase();
    QVERIFY(!ExperimentStore::isStore(empty));
    QVERIFY(storeError([&] {
              ExperimentStore::open(empty, ExperimentStore::Mode::ReadOnly);
            }).contains("is not an experiment store"));
    const std::string server = testpg::serverUrl();
    const std::string missing = server.substr(0, server.find("/postgres?")) + "/no_such_db" +
                                server.substr(server.find("/postgres?") + 9);
    QVERIFY2(storeError([&] {
               ExperimentStore::open(missing, ExperimentStore::Mode::ReadOnly);
             }).contains("cannot connect"),
             qPrintable(storeError(
                 [&] { ExperimentStore::open(missing, ExperimentStore::Mode::ReadOnly); })));
    // A password never appears in a message.
    const std::string withPassword = "postgresql://mu2net:s3cret@" + missing.substr(20);
    QVERIFY(!storeError([&] {
               ExperimentStore::open(withPassword, ExperimentStore::Mode::ReadOnly);
             }).contains("s3cret"));

    const std::string url = testpg::newDatabase();
    ExperimentConfig c = tinyConfig();
    c.evolution.taskIterations = 1;
    runInStore(url, c);
    QVERIFY(storeError([&] {
              ExperimentStore::create(url, c, testdata::testMetadata(c));
            }).contains("already"));

    // Truncated and missing component bytes are named; nothing is deleted or rewritten.
    const auto hashes = ExperimentStore::open(url, ExperimentStore::Mode::ReadOnly)->storedHashes();
    const std::string id = std::to_string(hashes.back().first);
    testpg::exec(url,
                 "UPDATE component_data SET bytes = substring(bytes from 1 for "
                 "length(bytes) / 2) WHERE id = " +
                     id);
    const std::string truncated =
        testpg::query(url, "SELECT md5(bytes) FROM component_data WHERE id = " + id);
    QString e =
        storeError([&] { ExperimentStore::open(url, ExperimentStore::Mode::ReadWrite)->load(); });
    QVERIFY2(e.contains(QString::fromStdString("component_data row " + id)), qPrintable(e));
    QCOMPARE(testpg::query(url, "SELECT md5(bytes) FROM component_data WHERE id = " + id),
             truncated);
    testpg::exec(url, "DELETE FROM component_data WHERE id = " + id);
    e = storeError([&] { ExperimentStore::open(url, ExperimentStore::Mode::ReadWrite)->load(); });
    QVERIFY2(e.contains("missing") && e.contains(QString::fromStdString("row " + id)),
             qPrintable(e));
    QCOMPARE(ExperimentStore::open(url, ExperimentStore::Mode::ReadOnly)->storedHashes(), hashes);

    // A newer schema version is refused, naming it.
    testpg::exec(url, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    e = storeError([&] { ExperimentStore::open(url, ExperimentStore::Mode::ReadWrite); });
    QVERIFY2(e.contains("newer version") && e.contains("99"), qPrintable(e));
  }
};

QTEST_GUILESS_MAIN(TstExperimentStore)
#include "tst_experiment_store.moc"
