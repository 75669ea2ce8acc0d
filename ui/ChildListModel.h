#pragma once
// Every child the engine has started, one row each in start order: generation, task, child index,
// parent, status, best validation accuracy, parameters, mutations, training time. A child's
// status leaves "training" as soon as its last validation is done ("finished"), and says
// whether it improved once its generation ends (the engine decides that for all its children at
// once). The full record
// of a row (hyperparameters, slot origins, validation history) feeds the child inspector. Fed from
// the controller's events; GUI thread only.
#include <QAbstractTableModel>
#include <QHash>
#include <QString>
#include <optional>
#include <vector>

#include "MetaTypes.h"

namespace mu2net::ui {

class ChildListModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    Generation,
    Task,
    Child,
    Parent,
    Status,
    Validation,
    Params,
    Mutations,
    Seconds,
    ColumnCount
  };
  /// Role giving a cell's raw value (a number where the column shows one) for sorting.
  static constexpr int RawValueRole = Qt::UserRole + 1;

  /// What is known about one child.
  struct Record {
    ChildStartedEvent started;
    std::vector<double> validations;         ///< accuracies as they arrive, in [0, 1]
    std::optional<ChildFinishedEvent> done;  ///< set when it finished
    bool discarded = false;                  ///< the run stopped while it trained
    bool allStepsDone = false;  ///< its last training step is done (only validation is left)
    bool trained = false;       ///< its last validation is done: it waits for its generation
  };

  explicit ChildListModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  const Record& record(int row) const { return records_.at(static_cast<std::size_t>(row)); }
  /// Row of the child, or -1.
  int rowOf(const std::string& task, qint64 generation, int childIndex) const;
  /// Row of the finished child whose path id is `pathId` (a kept child), or -1.
  int rowOfPath(qint64 pathId) const { return rowByPath_.value(pathId, -1); }

 public Q_SLOTS:
  void clear();
  void onChildStarted(const mu2net::ChildStartedEvent& event);
  void onTrainingProgress(const mu2net::TrainingProgressEvent& event);
  void onValidation(const mu2net::ValidationEvent& event);
  void onChildFinished(const mu2net::ChildFinishedEvent& event);
  void onRunFinished(const mu2net::RunFinishedEvent& event);

 private:
  static QString key(const std::string& task, qint64 generation, int childIndex);
  QVariant rawValue(const QModelIndex& index) const;
  void rowChanged(int r);

  std::vector<Record> records_;
  QHash<QString, int> rowByKey_;
  QHash<qint64, int> rowByPath_;
};

/// "opt_lr 0.01→0.02, num_layers 2→3" (empty when there are none).
QString describeMutations(const std::vector<Mutation>& mutations);
/// "shared", "cloned" or "new".
QString describeSlotKind(SlotOrigin::Kind kind);

}  // namespace mu2net::ui
