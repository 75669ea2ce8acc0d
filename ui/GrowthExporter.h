#pragma once
// Exports the growth of a system as a numbered PNG sequence, one frame per generation recorded in
// the store's history (the state after it: ExperimentStore::historyAtGeneration), named
// growth-0001.png, growth-0002.png, … in FOLDER: the way the paper shows its systems growing, ready
// for a video (`ffmpeg -i growth-%04d.png`). Every frame has the same size; its graph is laid out
// by a GraphView (the mu2net-layout helper, as on screen), changes since the previous frame
// marked, under a caption (generation, task, iteration). Runs to its end in the calling (GUI)
// thread, processing events while the helper lays out.
#include <QSize>
#include <QString>
#include <functional>

namespace mu2net::ui {

class GrowthExporter {
 public:
  static constexpr QSize kFrameSize{1600, 1000};
  /// Writes the frames of the store in `storeDir` into `folder` (created when missing).
  /// `progress(done, total)` is called after each frame. Returns the number of frames written,
  /// or -1 with *error saying why (no history, a layout that failed, a file not written).
  static int exportGrowth(const QString& storeDir, const QString& folder, QString* error,
                          const std::function<void(int, int)>& progress = {});
  /// The file name of frame `number` (1-based): growth-0001.png.
  static QString frameName(int number);
};

}  // namespace mu2net::ui
