#pragma once
// The engine's events as Qt signals: the one declaration of them in the GUI. Each signal carries
// a copy of one event value (mu2net/evolution/Events.h), never a reference into engine state.
//
// EventForwarder emits them from the engine's worker thread; ExperimentController re-emits them
// in the GUI thread, where the views connect to them (follow(const EngineSignals*)). A new event
// type needs one signal here and one branch in EventForwarder::handle(); relayTo() and
// connectHandlers() connect by the signals' names, without listing them again.
#include <QObject>

#include "MetaTypes.h"
#include "mu2net/evolution/Events.h"

namespace mu2net::ui {

class EngineSignals : public QObject {
  Q_OBJECT
 public:
  explicit EngineSignals(QObject* parent = nullptr);

  /// Connects every signal of this class to the same signal of `target` (queued when `target`
  /// lives in another thread than the one emitting). Connections made before this call run
  /// first: a receiver may prepare itself (its state) before the event is re-emitted.
  void relayTo(EngineSignals* target) const;
  /// Connects each signal `x(Event)` to the slot `onX(Event)` of `receiver` where it has one,
  /// e.g. runStarted to onRunStarted (as Qt's connectSlotsByName does for a form's widgets). A
  /// slot named after a signal but taking other arguments is a mistake: it is not connected and a
  /// warning names it. Returns the number of connections made.
  int connectHandlers(QObject* receiver) const;

 Q_SIGNALS:
  void runStarted(const mu2net::RunStartedEvent& event);
  void taskIterationStarted(const mu2net::TaskIterationStartedEvent& event);
  void generationStarted(const mu2net::GenerationStartedEvent& event);
  void childStarted(const mu2net::ChildStartedEvent& event);
  void trainingProgress(const mu2net::TrainingProgressEvent& event);
  void validation(const mu2net::ValidationEvent& event);
  void childFinished(const mu2net::ChildFinishedEvent& event);
  void taskIterationEnded(const mu2net::TaskIterationEndedEvent& event);
  void testEvaluated(const mu2net::TestEvaluatedEvent& event);
  void taskAdded(const mu2net::TaskAddedEvent& event);
  void runFinished(const mu2net::RunFinishedEvent& event);
  void pausedChanged(const mu2net::PausedEvent& event);
  /// An error the engine reported; the controller also reports it as errorOccurred().
  void engineError(const mu2net::ErrorEvent& event);
};

}  // namespace mu2net::ui
