// Help ▸ About: the dialog names the version, the git commit the build came from, the LibTorch,
// Qt, Graphviz and SQLite versions (Graphviz as the layout helper reports it) and the licences;
// the main window's Help menu opens it. Expected values come from the libraries' own headers and
// from git, not from the build-info code under test.
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest/QtTest>

#include <graphviz/graphviz_version.h>
#include <sqlite3.h>
#include <torch/version.h>

#include "AboutDialog.h"
#include "GraphLayoutProcess.h"
#include "MainWindow.h"

using namespace mu2net::ui;

namespace {

// The commit of the source checkout, or "unknown" when it is not a git checkout.
QString sourceCommit() {
  QProcess git;
  git.start(QStringLiteral("git"), {QStringLiteral("-C"), QStringLiteral(MU2NET_SOURCE_DIR),
                                    QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
  if (!git.waitForFinished(30000) || git.exitStatus() != QProcess::NormalExit ||
      git.exitCode() != 0)
    return QStringLiteral("unknown");
  return QString::fromUtf8(git.readAllStandardOutput()).trimmed();
}

}  // namespace

class TstAboutDialog : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void showsVersionsAndLicences() {
    // The helper of this build (build/app), as the workbench finds it from build/tests.
    QVERIFY2(QFileInfo(GraphLayoutProcess::defaultProgram()).isExecutable(),
             qPrintable(GraphLayoutProcess::defaultProgram()));
    AboutDialog dialog;
    QSignalSpy known(&dialog, &AboutDialog::graphvizVersionKnown);
    dialog.show();
    QVERIFY(known.wait(20000) || dialog.graphvizKnown());
    const QString text = dialog.text();
    const QStringList lines = text.split(QLatin1Char('\n'));
    QCOMPARE(lines.value(0), QStringLiteral("mu2net-workbench " MU2NET_VERSION));
    const QString commit = sourceCommit();
    QVERIFY2(lines.value(1).startsWith(QStringLiteral("Commit   ") + commit),
             qPrintable(lines.value(1) + " vs the checkout's " + commit +
                        " (rebuild after committing)"));
    QVERIFY(lines.contains(QStringLiteral("LibTorch " TORCH_VERSION)));
    // The Qt this process runs with (", built with ..." follows only when that differs).
    QVERIFY(!lines
                 .filter(QRegularExpression(QStringLiteral("^Qt {7}") +
                                            QRegularExpression::escape(qVersion()) +
                                            QStringLiteral("( |$)")))
                 .isEmpty());
    QVERIFY(lines.contains(QStringLiteral("SQLite   " SQLITE_VERSION)));
    // Graphviz as the helper itself reports it, and which helper that was.
    QVERIFY2(lines.contains(QStringLiteral("Graphviz " PACKAGE_VERSION " (in %1)")
                                .arg(GraphLayoutProcess::defaultProgram())),
             qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("MIT")));
    QVERIFY(text.contains(QStringLiteral("QCustomPlot (GPL-3.0)")));
    QVERIFY(text.contains(QStringLiteral("Graphviz (EPL-1.0)")));

    // The window shows the same (as rich text), and Copy puts the plain text on the clipboard.
    const auto* label = dialog.findChild<QLabel*>(QStringLiteral("aboutText"));
    QVERIFY(label);
    QVERIFY(label->text().contains(QStringLiteral("μ2Net Workbench " MU2NET_VERSION)));
    QVERIFY(label->text().contains(QStringLiteral(TORCH_VERSION)));
    QVERIFY(label->text().contains(QStringLiteral(PACKAGE_VERSION)));
    QVERIFY(label->text().contains(QStringLiteral("GPL-3.0")));
    QPushButton* copy = nullptr;
    for (auto* button : dialog.findChildren<QPushButton*>())
      if (button->text() == QStringLiteral("&Copy")) copy = button;
    QVERIFY(copy);
    copy->click();
    QCOMPARE(QApplication::clipboard()->text(), text);
  }

  void missingHelperIsNamed() {
    qputenv("MU2NET_LAYOUT", "/nonexistent/mu2net-layout");
    AboutDialog dialog;
    qunsetenv("MU2NET_LAYOUT");
    QSignalSpy known(&dialog, &AboutDialog::graphvizVersionKnown);
    QVERIFY(known.wait(20000) || dialog.graphvizKnown());
    QVERIFY2(dialog.text().contains(QStringLiteral(
                 "Graphviz unknown: the layout helper /nonexistent/mu2net-layout could not be "
                 "started")),
             qPrintable(dialog.text()));
  }

  void versionTextNeedsNoHelper() {
    const QString text = AboutDialog::versionText(QStringLiteral("9.9 (test)"));
    QVERIFY(text.startsWith(QStringLiteral("mu2net-workbench " MU2NET_VERSION "\n")));
    QVERIFY(text.contains(QStringLiteral("\nGraphviz 9.9 (test)\n")));
  }

  void helpMenuOpensIt() {
    MainWindow window;
    window.setErrorPopups(false);
    window.show();
    QAction* about = nullptr;
    QString menus;
    for (QAction* menu : window.menuBar()->actions()) {
      menus += menu->text() + QLatin1Char(' ');
      if (menu->text() == QStringLiteral("&Help") && menu->menu())
        about = menu->menu()->findChild<QAction*>(QStringLiteral("aboutAction"));
    }
    QVERIFY2(about, qPrintable("no Help ▸ About among: " + menus));
    QVERIFY(window.menuBar()->actions().constLast()->text() == QStringLiteral("&Help"));
    QVERIFY(!window.findChild<AboutDialog*>());
    about->trigger();
    auto* dialog = window.findChild<AboutDialog*>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->text().startsWith(QStringLiteral("mu2net-workbench " MU2NET_VERSION)));
    QSignalSpy known(dialog, &AboutDialog::graphvizVersionKnown);
    QVERIFY(known.wait(20000) || dialog->graphvizKnown());
    dialog->close();  // WA_DeleteOnClose
    QTRY_VERIFY(!window.findChild<AboutDialog*>());
  }
};

QTEST_MAIN(TstAboutDialog)
#include "tst_about_dialog.moc"
