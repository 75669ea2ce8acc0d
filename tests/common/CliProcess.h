#pragma once
// Runs programs as child processes for the app tests: any program to its end under a time limit
// (runProgram), and the built `mu2net` binary (MU2NET_CLI_PATH), optionally sending it a signal
// once its standard output shows a given text (a kill or a Ctrl-C at a chosen moment of a run).
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <csignal>
#include <functional>

namespace mu2net::testdata {

/// What a program run by runProgram() did.
struct ProgramRun {
  bool finished = false;  ///< false: it ran past the time limit and was killed
  int exitCode = -1;      ///< -1 when it crashed or was killed
  QString out, err;
};

/// Runs `program` with `args` in `env` to its end, or kills it after `timeoutMs`. `childSetup`
/// (when set) runs in the child before the program starts (resource limits, for example).
inline ProgramRun runProgram(
    const QString& program, const QStringList& args,
    const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
    int timeoutMs = 600000, const std::function<void()>& childSetup = {}) {
  QProcess p;
  if (childSetup) p.setChildProcessModifier(childSetup);
  p.setProcessEnvironment(env);
  p.start(program, args);
  ProgramRun r;
  r.finished = p.waitForFinished(timeoutMs);
  if (!r.finished) {
    p.kill();
    p.waitForFinished();
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

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
