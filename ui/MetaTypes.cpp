#include "MetaTypes.h"

namespace mu2net::ui {

void registerMetaTypes() {
  // Function-local static: registration happens once even when several controllers are made
  // from different threads.
  static const bool registered = [] {
    qRegisterMetaType<RunStartedEvent>();
    qRegisterMetaType<TaskIterationStartedEvent>();
    qRegisterMetaType<GenerationStartedEvent>();
    qRegisterMetaType<ChildStartedEvent>();
    qRegisterMetaType<TrainingProgressEvent>();
    qRegisterMetaType<ValidationEvent>();
    qRegisterMetaType<ChildFinishedEvent>();
    qRegisterMetaType<TaskIterationEndedEvent>();
    qRegisterMetaType<TestEvaluatedEvent>();
    qRegisterMetaType<TaskAddedEvent>();
    qRegisterMetaType<RunFinishedEvent>();
    qRegisterMetaType<PausedEvent>();
    qRegisterMetaType<ErrorEvent>();
    qRegisterMetaType<RunReport>();
    qRegisterMetaType<GraphSnapshot>();
    qRegisterMetaType<ExperimentConfig>();
    qRegisterMetaType<TaskSpec>();
    qRegisterMetaType<ComponentHashes>();
    return true;
  }();
  (void)registered;
}

}  // namespace mu2net::ui
