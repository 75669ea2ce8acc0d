#pragma once
// The data preview of one task, as a grid: one row per class (its name, label and how many
// samples each split holds), then a few training samples, each shown raw (the file's pixels) and
// beside it as the model sees it after the input pipeline (DataPreview). Above the grid: the
// task, its folder and format, the split sizes, the images' size and channels, and the pipeline
// settings with where they come from; a chooser switches the model's view between training (with
// its random augmentation) and evaluation (resize only).
//
// preview() reads the data in a worker thread (DataPreviewLoader) and says "Loading…" meanwhile;
// a newer preview() replaces an older one still loading. Data that cannot be read is a message in
// the widget naming the task and its folder, never an exception.
#include <QImage>
#include <QString>
#include <QWidget>
#include <optional>

#include "DataPreview.h"

class QComboBox;
class QLabel;
class QTableWidget;

namespace mu2net::ui {

class DataPreviewLoader;

class DataPreviewWidget : public QWidget {
  Q_OBJECT
 public:
  /// The model's view shown beside each raw sample.
  enum class View { Training, Evaluation };
  /// The grid's columns before the samples; sample k has columns kFirstSampleColumn + 2k (raw)
  /// and kFirstSampleColumn + 2k + 1 (the model's view).
  enum Column { ClassColumn, TrainColumn, ValidationColumn, TestColumn, kFirstSampleColumn };
  /// Role of a sample cell holding its full-size QImage (the cell shows it scaled).
  static constexpr int ImageRole = Qt::UserRole + 1;

  explicit DataPreviewWidget(QWidget* parent = nullptr);

  /// Loads and shows the preview of `request`.
  void preview(const DataPreviewRequest& request);
  /// Shows `preview` (made elsewhere) at once.
  void showPreview(const DataPreview& preview);
  /// Shows a message instead of a preview (e.g. "Select a task"); `error` in the error style.
  void showMessage(const QString& text, bool error = false);
  /// Shows why `task` cannot be previewed (e.g. its form does not parse) as a failed preview:
  /// "Task 'NAME' cannot be previewed: WHY".
  void showProblem(const QString& task, const QString& why);

  void setView(View view);
  View view() const { return view_; }
  /// The preview shown, if one is (also one with an error).
  const std::optional<DataPreview>& shown() const { return shown_; }
  bool isLoading() const;
  QString message() const;
  QString summary() const;
  QTableWidget* grid() const { return grid_; }
  /// The full-size image of the grid's cell (row, column), or a null image.
  QImage cellImage(int row, int column) const;

 Q_SIGNALS:
  /// A preview (or its error) is on screen.
  void previewShown();

 private:
  void fillGrid();
  void fillSampleColumns();
  QString pipelineText() const;

  DataPreviewLoader* loader_;
  QLabel* summary_;
  QLabel* message_;
  QComboBox* viewChooser_;
  QTableWidget* grid_;
  std::optional<DataPreview> shown_;
  View view_ = View::Training;
};

}  // namespace mu2net::ui
