#include "ConfigJson.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <exception>

namespace mu2net::ui {

std::optional<QJsonArray> parseClassList(const QString& text, QString* error) {
  QJsonArray out;
  const auto parts = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
  for (const auto& part : parts) {
    bool ok = false;
    const int value = part.toInt(&ok);
    if (!ok) {
      if (error) *error = QObject::tr("class '%1' is not a whole number").arg(part);
      return std::nullopt;
    }
    out.append(value);
  }
  return out;
}

QJsonObject taskJson(const QString& name, const QString& format, const QString& path,
                     const QJsonArray& classes, std::optional<double> validationFraction) {
  QJsonObject task{{QStringLiteral("name"), name},
                   {QStringLiteral("format"), format},
                   {QStringLiteral("path"), path}};
  if (!classes.isEmpty()) task.insert(QStringLiteral("classes"), classes);
  if (validationFraction) task.insert(QStringLiteral("validation_fraction"), *validationFraction);
  return task;
}

ExperimentConfig validateExperimentJson(const QJsonObject& experiment, const QString& baseDir) {
  const QByteArray text = QJsonDocument(experiment).toJson(QJsonDocument::Compact);
  return parseExperimentConfig(text.toStdString(), baseDir.toStdString());
}

QJsonObject experimentJson(const ExperimentConfig& config) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(experimentConfigToJson(config)))
      .object();
}

ArchitectureConfig rootArchitecture(const QJsonObject& root, const QString& baseDir) {
  // The parser reads a root as part of a configuration: give it a placeholder task (parsing does
  // not open a task's folder).
  const QJsonObject probe{
      {QStringLiteral("root"), root},
      {QStringLiteral("tasks"), QJsonArray{taskJson(QStringLiteral("probe"), QStringLiteral("idx"),
                                                    QStringLiteral("."), QJsonArray())}}};
  return validateExperimentJson(probe, baseDir).root.architecture;
}

QString checkpointFileError(const QString& path, const QString& baseDir) {
  const QString key = QStringLiteral("config key 'root.checkpoint': ");
  if (path.trimmed().isEmpty())
    return key + QObject::tr("choose a root checkpoint file (.pt or .safetensors)");
  const QFileInfo file(QDir(baseDir), path);
  if (!file.exists()) return key + QObject::tr("no file %1").arg(file.absoluteFilePath());
  if (!file.isFile()) return key + QObject::tr("%1 is not a file").arg(file.absoluteFilePath());
  return {};
}

CheckpointResolution resolveCheckpointRoot(const QString& path, const QString& baseDir, int heads) {
  CheckpointResolution out;
  out.error = checkpointFileError(path, baseDir);
  if (!out.error.isEmpty()) return out;
  QJsonObject root{{QStringLiteral("checkpoint"), path}};
  try {
    out.architecture = rootArchitecture(root, baseDir);
    return out;
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    if (!path.endsWith(QStringLiteral(".safetensors")) ||
        !message.contains(QStringLiteral("'root.heads'"))) {
      out.error = message;
      return out;
    }
  }
  out.headsNeeded = true;
  root.insert(QStringLiteral("heads"), heads);
  try {
    out.architecture = rootArchitecture(root, baseDir);
  } catch (const std::exception& e) {
    out.error = QString::fromStdString(e.what());
  }
  return out;
}

}  // namespace mu2net::ui
