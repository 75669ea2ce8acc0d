// The workbench on a database store (postgresql://…, on the test server of the CTest fixture
// "postgresql"): a tiny experiment is run into a new database by the workbench's own controller;
// the window opens its URL and shows what it shows for the same store copied into a directory,
// never looking the URL up as a file; the Agents view lists the task leases of agents (claimed
// here through the store's agent API, as `mu2net agent` does) and follows them live, "lost" once a
// lease expires; a URL's password stays out of the title, the log and the recent experiments;
// a URL that names no store, or no server, gives the store's error and opens nothing.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QInputDialog>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>
#include <functional>

#include "AgentTableModel.h"
#include "AgentsPanel.h"
#include "ChildListModel.h"
#include "EventLog.h"
#include "ExperimentFiles.h"
#include "GraphView.h"
#include "HistoryModel.h"
#include "HistoryPanel.h"
#include "MainWindow.h"
#include "StateFixture.h"
#include "StoreExports.h"
#include "StoreFollower.h"
#include "TaskTableModel.h"
#include "TestPostgres.h"
#include "UiTestUtil.h"
#include "mu2net/store/ExperimentStore.h"

using namespace mu2net;
using namespace mu2net::ui;
using State = ExperimentController::State;
using testui::actionNamed;
using testui::kRunTimeoutMs;

namespace {

using testui::rowsOf;

// The server's URL with another database name.
QString urlOfDatabase(const QString& name) {
  QString url = QString::fromStdString(testpg::serverUrl());
  url.replace(QStringLiteral("/postgres?"), QLatin1Char('/') + name + QLatin1Char('?'));
  return url;
}

// `url` with a password after its user name (the test server trusts its socket: it is ignored).
QString withPassword(const QString& url) {
  QString out = url;
  out.replace(QStringLiteral("://mu2net@"), QStringLiteral("://mu2net:s3cret@"));
  return out;
}

// Answers the next modal QInputDialog with `answer(dialog)` once it is up; returns whether it was.
bool answerInputDialog(QAction* trigger, const std::function<void(QInputDialog*)>& answer) {
  bool answered = false;
  QTimer timer;
  timer.setInterval(50);
  QObject::connect(&timer, &QTimer::timeout, [&] {
    auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
    if (!dialog) return;
    timer.stop();
    answered = true;
    answer(dialog);
  });
  timer.start();
  QTimer::singleShot(20000, &timer, [&] {  // no dialog: close whatever is modal, fail below
    timer.stop();
    if (QWidget* modal = QApplication::activeModalWidget()) modal->close();
  });
  trigger->trigger();
  return answered;
}

// A tab of a shown window is visible only while it is the current tab.
QDockWidget* dockNamed(MainWindow& window, const char* name) {
  return window.findChild<QDockWidget*>(QLatin1String(name));
}

}  // namespace

class TstWorkbenchDatabaseStore : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString url_;      // a finished tiny experiment (two tasks, one task iteration each)
  QString copyDir_;  // the same store, copied into a directory

  // A new database holding a copy of the store (its agents then touch nothing of url_).
  QString copyIntoNewDatabase() {
    const QString url = QString::fromStdString(testpg::newDatabase());
    ExperimentStore::copy(
        *ExperimentStore::open(url_.toStdString(), ExperimentStore::Mode::ReadOnly),
        url.toStdString());
    return url;
  }

  // No file or folder named after a URL appeared where the workbench runs.
  static bool nothingCreatedForUrls() {
    return !QFileInfo::exists(QDir::current().filePath(QStringLiteral("postgresql:"))) &&
           !QFileInfo::exists(QDir::home().filePath(QStringLiteral("postgresql:")));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_POSTGRESQL();
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    QSettings().clear();
    qputenv("MU2NET_RUNS_DIR", tmp_.path().toUtf8());
    ExperimentConfig config = testui::tinyConfig(1);
    config.tasks.push_back(testui::mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
    // Start on a URL: the workbench's run creates the store in the (empty) database.
    url_ = QString::fromStdString(testpg::newDatabase());
    ExperimentController controller;
    QVERIFY(controller.start(config, url_));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), State::Finished, kRunTimeoutMs);
    QVERIFY2(controller.lastError().isEmpty(), qPrintable(controller.lastError()));
    copyDir_ = tmp_.filePath(QStringLiteral("copy"));
    ExperimentStore::copy(
        *ExperimentStore::open(url_.toStdString(), ExperimentStore::Mode::ReadOnly),
        copyDir_.toStdString());
    QVERIFY(nothingCreatedForUrls());
  }

  // Names shown for URLs: no password, the database's name.
  void locationsOfDatabaseStores() {
    const QString url =
        QStringLiteral("postgresql://ann:secret@db.example:5433/runs?password=x&sslmode=require");
    QVERIFY(isDatabaseLocation(url));
    QVERIFY(isDatabaseLocation(QStringLiteral("postgres://h/db")));
    QVERIFY(!isDatabaseLocation(QStringLiteral("/home/ann/postgresql:/db")));
    QCOMPARE(displayLocation(url),
             QStringLiteral("postgresql://ann@db.example:5433/runs?password=***&sslmode=require"));
    QCOMPARE(storeName(url), QStringLiteral("runs"));
    QCOMPARE(storeName(QStringLiteral("postgresql://ann@/shots?host=/tmp/pg&port=5")),
             QStringLiteral("shots"));
    QCOMPARE(storeName(QStringLiteral("/runs/tiny-1")), QStringLiteral("tiny-1"));
    QCOMPARE(exportStartPath(url, QStringLiteral("a.pt")), QDir::home().filePath("a.pt"));
    QCOMPARE(AgentTableModel::heartbeatText(0.2), QStringLiteral("just now"));
    QCOMPARE(AgentTableModel::heartbeatText(3.4), QStringLiteral("3 s ago"));
    QCOMPARE(AgentTableModel::heartbeatText(250), QStringLiteral("4 min ago"));
    QCOMPARE(AgentTableModel::heartbeatText(7500), QStringLiteral("2 h 5 min ago"));
  }

  // The database store shows what the same store shows from a directory; it is not followed
  // (nobody writes it), has no agents yet, and its history and reload work as a directory's.
  void opensAsTheSameStoreInADirectory() {
    MainWindow db, dir;
    QVERIFY(testui::showWindow(db));
    QVERIFY(testui::showWindow(dir));
    QVERIFY2(db.openPath(url_), qPrintable(db.lastError()));
    QVERIFY2(dir.openPath(copyDir_), qPrintable(dir.lastError()));
    QCOMPARE(db.experimentDirectory(), url_);
    QCOMPARE(db.taskModel()->rowCount(), 2);
    QCOMPARE(rowsOf(db.taskModel()), rowsOf(dir.taskModel()));
    QCOMPARE(db.childModel()->rowCount(), 4);
    QCOMPARE(rowsOf(db.childModel()), rowsOf(dir.childModel()));
    QCOMPARE(db.graphView()->snapshot().nodes.size(), dir.graphView()->snapshot().nodes.size());
    QCOMPARE(db.historyPanel()->model()->count(), dir.historyPanel()->model()->count());
    QVERIFY(db.historyPanel()->model()->count() > 0);
    QCOMPARE(db.historyPanel()->caption(), dir.historyPanel()->caption());
    QCOMPARE(db.canStart(), dir.canStart());  // both finished: nothing left to run
    QVERIFY(!db.follower()->isFollowing());
    const QString name = storeName(url_);
    QVERIFY2(db.windowTitle().startsWith(name + QStringLiteral(" (database)")),
             qPrintable(db.windowTitle()));
    QVERIFY2(db.statusBar()->currentMessage().contains(QStringLiteral("Database store opened")),
             qPrintable(db.statusBar()->currentMessage()));
    QCOMPARE(QSettings().value(QStringLiteral("recentExperiments")).toStringList().value(1),
             url_);  // dir was opened after it
    // Agents: none yet on the database; none ever on a directory.
    QVERIFY(db.agentsPanel()->showsDatabaseStore());
    QCOMPARE(db.agentsPanel()->model()->rowCount(), 0);
    QVERIFY2(db.agentsPanel()->note().contains(QStringLiteral("No agent")),
             qPrintable(db.agentsPanel()->note()));
    QVERIFY(!dir.agentsPanel()->showsDatabaseStore());
    QCOMPARE(dir.agentsPanel()->model()->rowCount(), 0);
    QCOMPARE(dir.agentsPanel()->note(), QStringLiteral("Agents run only on database stores."));
    QVERIFY(dockNamed(db, "agentsDock"));
    QVERIFY(db.findChild<QAction*>(QStringLiteral("openDatabaseAction")));

    QVERIFY(db.reload());
    QCOMPARE(rowsOf(db.taskModel()), rowsOf(dir.taskModel()));
    QCOMPARE(db.childModel()->rowCount(), 4);
    QVERIFY(nothingCreatedForUrls());
  }

  // The store's exports work on a database store, into the folder chosen; their dialogs start in
  // the home folder (nothing is written next to a database).
  void exportsOfADatabaseStore() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    QVERIFY(window.openPath(url_));
    QSignalSpy exported(window.storeExports(), &StoreExports::exported);
    QSignalSpy failed(window.storeExports(), &StoreExports::failed);
    const QString csv = tmp_.filePath(QStringLiteral("csv"));
    QVERIFY(window.storeExports()->exportCsv(csv));
    QTRY_VERIFY_WITH_TIMEOUT(exported.size() + failed.size() == 1, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
    QVERIFY(QFileInfo::exists(QDir(csv).filePath(QStringLiteral("children.csv"))));
    const QString frames = tmp_.filePath(QStringLiteral("growth"));
    QCOMPARE(window.historyPanel()->exportGrowth(frames), 2);  // one frame per generation
    QVERIFY(QFileInfo::exists(QDir(frames).filePath(QStringLiteral("growth-0002.png"))));
    QVERIFY(nothingCreatedForUrls());
  }

  // A password in the URL is used to connect and shown nowhere.
  void passwordIsShownNowhere() {
    QSettings().clear();
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    const QString url = withPassword(url_);
    QVERIFY(url.contains(QStringLiteral("s3cret")));
    QVERIFY2(window.openPath(url), qPrintable(window.lastError()));
    QCOMPARE(window.experimentDirectory(), url);  // what the next reads connect with
    QVERIFY(!window.windowTitle().contains(QStringLiteral("s3cret")));
    QVERIFY(!window.statusBar()->currentMessage().contains(QStringLiteral("s3cret")));
    auto* log = window.findChild<EventLog*>();
    QVERIFY(log);
    QVERIFY(log->toPlainText().contains(storeName(url_)));
    QVERIFY(!log->toPlainText().contains(QStringLiteral("s3cret")));
    QCOMPARE(QSettings().value(QStringLiteral("recentExperiments")).toStringList(),
             QStringList{url_});
    QVERIFY(window.reload());
    QCOMPARE(window.taskModel()->rowCount(), 2);
  }

  // Agents at work: the window follows the store, the Agents view (raised) lists each claimed
  // task's agent and follows its lease: another agent's claim, a lease that expires ("lost"), a
  // task released as finished; once the agents have let go, following ends and the view keeps
  // the last leases read.
  void agentsViewFollowsTheLeases() {
    const QString url = copyIntoNewDatabase();
    auto agent = ExperimentStore::openForAgent(url.toStdString());
    const AgentIdentity a{"hostA:123:abcd", "hostA", 123};
    QVERIFY(agent->claimTask("digits-0-4", a, 60.0).claimed);

    MainWindow window;
    QVERIFY(testui::showWindow(window));
    window.follower()->setPollInterval(200);
    QVERIFY2(window.openPath(url), qPrintable(window.lastError()));
    QVERIFY(window.follower()->isFollowing());  // the agents write it
    QVERIFY(!window.canStart());
    QCOMPARE(window.taskModel()->rowCount(), 2);
    AgentsPanel* panel = window.agentsPanel();
    AgentTableModel* m = panel->model();
    QVERIFY(panel->showsDatabaseStore());
    QTRY_VERIFY(panel->isVisible());  // its tab in front
    QCOMPARE(m->rowCount(), 1);
    QCOMPARE(m->row(0).task, QStringLiteral("digits-0-4"));
    QCOMPARE(m->row(0).host, QStringLiteral("hostA"));
    QCOMPARE(m->row(0).pid, qint64{123});
    QCOMPARE(m->row(0).state, QStringLiteral("running"));
    QCOMPARE(m->row(0).agent, QStringLiteral("hostA:123:abcd"));
    const QString heartbeat = m->index(0, AgentTableModel::Heartbeat).data().toString();
    QVERIFY2(heartbeat.endsWith(QStringLiteral("ago")) || heartbeat == QStringLiteral("just now"),
             qPrintable(heartbeat));
    QVERIFY2(panel->note().contains(QStringLiteral("1 running")), qPrintable(panel->note()));

    // Another agent claims the other task with a short lease it never renews: it is lost.
    const AgentIdentity b{"hostB:77:ef01", "hostB", 77};
    QVERIFY(agent->claimTask("digits-5-9", b, 1.0).claimed);
    QTRY_VERIFY_WITH_TIMEOUT(m->rowOf(QStringLiteral("digits-5-9")) >= 0, 10000);
    const auto rowOf = [m](const char* task) { return m->row(m->rowOf(QLatin1String(task))); };
    QCOMPARE(rowOf("digits-5-9").host, QStringLiteral("hostB"));
    QTRY_COMPARE_WITH_TIMEOUT(rowOf("digits-5-9").state, QStringLiteral("lost"), 10000);
    QVERIFY(rowOf("digits-5-9").lost);
    QCOMPARE(rowOf("digits-0-4").state, QStringLiteral("running"));
    QVERIFY2(panel->note().contains(QStringLiteral("1 lost")), qPrintable(panel->note()));

    agent->releaseTask("digits-0-4", a.id, "finished", "");
    QTRY_COMPARE_WITH_TIMEOUT(rowOf("digits-0-4").state, QStringLiteral("finished"), 10000);

    // The agents let go: following ends; the leases last read stay.
    QSignalSpy finished(window.follower(), &StoreFollower::writerFinished);
    agent.reset();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    QVERIFY(!window.follower()->isFollowing());
    QCOMPARE(m->rowCount(), 2);
    QCOMPARE(rowOf("digits-0-4").state, QStringLiteral("finished"));
    QCOMPARE(rowOf("digits-5-9").state, QStringLiteral("lost"));

    // Opening a directory afterwards: no agents.
    QVERIFY(window.openPath(copyDir_));
    QVERIFY(!panel->showsDatabaseStore());
    QCOMPARE(m->rowCount(), 0);
    QCOMPARE(panel->note(), QStringLiteral("Agents run only on database stores."));
  }

  // A database that does not exist, one that holds no store, a server that does not answer, a
  // URL that is no URL: each says why (the store's error), opens nothing and leaves the window as
  // it was; nothing is created on the filesystem.
  void badUrlsSayWhy() {
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    QVERIFY(window.openPath(url_));
    const QStringList shown = rowsOf(window.taskModel());

    const QString missing = urlOfDatabase(QStringLiteral("no_such_database"));
    QVERIFY(!window.openPath(missing));
    QVERIFY2(window.lastError().contains(QStringLiteral("no_such_database")) &&
                 window.lastError().contains(QStringLiteral("does not exist")),
             qPrintable(window.lastError()));

    const QString empty = QString::fromStdString(testpg::newDatabase());
    QVERIFY(!window.openPath(empty));
    QVERIFY2(window.lastError().contains(QStringLiteral("not an experiment store")),
             qPrintable(window.lastError()));

    const QString noServer =
        QStringLiteral("postgresql://mu2net@/db?host=%1&port=1").arg(tmp_.path());
    QVERIFY(!window.openPath(noServer));
    QVERIFY2(window.lastError().contains(QStringLiteral("cannot connect")),
             qPrintable(window.lastError()));

    QVERIFY(!window.openPath(QStringLiteral("postgresql://[::1")));
    QVERIFY(!window.lastError().isEmpty());

    QCOMPARE(window.experimentDirectory(), url_);
    QCOMPARE(rowsOf(window.taskModel()), shown);
    QVERIFY2(window.statusBar()->currentMessage().startsWith(QStringLiteral("Error:")),
             qPrintable(window.statusBar()->currentMessage()));
    QVERIFY(nothingCreatedForUrls());
  }

  // Experiment > Open database store… asks for the URL (saying what it looks like), opens it
  // and offers it the next time; text that is no URL is refused with a message.
  void openDatabaseActionAsksForTheUrl() {
    QSettings().clear();
    MainWindow window;
    QVERIFY(testui::showWindow(window));
    QAction* action = actionNamed(window, "openDatabaseAction");
    QVERIFY(action);
    QVERIFY(action->isEnabled());
    QString label, offered;
    QVERIFY(answerInputDialog(action, [&](QInputDialog* d) {
      label = d->labelText();
      offered = d->textValue();
      d->setTextValue(url_);
      d->accept();
    }));
    QVERIFY2(
        label.contains(QStringLiteral("postgresql://")) && label.contains(QStringLiteral("host=")),
        qPrintable(label));
    QCOMPARE(offered, QStringLiteral("postgresql://"));
    QCOMPARE(window.experimentDirectory(), url_);
    QCOMPARE(window.taskModel()->rowCount(), 2);

    QVERIFY(answerInputDialog(action, [&](QInputDialog* d) {
      offered = d->textValue();
      d->setTextValue(QStringLiteral("/tmp/not-a-url"));
      d->accept();
    }));
    QCOMPARE(offered, url_);
    QVERIFY2(window.lastError().contains(QStringLiteral("not a database URL")),
             qPrintable(window.lastError()));
    QCOMPARE(window.experimentDirectory(), url_);

    // Cancelled: nothing happens.
    QVERIFY(answerInputDialog(action, [](QInputDialog* d) { d->reject(); }));
    QCOMPARE(window.experimentDirectory(), url_);
  }
};

QTEST_MAIN(TstWorkbenchDatabaseStore)
#include "tst_workbench_database_store.moc"
