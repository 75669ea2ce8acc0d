#pragma once
// Shared by the tests of what the workbench shows (tst_workbench_state, tst_run_status): the
// time a tiny run may take, a shown window without error pop-ups, and named widgets.
#include <QAction>
#include <QLabel>
#include <QStatusBar>
#include <QtTest/QtTest>

#include "MainWindow.h"

namespace mu2net::testui {

/// A tiny real run ends well within this, even on a busy machine.
inline constexpr int kRunTimeoutMs = 240000;

/// Shows `window` at a fixed size, errors in the status bar and the log only. Returns false (and
/// the test has failed) when it is not exposed.
inline bool showWindow(ui::MainWindow& window) {
  window.setErrorPopups(false);
  window.resize(1400, 900);
  window.show();
  return QTest::qWaitForWindowExposed(&window);
}

/// The window's action or status-bar label of that object name (null when there is none).
inline QAction* actionNamed(ui::MainWindow& window, const char* name) {
  return window.findChild<QAction*>(QString::fromLatin1(name));
}
inline QLabel* statusLabel(ui::MainWindow& window, const char* name) {
  return window.statusBar()->findChild<QLabel*>(QString::fromLatin1(name));
}

}  // namespace mu2net::testui
