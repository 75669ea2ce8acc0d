// resources/deploy/slurm-agents.sbatch submitted to a real (single-node, throwaway) Slurm cluster
// as a job array of two agents on a PostgreSQL store: both array tasks run `mu2net agent` through
// srun, every task of the experiment finishes, each task's lease names its own agent process, and
// each array task writes its log. Needs the CTest fixtures "postgresql" and "slurm"
// (tests/slurm/test-cluster.sh, which needs root and Debian's slurm-wlm and munge).
#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "CliProcess.h"
#include "TestData.h"
#include "TestPostgres.h"

using namespace mu2net::testdata;

namespace {

QString slurmConf() {
  const QByteArray state = qgetenv("MU2NET_TEST_SLURM_STATE");
  return state.isEmpty() ? QString() : QString::fromUtf8(state) + "/slurm.conf";
}

}  // namespace

class TstSlurmAgents : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(mnistDir());
    MU2NET_REQUIRE_POSTGRESQL();
    if (slurmConf().isEmpty() || !QFile::exists(slurmConf()))
      QFAIL(
          "no test Slurm cluster: run the test through ctest (fixture 'slurm', "
          "tests/slurm/test-cluster.sh)");
  }

  void theBatchScriptRunsAnArrayOfAgents() {
    QTemporaryDir tmp;
    const QString mnist = QString::fromStdString(mnistDir().string());
    const QString config = tmp.filePath("exp.json");
    {
      QFile f(config);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QStringLiteral(R"({
        "seed": 8,
        "root": {"architecture": "vit", "width": 16, "heads": 2, "mlp_dim": 32, "depth": 2},
        "tasks": [{"name": "low", "format": "idx", "path": "%1", "classes": [0, 1, 2]},
                  {"name": "high", "format": "idx", "path": "%1", "classes": [7, 8, 9]},
                  {"name": "middle", "format": "idx", "path": "%1", "classes": [3, 4, 5]}],
        "evolution": {"generation_size": 1, "children_per_task_iteration": 2,
                      "task_iterations": 1},
        "training": {"batch_size": 32, "validations_per_child": 1,
                     "train_examples_between_validations": 256, "validation_examples_max": 128,
                     "test_examples_max": 128}
      })")
                  .arg(mnist)
                  .toUtf8());
    }
    const QString store = QString::fromStdString(testpg::newDatabase());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("SLURM_CONF", slurmConf());
    env.insert("MU2NET", QStringLiteral(MU2NET_CLI_PATH));
    env.insert("MU2NET_STORE", store);
    env.insert("MU2NET_CONFIG", config);
    // The test node has the machine's cores and no memory configured: the script's defaults
    // (4 cores, 8 GiB per agent) are for a cluster's nodes.
    const ProgramRun r = runProgram(
        "sbatch",
        {"--wait", "--array=0-1", "--cpus-per-task=1", "--mem=0", "--chdir=" + tmp.path(),
         QStringLiteral(MU2NET_SOURCE_DIR "/resources/deploy/slurm-agents.sbatch")},
        env, 300000);
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.out + r.err));
    const QRegularExpressionMatch job =
        QRegularExpression(QStringLiteral("Submitted batch job (\\d+)")).match(r.out);
    QVERIFY2(job.hasMatch(), qPrintable(r.out));
    for (int k = 0; k < 2; ++k) {
      QFile log(tmp.filePath(QStringLiteral("mu2net-agent-%1_%2.log").arg(job.captured(1)).arg(k)));
      QVERIFY2(log.open(QIODevice::ReadOnly), qPrintable(log.fileName()));
      QVERIFY(log.readAll().contains("agent "));
    }
    const CliResult s = runCli({"status", store, "--json"});
    const QJsonObject status = QJsonDocument::fromJson(s.out.toUtf8()).object();
    QVERIFY2(status.value("finished").toBool(), qPrintable(s.out + s.err));
    QCOMPARE(status.value("children_trained").toInt(), 6);
    const QJsonArray agents = status.value("agents").toArray();
    QCOMPARE(agents.size(), 3);
    QSet<QString> processes;
    for (const auto& a : agents) {
      QCOMPARE(a.toObject().value("state").toString(), QStringLiteral("finished"));
      processes.insert(a.toObject().value("agent").toString());
    }
    QCOMPARE(processes.size(), 2);  // agent 0 of 2: low and middle; agent 1: high
    const CliResult v = runCli({"verify", store});
    QVERIFY2(v.exitCode == 0, qPrintable(v.out + v.err));
  }
};

QTEST_GUILESS_MAIN(TstSlurmAgents)
#include "tst_slurm_agents.moc"
