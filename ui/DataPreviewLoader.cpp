#include "DataPreviewLoader.h"

#include <QFutureWatcher>
#include <QPromise>
#include <QThreadPool>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>

#include "mu2net/common/ErrorText.h"

namespace mu2net::ui {

namespace {

constexpr int kPreviewsKept = 8;

// The part of a request that decides which data is read.
QString dataKey(const DataPreviewRequest& r) {
  DataPreviewRequest data;
  data.task = r.task;
  data.seed = r.seed;
  return data.key();
}

}  // namespace

// Shared by the loader and its jobs; one job works at a time (the mutex), the others wait.
struct DataPreviewLoader::Worker {
  std::atomic<int> latest{0};
  std::mutex mutex;
  QString dataKey;               // guarded by mutex
  std::optional<TaskData> data;  // guarded by mutex: the task data last read

  DataPreview make(const DataPreviewRequest& r) {
    const std::lock_guard lock(mutex);
    const QString key = ui::dataKey(r);
    if (data && dataKey == key) {
      try {
        return makeDataPreview(r, *data);
      } catch (const std::exception& e) {
        DataPreview failed;
        failed.request = r;
        failed.error = dataPreviewError(r.task, QString::fromStdString(errorText(e)));
        return failed;
      }
    }
    data.reset();  // at most one task's data in memory
    DataPreview p = loadDataPreview(r, &data);
    dataKey = key;
    return p;
  }
};

DataPreviewLoader::DataPreviewLoader(QObject* parent)
    : QObject(parent), worker_(std::make_shared<Worker>()) {}

DataPreviewLoader::~DataPreviewLoader() {
  worker_->latest = -1;  // jobs still waiting skip their work
}

void DataPreviewLoader::request(const DataPreviewRequest& request) {
  const int id = ++latest_;
  worker_->latest = id;
  if (const auto made = made_.constFind(request.key()); made != made_.constEnd()) {
    pending_ = false;
    Q_EMIT ready(*made);
    return;
  }
  pending_ = true;
  auto promise = std::make_shared<QPromise<DataPreview>>();
  auto* watcher = new QFutureWatcher<DataPreview>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, id] {
    watcher->deleteLater();
    if (watcher->future().resultCount() == 0) return;  // skipped: a later request came first
    const DataPreview preview = watcher->future().result();
    remember(preview);
    if (id != latest_) return;
    pending_ = false;
    Q_EMIT ready(preview);
  });
  watcher->setFuture(promise->future());
  QThreadPool::globalInstance()->start([promise, worker = worker_, id, request] {
    promise->start();
    if (worker->latest == id) promise->addResult(worker->make(request));
    promise->finish();
  });
}

void DataPreviewLoader::cancel() {
  worker_->latest = ++latest_;
  pending_ = false;
}

void DataPreviewLoader::remember(const DataPreview& preview) {
  const QString key = preview.request.key();
  // A failed preview is made again when asked for: its folder may have been mended since.
  if (!preview.ok() || made_.contains(key)) return;
  made_.insert(key, preview);
  madeOrder_ << key;
  while (madeOrder_.size() > kPreviewsKept)
    made_.remove(madeOrder_.takeFirst());
}

}  // namespace mu2net::ui
