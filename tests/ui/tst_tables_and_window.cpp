// The workbench's tables and window at scale, on a tiny real experiment store opened in a fresh
// window per test, on offscreen screens of 1024x700 (the primary one) and 1700x1100: clearing the
// task selection clears the route highlight; the inspector says when a child was not kept, shows
// booleans as true/false and marks hyperparameters that differ from the parent; both tables sort by
// raw values and map the sorted rows back to the right task or child; the task table's columns fit
// at 1600 px; tasks and the event log are visible together; the window fits its screen and restores
// its geometry, clamped to the screen.
#include <QDockWidget>
#include <QHeaderView>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest/QtTest>
#include <algorithm>
#include <set>

#include "ChildInspector.h"
#include "ChildListModel.h"
#include "ChildPanel.h"
#include "EventLog.h"
#include "GraphView.h"
#include "MainWindow.h"
#include "TablesFixture.h"
#include "TaskPanel.h"
#include "TaskTableModel.h"
#include "mu2net/evolution/SearchSpace.h"

using namespace mu2net;
using namespace mu2net::ui;

namespace {

constexpr QSize kSmallScreen(1024, 700);

// The raw values of `column` of a table's rows, in the order the view shows them.
QList<QVariant> shownValues(QAbstractItemView* view, int column) {
  QList<QVariant> values;
  const QAbstractItemModel* m = view->model();
  for (int r = 0; r < m->rowCount(); ++r)
    values << m->index(r, column).data(TaskTableModel::RawValueRole);
  return values;
}

bool ordered(const QList<QVariant>& values, Qt::SortOrder order) {
  for (qsizetype i = 1; i < values.size(); ++i) {
    const double a = values[i - 1].toDouble(), b = values[i].toDouble();
    if (order == Qt::AscendingOrder ? a > b : a < b) return false;
  }
  return true;
}

void clickHeader(QTableView* view, int column) {
  QHeaderView* header = view->horizontalHeader();
  const int x = header->sectionViewportPosition(column) + header->sectionSize(column) / 2;
  QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
}

// The <tr> of the inspector's hyperparameter `name`.
QString hparamRow(const QString& html, const QString& name) {
  const qsizetype at = html.indexOf(QStringLiteral(">%1<").arg(name));
  if (at < 0) return {};
  const qsizetype begin = html.lastIndexOf(QStringLiteral("<tr"), at);
  const qsizetype end = html.indexOf(QStringLiteral("</tr>"), at);
  return html.mid(begin, end - begin);
}

QDockWidget* dock(QWidget* window, const char* name) {
  return window->findChild<QDockWidget*>(QLatin1String(name));
}

}  // namespace

class TstTablesAndWindow : public QObject {
  Q_OBJECT
  QTemporaryDir runs_;
  QString store_;

  const ChildListModel::Record* findRecord(MainWindow& w,
                                           bool (*pred)(const ChildListModel::Record&)) {
    for (int r = 0; r < w.childModel()->rowCount(); ++r)
      if (pred(w.childModel()->record(r))) return &w.childModel()->record(r);
    return nullptr;
  }

 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    QCOMPARE(QGuiApplication::primaryScreen()->availableGeometry().size(), kSmallScreen);
    QCOMPARE(QGuiApplication::screens().size(), 2);
    ExperimentConfig config = testui::tinyConfig(3);
    config.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
    store_ = runs_.filePath(QStringLiteral("experiment"));
    QVERIFY(testui::runIntoStore(config, store_));
  }

  void init() { QSettings().clear(); }

  // Item 8: a cleared selection (Ctrl+click, a click below the rows, a model reset) clears the
  // graph's route highlight.
  void clearingTheTaskSelectionClearsTheHighlight() {
    auto w = testui::openInWindow(store_, {1400, 900});
    QVERIFY(w);
    auto* tasks = w->findChild<TaskPanel*>();
    GraphView* graph = w->graphView();
    QVERIFY(tasks->model()->rowCount() >= 2);
    const QString first = tasks->model()->index(0, TaskTableModel::Name).data().toString();
    const QString second = tasks->model()->index(1, TaskTableModel::Name).data().toString();

    tasks->selectRow(0);
    QCOMPARE(graph->highlightedTask(), first);
    const QPoint onRow0 = tasks->visualRect(tasks->model()->index(0, 1)).center();
    QTest::mouseClick(tasks->viewport(), Qt::LeftButton, Qt::ControlModifier, onRow0);
    QVERIFY(!tasks->selectionModel()->hasSelection());
    QCOMPARE(graph->highlightedTask(), QString());

    tasks->selectRow(1);
    QCOMPARE(graph->highlightedTask(), second);
    const QRect lastRow = tasks->visualRect(tasks->model()->index(1, 1));
    const QPoint below(lastRow.center().x(), lastRow.bottom() + 15);
    QVERIFY(below.y() < tasks->viewport()->height());
    QTest::mouseClick(tasks->viewport(), Qt::LeftButton, {}, below);
    QCOMPARE(graph->highlightedTask(), QString());

    tasks->selectRow(0);
    QCOMPARE(graph->highlightedTask(), first);
    w->taskModel()->clear();
    QCOMPARE(graph->highlightedTask(), QString());
  }

  // Item 12: a child that was not kept has no path id; the inspector says so.
  void inspectorSaysWhenAChildWasNotKept() {
    auto w = testui::openInWindow(store_, {1400, 900});
    QVERIFY(w);
    const auto* notKept =
        findRecord(*w, [](const ChildListModel::Record& r) { return r.done && !r.done->improved; });
    QVERIFY2(notKept, "the tiny run has a child that was not kept");
    int notKeptCount = 0;
    for (int r = 0; r < w->childModel()->rowCount(); ++r) {
      const auto& done = w->childModel()->record(r).done;
      notKeptCount += done && !done->improved;
    }
    qInfo("%d of %d children not kept", notKeptCount, w->childModel()->rowCount());
    QCOMPARE(notKept->done->pathId, int64_t{-1});
    const QString html = ChildInspector::html(*notKept);
    QVERIFY2(!html.contains(QLatin1String("Path id:</b> -1")), qPrintable(html));
    QVERIFY(html.contains(QLatin1String("not kept")));
    const auto* kept =
        findRecord(*w, [](const ChildListModel::Record& r) { return r.done && r.done->improved; });
    QVERIFY(kept);
    QVERIFY(ChildInspector::html(*kept).contains(
        QStringLiteral("Path id:</b> %1").arg(kept->done->pathId)));
  }

  // Clicking a header sorts by the raw values (ascending, then descending); the selected row is
  // the task or child shown in it.
  void tablesSortByRawValuesAndSelectTheShownRow() {
    auto w = testui::openInWindow(store_, {1400, 900});
    QVERIFY(w);
    auto* children = w->findChild<ChildPanel*>();
    auto* inspector = w->findChild<ChildInspector*>();
    QVERIFY(children->model()->rowCount() >= 4);
    clickHeader(children, ChildListModel::Validation);
    QList<QVariant> values = shownValues(children, ChildListModel::Validation);
    const bool ascending = ordered(values, Qt::AscendingOrder);
    clickHeader(children, ChildListModel::Validation);
    values = shownValues(children, ChildListModel::Validation);
    QVERIFY(values.first().isValid());
    QVERIFY2(ordered(values, ascending ? Qt::DescendingOrder : Qt::AscendingOrder),
             "the second click sorts the other way");
    QVERIFY2(values.first() != values.last(), "the validations differ");
    children->selectRow(0);
    // The inspector shows the child in the first row: the one with that validation.
    const QString shownTask = children->model()->index(0, ChildListModel::Task).data().toString();
    const QString shownGen =
        children->model()->index(0, ChildListModel::Generation).data().toString();
    const QString shownChild = children->model()->index(0, ChildListModel::Child).data().toString();
    QVERIFY2(
        inspector->toPlainText().contains(
            QStringLiteral("%1 — generation %2, child %3").arg(shownTask, shownGen, shownChild)),
        qPrintable(inspector->toPlainText().left(200)));
    bool found = false;
    for (int r = 0; r < w->childModel()->rowCount(); ++r) {
      const auto& rec = w->childModel()->record(r);
      if (QString::fromStdString(rec.started.task) == shownTask &&
          QString::number(rec.started.generation) == shownGen &&
          QString::number(rec.started.childIndex + 1) == shownChild) {
        QCOMPARE(rec.done->quality, values.first().toDouble());
        found = true;
      }
    }
    QVERIFY(found);

    auto* tasks = w->findChild<TaskPanel*>();
    clickHeader(tasks, TaskTableModel::Name);
    const QString a = tasks->model()->index(0, TaskTableModel::Name).data().toString();
    clickHeader(tasks, TaskTableModel::Name);
    const QString b = tasks->model()->index(0, TaskTableModel::Name).data().toString();
    QVERIFY2(a != b, "sorting by name both ways changes the first row");
    tasks->selectRow(0);
    QCOMPARE(w->graphView()->highlightedTask(), b);
    // Numbers sort as numbers.
    clickHeader(tasks, TaskTableModel::Validation);
    const QList<QVariant> validations = shownValues(tasks, TaskTableModel::Validation);
    QVERIFY(ordered(validations, Qt::AscendingOrder) || ordered(validations, Qt::DescendingOrder));
    clickHeader(tasks, TaskTableModel::Validation);
    QCOMPARE(shownValues(tasks, TaskTableModel::Validation).first(), validations.last());
  }

  // Readable at scale: with a long status, the task table's columns fit its width in a window of
  // 1600 px (no horizontal scroll bar), and every header has a tooltip.
  void taskColumnsFitAt1600() {
    auto w = testui::openInWindow(store_, {1600, 1000});
    QVERIFY(w);
    QCOMPARE(w->width(), 1600);
    auto* tasks = w->findChild<TaskPanel*>();
    w->taskModel()->onTaskIterationStarted({"digits-0-4", 12});
    QTest::qWait(50);
    QHeaderView* header = tasks->horizontalHeader();
    int total = 0;
    for (int c = 0; c < header->count(); ++c) {
      total += header->sectionSize(c);
      QVERIFY2(!tasks->model()->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty(),
               qPrintable(QStringLiteral("column %1 has a tooltip").arg(c)));
    }
    qInfo("task table: columns %d px, viewport %d px", total, tasks->viewport()->width());
    QVERIFY(total <= tasks->viewport()->width());
    // The names are not cut either.
    QVERIFY(header->sectionSize(TaskTableModel::Name) >=
            static_cast<QAbstractItemView*>(tasks)->sizeHintForColumn(TaskTableModel::Name));
    QCOMPARE(tasks->horizontalScrollBar()->maximum(), 0);
  }

  // A task name too long for its column is cut, and shown whole as the cell's tooltip; the
  // columns still fit.
  void cutNamesShowWholeInTheirTooltip() {
    auto w = testui::openInWindow(store_, {1600, 1000});
    QVERIFY(w);
    auto* tasks = w->findChild<TaskPanel*>();
    const QString name = QStringLiteral("handwritten-digits-from-the-second-survey-grey-levels");
    w->taskModel()->onTaskAdded({name.toStdString()});
    QTest::qWait(50);
    QCOMPARE(tasks->horizontalScrollBar()->maximum(), 0);
    const int row = tasks->model()->rowCount() - 1;
    const QRect cell = tasks->visualRect(tasks->model()->index(row, TaskTableModel::Name));
    QHelpEvent help(QEvent::ToolTip, cell.center(), tasks->viewport()->mapToGlobal(cell.center()));
    QCoreApplication::sendEvent(tasks->viewport(), &help);
    QTRY_COMPARE(QToolTip::text(), name);
  }

  // Tasks and the event log are visible together (not tabs of one dock), at 1024x700 and
  // 1600x1000.
  void tasksAndLogVisibleTogether_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("fitted to 1024x700") << QSize();
    QTest::newRow("1600x1000") << QSize(1600, 1000);
  }
  void tasksAndLogVisibleTogether() {
    QFETCH(QSize, size);
    auto w = testui::openInWindow(store_, size);
    QVERIFY(w);
    auto* tasks = w->findChild<TaskPanel*>();
    auto* log = w->findChild<EventLog*>();
    QVERIFY(!w->tabifiedDockWidgets(dock(w.get(), "taskDock")).contains(dock(w.get(), "logDock")));
    QVERIFY(tasks->isVisible() && log->isVisible());
    qInfo("tasks %dx%d, log %dx%d", tasks->width(), tasks->height(), log->width(), log->height());
    QVERIFY(tasks->height() >= 80 && log->height() >= 60);
    QVERIFY(tasks->width() >= 300 && log->width() >= 300);
  }

  // The event log shows its latest lines, also when the first ones came before the window was
  // shown (an experiment opened from the command line), until the user scrolls back.
  void theEventLogFollowsItsLatestLines() {
    MainWindow w;
    w.setErrorPopups(false);
    QVERIFY(w.openPath(store_));
    auto* log = w.findChild<EventLog*>();
    w.show();
    for (int i = 0; i < 10; ++i)
      log->log(QStringLiteral("before the window is laid out %1").arg(i));
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::qWait(50);
    QScrollBar* bar = log->verticalScrollBar();
    for (int i = 0; i < 40; ++i)
      log->log(QStringLiteral("line %1").arg(i));
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());
    bar->setValue(0);
    log->log(QStringLiteral("one more line"));
    QCOMPARE(bar->value(), 0);
  }

  // A dock layout saved by an earlier workbench (the event log a tab of the tasks) gives way to
  // the new one.
  void anEarlierLayoutGivesWayToTheNewOne() {
    {
      auto w = testui::openInWindow({}, {});
      w->tabifyDockWidget(dock(w.get(), "taskDock"), dock(w.get(), "logDock"));
      QSettings().setValue(QStringLiteral("windowState"), w->saveState());
    }
    auto w = testui::openInWindow(store_, {});
    QVERIFY(w);
    QVERIFY(!w->tabifiedDockWidgets(dock(w.get(), "taskDock")).contains(dock(w.get(), "logDock")));
    QVERIFY(w->findChild<TaskPanel*>()->isVisible() && w->findChild<EventLog*>()->isVisible());
  }

  // Booleans read true/false in the inspector, never 1/0.
  void booleansShowAsTrueOrFalse() {
    auto w = testui::openInWindow(store_, {1400, 900});
    QVERIFY(w);
    int booleans = 0;
    for (int r = 0; r < w->childModel()->rowCount(); ++r) {
      const QString html = ChildInspector::html(w->childModel()->record(r));
      for (const auto& [name, value] : w->childModel()->record(r).started.hparams) {
        if (!isBooleanHParam(name)) continue;
        ++booleans;
        const QString row = hparamRow(html, QString::fromStdString(name));
        QVERIFY2(row.contains(QLatin1String(">true<")) || row.contains(QLatin1String(">false<")),
                 qPrintable(row));
      }
    }
    QVERIFY(booleans > 0);
  }

  // A hyperparameter that a mutation changed is marked (bold) with what it was.
  void changedHyperparametersAreMarked() {
    auto w = testui::openInWindow(store_, {1400, 900});
    QVERIFY(w);
    int marked = 0;
    for (int r = 0; r < w->childModel()->rowCount(); ++r) {
      const auto& record = w->childModel()->record(r);
      const QString html = ChildInspector::html(record);
      std::set<std::string> changed;
      for (const auto& m : record.started.mutations) {
        if (!record.started.hparams.count(m.name)) continue;
        changed.insert(m.name);
        const QString row = hparamRow(html, QString::fromStdString(m.name));
        const QString was = QString::fromStdString(formatHParam(m.name, m.from)).toHtmlEscaped();
        QVERIFY2(
            row.contains(QStringLiteral("was %1").arg(was)) && row.contains(QLatin1String("<b")),
            qPrintable(row));
        ++marked;
      }
      for (const auto& [name, value] : record.started.hparams)
        if (!changed.count(name))
          QVERIFY(!hparamRow(html, QString::fromStdString(name)).contains(QLatin1String("was ")));
    }
    QVERIFY2(marked > 0, "the tiny run mutated some hyperparameter");
  }

  // A hyperparameter that differs from the parent's for another reason than the child's mutations
  // (a data hyperparameter of the generation, a parent from another task) is marked too, with
  // the parent's value, when the parent is in the list.
  void hyperparametersDifferentFromTheParentAreMarked() {
    auto w = testui::openInWindow(store_, {1400, 900});
    QVERIFY(w);
    auto* inspector = w->findChild<ChildInspector*>();
    auto* children = w->findChild<ChildPanel*>();
    int marked = 0;
    for (int r = 0; r < children->model()->rowCount(); ++r) {
      const auto& record =
          w->childModel()->record(children->sourceRow(children->model()->index(r, 0)));
      const HParams* parent = inspector->parentHParams(record);
      if (!parent) continue;
      children->selectRow(r);
      const QString text = inspector->toPlainText();
      for (const auto& [name, value] : record.started.hparams) {
        const auto it = parent->find(name);
        if (it == parent->end() || it->second == value) continue;
        const bool mutated =
            std::any_of(record.started.mutations.begin(), record.started.mutations.end(),
                        [&](const Mutation& m) { return m.name == name; });
        if (mutated) continue;
        const QString line = QStringLiteral("%1\n%2 (was %3)")
                                 .arg(QString::fromStdString(name),
                                      QString::fromStdString(formatHParam(name, value)),
                                      QString::fromStdString(formatHParam(name, it->second)));
        QVERIFY2(text.contains(line), qPrintable(line + QLatin1String(" in\n") + text));
        ++marked;
      }
    }
    QVERIFY2(marked > 0,
             "the tiny run has a child whose data hyperparameters differ from its parent's");
  }

  // The window opens within a 1024x700 screen, and its smallest size fits there too.
  void windowFitsASmallScreen() {
    auto w = testui::openInWindow({}, {});
    QVERIFY(w);
    const QRect available = w->screen()->availableGeometry();
    for (auto* d : w->findChildren<QDockWidget*>())
      qInfo() << d->objectName() << d->minimumSizeHint() << d->widget()->minimumSizeHint()
              << d->widget()->minimumSize() << d->geometry();
    qInfo() << "frame" << w->frameGeometry() << "minimum" << w->minimumSizeHint() << "screen"
            << available;
    QVERIFY(available.contains(w->frameGeometry()));
    QVERIFY(w->minimumSizeHint().width() <= available.width());
    QVERIFY(w->minimumSizeHint().height() <= available.height());
  }

  // The geometry saved on close comes back; one larger than the screen is clamped to it.
  void restoresGeometryClampedToTheScreen() {
    const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
    {
      auto w = testui::openInWindow({}, {});
      w->setGeometry(QRect(60, 50, 800, 560));
      QTest::qWait(20);
      QVERIFY(w->close());
    }
    {
      auto w = testui::openInWindow({}, {});
      QCOMPARE(w->geometry(), QRect(60, 50, 800, 560));
      // As if saved on a larger screen.
      w->setGeometry(QRect(0, 0, 1600, 1000));
      QTest::qWait(20);
      QVERIFY(w->close());
    }
    auto w = testui::openInWindow({}, {});
    qInfo() << "restored frame" << w->frameGeometry() << "screen" << available;
    QVERIFY(available.contains(w->frameGeometry()));
  }
};

int main(int argc, char** argv) {
  QTemporaryDir screenConfig;
  testui::useOffscreenScreens(screenConfig, kSmallScreen, QSize(1700, 1100));
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("mu2net-tests"));
  QStandardPaths::setTestModeEnabled(true);
  TstTablesAndWindow test;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&test, argc, argv);
}

#include "tst_tables_and_window.moc"
