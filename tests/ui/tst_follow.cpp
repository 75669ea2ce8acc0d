// Following an experiment directory that a separate `mu2net run` process writes: the window shows
// the store's new generations and children as they are committed (always a prefix of what the
// store holds, more than once before the end), says what it follows, and once the writer has
// finished it shows exactly what opening the finished store shows. Reload shows what a store
// holds now; two windows hold two experiments independently.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <set>

#include "ChildListModel.h"
#include "LiveFixture.h"
#include "MainWindow.h"
#include "StateFixture.h"
#include "StoreFollower.h"
#include "TaskTableModel.h"
#include "UiTestUtil.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;
using testui::kRunTimeoutMs;

namespace {

// Two tasks, three task iterations: 12 children in 6 generations, committed one by one.
ExperimentConfig liveConfig() {
  ExperimentConfig config = testui::tinyConfig(3);
  config.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
  return config;
}

// (task, generation, child) of the store's children, in order.
QStringList storedChildren(const QString& dir) {
  QStringList out;
  const auto store = ExperimentStore::open(dir.toStdString(), ExperimentStore::Mode::ReadOnly);
  for (const auto& c : store->children())
    out << QStringLiteral("%1/%2/%3")
               .arg(QString::fromStdString(c.task))
               .arg(c.generation)
               .arg(c.childIndex);
  return out;
}

QStringList shownChildren(MainWindow& window) {
  QStringList out;
  auto* m = window.childModel();
  for (int r = 0; r < m->rowCount(); ++r) {
    const auto& s = m->record(r).started;
    out << QStringLiteral("%1/%2/%3")
               .arg(QString::fromStdString(s.task))
               .arg(s.generation)
               .arg(s.childIndex);
  }
  return out;
}

}  // namespace

class TstFollow : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString liveDir_;

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    qputenv("MU2NET_RUNS_DIR", tmp_.path().toUtf8());
    liveDir_ = tmp_.filePath(QStringLiteral("live"));
  }

  void followingShowsCommitsAndEndsAsOpening() {
    const QString config = tmp_.filePath(QStringLiteral("live.json"));
    QVERIFY(testui::writeConfig(liveConfig(), config));
    QProcess writer;
    testui::startRun(writer, config, liveDir_);
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    window.follower()->setPollInterval(300);
    // At every update the rows shown are a prefix of the store's children (nothing invented,
    // nothing out of order); record how many were shown.
    std::set<int> shownCounts;
    QStringList problems, statuses;
    connect(window.follower(), &StoreFollower::updated, this, [&] {
      const QStringList shown = shownChildren(window);
      const QStringList stored = storedChildren(liveDir_);
      if (stored.mid(0, shown.size()) != shown)
        problems << QStringLiteral("shown %1 is not a prefix of stored %2")
                        .arg(shown.join(QLatin1Char(',')), stored.join(QLatin1Char(',')));
      shownCounts.insert(static_cast<int>(shown.size()));
      for (const auto& row : testui::rowsOf(window.taskModel()))
        statuses << row;
    });
    QSignalSpy finished(window.follower(), &StoreFollower::writerFinished);
    // Opened as soon as the writer holds the store (its first commit may still be to come).
    QTRY_VERIFY_WITH_TIMEOUT(
        ExperimentStore::isBeingWritten(liveDir_.toStdString()) && window.openPath(liveDir_),
        60000);
    QVERIFY(window.follower()->isFollowing());
    QVERIFY(!window.canStart());  // another process writes it
    QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("following")),
             qPrintable(window.statusBar()->currentMessage()));
    QVERIFY(window.statusBar()->currentMessage().contains(liveDir_));

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kRunTimeoutMs);
    QVERIFY(writer.waitForFinished(30000));
    QCOMPARE(writer.exitCode(), 0);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    QVERIFY(!window.follower()->isFollowing());
    QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("finished")));
    // New children appeared while the run went on: several counts between none and all 12.
    const int inBetween = static_cast<int>(std::count_if(shownCounts.begin(), shownCounts.end(),
                                                         [](int n) { return n > 0 && n < 12; }));
    QVERIFY2(inBetween >= 2, qPrintable(QStringLiteral("%1 intermediate states").arg(inBetween)));
    QVERIFY(statuses.join(QLatin1Char('\n')).contains(QStringLiteral("training (iteration")));

    // The end: the same as opening the finished store.
    MainWindow opened;
    QVERIFY(testui::showWindow(opened));
    QVERIFY(opened.openPath(liveDir_));
    QCOMPARE(window.childModel()->rowCount(), 12);
    QCOMPARE(testui::rowsOf(window.childModel()), testui::rowsOf(opened.childModel()));
    QCOMPARE(testui::rowsOf(window.taskModel()), testui::rowsOf(opened.taskModel()));
    QCOMPARE(testui::graphText(window), testui::graphText(opened));
    QCOMPARE(window.canStart(), opened.canStart());
  }

  // Reload: a window on a finished store shows what the store holds after another run continued
  // it (here: one more task iteration).
  void reloadShowsWhatTheStoreHoldsNow() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    QVERIFY(window.openPath(liveDir_));
    const int before = window.childModel()->rowCount();
    QVERIFY(before > 0);
    const QString config = tmp_.filePath(QStringLiteral("more.json"));
    ExperimentConfig more = liveConfig();
    more.evolution.taskIterations = 4;
    QVERIFY(testui::writeConfig(more, config));
    const QString error =
        testui::runMu2net({QStringLiteral("run"), config, QStringLiteral("--out"), liveDir_});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(window.childModel()->rowCount(), before);  // a finished store is not followed
    QVERIFY(testui::actionNamed(window, "reloadAction")->isEnabled());
    testui::actionNamed(window, "reloadAction")->trigger();
    QCOMPARE(shownChildren(window), storedChildren(liveDir_));
    QCOMPARE(window.childModel()->rowCount(), before + 4);
  }

  // Two windows, two experiments: each shows its own, and closing or reloading one leaves the
  // other as it was.
  void twoWindowsHoldTwoExperiments() {
    ExperimentConfig small = testui::tinyConfig();
    small.tasks = {testui::mnistTask("odd", {1, 3, 5, 7, 9})};
    const QString config = tmp_.filePath(QStringLiteral("small.json"));
    const QString smallDir = tmp_.filePath(QStringLiteral("small"));
    QVERIFY(testui::writeConfig(small, config));
    const QString error =
        testui::runMu2net({QStringLiteral("run"), config, QStringLiteral("--out"), smallDir});
    QVERIFY2(error.isEmpty(), qPrintable(error));

    QPointer<MainWindow> first = MainWindow::openInNewWindow(liveDir_);
    QPointer<MainWindow> second = MainWindow::openInNewWindow(smallDir);
    QVERIFY(first && second && first != second);
    QVERIFY(first->testAttribute(Qt::WA_DeleteOnClose));
    QCOMPARE(first->experimentDirectory(), liveDir_);
    QCOMPARE(second->experimentDirectory(), smallDir);
    QCOMPARE(first->taskModel()->rowCount(), 2);
    QCOMPARE(second->taskModel()->rowCount(), 1);
    QCOMPARE(shownChildren(*first), storedChildren(liveDir_));
    QCOMPARE(shownChildren(*second), storedChildren(smallDir));
    QVERIFY(first->windowTitle() != second->windowTitle());

    const QStringList firstTasks = testui::rowsOf(first->taskModel());
    QVERIFY(second->reload());
    QCOMPARE(testui::rowsOf(first->taskModel()), firstTasks);
    second->close();
    QTRY_VERIFY(second.isNull());  // deleted on close
    QVERIFY(first);
    QCOMPARE(testui::rowsOf(first->taskModel()), firstTasks);
    QCOMPARE(shownChildren(*first), storedChildren(liveDir_));
    first->close();
    QTRY_VERIFY(first.isNull());
  }

  // A followed directory that disappears (the writer's run failed and it was removed, or the user
  // deleted it) ends the following with a message; nothing crashes.
  void aVanishedDirectoryEndsTheFollowing() {
    const QString copy = tmp_.filePath(QStringLiteral("vanishing"));
    std::filesystem::copy(tmp_.filePath(QStringLiteral("small")).toStdString(), copy.toStdString(),
                          std::filesystem::copy_options::recursive);
    // This test holds the writer's lock, as a running `mu2net run` would.
    const int lock = ::open(QDir(copy).filePath(QStringLiteral("writer.lock")).toLocal8Bit(),
                            O_RDWR | O_CLOEXEC);
    QVERIFY(lock >= 0 && ::flock(lock, LOCK_EX | LOCK_NB) == 0);
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    window.follower()->setPollInterval(200);
    QVERIFY(window.openPath(copy));
    QVERIFY(window.follower()->isFollowing());
    QSignalSpy messages(window.follower(), &StoreFollower::message);
    // Removed while the follower may be reading it (a read can hold files open in it for a moment).
    std::error_code ec;
    QTRY_VERIFY_WITH_TIMEOUT(
        (std::filesystem::remove_all(copy.toStdString(), ec), !QFileInfo::exists(copy)), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!window.follower()->isFollowing(), 20000);
    ::close(lock);
    QVERIFY(!messages.isEmpty());
    QVERIFY(messages.last().first().toString().contains(QStringLiteral("no longer exists")));
    QCOMPARE(window.childModel()->rowCount(), 2);  // what was shown stays
  }
};

QTEST_MAIN(TstFollow)
#include "tst_follow.moc"
