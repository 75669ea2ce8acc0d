#pragma once
// Building experiment JSON from form fields, and validating it exactly as the command line does
// (mu2net::parseExperimentConfig), so that a dialog's error names the offending key the same way
// (`tasks[1].classes[3]: ...`). Pure functions.
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <optional>

#include "mu2net/ExperimentConfig.h"

namespace mu2net::ui {

/// "0, 2, 4" (commas and/or spaces) → [0, 2, 4]; "" → []. Returns nothing and sets *error when a
/// part is not a whole number.
std::optional<QJsonArray> parseClassList(const QString& text, QString* error);

/// The JSON object of one task: name, format, path, and classes / validation_fraction when given.
QJsonObject taskJson(const QString& name, const QString& format, const QString& path,
                     const QJsonArray& classes, std::optional<double> validationFraction = {});

/// Parses `experiment` with parseExperimentConfig; relative paths resolve against `baseDir`.
/// Throws ConfigError (message names the key).
ExperimentConfig validateExperimentJson(const QJsonObject& experiment, const QString& baseDir);

/// The canonical JSON of a configuration (experimentConfigToJson) as an object.
QJsonObject experimentJson(const ExperimentConfig& config);

}  // namespace mu2net::ui
