// Which mutations helped (issue 15): the Mutations dock on a tiny real run and its reopened
// store. During the run it follows the children as they finish; on the store its counts add up to
// the store's children and their improved flags (every child, per hyperparameter mutated, per
// layer origin, per task); the bar plot has a bar per row; the scatter has one point per child
// holding the chosen hyperparameter, booleans and categoricals on an axis named by their values, as
// are a number's few distinct values.
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <map>
#include <set>

#include "CompareFixture.h"
#include "MutationPanel.h"
#include "mu2net/evolution/SearchSpace.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

const MutationStat* row(const std::vector<MutationStat>& rows, const std::string& label) {
  for (const auto& r : rows)
    if (r.label == label) return &r;
  return nullptr;
}

}  // namespace

class TstMutationStatsView : public QObject {
  Q_OBJECT
  QTemporaryDir runs_, settings_;
  QString store_;
  std::vector<ChildFinishedEvent> stored_;  // the store's children table
  std::unique_ptr<MainWindow> window_;
  MutationPanel* panel_ = nullptr;

  // The counts the panel must show for `task` (empty: all), straight from the store's rows.
  void compareWithTheStore(const std::string& task) {
    panel_->setTask(QString::fromStdString(task));
    const auto& stats = panel_->stats();
    int64_t children = 0, improved = 0, unmutated = 0, sharing = 0;
    std::map<std::string, std::pair<int64_t, int64_t>> byHParam;
    std::map<std::string, int64_t> bySlot;
    for (const auto& c : stored_) {
      if (!task.empty() && c.task != task) continue;
      ++children;
      improved += c.improved;
      unmutated += c.mutations.empty();
      std::set<std::string> names;
      for (const auto& m : c.mutations)
        names.insert(m.name);
      for (const auto& n : names) {
        ++byHParam[n].first;
        byHParam[n].second += c.improved;
      }
      bool shares = false;
      for (const auto& s : c.slots) {
        ++bySlot[s.slot];
        shares = shares || s.kind == SlotOrigin::Kind::Shared;
      }
      sharing += shares;
    }
    QVERIFY(children > 0);
    QCOMPARE(row(stats, "all children")->children, children);
    QCOMPARE(row(stats, "all children")->improved, improved);
    if (unmutated > 0) QCOMPARE(row(stats, "no hyperparameter mutation")->children, unmutated);
    QVERIFY(!byHParam.empty());
    for (const auto& [name, counts] : byHParam) {
      QVERIFY2(row(stats, name), name.c_str());
      QCOMPARE(row(stats, name)->children, counts.first);
      QCOMPARE(row(stats, name)->improved, counts.second);
    }
    if (sharing > 0) QCOMPARE(row(stats, "shares a layer")->children, sharing);
    if (sharing < children) QCOMPARE(row(stats, "shares no layer")->children, children - sharing);
    std::map<std::string, int64_t> shownBySlot;
    for (const auto& s : stats)
      if (s.kind == MutationStat::Kind::Layer) shownBySlot[s.slot] += s.children;
    QCOMPARE(shownBySlot, bySlot);
    // The table shows the same rows.
    QCOMPARE(panel_->table()->model()->rowCount(), int(stats.size()));
  }

 private Q_SLOTS:
  // The run is live here: the panel follows the children as they finish.
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    const auto window = testui::startLive(runs_, settings_);
    QVERIFY(window);
    MainWindow& live = *window;
    auto* panel = live.findChild<MutationPanel*>();
    QVERIFY(panel);
    const ChildListModel& m = *live.childModel();
    const auto finished = [&] {
      int n = 0;
      for (int r = 0; r < m.rowCount(); ++r)
        n += m.record(r).done.has_value();
      return n;
    };
    // Some children have finished, others are still to come (the run paused between them), and
    // the panel counts the former.
    QVERIFY(QTest::qWaitFor([&] { return finished() >= 2; }, testui::kRunTimeoutMs));
    live.controller()->pause();
    QVERIFY(QTest::qWaitFor(
        [&] { return live.controller()->state() == ExperimentController::State::Paused; },
        testui::kRunTimeoutMs));
    const int n = finished();
    QVERIFY(n < 12);
    QVERIFY(QTest::qWaitFor([&] { return panel->stats()[0].children == n; }));
    live.controller()->resume();
    QVERIFY(testui::waitForEnd(live));
    QVERIFY(QTest::qWaitFor([&] { return panel->stats()[0].children == 12; }));
    store_ = live.experimentDirectory();

    stored_ =
        ExperimentStore::open(store_.toStdString(), ExperimentStore::Mode::ReadOnly)->children();
    QCOMPARE(stored_.size(), std::size_t(12));
    window_ = testui::openStore(settings_, store_);
    QVERIFY(window_);
    panel_ = window_->findChild<MutationPanel*>();
    QVERIFY(panel_);
    panel_->refresh();  // rather than wait for the coalescing timer
  }

  void cleanupTestCase() { window_.reset(); }

  void countsAddUpToTheStoresChildren() { compareWithTheStore({}); }

  void countsPerTask() {
    compareWithTheStore("digits-0-4");
    compareWithTheStore("digits-5-9");
    panel_->setTask({});
    QCOMPARE(panel_->task(), QString());
  }

  void aBarPerRow() {
    panel_->setTask({});
    QCOMPARE(panel_->barCount(), int(panel_->stats().size()));
  }

  void scatterHasAPointPerChildWithTheHyperparameter() {
    for (const std::string& task : {std::string(), std::string("digits-5-9")}) {
      panel_->setTask(QString::fromStdString(task));
      for (const auto& name : hparamNames(stored_)) {
        panel_->setScatterHParam(QString::fromStdString(name));
        QCOMPARE(panel_->scatterHParam(), QString::fromStdString(name));
        int expected = 0;
        for (const auto& c : stored_)
          expected += (task.empty() || c.task == task) && c.hparams.count(name);
        QVERIFY(expected > 0);
        QCOMPARE(panel_->scatterPointCount(), expected);
      }
    }
    panel_->setColourByImproved(true);
    QCOMPARE(panel_->scatterPointCount(), 6);  // digits-5-9's six children, coloured otherwise
    panel_->setColourByImproved(false);
    panel_->setTask({});
  }

  void categoriesAreNamedOnTheAxis() {
    panel_->setScatterHParam("opt_type");
    QCOMPARE(panel_->scatterAxisLabels(), QStringList({"sgd", "adamw"}));
    panel_->setScatterHParam("opt_nesterov");
    QCOMPARE(panel_->scatterAxisLabels(), QStringList({"false", "true"}));
    // A number's few distinct values are each named.
    panel_->setScatterHParam("opt_lr");
    std::set<double> values;
    for (const auto& c : stored_)
      values.insert(c.hparams.at("opt_lr"));
    QStringList expected;
    for (double v : values)
      expected << QString::fromStdString(formatHParam("opt_lr", v));
    QCOMPARE(panel_->scatterAxisLabels(), expected);
  }
};

QTEST_MAIN(TstMutationStatsView)
#include "tst_mutation_stats_view.moc"
