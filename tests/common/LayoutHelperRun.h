#pragma once
// Runs the built mu2net-layout helper (MU2NET_LAYOUT_PATH) exactly as the GUI does: arguments,
// the DOT text on stdin, one line of JSON expected on stdout; killed when it runs past a time
// limit.
#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <functional>

namespace mu2net::testdata {

/// What one run of the helper did.
struct LayoutHelperRun {
  int exitCode = -1;
  bool crashed = true;    ///< it did not exit normally (a signal, or it never started)
  bool finished = false;  ///< false: it never started, or ran past the limit and was killed
  QByteArray out, err;
};

/// Runs the helper with `args`, writing `input` to its stdin. `childSetup` (when set) runs in
/// the child before the helper starts (closing stdin, resource limits).
inline LayoutHelperRun runLayoutHelper(const QStringList& args, const QByteArray& input,
                                       int timeoutMs,
                                       const std::function<void()>& childSetup = {}) {
  QProcess process;
  if (childSetup) process.setChildProcessModifier(childSetup);
  process.start(QStringLiteral(MU2NET_LAYOUT_PATH), args);
  LayoutHelperRun run;
  if (!process.waitForStarted(10000)) return run;
  process.write(input);
  process.closeWriteChannel();
  run.finished = process.waitForFinished(timeoutMs);
  if (!run.finished) {
    process.kill();
    process.waitForFinished(5000);
  }
  run.exitCode = process.exitCode();
  run.crashed = process.exitStatus() == QProcess::CrashExit;
  run.out = process.readAllStandardOutput();
  run.err = process.readAllStandardError();
  return run;
}

}  // namespace mu2net::testdata
