#pragma once
// The window's status bar during a run: the controller's state, the current task, generation and
// every child in training, the samples per second, the progress of the whole run (children
// finished plus the shares of those in training) and the time left, paused time excluded.
// Messages (QStatusBar::showMessage) still show on the left.
#include <QElapsedTimer>
#include <QMap>
#include <QStatusBar>
#include <QString>

#include "ExperimentController.h"
#include "mu2net/evolution/GenerationProgress.h"

class QLabel;
class QProgressBar;

namespace mu2net::ui {

class RunStatusBar : public QStatusBar {
  Q_OBJECT
 public:
  explicit RunStatusBar(QWidget* parent = nullptr);

  /// Follows the controller's state and the engine's events it re-emits.
  void follow(const ExperimentController* controller);
  /// Shows `state` by name.
  void showState(ExperimentController::State state);
  /// Clears the message and every figure of the previous run, before a new one starts.
  void reset();

 private:
  void onStateChanged(ExperimentController::State state);
  void updateProgress();

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
  // The generation's children in training: their progress and status-bar text per child index.
  mu2net::GenerationProgress generation_;
  QMap<int, QString> trainingLabels_;
};

}  // namespace mu2net::ui
