#pragma once
// Shared by the lineage and selection tests: one tiny real experiment store (two MNIST tasks, two
// task iterations of two children each, seed 7: children whose parent is the other task's model)
// run once per test executable, and helpers to find what the workbench shows of it.
#include <QDockWidget>
#include <QGraphicsItem>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>
#include <set>

#include "ChildListModel.h"
#include "LineageView.h"
#include "MainWindow.h"
#include "StateFixture.h"
#include "TablesFixture.h"
#include "UiTestUtil.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::testui {

/// Test mode, settings in `tmp`, and the experiment of twoTaskConfig() run into the store
/// `tmp`/store, whose path *dir receives. Call in initTestCase (it fails the test on failure).
inline void makeLineageStore(const QTemporaryDir& tmp, QString* dir) {
  QStandardPaths::setTestModeEnabled(true);
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, tmp.path());
  MU2NET_REQUIRE_DIR(testdata::mnistDir());
  *dir = tmp.filePath(QStringLiteral("store"));
  QVERIFY(runIntoStore(twoTaskConfig(), *dir));
}

/// The path id of each task's model, as the store holds it.
inline std::map<std::string, std::int64_t> retainedPaths(const QString& dir) {
  const auto store = ExperimentStore::open(dir.toStdString(), ExperimentStore::Mode::ReadOnly);
  const StoreState st = store->loadMetadata();
  const System system(st.system);
  std::map<std::string, std::int64_t> paths;
  for (const auto& t : st.tasks)
    paths[t.spec.name] = system.retainedPath(t.spec.name);
  return paths;
}

/// The number of children the store's children table holds.
inline int storedChildren(const QString& dir) {
  const auto store = ExperimentStore::open(dir.toStdString(), ExperimentStore::Mode::ReadOnly);
  return static_cast<int>(store->children().size());
}

/// The row of the finished child whose path is `pathId`, or -1.
inline int rowOfPath(const ui::ChildListModel& children, std::int64_t pathId) {
  for (int r = 0; r < children.rowCount(); ++r) {
    const auto& done = children.record(r).done;
    if (done && done->pathId == pathId) return r;
  }
  return -1;
}

/// Clicks the lineage node of the child at `row` (its dock raised and the view scrolled to show
/// it first).
inline void clickLineageRow(ui::LineageView& view, int row) {
  for (QWidget* w = view.parentWidget(); w; w = w->parentWidget())
    if (auto* dock = qobject_cast<QDockWidget*>(w)) dock->raise();
  QTRY_VERIFY(view.isVisible());
  QGraphicsItem* item = view.itemOfNode(ui::Lineage::nodeOfRow(row));
  QVERIFY(item);
  view.ensureVisible(item, 10, 10);
  const QPoint at = view.mapFromScene(item->sceneBoundingRect().center());
  QVERIFY(view.viewport()->rect().contains(at));
  QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
}

}  // namespace mu2net::testui
