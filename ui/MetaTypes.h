#pragma once
// Qt meta-type declarations for the engine's value types, so they can travel through queued
// signal connections from the engine's worker thread to the GUI thread. Only these immutable
// values cross threads (DESIGN.md, "Threads").
#include <QHash>
#include <QMetaType>
#include <QString>

#include "mu2net/data/TaskData.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/evolution/Events.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/evolution/GraphSnapshot.h"

Q_DECLARE_METATYPE(mu2net::RunStartedEvent)
Q_DECLARE_METATYPE(mu2net::TaskIterationStartedEvent)
Q_DECLARE_METATYPE(mu2net::GenerationStartedEvent)
Q_DECLARE_METATYPE(mu2net::ChildStartedEvent)
Q_DECLARE_METATYPE(mu2net::TrainingProgressEvent)
Q_DECLARE_METATYPE(mu2net::ValidationEvent)
Q_DECLARE_METATYPE(mu2net::ChildFinishedEvent)
Q_DECLARE_METATYPE(mu2net::TaskIterationEndedEvent)
Q_DECLARE_METATYPE(mu2net::TestEvaluatedEvent)
Q_DECLARE_METATYPE(mu2net::TaskAddedEvent)
Q_DECLARE_METATYPE(mu2net::RunFinishedEvent)
Q_DECLARE_METATYPE(mu2net::PausedEvent)
Q_DECLARE_METATYPE(mu2net::ErrorEvent)
Q_DECLARE_METATYPE(mu2net::RunReport)
Q_DECLARE_METATYPE(mu2net::GraphSnapshot)
Q_DECLARE_METATYPE(mu2net::ExperimentConfig)
Q_DECLARE_METATYPE(mu2net::TaskSpec)

namespace mu2net::ui {

/// Component id → SHA-256 hex digest of its tensors (locked components only).
using ComponentHashes = QHash<qint64, QString>;

/// Registers every type above with Qt's meta-type system. Idempotent and thread-safe; called by
/// ExperimentController's constructor, so users of the controller need not call it.
void registerMetaTypes();

}  // namespace mu2net::ui

Q_DECLARE_METATYPE(mu2net::ui::ComponentHashes)
