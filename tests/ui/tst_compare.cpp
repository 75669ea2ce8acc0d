// Comparing two children (issue 15, "How do two models differ?") on a tiny real run: during the
// run, a comparison follows a child still training until it finishes; on the reopened store,
// comparing a child with its parent marks exactly the hyperparameters its mutations changed, the
// layer rows are the child's slots (origin and component ids), the other fields are the records'
// values, two selected children compare from the list's action, and the root or an unlisted
// parent gives a message rather than a dialog.
#include <QAction>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <map>
#include <set>

#include "ChildCompareActions.h"
#include "ChildComparison.h"
#include "ChildPanel.h"
#include "CompareDialog.h"
#include "CompareFixture.h"
#include "mu2net/evolution/SearchSpace.h"

using namespace mu2net;
using namespace mu2net::ui;
using Record = ChildListModel::Record;
using Section = ComparisonRow::Section;

namespace {

std::vector<ComparisonRow> section(const std::vector<ComparisonRow>& rows, Section s) {
  std::vector<ComparisonRow> out;
  for (const auto& r : rows)
    if (r.section == s) out.push_back(r);
  return out;
}

const ComparisonRow* field(const std::vector<ComparisonRow>& rows, Section s, const QString& name) {
  for (const auto& r : rows)
    if (r.section == s && r.field == name) return &r;
  return nullptr;
}

// Selects the source rows `rows` of the panel (shown rows, the panel unsorted).
void select(ChildPanel* panel, std::initializer_list<int> rows) {
  panel->clearSelection();
  for (int r : rows)
    panel->selectionModel()->select(panel->model()->index(r, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

}  // namespace

class TstCompare : public QObject {
  Q_OBJECT
  QTemporaryDir runs_, settings_;
  QString store_;
  std::unique_ptr<MainWindow> window_;
  ChildPanel* panel_ = nullptr;
  ChildCompareActions* actions_ = nullptr;

  const ChildListModel& model() const { return *window_->childModel(); }

  // A child whose parent is a listed child, with at least one mutation.
  int childOfAListedParent() const {
    return testui::findRow(model(), [this](const Record& r) {
      return r.done && !r.started.mutations.empty() &&
             ChildComparison::parentRow(model(), r, nullptr) >= 0;
    });
  }

  CompareDialog* compareWithParentFromTheList(int row) {
    select(panel_, {row});
    if (!actions_->compareWithParentAction()->isEnabled()) return nullptr;
    actions_->compareWithParentAction()->trigger();
    auto dialogs = window_->findChildren<CompareDialog*>();
    return dialogs.isEmpty() ? nullptr : dialogs.back();
  }

 private Q_SLOTS:
  // The run is live here: a comparison of a finished child with one still training follows it.
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    const auto window = testui::startLive(runs_, settings_);
    QVERIFY(window);
    MainWindow& live = *window;
    auto* actions = live.findChild<ChildCompareActions*>();
    QVERIFY(actions);
    const ChildListModel& m = *live.childModel();
    int done = -1, training = -1;
    QVERIFY(QTest::qWaitFor(
        [&] {
          done = testui::findRow(m, [](const Record& r) { return r.done.has_value(); });
          training = testui::findRow(m, [](const Record& r) { return !r.done && !r.trained; });
          return done >= 0 && training >= 0;
        },
        testui::kRunTimeoutMs));
    CompareDialog* dialog = actions->compare(done, training);
    QCOMPARE(field(dialog->rows(), Section::Child, "status")->right, QStringLiteral("training"));
    QCOMPARE(field(dialog->rows(), Section::Score, "score")->right, QStringLiteral("–"));
    QVERIFY(QTest::qWaitFor([&] { return m.record(training).done.has_value(); },
                            testui::kRunTimeoutMs));
    const Record& finished = m.record(training);
    QVERIFY(field(dialog->rows(), Section::Child, "status")->right != "training");
    QCOMPARE(field(dialog->rows(), Section::Score, "score")->right,
             QString::number(finished.done->score, 'f', 4));
    QCOMPARE(dialog->curvePoints(1), int(finished.validations.size()));
    QVERIFY(dialog->curvePoints(1) >= 1);
    QVERIFY(testui::waitForEnd(live));
    store_ = live.experimentDirectory();
    // Opening another experiment clears the list: the dialog says there is nothing to compare.
    live.setExperiment(testui::compareConfig(), QStringLiteral("another"));
    QVERIFY(!dialog->valid());
    QVERIFY(dialog->rows().empty());

    window_ = testui::openStore(settings_, store_);
    QVERIFY(window_);
    panel_ = window_->findChild<ChildPanel*>();
    actions_ = window_->findChild<ChildCompareActions*>();
    QVERIFY(panel_ && actions_);
    QCOMPARE(model().rowCount(), 12);
  }

  void cleanupTestCase() { window_.reset(); }

  void init() {
    for (auto* d : window_->findChildren<CompareDialog*>())
      delete d;
  }

  void withItsParentMarksExactlyTheMutatedHyperparameters() {
    const int row = childOfAListedParent();
    QVERIFY2(row >= 0, "the store has a mutated child of a listed parent");
    const Record& child = model().record(row);
    const Record& parent = model().record(ChildComparison::parentRow(model(), child, nullptr));
    CompareDialog* dialog = compareWithParentFromTheList(row);
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    const auto rows = section(dialog->rows(), Section::Hyperparameters);
    QCOMPARE(rows.size(), child.started.hparams.size());
    std::set<QString> mutated, expected;
    for (const auto& m : child.started.mutations) {
      expected.insert(QString::fromStdString(m.name));
      const ComparisonRow* r =
          field(dialog->rows(), Section::Hyperparameters, QString::fromStdString(m.name));
      QVERIFY(r);
      QVERIFY(r->differs);
      QCOMPARE(r->left, QString::fromStdString(formatHParam(m.name, m.from)));
      QCOMPARE(r->right, QString::fromStdString(formatHParam(m.name, m.to)));
      QCOMPARE(r->left,
               QString::fromStdString(formatHParam(m.name, parent.done->hparams.at(m.name))));
    }
    for (const auto& r : rows) {
      if (r.mutated) mutated.insert(r.field);
      // Every other difference is the generation's data, never a child hyperparameter.
      if (r.differs && !r.mutated) QVERIFY2(r.field.startsWith("ds_"), qPrintable(r.field));
    }
    QCOMPARE(mutated, expected);
  }

  void layerRowsAreTheChildsSlots() {
    const int row = childOfAListedParent();
    QVERIFY(row >= 0);
    const Record& child = model().record(row);
    const Record& parent = model().record(ChildComparison::parentRow(model(), child, nullptr));
    CompareDialog* dialog = actions_->compareWithParent(row);
    QVERIFY(dialog);
    const auto layers = section(dialog->rows(), Section::Layers);
    std::set<std::string> slots;
    for (const auto& s : parent.done->slots)
      slots.insert(s.slot);
    for (const auto& s : child.done->slots)
      slots.insert(s.slot);
    QCOMPARE(layers.size(), slots.size());
    for (const SlotOrigin& s : child.done->slots) {
      const ComparisonRow* r =
          field(dialog->rows(), Section::Layers, QString::fromStdString(s.slot));
      QVERIFY(r);
      QVERIFY(s.componentId >= 0);  // a finished child's slots have their component ids
      switch (s.kind) {
        case SlotOrigin::Kind::Shared:
          QCOMPARE(r->right, QStringLiteral("shared #%1").arg(s.sourceComponentId));
          break;
        case SlotOrigin::Kind::Cloned:
          QVERIFY2(r->right.startsWith(QStringLiteral("cloned #%1 from #%2")
                                           .arg(s.componentId)
                                           .arg(s.sourceComponentId)),
                   qPrintable(r->right));
          break;
        case SlotOrigin::Kind::New:
          QCOMPARE(r->right, QStringLiteral("new #%1").arg(s.componentId));
          break;
      }
    }
    // The parent's own slots are on the left.
    for (const SlotOrigin& s : parent.done->slots)
      QCOMPARE(field(dialog->rows(), Section::Layers, QString::fromStdString(s.slot))->left,
               ChildComparison::slotText(s));
  }

  void twoSelectedChildrenCompareFromTheList() {
    const int a = 0, b = model().rowCount() - 1;
    select(panel_, {a});
    QVERIFY(!actions_->compareAction()->isEnabled());
    QVERIFY(actions_->compareWithParentAction()->isEnabled());
    select(panel_, {a, b});
    QVERIFY(actions_->compareAction()->isEnabled());
    QVERIFY(!actions_->compareWithParentAction()->isEnabled());
    QVERIFY(panel_->actions().contains(actions_->compareAction()));  // in the context menu
    QCOMPARE(panel_->contextMenuPolicy(), Qt::ActionsContextMenu);
    actions_->compareAction()->trigger();
    const auto dialogs = window_->findChildren<CompareDialog*>();
    QCOMPARE(dialogs.size(), 1);
    const auto rows = dialogs[0]->rows();
    const Record &l = model().record(a), &r = model().record(b);
    QCOMPARE(field(rows, Section::Child, "task")->left, QString::fromStdString(l.started.task));
    QCOMPARE(field(rows, Section::Child, "task")->right, QString::fromStdString(r.started.task));
    QCOMPARE(field(rows, Section::Child, "generation")->right,
             QString::number(r.started.generation));
    const QLocale locale;
    QCOMPARE(field(rows, Section::Parameters, "trainable")->left,
             locale.toString(double(l.started.trainableParams), 'f', 0));
    QCOMPARE(field(rows, Section::Parameters, "total")->right,
             locale.toString(double(r.started.totalParams), 'f', 0));
    QCOMPARE(field(rows, Section::Parameters, "accounted")->right,
             locale.toString(r.done->accountedParams, 'f', 0));
    QCOMPARE(field(rows, Section::Training, "training time")->left,
             QString::number(l.done->seconds, 'f', 1) + " s");
    QCOMPARE(field(rows, Section::Score, "score")->right, QString::number(r.done->score, 'f', 4));
    QCOMPARE(dialogs[0]->curvePoints(0), int(l.validations.size()));
    QCOMPARE(dialogs[0]->curvePoints(1), int(r.validations.size()));
    // Only differences hides the equal rows, not the differing ones.
    QCOMPARE(dialogs[0]->shownRowCount(), int(rows.size()));
    dialogs[0]->setOnlyDifferences(true);
    const auto differing = std::count_if(rows.begin(), rows.end(),
                                         [](const ComparisonRow& row) { return row.differs; });
    QVERIFY(differing > 0 && differing < qsizetype(rows.size()));
    QCOMPARE(dialogs[0]->shownRowCount(), int(differing));
  }

  void theRootAsParentGivesAMessage() {
    const int row =
        testui::findRow(model(), [](const Record& r) { return r.started.parentTask == "root"; });
    QVERIFY(row >= 0);
    QSignalSpy refused(actions_, &ChildCompareActions::refused);
    QVERIFY(!compareWithParentFromTheList(row));
    QCOMPARE(refused.size(), 1);
    const QString why = refused[0][0].toString();
    QVERIFY2(
        why.contains("root model") && why.contains(ChildComparison::childName(model().record(row))),
        qPrintable(why));
    QVERIFY(window_->findChildren<CompareDialog*>().isEmpty());
  }

  void anUnlistedParentGivesAMessage() {
    const int row = childOfAListedParent();
    QVERIFY(row >= 0);
    ChildListModel alone;  // the child without its parent
    alone.onChildFinished(*model().record(row).done);
    QString why;
    QCOMPARE(ChildComparison::parentRow(alone, alone.record(0), &why), -1);
    QVERIFY2(why.contains("not among the children listed"), qPrintable(why));
  }
};

QTEST_MAIN(TstCompare)
#include "tst_compare.moc"
