#pragma once
// Shared by the tables-and-window tests: offscreen screens of chosen sizes (set before the
// QApplication exists), QSettings kept in a temporary folder, and one tiny real experiment store
// (two MNIST tasks, two task iterations) that every test opens in a fresh MainWindow.
#include <QDir>
#include <QFile>
#include <QScreen>
#include <QSettings>
#include <QString>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>

#include "ExperimentController.h"
#include "MainWindow.h"
#include "UiTestUtil.h"

namespace mu2net::testui {

/// Makes the offscreen platform show two screens side by side: the primary one of `primary` size
/// and a second one of `second` size. Writes the configuration into `dir` and points
/// QT_QPA_PLATFORM at it; call before the QApplication.
inline void useOffscreenScreens(const QTemporaryDir& dir, QSize primary, QSize second) {
  const QString path = dir.filePath(QStringLiteral("offscreen.json"));
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
  const QString screen = QStringLiteral(
      R"({"name": "%1", "x": %2, "y": 0, "width": %3, "height": %4, "logicalDpi": 96,
          "logicalBaseDpi": 96, "dpr": 1})");
  file.write(QStringLiteral(R"({"screens": [%1, %2]})")
                 .arg(screen.arg(QStringLiteral("primary"))
                          .arg(0)
                          .arg(primary.width())
                          .arg(primary.height()),
                      screen.arg(QStringLiteral("second"))
                          .arg(primary.width())
                          .arg(second.width())
                          .arg(second.height()))
                 .toUtf8());
  file.close();
  qputenv("QT_QPA_PLATFORM", ("offscreen:configfile=" + path).toUtf8());
  // The window's saved geometry and dock state go to this folder, never the user's settings.
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
}

/// Runs `config` to its end into the experiment directory `dir` (a real run); false on failure.
inline bool runIntoStore(const ExperimentConfig& config, const QString& dir) {
  ui::ExperimentController controller;
  if (!controller.start(config, dir)) return false;
  return QTest::qWaitFor(
      [&] { return controller.state() == ui::ExperimentController::State::Finished; }, 240000);
}

/// A shown MainWindow that opened the experiment directory `dir` (when not empty). With a valid
/// `size`, the window has that size, on the first screen large enough for it.
inline std::unique_ptr<ui::MainWindow> openInWindow(const QString& dir, QSize size) {
  auto window = std::make_unique<ui::MainWindow>();
  window->setErrorPopups(false);
  if (size.isValid()) {
    for (QScreen* screen : QGuiApplication::screens()) {
      const QRect available = screen->availableGeometry();
      if (available.width() < size.width() + 10 || available.height() < size.height() + 10)
        continue;
      window->setScreen(screen);
      window->setGeometry(QRect(available.topLeft() + QPoint(5, 5), size));
      break;
    }
  }
  window->show();
  if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
  if (!dir.isEmpty() && !window->openPath(dir)) return nullptr;
  QTest::qWait(50);  // the first dock sizes are applied from the event loop
  return window;
}

}  // namespace mu2net::testui
