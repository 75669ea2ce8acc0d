#include "ConfigJson.h"

#include <QJsonDocument>
#include <QRegularExpression>

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

}  // namespace mu2net::ui
