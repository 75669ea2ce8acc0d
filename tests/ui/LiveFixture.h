#pragma once
// Shared by the tests of following live directories and of the GUI's exports (tst_follow,
// tst_gui_exports): a configuration written as JSON for `mu2net run`, the CLI run to its end or
// started beside the workbench, and what a window's tables and graph show, as text to compare.
#include <QAbstractItemModel>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QtTest/QtTest>
#include <string>

#include "CliProcess.h"
#include "GraphView.h"
#include "MainWindow.h"
#include "UiTestUtil.h"
#include "mu2net/evolution/ExperimentConfig.h"

namespace mu2net::testui {

/// Writes `config` to `path` as the JSON `mu2net run` reads.
inline bool writeConfig(const ExperimentConfig& config, const QString& path) {
  QFile f(path);
  const std::string json = experimentConfigToJson(config);
  return f.open(QIODevice::WriteOnly) &&
         f.write(json.data(), static_cast<qint64>(json.size())) == static_cast<qint64>(json.size());
}

/// Runs `mu2net ARGS` to its end; returns its stdout and stderr when it failed, else empty.
inline QString runMu2net(const QStringList& args) {
  const auto r = testdata::runProgram(QStringLiteral(MU2NET_CLI_PATH), args);
  if (r.finished && r.exitCode == 0) return {};
  return QStringLiteral("mu2net %1 failed (%2): %3 %4")
      .arg(args.join(QLatin1Char(' ')))
      .arg(r.exitCode)
      .arg(r.out, r.err);
}

/// Starts `mu2net run CONFIG --out DIR --threads 1` in `process` (a writer the window follows).
inline void startRun(QProcess& process, const QString& config, const QString& dir) {
  process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
  process.start(QStringLiteral(MU2NET_CLI_PATH),
                {QStringLiteral("run"), config, QStringLiteral("--out"), dir,
                 QStringLiteral("--threads"), QStringLiteral("1")});
}

/// The graph's newest snapshot as text: components and each route.
inline QString graphText(const ui::MainWindow& window) {
  const GraphSnapshot& g = window.graphView()->snapshot();
  QStringList parts;
  for (const auto& n : g.nodes)
    parts << QString::number(n.id);
  for (const auto& r : g.routes) {
    QStringList ids;
    for (auto id : r.componentIds)
      ids << QString::number(id);
    parts << QString::fromStdString(r.task) + QLatin1Char(':') + ids.join(QLatin1Char(','));
  }
  return parts.join(QLatin1Char(' '));
}

}  // namespace mu2net::testui
