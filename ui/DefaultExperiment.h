#pragma once
// The built-in default experiment (resources/experiments/default.json, embedded in the ui
// library as the Qt resource ":/experiments/default.json").
#include <QString>

namespace mu2net::ui {

/// Resource path of the embedded default configuration.
QString defaultExperimentResource();
/// Its JSON text (empty only if the resource is missing from the build).
QByteArray defaultExperimentJson();

}  // namespace mu2net::ui
