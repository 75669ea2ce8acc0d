#pragma once
// The history options of mu2net-workbench: `DIR --at-generation N` (the history view at the state
// after generation N, e.g. for --screenshot) and `DIR --export-growth FOLDER` (the PNG frames of
// GrowthExporter, without a window). Errors go to stderr naming N and the recorded range.
#include <QString>

namespace mu2net::ui {

class MainWindow;

class HistoryCommandLine {
 public:
  /// Shows generation `text` (a number ≥ 1) in the history view and brings its dock to the
  /// front. False (after printing why) when it is not a number or not recorded.
  static bool showGeneration(MainWindow& window, const QString& text);
  /// Writes the growth frames of the store in `dir` into `folder`; prints what was written or
  /// why not. Returns the process's exit code (0, or 1 on failure).
  static int exportGrowth(const QString& dir, const QString& folder);
};

}  // namespace mu2net::ui
