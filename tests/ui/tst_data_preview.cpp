// The task data preview (DataPreviewWidget, made in a worker by DataPreviewLoader) on real
// datasets: MNIST, CMATERdb Bangla in its CIFAR-binary layout, a class subset of Fashion-MNIST
// and of Omniglot. Class names, per-class counts and split sizes equal what loadTask gives; every
// raw sample equals the file's pixels and every model's view equals assembleBatch's output mapped
// back to 0..255, in the training and the evaluation pipeline. Bad folders give a message naming
// the task and folder; a newer request replaces one still loading.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>
#include <memory>

#include "DataPreview.h"
#include "DataPreviewFixture.h"
#include "DataPreviewWidget.h"
#include "TestConfigs.h"
#include "TestData.h"

using namespace mu2net;
using namespace mu2net::ui;
using namespace mu2net::testui;
namespace fs = std::filesystem;

namespace {

DataPreviewRequest requestFor(const TaskSpec& task, const DataHParams& pipeline = {}) {
  DataPreviewRequest r;
  r.task = task;
  r.seed = 11;
  r.pipeline = pipeline;
  r.pipelineSource = QStringLiteral("the test's settings");
  return r;
}

QString grouped(std::int64_t n) {
  return QLocale(QLocale::English).toString(qlonglong(n));
}

}  // namespace

class TstDataPreview : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  std::unique_ptr<DataPreviewWidget> last_;  // the widget checkPreview() made last

  // Previews `request` in a fresh widget (kept in last_); checks the grid in both views and the
  // summary against loadTask(request.task, request.seed).
  void checkPreview(const DataPreviewRequest& request) {
    last_ = std::make_unique<DataPreviewWidget>();
    DataPreviewWidget& w = *last_;
    QSignalSpy shown(&w, &DataPreviewWidget::previewShown);
    w.preview(request);
    QVERIFY(w.message().contains(QString::fromStdString(request.task.name)));  // "Loading…"
    QVERIFY(waitForPreview(w));
    QVERIFY2(w.shown()->ok(), qPrintable(w.shown()->error));
    QCOMPARE(shown.count(), 1);
    const TaskData data = loadTask(request.task, request.seed);
    QCOMPARE(w.shown()->train, data.train.count);
    QCOMPARE(w.shown()->validation, data.validation.count);
    QCOMPARE(w.shown()->test, data.test.count);
    QCOMPARE(w.shown()->channels, data.train.channels);
    const QString summary = w.summary();
    for (const auto n : {data.train.count, data.validation.count, data.test.count})
      QVERIFY2(summary.contains(grouped(n)), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("%1×%2").arg(data.train.height).arg(data.train.width)),
             qPrintable(summary));
    QVERIFY(summary.contains(QString::fromStdString(request.task.path.string())));
    QVERIFY(summary.contains(request.pipelineSource));
    QCOMPARE(w.view(), DataPreviewWidget::View::Training);
    QString mismatch = gridMismatch(w, data);
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    w.setView(DataPreviewWidget::View::Evaluation);
    mismatch = gridMismatch(w, data);
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
  }

  // The message a preview of `t` gives; checks it names the task and the folder.
  QString errorOf(const TaskSpec& t) {
    DataPreviewWidget w;
    w.preview(requestFor(t));
    if (!waitForPreview(w)) return QStringLiteral("(no preview came)");
    if (w.shown()->ok()) return QStringLiteral("(no error)");
    if (w.grid()->isVisibleTo(&w) || w.summary() != QString())
      return QStringLiteral("(grid shown)");
    const QString m = w.message();
    if (!m.contains(QString::fromStdString(t.name)) ||
        !m.contains(QString::fromStdString(t.path.string())))
      return QStringLiteral("(task or folder not named) ") + m;
    return m;
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  // All of MNIST (a held-out validation split), through an augmenting pipeline at 20 px.
  void mnistShowsItsClassesCountsAndPixels() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    DataHParams p;
    p.imageSize = 20;
    p.areaRangeMin = 0.3;
    p.flipLeftRight = true;
    p.brightnessDelta = 0.3;
    p.contrastDelta = 0.3;
    checkPreview(requestFor(testdata::idxTask("digits", testdata::mnistDir()), p));
  }

  // Three channels, the class names of batches.meta.txt.
  void banglaCifarShowsRgbSamples() {
    MU2NET_REQUIRE_DIR(testdata::banglaCifarDir());
    const auto t = cifarTask("bangla", testdata::banglaCifarDir());
    checkPreview(requestFor(t));
  }

  // Only the classes listed, in their order, with the dataset's names.
  void fashionClassSubsetShowsOnlyItsClasses() {
    MU2NET_REQUIRE_DIR(testdata::fashionMnistDir());
    const auto t = testdata::idxTask("clothes", testdata::fashionMnistDir(), {9, 0, 3});
    checkPreview(requestFor(t));
    const DataPreviewWidget& w = *last_;
    const TaskData all = loadTask(testdata::idxTask("all", t.path), 11);
    QCOMPARE(w.grid()->rowCount(), 3);
    for (int r = 0; r < 3; ++r)
      QCOMPARE(w.grid()->item(r, DataPreviewWidget::ClassColumn)->text(),
               QString::fromStdString(all.classNames[std::size_t(t.classes[std::size_t(r)])]));
    QVERIFY(w.summary().contains(QStringLiteral("3 classes")));
  }

  void omniglotSubsetShowsItsNamedClasses() {
    MU2NET_REQUIRE_DIR(testdata::omniglot28Dir());
    DataHParams p;
    p.imageSize = 24;
    checkPreview(
        requestFor(testdata::idxTask("letters", testdata::omniglot28Dir(), {241, 0, 120, 7}), p));
  }

  // All 242 classes: every class counted, samples up to the limit (the first 100 classes).
  void omniglotListsEveryClassAndSamplesUpToTheLimit() {
    MU2NET_REQUIRE_DIR(testdata::omniglot28Dir());
    checkPreview(requestFor(testdata::idxTask("omniglot", testdata::omniglot28Dir())));
    QCOMPARE(last_->grid()->rowCount(), 242);
    QVERIFY2(last_->summary().contains(QStringLiteral("242 classes, samples of the first 100")),
             qPrintable(last_->summary()));
  }

  // A missing folder, a folder in another format, unreadable files and a class the dataset
  // lacks: a message naming the task and the folder, no grid, no crash.
  void badFoldersGiveAMessageNamingTaskAndFolder() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    const fs::path root = tmp_.path().toStdString();
    QString m = errorOf(testdata::idxTask("missing", root / "no-such-folder"));
    QVERIFY2(m.contains(QStringLiteral("does not exist")), qPrintable(m));
    m = errorOf(cifarTask("wrong-format", testdata::mnistDir()));
    QVERIFY2(m.contains(QStringLiteral("\"idx\"")), qPrintable(m));
    const fs::path broken = root / "broken";
    fs::create_directories(broken);
    for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
      std::ofstream(broken / f) << "not an IDX file";
    m = errorOf(testdata::idxTask("broken", broken));
    QVERIFY2(m.contains(QString::fromStdString((broken / "train-images-idx3-ubyte").string())),
             qPrintable(m));
    m = errorOf(testdata::idxTask("eleven", testdata::mnistDir(), {3, 10}));
    QVERIFY2(m.contains(QStringLiteral("10")), qPrintable(m));
  }

  // A second request while the first still loads: only the second is shown, once.
  void aNewerRequestReplacesOneStillLoading() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    MU2NET_REQUIRE_DIR(testdata::banglaIdxDir());
    DataPreviewWidget w;
    QSignalSpy shown(&w, &DataPreviewWidget::previewShown);
    w.preview(requestFor(testdata::idxTask("first", testdata::mnistDir())));
    w.preview(requestFor(testdata::idxTask("second", testdata::banglaIdxDir())));
    QVERIFY(waitForPreview(w));
    QCOMPARE(w.shown()->request.task.name, std::string("second"));
    QCOMPARE(shown.count(), 1);
    // A request equal to one made before is answered from memory, at once.
    w.preview(requestFor(testdata::idxTask("second", testdata::banglaIdxDir())));
    QVERIFY(w.shown().has_value());
    QCOMPARE(shown.count(), 2);
  }
};

QTEST_MAIN(TstDataPreview)
#include "tst_data_preview.moc"
