#include "HistoryPanel.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QProgressDialog>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "EngineSignals.h"
#include "ExperimentFiles.h"
#include "GraphView.h"
#include "GrowthExporter.h"
#include "HistoryModel.h"
#include "HistoryTaskModel.h"

namespace mu2net::ui {

HistoryPanel::HistoryPanel(QWidget* parent)
    : QWidget(parent),
      model_(new HistoryModel(this)),
      tasks_(new HistoryTaskModel(this)),
      graph_(new GraphView(this)),
      table_(new QTableView(this)),
      slider_(new QSlider(Qt::Horizontal, this)),
      live_(new QPushButton(tr("Live"), this)),
      caption_(new QLabel(this)),
      note_(new QLabel(this)) {
  setObjectName(QStringLiteral("historyPanel"));
  slider_->setObjectName(QStringLiteral("historySlider"));
  slider_->setToolTip(
      tr("Left/Right: one point · PgUp/PgDn: task iterations · Home: first · "
         "End: newest (live)"));
  slider_->installEventFilter(this);
  live_->setCheckable(true);
  live_->setChecked(true);
  live_->setToolTip(tr("Follow the newest point while the experiment runs"));
  note_->setWordWrap(true);
  note_->setStyleSheet(QStringLiteral("color: #a05000"));
  table_->setModel(tasks_);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  table_->setWordWrap(false);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);

  auto* bar = new QHBoxLayout;
  bar->addWidget(slider_, 1);
  bar->addWidget(live_);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(graph_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setSizes({3000, 1000});  // scaled to the room: the graph takes three quarters
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(bar);
  layout->addWidget(caption_);
  layout->addWidget(note_);
  layout->addWidget(split, 1);
  setFocusProxy(slider_);

  connect(slider_, &QSlider::valueChanged, model_, &HistoryModel::setCurrent);
  connect(live_, &QPushButton::toggled, model_, &HistoryModel::setLive);
  connect(model_, &HistoryModel::pointsChanged, this, &HistoryPanel::onPointsChanged);
  connect(model_, &HistoryModel::currentChanged, this, &HistoryPanel::onCurrentChanged);
  onPointsChanged();
}

// A commit follows the last child of a generation and each task iteration's end: the next event
// after one (or the run's end) finds its point in the store.
void HistoryPanel::follow(const EngineSignals* events) {
  connect(events, &EngineSignals::generationStarted, model_, &HistoryModel::reload);
  connect(events, &EngineSignals::taskIterationStarted, model_, &HistoryModel::reload);
  connect(events, &EngineSignals::taskIterationEnded, model_, &HistoryModel::reload);
  connect(events, &EngineSignals::runFinished, model_, &HistoryModel::reload);
}

void HistoryPanel::setDirectory(const QString& dir) {
  model_->setDirectory(dir);
}

void HistoryPanel::clear() {
  model_->clear();
  graph_->clear();
}

bool HistoryPanel::showGeneration(qint64 generation, QString* error) {
  model_->reload();
  const int index = model_->indexOfGeneration(generation, error);
  if (index < 0) return false;
  model_->setCurrent(index);
  return true;
}

int HistoryPanel::exportGrowth(const QString& folder) {
  QString error;
  QProgressDialog progress(tr("Writing the growth frames…"), tr("Cancel"), 0, 0, this);
  progress.setWindowModality(Qt::WindowModal);
  progress.setCancelButton(nullptr);
  progress.setMinimumDuration(500);
  const int frames =
      GrowthExporter::exportGrowth(model_->directory(), folder, &error, [&](int done, int total) {
        progress.setMaximum(total);
        progress.setValue(done);
      });
  if (frames < 0)
    Q_EMIT exportFailed(tr("the growth could not be exported: %1").arg(error));
  else
    Q_EMIT exported(tr("wrote %n growth frame(s) (%1 …) to %2", nullptr, frames)
                        .arg(GrowthExporter::frameName(1), folder));
  return frames;
}

void HistoryPanel::exportGrowthDialog() {
  if (model_->directory().isEmpty()) {
    Q_EMIT exportFailed(tr("no experiment directory is open: there is no history to export"));
    return;
  }
  const QString folder = QFileDialog::getExistingDirectory(
      this, tr("Folder for the growth frames (growth-0001.png, …)"),
      exportStartPath(model_->directory(), QString()));
  if (!folder.isEmpty()) exportGrowth(folder);
}

QString HistoryPanel::caption() const {
  return caption_->text();
}

QString HistoryPanel::note() const {
  return note_->text();
}

bool HistoryPanel::stepByKey(int key) {
  const int current = model_->current();
  switch (key) {
    case Qt::Key_Left:
      model_->setCurrent(current - 1);
      return true;
    case Qt::Key_Right:
      model_->setCurrent(current + 1);
      return true;
    case Qt::Key_PageUp:
      model_->setCurrent(model_->previousIterationEnd());
      return true;
    case Qt::Key_PageDown:
      model_->setCurrent(model_->nextIterationEnd());
      return true;
    case Qt::Key_Home:
      model_->setCurrent(0);
      return true;
    case Qt::Key_End:
      model_->setLive(true);
      return true;
    default:
      return false;
  }
}

void HistoryPanel::keyPressEvent(QKeyEvent* event) {
  if (!stepByKey(event->key())) QWidget::keyPressEvent(event);
}

// The slider's own keys would step by its page size: the panel's steps replace them.
bool HistoryPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == slider_ && event->type() == QEvent::KeyPress &&
      stepByKey(static_cast<QKeyEvent*>(event)->key()))
    return true;
  return QWidget::eventFilter(watched, event);
}

void HistoryPanel::onPointsChanged() {
  const int n = model_->count();
  {
    const QSignalBlocker block(slider_);
    slider_->setRange(0, std::max(0, n - 1));
    slider_->setEnabled(n > 0);
  }
  QString note = model_->note();
  if (n == 0 && note.isEmpty())
    note = model_->directory().isEmpty() ? tr("No experiment directory: nothing recorded yet.")
                                         : tr("No history recorded yet.");
  note_->setText(note);
  note_->setVisible(!note.isEmpty());
}

void HistoryPanel::onCurrentChanged() {
  const int i = model_->current();
  {
    const QSignalBlocker block(slider_);
    if (i >= 0) slider_->setValue(i);
  }
  {
    const QSignalBlocker block(live_);
    live_->setChecked(model_->isLive());
  }
  const auto& point = model_->currentPoint();
  tasks_->setPoint(point, model_->changes());
  if (!point) {
    caption_->setText(QString());
    return;
  }
  caption_->setText(tr("Point %1 of %2 · %3")
                        .arg(i + 1)
                        .arg(model_->count())
                        .arg(HistoryModel::caption(point->info)));
  graph_->setMarkedSnapshot(point->graph, marksOfChanges(model_->changes(), model_->changesNote()));
}

}  // namespace mu2net::ui
