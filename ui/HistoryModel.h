#pragma once
// The recorded history of an experiment store (ExperimentStore::history(): one point per committed
// generation and task iteration end) and the point the history view shows. Reads the store
// read-only; reload() picks up points a running experiment committed since. "Live" follows the
// newest point; choosing a point (setCurrent) leaves live, so new points never move a point the
// user chose. The point shown comes with its changes since the state after the previous
// generation (diffSnapshots), so a generation's commit and its task iteration's end both show
// what that generation brought.
// GUI thread only.
#include <QObject>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

#include "mu2net/evolution/GraphDiff.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

class HistoryModel : public QObject {
  Q_OBJECT
 public:
  explicit HistoryModel(QObject* parent = nullptr);
  ~HistoryModel() override;

  /// Reads the history of the store in `dir` (empty: none) and shows its newest point, live.
  void setDirectory(const QString& dir);
  QString directory() const { return dir_; }

  int count() const { return static_cast<int>(points_.size()); }
  const std::vector<HistoryPointInfo>& points() const { return points_; }
  /// Index of the point shown, -1 when there is none.
  int current() const { return current_; }
  bool isLive() const { return live_; }
  /// The point shown (graph and task counters) and the state after the generation before its
  /// own (the last point with a smaller generation; none in the first generation recorded).
  const std::optional<HistoryPoint>& currentPoint() const { return point_; }
  const std::optional<HistoryPoint>& previousPoint() const { return previous_; }
  /// Changes of the point shown since previousPoint() (none without one).
  const GraphDiff& changes() const { return diff_; }
  /// The store's history note (ExperimentStore::historyNote), or why it could not be read.
  QString note() const { return note_; }
  /// "generation 4 · task high, iteration 1 · end of the task iteration" (or "· generation
  /// committed").
  static QString caption(const HistoryPointInfo& info);
  /// The marks' note of the point shown: "bold: new since generation K" (empty for the first).
  QString changesNote() const;
  static QString changesNote(qint64 since);
  /// Index of the state after generation `generation` (the last point with it), or -1 and
  /// *error (when given) names the generation and the recorded range, as the CLI says it.
  int indexOfGeneration(qint64 generation, QString* error = nullptr);
  /// Index of the task iteration end before / after the point shown (first / last point when
  /// there is none): PgUp / PgDn.
  int previousIterationEnd() const;
  int nextIterationEnd() const;

 public Q_SLOTS:
  /// Re-reads the list of points; live, the newest is shown, else the point shown stays.
  void reload();
  /// Shows point `index` (clamped) and leaves live.
  void setCurrent(int index);
  /// Follows the newest point.
  void setLive(bool live);
  void clear();

 Q_SIGNALS:
  /// The list of points changed (count, note).
  void pointsChanged();
  /// Another point is shown (or live changed).
  void currentChanged(int index);

 private:
  bool ensureStore();
  int previousGeneration(int index) const;
  void show(int index);

  QString dir_;
  std::unique_ptr<ExperimentStore> store_;
  std::vector<HistoryPointInfo> points_;
  int current_ = -1;
  bool live_ = true;
  std::optional<HistoryPoint> point_;
  std::optional<HistoryPoint> previous_;
  GraphDiff diff_;
  QString note_;
};

}  // namespace mu2net::ui
