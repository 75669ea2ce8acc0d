#pragma once
// Runs the `mu2net-layout` helper program (DOT on stdin, JSON layout on stdout) asynchronously
// with QProcess: request() returns at once, finished() or failed() follows from the event loop.
// A new request cancels (kills) the one still running, so only the newest graph is laid out and
// a slow layout never piles up. A crash or hang of Graphviz stays inside the helper process.
//
// Where the helper is: setProgram(), else the MU2NET_LAYOUT environment variable, else
// `mu2net-layout` next to the application binary (the build puts mu2net-workbench and
// mu2net-layout in the same folder, build/app/, and `install` puts both in bin/), else the
// build-tree path ../app/mu2net-layout relative to the binary (for test executables in
// build/tests/).
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>

#include "GraphLayout.h"

namespace mu2net::ui {

class GraphLayoutProcess : public QObject {
  Q_OBJECT
 public:
  explicit GraphLayoutProcess(QObject* parent = nullptr);
  ~GraphLayoutProcess() override;

  /// The helper found by the search order above (may not exist).
  static QString defaultProgram();
  QString program() const { return program_; }
  void setProgram(const QString& path) { program_ = path; }
  /// Seconds the helper may spend on one layout (its --timeout-seconds); default 60.
  void setTimeoutSeconds(int seconds) { timeoutSeconds_ = seconds; }

  /// Starts laying out `dot`; cancels a layout still running. `requestId` comes back with the
  /// result, so the caller knows which graph it belongs to.
  void request(const QByteArray& dot, quint64 requestId);
  /// Kills a running layout; nothing is reported for it.
  void cancel();
  bool isBusy() const { return !current_.isNull(); }

 Q_SIGNALS:
  void finished(const mu2net::ui::GraphLayout& layout, quint64 requestId);
  void failed(const QString& message, quint64 requestId);

 private:
  void onFinished(QProcess* process, quint64 requestId);

  QString program_;
  int timeoutSeconds_ = 60;
  QPointer<QProcess> current_;
};

}  // namespace mu2net::ui
