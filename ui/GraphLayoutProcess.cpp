#include "GraphLayoutProcess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace mu2net::ui {

GraphLayoutProcess::GraphLayoutProcess(QObject* parent)
    : QObject(parent), program_(defaultProgram()) {}

GraphLayoutProcess::~GraphLayoutProcess() {
  // A QProcess destroyed while running waits for it; kill first so that wait is immediate. The
  // helpers cancelled earlier may not have been reaped yet by the event loop: reap them here.
  cancel();
  for (auto* process : findChildren<QProcess*>())
    if (process->state() != QProcess::NotRunning) {
      if (process->state() == QProcess::Starting) process->waitForStarted(1000);
      process->kill();
      process->waitForFinished(1000);
    }
}

QString GraphLayoutProcess::defaultProgram() {
  const QString fromEnv = qEnvironmentVariable("MU2NET_LAYOUT");
  if (!fromEnv.isEmpty()) return fromEnv;
  const QDir dir(QCoreApplication::applicationDirPath());
  const QString sameDir = dir.filePath(QStringLiteral("mu2net-layout"));
  if (QFileInfo(sameDir).isExecutable()) return sameDir;
  const QString buildTree = QDir::cleanPath(dir.filePath(QStringLiteral("../app/mu2net-layout")));
  if (QFileInfo(buildTree).isExecutable()) return buildTree;
  return sameDir;
}

void GraphLayoutProcess::cancel() {
  if (!current_) return;
  QProcess* old = current_;
  current_ = nullptr;
  old->disconnect(this);
  if (old->state() != QProcess::NotRunning) {
    // Reap it from the event loop: deleting a running QProcess would block until it exits.
    // A killed helper reports Crashed before it is reaped (finished): delete it only then.
    connect(old, &QProcess::finished, old, &QObject::deleteLater);
    connect(old, &QProcess::errorOccurred, old, [old](QProcess::ProcessError error) {
      if (error == QProcess::FailedToStart) old->deleteLater();
    });
    old->kill();
  } else {
    old->deleteLater();
  }
}

void GraphLayoutProcess::request(const QByteArray& dot, quint64 requestId) {
  cancel();
  auto* process = new QProcess(this);
  current_ = process;
  connect(
      process, &QProcess::finished, this,
      [this, process, requestId](int, QProcess::ExitStatus) { onFinished(process, requestId); });
  connect(process, &QProcess::errorOccurred, this,
          [this, process, requestId](QProcess::ProcessError error) {
            if (error != QProcess::FailedToStart || current_ != process) return;
            current_ = nullptr;
            process->deleteLater();
            Q_EMIT failed(
                tr("cannot start the layout helper %1: %2").arg(program_, process->errorString()),
                requestId);
          });
  process->start(program_, {QStringLiteral("--timeout-seconds"), QString::number(timeoutSeconds_)});
  // Writes go to QProcess's buffer and are flushed from the event loop: no blocking here.
  process->write(dot);
  process->closeWriteChannel();
}

void GraphLayoutProcess::onFinished(QProcess* process, quint64 requestId) {
  if (current_ != process) return;
  current_ = nullptr;
  process->deleteLater();
  const QByteArray out = process->readAllStandardOutput();
  QString error;
  if (process->exitStatus() == QProcess::CrashExit) {
    Q_EMIT failed(tr("the layout helper crashed: %1")
                      .arg(QString::fromLocal8Bit(process->readAllStandardError()).trimmed()),
                  requestId);
    return;
  }
  auto layout = parseGraphLayout(out, &error);
  if (!layout) {
    Q_EMIT failed(error, requestId);
    return;
  }
  Q_EMIT finished(*layout, requestId);
}

}  // namespace mu2net::ui
