#include "EventForwarder.h"

#include <type_traits>
#include <variant>

namespace mu2net::ui {

EventForwarder::EventForwarder(QObject* parent) : EngineSignals(parent) {}

void EventForwarder::handle(const Event& event) {
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, RunStartedEvent>)
          Q_EMIT runStarted(e);
        else if constexpr (std::is_same_v<T, TaskIterationStartedEvent>)
          Q_EMIT taskIterationStarted(e);
        else if constexpr (std::is_same_v<T, GenerationStartedEvent>)
          Q_EMIT generationStarted(e);
        else if constexpr (std::is_same_v<T, ChildStartedEvent>)
          Q_EMIT childStarted(e);
        else if constexpr (std::is_same_v<T, TrainingProgressEvent>)
          Q_EMIT trainingProgress(e);
        else if constexpr (std::is_same_v<T, ValidationEvent>)
          Q_EMIT validation(e);
        else if constexpr (std::is_same_v<T, ChildFinishedEvent>)
          Q_EMIT childFinished(e);
        else if constexpr (std::is_same_v<T, TaskIterationEndedEvent>)
          Q_EMIT taskIterationEnded(e);
        else if constexpr (std::is_same_v<T, TestEvaluatedEvent>)
          Q_EMIT testEvaluated(e);
        else if constexpr (std::is_same_v<T, TaskAddedEvent>)
          Q_EMIT taskAdded(e);
        else if constexpr (std::is_same_v<T, RunFinishedEvent>)
          Q_EMIT runFinished(e);
        else if constexpr (std::is_same_v<T, PausedEvent>)
          Q_EMIT pausedChanged(e);
        else if constexpr (std::is_same_v<T, ErrorEvent>)
          Q_EMIT engineError(e);
        else
          static_assert(!sizeof(T*), "EventForwarder misses an event type");
      },
      event);
}

}  // namespace mu2net::ui
