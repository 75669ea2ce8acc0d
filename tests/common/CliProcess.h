#pragma once
// Runs the built `mu2net` binary (MU2NET_CLI_PATH) as a child process for the app tests, and
// optionally sends it a signal once its standard output shows a given text (a kill or a Ctrl-C
// at a chosen moment of a run).
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <csignal>

namespace mu2net::testdata {

struct CliResult {
  int exitCode = -1;
  bool crashed = false;
  QString out, err;
};

/// Runs the CLI with `args` in `env`; when `signalWhen` is non-empty, sends `signal` once stdout
/// contains it.
inline CliResult runCli(const QStringList& args, const QString& signalWhen = {},
                        int signal = SIGKILL,
                        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(MU2NET_CLI_PATH), args);
  QString out;
  bool sent = false;
  while (!p.waitForFinished(50)) {
    out += QString::fromUtf8(p.readAllStandardOutput());
    if (!sent && !signalWhen.isEmpty() && out.contains(signalWhen)) {
      ::kill(static_cast<pid_t>(p.processId()), signal);
      sent = true;
    }
    if (p.state() == QProcess::NotRunning) break;
  }
  out += QString::fromUtf8(p.readAllStandardOutput());
  return {p.exitCode(), p.exitStatus() == QProcess::CrashExit, out,
          QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace mu2net::testdata
