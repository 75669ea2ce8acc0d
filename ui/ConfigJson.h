#pragma once
// Building experiment JSON from form fields, and validating it exactly as the command line does
// (mu2net::parseExperimentConfig), so that a dialog's error names the offending key the same way
// (`tasks[1].classes[3]: ...`). Pure functions.
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <optional>

#include "mu2net/evolution/ExperimentConfig.h"

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

/// The architecture a configuration's `root` object resolves to (a built-in root's or a
/// checkpoint's metadata, else the keys), as parseExperimentConfig reads it. Throws ConfigError.
ArchitectureConfig rootArchitecture(const QJsonObject& root, const QString& baseDir);

/// Why `path` (relative to `baseDir`) cannot be a root checkpoint without opening it: empty or no
/// such file; an empty string when it is a file. Names the key `root.checkpoint` and the file.
QString checkpointFileError(const QString& path, const QString& baseDir);

/// What `{"checkpoint": path}` resolves to. A timm .safetensors file that does not record its
/// attention heads needs the key `heads` (the parser says so, naming `root.heads`): then
/// headsNeeded is set and `heads` is given. `architecture` is empty when the file is unusable,
/// with the parser's message in `error`.
struct CheckpointResolution {
  std::optional<ArchitectureConfig> architecture;
  bool headsNeeded = false;
  QString error;
};
CheckpointResolution resolveCheckpointRoot(const QString& path, const QString& baseDir, int heads);

}  // namespace mu2net::ui
