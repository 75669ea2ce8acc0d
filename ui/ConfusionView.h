#pragma once
// Per-class test accuracy of a task's retained model (Engine::evaluateConfusion): a table with each
// class's test examples, correct predictions and accuracy, and the confusion matrix as a heat map
// (rows: true class, columns: predicted class, class names on both; each cell's colour is its
// share of the row). A window of its own, so that several tasks can be compared.
#include <QWidget>

#include "mu2net/engine/Engine.h"

class QLabel;
class QTableWidget;

namespace mu2net::ui {

class ConfusionView : public QWidget {
  Q_OBJECT
 public:
  explicit ConfusionView(QWidget* parent = nullptr);

  void setMatrix(const ConfusionMatrix& matrix, const QString& experiment);
  const ConfusionMatrix& matrix() const { return matrix_; }
  /// The per-class table (class, test examples, correct, accuracy) and the heat map.
  QTableWidget* classTable() const { return classes_; }
  QTableWidget* heatMap() const { return heatMap_; }

 private:
  void fillClassTable();
  void fillHeatMap();

  ConfusionMatrix matrix_;
  QLabel* summary_;
  QTableWidget* classes_;
  QTableWidget* heatMap_;
};

}  // namespace mu2net::ui
