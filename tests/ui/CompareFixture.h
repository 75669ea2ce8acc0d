#pragma once
// Shared by the comparison and mutation-statistics tests: one tiny real experiment store (two
// MNIST tasks, three task iterations: children of the root, of their own task's models and of the
// other task's), opened in a shown MainWindow, and look-ups of its children.
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <functional>
#include <memory>

#include "ChildListModel.h"
#include "MainWindow.h"
#include "StateFixture.h"
#include "TablesFixture.h"
#include "UiTestUtil.h"

namespace mu2net::testui {

/// The experiment of the store: two tasks, three iterations of two children each.
inline ExperimentConfig compareConfig() {
  ExperimentConfig config = tinyConfig(3);
  config.tasks.push_back(mnistTask("digits-5-9", {5, 6, 7, 8, 9}));
  return config;
}

/// A new window (shown, no error pop-ups, its settings in `settingsDir`) running compareConfig()
/// into a store under `runs`; null when it could not start.
inline std::unique_ptr<ui::MainWindow> startLive(const QTemporaryDir& runs,
                                                 const QTemporaryDir& settingsDir) {
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
  qputenv("MU2NET_RUNS_DIR", runs.path().toUtf8());
  auto window = std::make_unique<ui::MainWindow>();
  window->setErrorPopups(false);
  window->resize(1400, 900);
  window->show();
  if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
  window->setExperiment(compareConfig(), QStringLiteral("tiny"));
  if (!window->startExperiment()) return nullptr;
  return window;
}

/// Waits for the run of `window` to end; true when it finished.
inline bool waitForEnd(ui::MainWindow& window) {
  return QTest::qWaitFor([&] { return !window.controller()->isActive(); }, 240000) &&
         window.controller()->state() == ui::ExperimentController::State::Finished;
}

/// The first source row of `model` whose record satisfies `pred`, or -1.
inline int findRow(const ui::ChildListModel& model,
                   const std::function<bool(const ui::ChildListModel::Record&)>& pred) {
  for (int r = 0; r < model.rowCount(); ++r)
    if (pred(model.record(r))) return r;
  return -1;
}

/// A window (1400x900, no error pop-ups, settings in `settingsDir`) that opened `store`.
inline std::unique_ptr<ui::MainWindow> openStore(const QTemporaryDir& settingsDir,
                                                 const QString& store) {
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
  QSettings().clear();
  return openInWindow(store, {1400, 900});
}

}  // namespace mu2net::testui
