#pragma once
// Runs a piece of work on a thread of its own and hands its result to a QObject's thread: for
// reads and computations that take too long for the GUI thread (reading a store, constructing an
// engine). `work` must not throw (catch inside it and return the error in the result); `done`
// runs in `context`'s thread once the work is over, unless `context` was destroyed by then. The
// thread deletes itself.
#include <QObject>
#include <QThread>
#include <memory>
#include <optional>
#include <utility>

namespace mu2net::ui {

template <typename Work, typename Done>
void runInBackground(QObject* context, Work work, Done done) {
  using Result = decltype(work());
  auto result = std::make_shared<std::optional<Result>>();
  QThread* thread =
      QThread::create([result, work = std::move(work)]() mutable { *result = work(); });
  thread->setObjectName(QStringLiteral("mu2net-background"));
  QObject::connect(thread, &QThread::finished, context,
                   [result, done = std::move(done)]() mutable { done(std::move(**result)); });
  QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start();
}

}  // namespace mu2net::ui
