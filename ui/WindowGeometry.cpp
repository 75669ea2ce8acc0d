#include "WindowGeometry.h"

#include <QEvent>
#include <QScreen>
#include <QWidget>
#include <QWindow>
#include <algorithm>

namespace mu2net::ui {

namespace {

// The frame around a window not shown yet: its real size is known only once the window system
// has decorated it; this is a typical title bar and border.
constexpr QMargins kFrameEstimate(4, 32, 4, 4);

QMargins frameMargins(const QWidget* window) {
  if (window->isVisible() && window->windowHandle()) return window->windowHandle()->frameMargins();
  return kFrameEstimate;
}

// Fits the window once more when it is first shown (the frame is real then), unless its geometry
// was set since (a size chosen on purpose).
class FitWhenShown : public QObject {
 public:
  explicit FitWhenShown(QWidget* window) : QObject(window), chosen_(window->geometry()) {
    window->installEventFilter(this);
  }
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::Show) {
      auto* window = static_cast<QWidget*>(watched);
      if (window->geometry() == chosen_) WindowGeometry::fitToScreen(window);
      window->removeEventFilter(this);
      deleteLater();
    }
    return false;
  }

 private:
  QRect chosen_;
};

}  // namespace

QRect WindowGeometry::fitInto(const QRect& frame, const QRect& available) {
  QRect r(frame.topLeft(), frame.size().boundedTo(available.size()));
  r.moveLeft(std::clamp(r.left(), available.left(), available.right() - r.width() + 1));
  r.moveTop(std::clamp(r.top(), available.top(), available.bottom() - r.height() + 1));
  return r;
}

bool WindowGeometry::restore(QWidget* window, const QByteArray& saved, QSize preferred) {
  const bool restored = !saved.isEmpty() && window->restoreGeometry(saved);
  if (!restored) {
    const QRect available = window->screen()->availableGeometry();
    QRect r(QPoint(0, 0), preferred);
    r.moveCenter(available.center());
    window->setGeometry(r);
  }
  fitToScreen(window);
  new FitWhenShown(window);
  return restored;
}

void WindowGeometry::fitToScreen(QWidget* window) {
  const QMargins frame = frameMargins(window);
  const QRect available = window->screen()->availableGeometry();
  const QRect fitted = fitInto(window->geometry() + frame, available) - frame;
  if (fitted != window->geometry()) window->setGeometry(fitted);
}

}  // namespace mu2net::ui
