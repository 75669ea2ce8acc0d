// Bad input is caught when it is opened, and said in the user's terms: a configuration whose
// dataset folder is missing or holds another format is refused at Open with the task and the key
// named (and the format that fits), a file that is not JSON says the line and column without the
// JSON library's wording, an experiment directory whose data has gone says so when it is opened,
// and the Add task dialog keeps what was typed while it says what is wrong. Real MNIST; real
// files and a real tiny store written here.
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "AddTaskDialog.h"
#include "ExperimentController.h"
#include "ExperimentFiles.h"
#include "MainWindow.h"
#include "UiTestUtil.h"

using namespace mu2net;
using namespace mu2net::ui;

class TstOpenValidation : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;

  // Opens `config` saved as a file; returns the error the window showed (empty when it opened).
  QString openError(const ExperimentConfig& config, const QString& name) {
    const QString file = tmp_.filePath(name);
    const QString saved = saveExperimentConfig(file, config);
    if (!saved.isEmpty()) return saved;
    return openFileError(file);
  }

  QString openFileError(const QString& file) {
    MainWindow window;
    window.setErrorPopups(false);
    if (window.openPath(file)) return {};
    if (window.hasExperiment()) return QStringLiteral("refused but an experiment is loaded");
    return window.statusBar()->currentMessage();
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
  }

  void aMissingDatasetIsNamedAtOpen() {
    ExperimentConfig config = testui::tinyConfig();
    const QString missing = tmp_.filePath(QStringLiteral("no-such-folder"));
    TaskSpec fashion = testui::mnistTask("fashion", {0, 1});
    fashion.path = missing.toStdString();
    config.tasks.push_back(fashion);
    const QString error = openError(config, QStringLiteral("missing.json"));
    QVERIFY2(error.contains(QStringLiteral("task 'fashion' (tasks[1].path): folder %1 does not "
                                           "exist")
                                .arg(missing)),
             qPrintable(error));
    QVERIFY(openError(testui::tinyConfig(), QStringLiteral("good.json")).isEmpty());
  }

  void aWrongFormatSuggestsTheOneThatFits() {
    ExperimentConfig config = testui::tinyConfig();
    config.tasks[0].format = DatasetFormat::CifarBinary;
    const QString error = openError(config, QStringLiteral("wrong-format.json"));
    QVERIFY2(error.contains(QStringLiteral("(tasks[0].format): format is 'cifar-binary'")),
             qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("IDX files (train-images-idx3-ubyte): use \"format\": "
                                           "\"idx\"")),
             qPrintable(error));
  }

  void jsonErrorsSayLineAndColumnInOurWords() {
    const QString file = tmp_.filePath(QStringLiteral("broken.json"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\n  \"seed\": 1,\n}\n");
    f.close();
    const QString error = openFileError(file);
    QVERIFY2(error.contains(QStringLiteral("line 3, column 1: ")), qPrintable(error));
    for (const char* raw : {"json.exception", "parse error at", "syntax error while parsing"})
      QVERIFY2(!error.contains(QLatin1String(raw)), qPrintable(error));
  }

  // An experiment directory whose dataset has gone is still shown (its history is stored), and
  // says at once that Start needs the data back.
  void anExperimentDirectoryWithoutItsDataSaysSo() {
    const QDir data(tmp_.filePath(QStringLiteral("mnist-copy")));
    QVERIFY(data.mkpath(QStringLiteral(".")));
    const QDir mnist(QString::fromStdString(testdata::mnistDir().string()));
    for (const QString& f : mnist.entryList({QStringLiteral("*-ubyte.gz")}, QDir::Files))
      QVERIFY(QFile::copy(mnist.filePath(f), data.filePath(f)));
    ExperimentConfig config = testui::tinyConfig();
    config.tasks[0].path = data.path().toStdString();
    const QString dir = tmp_.filePath(QStringLiteral("exp"));
    ExperimentController controller;
    QVERIFY(controller.start(config, dir));
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), ExperimentController::State::Finished, 240000);
    QVERIFY(QDir(data).removeRecursively());

    MainWindow window;
    window.setErrorPopups(false);
    QVERIFY(window.openPath(dir));
    const QString message = window.statusBar()->currentMessage();
    QVERIFY2(message.contains(QStringLiteral("task 'digits-0-4' (tasks[0].path): folder %1 does "
                                             "not exist")
                                  .arg(data.path())),
             qPrintable(message));
  }

  void addTaskDialogKeepsWhatWasTyped() {
    const QString missing = tmp_.filePath(QStringLiteral("typo-folder"));
    AddTaskDialog dialog({QStringLiteral("digits")}, tmp_.path());
    dialog.setFields(QStringLiteral("letters"), QStringLiteral("idx"), missing,
                     QStringLiteral("0, 1"));
    dialog.show();
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.result() != QDialog::Accepted);
    QVERIFY2(dialog.errorText().contains(missing) &&
                 dialog.errorText().contains(QStringLiteral("does not exist")),
             qPrintable(dialog.errorText()));
    QStringList typed;
    for (auto* edit : dialog.findChildren<QLineEdit*>())
      typed << edit->text();
    QVERIFY(typed.contains(QStringLiteral("letters")));
    QVERIFY(typed.contains(missing));
    QVERIFY(typed.contains(QStringLiteral("0, 1")));

    const QString mnist = QString::fromStdString(testdata::mnistDir().string());
    dialog.setFields(QStringLiteral("letters"), QStringLiteral("cifar-binary"), mnist,
                     QStringLiteral("0, 1"));
    dialog.accept();
    QVERIFY(dialog.result() != QDialog::Accepted);
    QVERIFY2(dialog.errorText().contains(QStringLiteral("use \"format\": \"idx\"")),
             qPrintable(dialog.errorText()));

    dialog.setFields(QStringLiteral("letters"), QStringLiteral("idx"), mnist,
                     QStringLiteral("0, 1"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
  }
};

QTEST_MAIN(TstOpenValidation)
#include "tst_open_validation.moc"
