#include "StoreExports.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <exception>
#include <filesystem>
#include <memory>
#include <utility>

#include "BackgroundJob.h"
#include "ConfusionView.h"
#include "ExperimentFiles.h"
#include "RunStatusBar.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/engine/ModelExport.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"
#include "mu2net/store/StoreCsv.h"

namespace mu2net::ui {

namespace {

std::unique_ptr<ExperimentStore> openStore(const QString& dir) {
  return ExperimentStore::open(dir.toStdString(), ExperimentStore::Mode::ReadOnly);
}

// Runs f(engine) with an engine over the store in `dir` (read-only; loads every task's data).
template <typename F>
void withEngine(const QString& dir, F&& f) {
  const auto store = openStore(dir);
  Engine engine(store->config(), nullptr, store.get());
  f(engine);
}

}  // namespace

StoreExports::StoreExports(QWidget* window, RunStatusBar* status,
                           std::function<QString()> experimentDirectory,
                           std::function<QString()> currentTask)
    : QObject(window),
      window_(window),
      status_(status),
      experimentDirectory_(std::move(experimentDirectory)),
      currentTask_(std::move(currentTask)),
      torchScript_(new QAction(tr("Task's model as &TorchScript…"), this)),
      csv_(new QAction(tr("Store as &CSV…"), this)),
      confusion_(new QAction(tr("Per-class test &accuracy…"), this)) {
  torchScript_->setObjectName(QStringLiteral("exportTorchScriptAction"));
  csv_->setObjectName(QStringLiteral("exportCsvAction"));
  confusion_->setObjectName(QStringLiteral("confusionAction"));
  confusion_->setToolTip(tr("Per-class test accuracy and the confusion matrix of a task's model"));
  connect(torchScript_, &QAction::triggered, this, &StoreExports::torchScriptDialog);
  connect(csv_, &QAction::triggered, this, &StoreExports::csvDialog);
  connect(confusion_, &QAction::triggered, this, &StoreExports::confusionDialog);
}

ConfusionView* StoreExports::confusionView() const {
  return view_;
}

QStringList StoreExports::tasksWithModels() const {
  const QString dir = experimentDirectory_();
  QStringList tasks;
  try {
    if (dir.isEmpty() || !ExperimentStore::isStore(dir.toStdString())) return tasks;
    const auto store = openStore(dir);
    if (!store->hasState()) return tasks;
    const StoreState st = store->loadMetadata();
    const System system(st.system);
    for (const auto& t : st.tasks)
      if (system.retainedPath(t.spec.name) >= 0) tasks << QString::fromStdString(t.spec.name);
  } catch (const std::exception&) {
    // An unreadable store has no task to offer; the export itself would say why.
  }
  return tasks;
}

bool StoreExports::start(const QString& doing, std::function<QString(const QString& dir)> work,
                         std::function<void()> done) {
  const QString dir = experimentDirectory_();
  if (busy_) {
    Q_EMIT failed(tr("another export is running; try again when it has finished"));
    return false;
  }
  if (dir.isEmpty() || !ExperimentStore::isStore(dir.toStdString())) {
    Q_EMIT failed(tr("%1: there is no experiment store yet (open an experiment directory, or "
                     "start the experiment)")
                      .arg(doing));
    return false;
  }
  busy_ = true;
  status_->showMessage(tr("%1…").arg(doing));
  runInBackground(
      this,
      [dir, work = std::move(work)] {
        try {
          return work(dir);
        } catch (const std::exception& e) {
          return QString::fromStdString(errorText(e));
        }
      },
      [this, doing, done = std::move(done)](const QString& error) {
        busy_ = false;
        if (error.isEmpty())
          done();
        else
          Q_EMIT failed(tr("%1 failed: %2").arg(doing, error));
        Q_EMIT jobFinished();
      });
  return true;
}

bool StoreExports::exportTorchScript(const QString& task, const QString& file) {
  const QString path = QFileInfo(file).absoluteFilePath();
  return start(
      tr("Exporting the model of task %1 as TorchScript").arg(task),
      [task, path](const QString& dir) {
        withEngine(dir, [&](Engine& engine) {
          mu2net::exportTorchScript(engine, task.toStdString(), path.toStdString());
        });
        return QString();
      },
      [this, task, path] {
        Q_EMIT exported(tr("The model of task %1 was written to %2 (TorchScript)").arg(task, path));
      });
}

bool StoreExports::exportCsv(const QString& dir) {
  const QString out = QFileInfo(dir).absoluteFilePath();
  return start(
      tr("Exporting the store as CSV"),
      [out](const QString& storeDir) {
        writeStoreCsv(*openStore(storeDir), out.toStdString());
        return QString();
      },
      [this, out] {
        Q_EMIT exported(
            tr("The store was written as CSV to %1: children.csv, curves.csv, paths.csv, "
               "components.csv")
                .arg(out));
      });
}

bool StoreExports::showConfusion(const QString& task) {
  auto matrix = std::make_shared<ConfusionMatrix>();
  return start(
      tr("Computing the per-class test accuracy of task %1").arg(task),
      [task, matrix](const QString& dir) {
        withEngine(dir,
                   [&](Engine& engine) { *matrix = engine.evaluateConfusion(task.toStdString()); });
        return QString();
      },
      [this, matrix] {
        if (!view_) {
          view_ = new ConfusionView(window_);
          view_->setAttribute(Qt::WA_DeleteOnClose);
        }
        view_->setMatrix(*matrix, storeName(experimentDirectory_()));
        view_->show();
        view_->raise();
        status_->showMessage(
            tr("Per-class test accuracy of task %1: %2 of %3 test examples correct")
                .arg(QString::fromStdString(matrix->task))
                .arg(matrix->correct())
                .arg(matrix->total()),
            15000);
      });
}

QString StoreExports::chooseTask(const QString& title) {
  const QStringList tasks = tasksWithModels();
  if (tasks.isEmpty()) {
    Q_EMIT failed(tr("%1: no task of this experiment has a model yet").arg(title));
    return {};
  }
  const int current = std::max<qsizetype>(0, tasks.indexOf(currentTask_()));
  bool ok = false;
  const QString task = QInputDialog::getItem(window_, title, tr("Task:"), tasks,
                                             static_cast<int>(current), false, &ok);
  return ok ? task : QString();
}

void StoreExports::torchScriptDialog() {
  const QString task = chooseTask(tr("Export a task's model as TorchScript"));
  if (task.isEmpty()) return;
  const QString file = QFileDialog::getSaveFileName(
      window_, tr("Export the model of task %1 as TorchScript").arg(task),
      exportStartPath(experimentDirectory_(), task + QStringLiteral(".pt")),
      tr("TorchScript module (*.pt)"));
  if (!file.isEmpty()) exportTorchScript(task, file);
}

void StoreExports::csvDialog() {
  const QString dir = QFileDialog::getExistingDirectory(
      window_, tr("Export the store as CSV (four files in a folder)"),
      exportStartPath(experimentDirectory_(), QString()));
  if (!dir.isEmpty()) exportCsv(dir);
}

void StoreExports::confusionDialog() {
  const QString task = chooseTask(tr("Per-class test accuracy"));
  if (!task.isEmpty()) showConfusion(task);
}

}  // namespace mu2net::ui
