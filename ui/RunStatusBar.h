#pragma once
// The window's status bar during a run: the controller's state, the current task, generation and
// every child in training, the samples per second, the progress of the whole run (children
// finished plus the shares of those in training) and the time left, paused time excluded.
// Messages (QStatusBar::showMessage) show on the left; the state sits on the right with the
// figures, so that the two never overlap, and the task label gives way to a message.
//
// Figures belong to one experiment: reset() clears them when another is opened, showStored()
// shows a stored experiment's progress. The speed is shown only while a child trains: it clears
// when the run pauses, its generation ends, the run ends, or no progress comes for 10 s; while
// only validation is left in a generation it reads "validating". A run ended by
// Stop says "stopped" and keeps the progress it reached.
#include <QElapsedTimer>
#include <QMap>
#include <QStatusBar>
#include <QString>

#include "ExperimentController.h"
#include "mu2net/evolution/GenerationProgress.h"

class QLabel;
class QProgressBar;
class QTimer;

namespace mu2net::ui {

class RunStatusBar : public QStatusBar {
  Q_OBJECT
 public:
  explicit RunStatusBar(QWidget* parent = nullptr);

  /// Follows the controller's state and the engine's events it re-emits.
  void follow(const ExperimentController* controller);
  /// Shows `state` by name.
  void showState(ExperimentController::State state);
  /// Clears the message and every figure of the previous run or experiment; the state reads
  /// `state` (e.g. "ready").
  void reset(const QString& state = tr("ready"));
  /// A stored experiment: `trained` of `planned` children, and its state in words.
  void showStored(qint64 trained, qint64 planned, const QString& state);

 private:
  void onStateChanged(ExperimentController::State state);
  void updateProgress();
  void clearSpeed();
  void showSpeed();

  QLabel* taskLabel_ = nullptr;
  QLabel* stateLabel_ = nullptr;
  QLabel* speedLabel_ = nullptr;
  QLabel* remainingLabel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  // Progress: children finished of the run's expected total, plus the shares of those in training.
  qint64 totalChildren_ = 0;
  qint64 childrenFinished_ = 0;
  int childrenPerTaskIteration_ = 0;
  int taskIterations_ = 0;
  int currentIteration_ = 1;
  QElapsedTimer runClock_;
  qint64 pausedMs_ = 0;
  QElapsedTimer pauseClock_;
  bool stopped_ = false;          // the run ended on a stop request
  QTimer* staleSpeed_ = nullptr;  // clears the speed when no progress arrives
  // The generation's children in training: their progress and status-bar text per child index.
  mu2net::GenerationProgress generation_;
  QMap<int, QString> trainingLabels_;
};

}  // namespace mu2net::ui
