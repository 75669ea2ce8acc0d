// "Preview data" in the New experiment and Add task dialogs: the pane shows the task typed in,
// before any run (its class subset only, counts, raw pixels and the model's view through the
// search space's defaults for the root in the form), follows the row selected and what is typed,
// and says why a task cannot be previewed (a bad folder or form), naming the task and folder.
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "AddTaskDialog.h"
#include "DataPreviewFixture.h"
#include "DataPreviewWidget.h"
#include "NewExperimentDialog.h"
#include "TestData.h"

using namespace mu2net;
using namespace mu2net::ui;
using RootKind = NewExperimentDialog::RootKind;

namespace {

QString str(const std::filesystem::path& p) {
  return QString::fromStdString(p.string());
}

QStringList classNames(const DataPreviewWidget& w) {
  QStringList names;
  for (int r = 0; r < w.grid()->rowCount(); ++r)
    names << w.grid()->item(r, DataPreviewWidget::ClassColumn)->text();
  return names;
}

}  // namespace

class TstDataPreviewDialogs : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;

  // The preview pane shows `spec` loaded with `seed`, at `imageSize` px for the model.
  void checkShows(const DataPreviewWidget& w, const TaskSpec& spec, std::uint64_t seed,
                  int imageSize) {
    QVERIFY(!w.isHidden());
    QVERIFY(testui::waitForPreview(w));
    QVERIFY2(w.shown()->ok(), qPrintable(w.shown()->error));
    QCOMPARE(w.shown()->request.task.name, spec.name);
    QCOMPARE(w.shown()->request.task.classes, spec.classes);
    QCOMPARE(w.shown()->request.pipeline.imageSize, imageSize);
    QVERIFY2(w.summary().contains(QStringLiteral("before any run")), qPrintable(w.summary()));
    const QString mismatch = testui::gridMismatch(w, loadTask(spec, seed));
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  // The selected row's Omniglot class subset, through the random root's image size; the pane
  // follows the selection and the classes typed.
  void newExperimentPreviewsTheSelectedRow() {
    MU2NET_REQUIRE_DIR(testdata::omniglot28Dir());
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    NewExperimentDialog dialog;
    ExperimentConfig config;  // a random root
    config.seed = 3;
    config.tasks = {testdata::idxTask("digits", testdata::mnistDir(), {1, 7})};
    dialog.setConfig(config, tmp_.path());
    QCOMPARE(dialog.rootKind(), RootKind::Random);
    qobject_cast<QSpinBox*>(dialog.architectureField(QStringLiteral("image_size")))->setValue(24);
    dialog.addTaskRow(QStringLiteral("letters"), QStringLiteral("idx"),
                      str(testdata::omniglot28Dir()), QStringLiteral("17, 3, 200"));
    dialog.show();
    QVERIFY(dialog.dataPreview()->isHidden());
    dialog.taskTable()->setCurrentCell(1, 0);
    const int width = dialog.width();
    dialog.previewData();
    QVERIFY(dialog.width() > width);
    checkShows(*dialog.dataPreview(),
               testdata::idxTask("letters", testdata::omniglot28Dir(), {17, 3, 200}), 3, 24);
    QCOMPARE(classNames(*dialog.dataPreview()),
             (QStringList{QStringLiteral("17"), QStringLiteral("3"), QStringLiteral("200")}));

    dialog.taskTable()->setCurrentCell(0, 0);  // the pane follows the selection
    checkShows(*dialog.dataPreview(), testdata::idxTask("digits", testdata::mnistDir(), {1, 7}), 3,
               24);
    dialog.taskTable()->item(0, 3)->setText(QStringLiteral("9 4"));  // and what is typed
    checkShows(*dialog.dataPreview(), testdata::idxTask("digits", testdata::mnistDir(), {9, 4}), 3,
               24);
    QCOMPARE(classNames(*dialog.dataPreview()),
             (QStringList{QStringLiteral("9"), QStringLiteral("4")}));
  }

  // A folder that does not exist, a class list that does not parse: a message, no grid.
  void newExperimentSaysWhyATaskCannotBePreviewed() {
    NewExperimentDialog dialog;
    dialog.taskTable()->setRowCount(0);
    const QString missing = tmp_.filePath(QStringLiteral("no-such-folder"));
    dialog.addTaskRow(QStringLiteral("ghost"), QStringLiteral("idx"), missing, QString());
    dialog.show();
    dialog.previewData();
    DataPreviewWidget* w = dialog.dataPreview();
    QVERIFY(testui::waitForPreview(*w));
    QVERIFY(!w->shown()->ok());
    QVERIFY2(w->message().contains(QStringLiteral("ghost")) && w->message().contains(missing),
             qPrintable(w->message()));
    QVERIFY(!w->grid()->isVisibleTo(w));
    dialog.taskTable()->item(0, 3)->setText(QStringLiteral("one, two"));
    QVERIFY2(w->message().contains(QStringLiteral("ghost")) &&
                 w->message().contains(QStringLiteral("tasks[0].classes")),
             qPrintable(w->message()));
  }

  // The Add task dialog: a Fashion-MNIST subset with the experiment's seed and root size; a
  // format changed to another folder's is followed; the wrong format is explained.
  void addTaskPreviewsTheTaskTypedIn() {
    MU2NET_REQUIRE_DIR(testdata::fashionMnistDir());
    MU2NET_REQUIRE_DIR(testdata::banglaCifarDir());
    ExperimentConfig experiment;
    experiment.seed = 9;
    experiment.root.architecture.imageSize = 20;
    AddTaskDialog dialog({QStringLiteral("digits")}, tmp_.path());
    dialog.setExperiment(experiment);
    dialog.setFields(QStringLiteral("clothes"), QStringLiteral("idx"),
                     str(testdata::fashionMnistDir()), QStringLiteral("9, 0"));
    dialog.show();
    QVERIFY(dialog.dataPreview()->isHidden());
    dialog.previewData();
    checkShows(*dialog.dataPreview(),
               testdata::idxTask("clothes", testdata::fashionMnistDir(), {9, 0}), 9, 20);
    QCOMPARE(dialog.dataPreview()->grid()->rowCount(), 2);

    // The wrong format for the folder: the message says which fits.
    dialog.setFields(QStringLiteral("bangla"), QStringLiteral("idx"),
                     str(testdata::banglaCifarDir()), QString());
    dialog.previewData();
    DataPreviewWidget* w = dialog.dataPreview();
    QVERIFY(testui::waitForPreview(*w));
    QVERIFY(!w->shown()->ok());
    QVERIFY2(w->message().contains(QStringLiteral("bangla")) &&
                 w->message().contains(str(testdata::banglaCifarDir())) &&
                 w->message().contains(QStringLiteral("cifar-binary")),
             qPrintable(w->message()));
    // Choosing that format is followed at once.
    dialog.findChild<QComboBox*>()->setCurrentText(QStringLiteral("cifar-binary"));
    checkShows(*w, testui::cifarTask("bangla", testdata::banglaCifarDir()), 9, 20);
    QCOMPARE(w->shown()->channels, 3);
  }
};

QTEST_MAIN(TstDataPreviewDialogs)
#include "tst_data_preview_dialogs.moc"
