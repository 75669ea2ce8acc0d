#pragma once
// Keeps a top-level window within the screen it opens on: a saved geometry (QWidget::
// saveGeometry) or a preferred size is applied, then moved and shrunk as little as needed to lie,
// frame included, within the screen's available geometry (a geometry saved on a larger screen is
// clamped to this one). When first shown, with the real window frame known, the fit is checked
// again unless the geometry was set in between.
#include <QByteArray>
#include <QRect>
#include <QSize>

class QWidget;

namespace mu2net::ui {

class WindowGeometry {
 public:
  /// `frame` moved and shrunk as little as needed to lie within `available`.
  static QRect fitInto(const QRect& frame, const QRect& available);

  /// Gives `window` its `saved` geometry, or (none saved or not readable) the `preferred` size
  /// centred on its screen, fitted to that screen; fits it again when it is first shown (unless
  /// its geometry was set in between). Returns whether the saved geometry was restored.
  static bool restore(QWidget* window, const QByteArray& saved, QSize preferred);

  /// Moves and shrinks `window` so that its frame lies within its screen's available geometry.
  static void fitToScreen(QWidget* window);
};

}  // namespace mu2net::ui
