#include "DefaultExperiment.h"

#include <QFile>

// The resource lives in a static library: it must be initialised explicitly or the linker may
// drop it. Q_INIT_RESOURCE cannot be used inside a namespace.
static void initWorkbenchResources() {
  Q_INIT_RESOURCE(workbench);
}

namespace mu2net::ui {

QString defaultExperimentResource() {
  return QStringLiteral(":/experiments/default.json");
}

QByteArray defaultExperimentJson() {
  initWorkbenchResources();
  QFile file(defaultExperimentResource());
  if (!file.open(QIODevice::ReadOnly)) return {};
  return file.readAll();
}

}  // namespace mu2net::ui
