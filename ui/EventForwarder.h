#pragma once
// The engine's EventSink for the GUI: turns every engine event into its EngineSignals signal
// carrying the event value. handle() runs on the engine's worker thread; receivers that live in the
// GUI thread get the signals through queued connections (Qt::AutoConnection does this), so only
// copies of the immutable event values cross threads.
//
// The worker also reports how the run ended through workerFinished() / workerFailed(), and the
// hashes of the locked components once the run is over.
#include <QObject>
#include <QString>

#include "EngineSignals.h"
#include "MetaTypes.h"
#include "mu2net/evolution/Events.h"

namespace mu2net::ui {

class EventForwarder : public EngineSignals, public EventSink {
  Q_OBJECT
 public:
  explicit EventForwarder(QObject* parent = nullptr);

  /// Engine thread: emits the signal matching the event's type.
  void handle(const Event& event) override;

 Q_SIGNALS:
  /// The run returned normally (also after a stop request); `report` is its final report.
  void workerFinished(const mu2net::RunReport& report);
  /// Constructing or running the engine threw. `alreadyReported` is true when the engine itself
  /// already sent the message as an ErrorEvent (exceptions escaping Engine::run()).
  void workerFailed(const QString& message, bool alreadyReported);
  /// SHA-256 of every locked component, computed after the run.
  void componentHashes(const mu2net::ui::ComponentHashes& hashes);
};

}  // namespace mu2net::ui
