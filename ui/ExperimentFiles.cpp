#include "ExperimentFiles.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

QString runsRoot() {
  const QByteArray env = qgetenv("MU2NET_RUNS_DIR");
  return env.isEmpty() ? QDir::home().filePath(QStringLiteral("mu2net-runs"))
                       : QString::fromLocal8Bit(env);
}

QString newExperimentDirectory(const QString& source) {
  const QString stem = source.startsWith(QLatin1Char(':')) ? QStringLiteral("default")
                                                           : QFileInfo(source).completeBaseName();
  return QDir(runsRoot())
      .filePath(stem + QLatin1Char('-') +
                QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
}

std::optional<RunStartedEvent> storedRun(const ExperimentStore& store,
                                         const ExperimentConfig& config) {
  if (!store.hasState()) return std::nullopt;
  const StoreState st = store.loadMetadata();
  const System system(st.system);
  RunStartedEvent shown;
  for (const auto& t : st.tasks)
    shown.tasks.push_back(t.spec.name);
  shown.taskIterations = config.evolution.taskIterations;
  shown.graph = system.snapshot();
  shown.history = store.children();
  return shown;
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
