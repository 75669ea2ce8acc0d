#pragma once
// Makes data previews (loadDataPreview) in a worker thread of the global thread pool, so reading
// a dataset (seconds for MNIST) never blocks the GUI. Only the latest request counts: ready() is
// emitted for it alone, and an earlier request still waiting for the worker is skipped unread.
//
// Two caches: the previews made so far (a few, small: an equal request is answered at once) and
// the task data last read (one task, kept while it is asked for again with other pipeline
// settings: a new generation of the task shown redraws without reading the folder). Jobs hold the
// shared worker state, never the loader: destroying the loader while one runs is safe; its result
// is dropped.
#include <QHash>
#include <QObject>
#include <QStringList>
#include <memory>

#include "DataPreview.h"

namespace mu2net::ui {

class DataPreviewLoader : public QObject {
  Q_OBJECT
 public:
  explicit DataPreviewLoader(QObject* parent = nullptr);
  ~DataPreviewLoader() override;

  /// Starts making the preview of `request`. A preview made before for an equal request
  /// (DataPreviewRequest::key) is emitted before this returns.
  void request(const DataPreviewRequest& request);
  /// Drops the pending request: no ready() comes for it.
  void cancel();
  /// A request is being worked on.
  bool busy() const { return pending_; }

 Q_SIGNALS:
  /// The preview of the latest request (ok() or with its error).
  void ready(const mu2net::ui::DataPreview& preview);

 private:
  struct Worker;
  void remember(const DataPreview& preview);

  std::shared_ptr<Worker> worker_;
  int latest_ = 0;
  bool pending_ = false;
  QHash<QString, DataPreview> made_;
  QStringList madeOrder_;  // keys of made_, oldest first
};

}  // namespace mu2net::ui
