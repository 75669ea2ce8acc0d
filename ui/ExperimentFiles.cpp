#include "ExperimentFiles.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>
#include <algorithm>
#include <filesystem>

#include "mu2net/data/DatasetFolderCheck.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

QString runsRoot() {
  const QByteArray env = qgetenv("MU2NET_RUNS_DIR");
  return env.isEmpty() ? QDir::home().filePath(QStringLiteral("mu2net-runs"))
                       : QString::fromLocal8Bit(env);
}

bool isDatabaseLocation(const QString& location) {
  return isStoreUrl(location.toStdString());
}

QString displayLocation(const QString& location) {
  if (!isDatabaseLocation(location)) return location;
  QString out = location;
  const qsizetype start = out.indexOf(QLatin1String("://")) + 3;
  const qsizetype at = out.indexOf(QLatin1Char('@'), start);
  const qsizetype slash = out.indexOf(QLatin1Char('/'), start);
  if (at >= 0 && (slash < 0 || at < slash)) {
    const qsizetype colon = out.indexOf(QLatin1Char(':'), start);
    if (colon >= 0 && colon < at) out.remove(colon, at - colon);
  }
  for (qsizetype p = out.indexOf(QLatin1String("password=")); p >= 0;
       p = out.indexOf(QLatin1String("password="), p + 1)) {
    const qsizetype end = out.indexOf(QLatin1Char('&'), p);
    out.replace(p + 9, (end < 0 ? out.size() : end) - (p + 9), QStringLiteral("***"));
  }
  return out;
}

QString storeName(const QString& location) {
  if (!isDatabaseLocation(location)) return QFileInfo(location).fileName();
  // postgresql://[user[:password]@][host][:port]/DATABASE[?parameters]
  const qsizetype start = location.indexOf(QLatin1String("://")) + 3;
  const qsizetype slash = location.indexOf(QLatin1Char('/'), start);
  const qsizetype query = location.indexOf(QLatin1Char('?'), start);
  if (slash < 0 || (query >= 0 && query < slash)) return displayLocation(location);
  const QString name = location.mid(slash + 1, query < 0 ? -1 : query - slash - 1);
  return name.isEmpty() ? displayLocation(location) : name;
}

QString newExperimentDirectory(const QString& source) {
  const QString stem = source.startsWith(QLatin1Char(':')) ? QStringLiteral("default")
                                                           : QFileInfo(source).completeBaseName();
  const QString base =
      QDir(runsRoot())
          .filePath(stem + QLatin1Char('-') +
                    QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  // Two starts within one second: the second gets "-2", "-3", ... rather than the first's store.
  QString dir = base;
  for (int n = 2; QFileInfo::exists(dir); ++n)
    dir = base + QLatin1Char('-') + QString::number(n);
  return dir;
}

namespace {

// A task's status as the store has it. A run's end is not committed (only its generations are),
// so a task left in the middle of an iteration reads "interrupted", stopped or crashed alike.
QString taskStatus(const StoreTask& t, std::size_t index, const StoreState& st, int iterations) {
  if (t.iterationsDone >= iterations)
    return QObject::tr("done (iteration %1)").arg(t.iterationsDone);
  if (!st.progress.finished && st.progress.taskStarted &&
      st.progress.taskIndex == static_cast<int64_t>(index))
    return QObject::tr("interrupted in iteration %1").arg(t.iterationsDone + 1);
  if (t.iterationsDone > 0) return QObject::tr("done (iteration %1)").arg(t.iterationsDone);
  return QObject::tr("waiting");
}

}  // namespace

qint64 childrenPlanned(const ExperimentConfig& config, std::size_t tasks) {
  const auto& e = config.evolution;
  const qint64 perIteration =
      (e.childrenPerTaskIteration + e.generationSize - 1) / e.generationSize * e.generationSize;
  return perIteration * e.taskIterations * static_cast<qint64>(tasks);
}

std::optional<StoredExperiment> storedExperiment(const ExperimentStore& store,
                                                 const ExperimentConfig& config) {
  if (!store.hasState()) return std::nullopt;
  const StoreState st = store.loadMetadata();
  const System system(st.system);
  const int iterations = config.evolution.taskIterations;
  StoredExperiment shown;
  shown.finished = true;
  for (std::size_t i = 0; i < st.tasks.size(); ++i) {
    const StoreTask& t = st.tasks[i];
    shown.run.tasks.push_back(t.spec.name);
    shown.taskStatus.emplace_back(QString::fromStdString(t.spec.name),
                                  taskStatus(t, i, st, iterations));
    shown.childrenTrained += t.childrenTried;
    shown.finished = shown.finished && t.iterationsDone >= iterations;
  }
  shown.childrenPlanned = childrenPlanned(config, st.tasks.size());
  shown.run.taskIterations = iterations;
  shown.run.graph = system.snapshot();
  shown.run.history = store.children();
  shown.nothingLeft = nothingLeftToRun(st, config);
  return shown;
}

QString nothingLeftToRun(const StoreState& state, const ExperimentConfig& requested) {
  const int iterations = requested.evolution.taskIterations;
  for (const auto& t : state.tasks)
    if (t.iterationsDone < iterations) return {};
  for (const auto& task : requested.tasks) {
    const bool known = std::any_of(state.tasks.begin(), state.tasks.end(),
                                   [&](const StoreTask& t) { return t.spec.name == task.name; });
    if (!known) return {};
  }
  return QObject::tr(
      "every task has finished its %n task iteration(s): there is nothing left to run. "
      "To continue this experiment, raise evolution.task_iterations or add a task (a "
      "configuration with either, run on this directory: mu2net run CONFIG.json --out "
      "DIR).",
      nullptr, iterations);
}

QString nothingLeftToRun(const QString& dir, const ExperimentConfig& requested) {
  const std::filesystem::path d = dir.toStdString();
  if (dir.isEmpty() || !ExperimentStore::isStore(d)) return {};
  const auto store = ExperimentStore::open(d, ExperimentStore::Mode::ReadOnly);
  if (!store->hasState()) return {};
  try {
    mergeResumeConfig(store->config(), requested);
  } catch (const std::exception&) {
    return {};  // a configuration that cannot continue the store: the run says why
  }
  return nothingLeftToRun(store->loadMetadata(), requested);
}

QString dataProblems(const ExperimentConfig& config) {
  QStringList lines;
  for (const auto& p : taskFolderProblems(config.tasks))
    lines << QString::fromStdString(p);
  return lines.join(QStringLiteral("; "));
}

QString exportStartPath(const QString& experimentDir, const QString& fileName) {
  const QDir dir = experimentDir.isEmpty() || isDatabaseLocation(experimentDir) ||
                           !QFileInfo(experimentDir).isDir()
                       ? QDir::home()
                       : QDir(experimentDir);
  return dir.filePath(fileName);
}

QString saveExperimentConfig(const QString& path, const ExperimentConfig& config) {
  QFile file(path);
  const std::string json = experimentConfigToJson(config);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
      file.write(json.data(), static_cast<qint64>(json.size())) != static_cast<qint64>(json.size()))
    return QObject::tr("cannot write %1: %2").arg(path, file.errorString());
  return {};
}

}  // namespace mu2net::ui
