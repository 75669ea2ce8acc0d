// Agents on a shared PostgreSQL store, through the real `mu2net` binary: one agent with every task
// commits what `mu2net run` does; two and three agents (`mu2net agents`) finish every task with a
// store that verifies; an agent killed with SIGKILL in the middle of a generation is replaced by
// one that continues from the last committed generation; a task held by a live agent is refused
// to a second one (exit code 3) or waited for; `mu2net run` is refused while agents write; the
// Slurm batch script runs its array's agents. Needs the test PostgreSQL server (CTest fixture
// "postgresql").
#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <csignal>

#include "CliProcess.h"
#include "TestData.h"
#include "TestPostgres.h"

using namespace mu2net::testdata;

namespace {

// A small MNIST experiment: `tasks` tasks of three digits each, `generations` generations of one
// child per task iteration, `iterations` task iterations.
QString writeConfig(const QTemporaryDir& dir, const QString& name, int tasks, int generations,
                    int iterations, int examples = 256) {
  const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
  QString taskList;
  const char* names[] = {"low", "high", "middle"};
  const char* classes[] = {"[0, 1, 2]", "[7, 8, 9]", "[3, 4, 5]"};
  for (int t = 0; t < tasks; ++t)
    taskList += QStringLiteral(R"(%1{"name": "%2", "format": "idx", "path": "%3", "classes": %4})")
                    .arg(t ? "," : "", names[t], mnist, classes[t]);
  const QString path = dir.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(QStringLiteral(R"({
    "seed": 5,
    "root": {"architecture": "vit", "width": 16, "heads": 2, "mlp_dim": 32, "depth": 2},
    "tasks": [%1],
    "evolution": {"generation_size": 1, "children_per_task_iteration": %2, "task_iterations": %3},
    "training": {"batch_size": 32, "validations_per_child": 1,
                 "train_examples_between_validations": %4, "validation_examples_max": 128,
                 "test_examples_max": 128, "threads": 1}
  })")
              .arg(taskList)
              .arg(generations)
              .arg(iterations)
              .arg(examples)
              .toUtf8());
  return path;
}

QString url() {
  return QString::fromStdString(testpg::newDatabase());
}

QJsonObject status(const QString& store) {
  const CliResult r = runCli({"status", store, "--json"});
  return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

// A CSV file's text without its wall-time columns (named "…seconds"), which no two runs share.
QString csvWithoutSeconds(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  const QStringList lines = QString::fromUtf8(f.readAll()).split('\n');
  const QStringList header = lines.first().split(',');
  QStringList out;
  for (const QString& line : lines) {
    const QStringList cells = line.split(',');
    QStringList kept;
    for (int c = 0; c < cells.size(); ++c)
      if (c >= header.size() || !header[c].endsWith(QStringLiteral("seconds"))) kept << cells[c];
    out << kept.join(',');
  }
  return out.join('\n');
}

// Starts the CLI without waiting for it.
void start(QProcess& p, const QStringList& args) {
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(QStringLiteral(MU2NET_CLI_PATH), args);
}

// Waits until `p`'s output so far (kept in `out`) contains `text`.
bool waitForOutput(QProcess& p, QString& out, const QString& text, int ms = 120000) {
  QElapsedTimer timer;
  timer.start();
  while (!out.contains(text) && timer.elapsed() < ms && p.state() != QProcess::NotRunning) {
    p.waitForReadyRead(100);
    out += QString::fromUtf8(p.readAll());
  }
  out += QString::fromUtf8(p.readAll());
  return out.contains(text);
}

// Waits for every process of `agents` to end with exit code 0 (its output in the message if not).
void finishAll(QProcess* agents, int count) {
  for (int k = 0; k < count; ++k) {
    QVERIFY(agents[k].waitForFinished(300000));
    QVERIFY2(agents[k].exitCode() == 0, agents[k].readAll().constData());
  }
}

}  // namespace

class TstCliAgents : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(mnistDir());
    MU2NET_REQUIRE_POSTGRESQL();
  }

  void oneAgentCommitsWhatRunCommits() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 2, 2, 2);
    const QString byRun = url(), byAgent = url();
    CliResult r = runCli({"run", config, "--store", byRun});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(!r.out.contains("report: "), qPrintable(r.out));  // a database store: none asked
    QVERIFY(r.out.contains("store: "));
    r = runCli(
        {"agent", "--store", byAgent, "--config", config, "--task", "low", "--task", "high"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    // Every table the CSV export writes, identical.
    for (const QString& store : {byRun, byAgent}) {
      const QString out = tmp.filePath(store == byRun ? "csv-run" : "csv-agent");
      r = runCli({"export", store, "--csv", out});
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }
    for (const char* file : {"children.csv", "curves.csv", "paths.csv", "components.csv"}) {
      const QString a = csvWithoutSeconds(tmp.filePath(QStringLiteral("csv-run/") + file));
      QVERIFY(a.count('\n') > 1);
      QCOMPARE(csvWithoutSeconds(tmp.filePath(QStringLiteral("csv-agent/") + file)), a);
    }
    QJsonObject a = status(byRun), b = status(byAgent);
    QCOMPARE(b.value("agents").toArray().size(), 2);
    QCOMPARE(b.value("agents").toArray()[0].toObject().value("state").toString(),
             QStringLiteral("finished"));
    for (auto* s : {&a, &b}) {
      s->remove("directory");
      s->remove("agents");
    }
    QCOMPARE(b, a);
  }

  void twoAndThreeAgentsFinishEveryTask() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 3, 2, 2);
    for (const char* processes : {"2", "3"}) {
      const QString store = url();
      const CliResult r = runCli({"agents", "--store", store, "--processes", processes, config,
                                  "--threads-per-agent", "1"});
      QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
      QVERIFY(r.out.contains("[agent 2] "));
      const QJsonObject s = status(store);
      QVERIFY(s.value("finished").toBool());
      QCOMPARE(s.value("children_trained").toInt(), 12);
      QCOMPARE(s.value("children_planned").toInt(), 12);
      for (const auto& t : s.value("tasks").toArray()) {
        QCOMPARE(t.toObject().value("iterations_done").toInt(), 2);
        QVERIFY(t.toObject().value("path_id").toInt() >= 0);
        QVERIFY(!t.toObject().value("test_accuracy").isNull());
      }
      for (const auto& a : s.value("agents").toArray())
        QCOMPARE(a.toObject().value("state").toString(), QStringLiteral("finished"));
      // Every component any path uses is there, with its recorded SHA-256, and every retained
      // model reproduces its test accuracy.
      const CliResult v = runCli({"verify", store});
      QVERIFY2(v.exitCode == 0 && v.out.contains("verify: OK"), qPrintable(v.out + v.err));
    }
  }

  void aKilledAgentIsReplaced() {
    QTemporaryDir tmp;
    // Children of 8,192 examples (a second or more each), so that the kill lands inside one.
    const QString config = writeConfig(tmp, "exp.json", 1, 3, 1, 8192);
    const QString store = url();
    // Killed in the middle of its second generation: the first is committed.
    const CliResult killed = runCli(
        {"agent", "--store", store, "--config", config, "--task", "low", "--lease-seconds", "2"},
        QStringLiteral("generation 2:"), SIGKILL);
    QVERIFY(killed.exitCode != 0 || killed.crashed);
    QJsonObject s = status(store);
    QCOMPARE(s.value("children_trained").toInt(), 1);
    const QString dead = s.value("agents").toArray()[0].toObject().value("agent").toString();
    // The replacement waits for the dead agent's lease, then continues.
    const CliResult r =
        runCli({"agent", "--store", store, "--task", "low", "--lease-seconds", "2", "--wait"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QCOMPARE(r.out.count(QStringLiteral("  generation ")), 2);  // the two left, nothing again
    s = status(store);
    QVERIFY(s.value("finished").toBool());
    QCOMPARE(s.value("children_trained").toInt(), 3);
    const QJsonObject lease = s.value("agents").toArray()[0].toObject();
    QVERIFY(lease.value("agent").toString() != dead);
    QCOMPARE(lease.value("state").toString(), QStringLiteral("finished"));
    const CliResult v = runCli({"verify", store});
    QVERIFY2(v.exitCode == 0, qPrintable(v.out + v.err));
  }

  void aHeldTaskIsRefusedOrWaitedFor() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 1, 2, 1);
    const QString store = url();
    QProcess first;
    QString out;
    start(first, {"agent", "--store", store, "--config", config, "--task", "low"});
    QVERIFY2(waitForOutput(first, out, QStringLiteral("generation 1:")), qPrintable(out));
    ::kill(static_cast<pid_t>(first.processId()), SIGSTOP);  // alive, holding its lease
    CliResult r = runCli({"agent", "--store", store, "--task", "low"});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("task 'low' is held by agent") && r.err.contains("--wait"),
             qPrintable(r.err));
    r = runCli({"run", config, "--store", store});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("being written"), qPrintable(r.err));
    ::kill(static_cast<pid_t>(first.processId()), SIGCONT);
    QVERIFY(first.waitForFinished(120000));
    QCOMPARE(first.exitCode(), 0);
    // Once its agent has finished, the task is free: nothing is left to do.
    r = runCli({"agent", "--store", store, "--task", "low", "--wait"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.count(QStringLiteral("  generation ")), 0);
  }

  // Agents on different machines: each reads only its own tasks' data.
  void anAgentReadsOnlyItsOwnTasksData() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 2, 1, 1);
    {
      // Task "high"'s data is on another machine: a folder this one does not have.
      QFile f(config);
      QVERIFY(f.open(QIODevice::ReadOnly));
      QByteArray text = f.readAll();
      f.close();
      const qsizetype high = text.indexOf("\"high\"");
      const qsizetype path = text.indexOf("\"path\": \"", high) + 9;
      text.replace(path, text.indexOf('"', path) - path, tmp.filePath("elsewhere").toUtf8());
      QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
      f.write(text);
    }
    const QString store = url();
    CliResult r = runCli({"agent", "--store", store, "--config", config, "--task", "low"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QJsonObject s = status(store);
    QCOMPARE(s.value("tasks").toArray()[0].toObject().value("iterations_done").toInt(), 1);
    QCOMPARE(s.value("tasks").toArray()[1].toObject().value("path_id").toInt(), -1);
    // The agent for "high" here is refused, naming the folder.
    r = runCli({"agent", "--store", store, "--task", "high"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("elsewhere"), qPrintable(r.err));
  }

  void wrongUsesAreRefused() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 1, 1, 1);
    CliResult r = runCli({"agent", "--store", tmp.filePath("dir"), "--task", "low"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("database store") && r.err.contains("store copy"), qPrintable(r.err));
    const QString store = url();
    r = runCli({"agent", "--store", store, "--config", config, "--task", "nosuch"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("'nosuch' is not in the experiment") && r.err.contains("low"),
             qPrintable(r.err));
    r = runCli({"agent", "--store", store, "--share", "2/2"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("--share"));
  }

  // The Slurm batch script, run as two array tasks would run it (no Slurm here: the script runs
  // its agent directly outside a Slurm job).
  void theSlurmScriptRunsItsArraysAgents() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 2, 1, 2);
    const QString store = url();
    QProcess agents[2];
    for (int k = 0; k < 2; ++k) {
      QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
      env.insert("MU2NET", QStringLiteral(MU2NET_CLI_PATH));
      env.insert("MU2NET_STORE", store);
      env.insert("MU2NET_CONFIG", config);
      env.insert("SLURM_ARRAY_TASK_ID", QString::number(k));
      env.insert("SLURM_ARRAY_TASK_COUNT", "2");
      env.remove("SLURM_JOB_ID");
      agents[k].setProcessEnvironment(env);
      agents[k].setProcessChannelMode(QProcess::MergedChannels);
      agents[k].start("bash",
                      {QStringLiteral(MU2NET_SOURCE_DIR "/resources/deploy/slurm-agents.sbatch")});
    }
    finishAll(agents, 2);
    if (QTest::currentTestFailed()) return;
    const QJsonObject s = status(store);
    QVERIFY(s.value("finished").toBool());
    QCOMPARE(s.value("agents").toArray().size(), 2);
    QCOMPARE(s.value("children_trained").toInt(), 4);
  }

  // The Kubernetes Job's command, run as its completion indexes 0 and 1 of 20 would run it (with
  // `mu2net` on PATH and the configuration where the ConfigMap would mount it).
  void theKubernetesJobsCommandRunsItsAgents() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 2, 1, 1);
    QFile manifest(QStringLiteral(MU2NET_SOURCE_DIR "/resources/deploy/k8s-agents-job.yaml"));
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QString yaml = QString::fromUtf8(manifest.readAll());
    QVERIFY(yaml.contains("completionMode: Indexed") && yaml.contains("completions: 20") &&
            yaml.contains("parallelism: 20"));
    // The folded scalar after "args:" up to "env:", joined into one command line.
    const qsizetype from = yaml.indexOf("- >-", yaml.indexOf("args:"));
    const qsizetype to = yaml.indexOf("env:", from);
    QVERIFY(from > 0 && to > from);
    QString command = yaml.mid(from + 4, to - from - 4).simplified();
    QVERIFY2(command.contains("--share \"$JOB_COMPLETION_INDEX/20\"") && command.contains("--wait"),
             qPrintable(command));
    command.replace("/config/experiment.json", config);
    const QString store = url();
    QProcess agents[2];
    for (int k = 0; k < 2; ++k) {
      QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
      env.insert("PATH", QFileInfo(QStringLiteral(MU2NET_CLI_PATH)).absolutePath() + ":" +
                             env.value("PATH"));
      env.insert("MU2NET_STORE", store);
      env.insert("JOB_COMPLETION_INDEX", QString::number(k));
      agents[k].setProcessEnvironment(env);
      agents[k].setProcessChannelMode(QProcess::MergedChannels);
      agents[k].start("/bin/sh", {"-c", command});
    }
    finishAll(agents, 2);
    if (QTest::currentTestFailed()) return;
    const QJsonObject s = status(store);
    QVERIFY(s.value("finished").toBool());
    QCOMPARE(s.value("agents").toArray().size(), 2);
  }

  void storeCopyThroughTheCli() {
    QTemporaryDir tmp;
    const QString config = writeConfig(tmp, "exp.json", 1, 1, 1);
    const QString dir = tmp.filePath("run");
    CliResult r = runCli({"run", config, "--out", dir});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString store = url();
    r = runCli({"store", "copy", dir, store});
    QVERIFY2(r.exitCode == 0 && r.out.contains("copied "), qPrintable(r.out + r.err));
    r = runCli({"verify", store});
    QVERIFY2(r.exitCode == 0 && r.out.contains("verify: OK"), qPrintable(r.out + r.err));
    r = runCli({"store", "copy", store, tmp.filePath("back")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(runCli({"status", tmp.filePath("back")}).out.section('\n', 1),
             runCli({"status", dir}).out.section('\n', 1));
    // Refused: a destination that holds a store, a source that is not one; nothing changes.
    r = runCli({"store", "copy", dir, store});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("already holds an experiment store"), qPrintable(r.err));
    r = runCli({"store", "copy", tmp.filePath("nothing"), tmp.filePath("out")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("is not a directory"), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(tmp.filePath("out")));
    r = runCli({"store", "copy", dir, tmp.filePath("run")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("is not empty"), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TstCliAgents)
#include "tst_cli_agents.moc"
