// Task construction: class subsets, relabelling, the seeded validation hold-out, the cache.
#include <QtTest/QtTest>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "TestData.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/TaskData.h"

using mu2net::DataError;
using mu2net::DatasetFormat;
using mu2net::DatasetSource;
using mu2net::ImageSet;
using mu2net::TaskSpec;

namespace {

// An in-memory set of 1×2 grey images whose two pixels encode a unique sample id (id % 256,
// id / 256), so that a test can tell exactly which source samples ended up where.
ImageSet makeSet(int classes, int perClass, int firstId) {
  ImageSet set;
  set.count = classes * perClass;
  set.height = 1;
  set.width = 2;
  set.channels = 1;
  for (int c = 0; c < classes; ++c) {
    for (int k = 0; k < perClass; ++k) {
      const int id = firstId + c * perClass + k;
      set.pixels.push_back(static_cast<std::uint8_t>(id % 256));
      set.pixels.push_back(static_cast<std::uint8_t>(id / 256));
      set.labels.push_back(c);
    }
  }
  return set;
}

int idOf(const ImageSet& set, std::int64_t i) {
  return set.pixel(i, 0, 0) + 256 * set.pixel(i, 0, 1);
}

std::vector<int> ids(const ImageSet& set) {
  std::vector<int> out;
  for (std::int64_t i = 0; i < set.count; ++i)
    out.push_back(idOf(set, i));
  return out;
}

// 10 classes, 50 train / 10 test per class; ids: train 0..499, test 1000..1099.
DatasetSource makeSource(bool withNames = true) {
  DatasetSource source;
  source.train = makeSet(10, 50, 0);
  source.test = makeSet(10, 10, 1000);
  source.numClasses = 10;
  if (withNames)
    source.classNames = {"zero", "one", "two",   "three", "four",
                         "five", "six", "seven", "eight", "nine"};
  return source;
}

TaskSpec spec(const std::string& name, std::vector<int> classes = {}) {
  TaskSpec s;
  s.name = name;
  s.path = "/in-memory";
  s.classes = std::move(classes);
  return s;
}

bool throwsDataError(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const DataError& e) {
    const std::string what = e.what();
    for (const auto& part : parts)
      if (what.find(part) == std::string::npos) {
        qWarning("DataError message '%s' lacks '%s'", what.c_str(), part.c_str());
        return false;
      }
    return true;
  } catch (...) {
    qWarning("unexpected exception type");
    return false;
  }
  qWarning("no exception thrown");
  return false;
}

}  // namespace

class TstTaskData : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void heldOutValidationIsDisjointAndComplete() {
    const auto task = mu2net::makeTask(spec("digits"), makeSource(), 42);
    QCOMPARE(task.numClasses, 10);
    QCOMPARE(task.validation.count, 50);  // 10% of 500
    QCOMPARE(task.train.count, 450);
    QVERIFY(task.train.valid() && task.validation.valid());
    std::vector<int> all = ids(task.train);
    const auto validation = ids(task.validation);
    all.insert(all.end(), validation.begin(), validation.end());
    std::sort(all.begin(), all.end());
    QVERIFY(std::adjacent_find(all.begin(), all.end()) == all.end());  // no overlap
    QCOMPARE(all.size(), std::size_t{500});
    QCOMPARE(all.front(), 0);
    QCOMPARE(all.back(), 499);
    // Labels travel with their samples (id / 50 is the source class).
    for (std::int64_t i = 0; i < task.validation.count; ++i)
      QCOMPARE(task.validation.labels[std::size_t(i)], idOf(task.validation, i) / 50);
    // Test is untouched.
    QCOMPARE(ids(task.test), ids(makeSource().test));
    // A random hold-out, not the first or last 50 samples.
    QVERIFY(validation.front() < 450 && validation.back() >= 50);
  }

  void sameSeedSameSplitOtherSeedOtherSplit() {
    const auto source = makeSource();
    const auto a = mu2net::makeTask(spec("digits"), source, 7);
    const auto b = mu2net::makeTask(spec("digits"), source, 7);
    const auto c = mu2net::makeTask(spec("digits"), source, 8);
    const auto d = mu2net::makeTask(spec("letters"), source, 7);
    QCOMPARE(ids(a.validation), ids(b.validation));
    QCOMPARE(ids(a.train), ids(b.train));
    QVERIFY(ids(a.validation) != ids(c.validation));
    QVERIFY(ids(a.validation) != ids(d.validation));  // the task name keys the stream
  }

  void validationFractionRespectedAndChecked() {
    auto s = spec("digits");
    s.validationFraction = 0.25;
    QCOMPARE(mu2net::makeTask(s, makeSource(), 1).validation.count, 125);
    s.validationFraction = 0.02;  // 10 of 500: one per class is the least that can measure it
    QCOMPARE(mu2net::makeTask(s, makeSource(), 1).validation.count, 10);
    // A fraction that holds out (almost) nothing is refused, not rounded up to one example that
    // every child would score 0 on (and so "improve" on its parent).
    for (double tiny : {1e-9, 0.0001, 0.017}) {
      s.validationFraction = tiny;
      QVERIFY(
          throwsDataError([&] { mu2net::makeTask(s, makeSource(), 1); },
                          {"digits", "validation_fraction", "fewer than the task's 10 classes"}));
    }
    for (double bad : {0.0, 1.0, -0.1, 1.5}) {
      s.validationFraction = bad;
      QVERIFY(throwsDataError([&] { mu2net::makeTask(s, makeSource(), 1); },
                              {"digits", "validationFraction"}));
    }
  }

  void sourceValidationIsUsed() {
    auto source = makeSource();
    source.validation = makeSet(10, 3, 2000);
    const auto task = mu2net::makeTask(spec("digits"), source, 1);
    QCOMPARE(task.train.count, 500);
    QCOMPARE(ids(task.validation), ids(*source.validation));
  }

  void classSubsetRelabelsInGivenOrder() {
    auto source = makeSource();
    source.validation = makeSet(10, 3, 2000);
    const auto task = mu2net::makeTask(spec("pair", {7, 2}), source, 1);
    QCOMPARE(task.numClasses, 2);
    QCOMPARE(task.classNames, (std::vector<std::string>{"seven", "two"}));
    QCOMPARE(task.train.count, 100);
    QCOMPARE(task.test.count, 20);
    QCOMPARE(task.validation.count, 6);
    for (const ImageSet* set : {&task.train, &task.test}) {
      const int base = set == &task.test ? 1000 : 0;
      const int perClass = set == &task.test ? 10 : 50;
      for (std::int64_t i = 0; i < set->count; ++i) {
        const int sourceClass = (idOf(*set, i) - base) / perClass;
        QVERIFY(sourceClass == 7 || sourceClass == 2);
        QCOMPARE(set->labels[std::size_t(i)], sourceClass == 7 ? 0 : 1);
      }
    }
    // Without names in the source, names are the source class indices.
    const auto unnamed = mu2net::makeTask(spec("pair", {7, 2}), makeSource(false), 1);
    QCOMPARE(unnamed.classNames, (std::vector<std::string>{"7", "2"}));
    const auto all = mu2net::makeTask(spec("all"), makeSource(false), 1);
    QCOMPARE(all.classNames.size(), std::size_t{10});
    QCOMPARE(all.classNames[3], std::string("3"));
  }

  void badClassSubsetsRefused() {
    QVERIFY(throwsDataError(
        [] {
          mu2net::makeTask(spec("odd", {3, 10}), makeSource(), 1);
        },
        {"task 'odd'", "class 10", "does not exist"}));
    QVERIFY(throwsDataError([] { mu2net::makeTask(spec("neg", {-1}), makeSource(), 1); },
                            {"task 'neg'", "class -1"}));
    QVERIFY(throwsDataError(
        [] {
          mu2net::makeTask(spec("dup", {4, 1, 4}), makeSource(), 1);
        },
        {"task 'dup'", "class 4", "twice"}));
  }

  void loadTaskFromDiskWithCache() {
    const auto dir = mu2net::testdata::banglaIdxDir();
    MU2NET_REQUIRE_DIR(dir);
    TaskSpec a;
    a.name = "bangla-01";
    a.format = DatasetFormat::Idx;
    a.path = dir;
    a.classes = {0, 1};
    TaskSpec b = a;
    b.name = "bangla-89";
    b.classes = {8, 9};
    mu2net::DatasetCache cache;
    const auto taskA = mu2net::loadTask(a, 3, cache);
    const auto taskB = mu2net::loadTask(b, 3, cache);
    QCOMPARE(cache.readCount(), 1);
    QCOMPARE(taskA.train.count + taskA.validation.count, 1000);  // 500 per class
    QCOMPARE(taskA.validation.count, 100);
    QCOMPARE(taskA.test.count, 200);
    QCOMPARE(taskB.numClasses, 2);
    QCOMPARE(taskB.test.labelRange(), std::make_pair(0, 1));
    // The uncached path gives the same task.
    const auto again = mu2net::loadTask(a, 3);
    QVERIFY(again.train.pixels == taskA.train.pixels);
    QVERIFY(again.validation.labels == taskA.validation.labels);

    TaskSpec missing = a;
    missing.name = "bangla-bad";
    missing.classes = {0, 12};
    QVERIFY(throwsDataError([&] { mu2net::loadTask(missing, 3, cache); },
                            {"bangla-bad", "class 12", dir.string()}));
  }
};

QTEST_GUILESS_MAIN(TstTaskData)
#include "tst_task_data.moc"
