// The installation: `cmake --install` of this build into a temporary prefix, which is then moved
// (an installation must find its data relative to its programs, wherever the prefix ends up), and
// what it installed is run: `mu2net run` on a tiny experiment that names the built-in root
// glyphs-vit, the workbench offscreen with --screenshot, the three programs' --version, the man
// pages, the icon sizes, and the menu entry checked by desktop-file-validate (desktop-file-utils).
// Expected versions come from the libraries' own headers and from git, not from the code under
// test.
#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <graphviz/graphviz_version.h>
#include <sqlite3.h>
#include <torch/version.h>

#include "CliProcess.h"
#include "TestData.h"

namespace {

using Run = mu2net::testdata::ProgramRun;
using mu2net::testdata::runProgram;

QString describe(const QString& what, const Run& r) {
  return QStringLiteral("%1: finished %2, exit %3\n--- stdout\n%4\n--- stderr\n%5")
      .arg(what)
      .arg(r.finished)
      .arg(r.exitCode)
      .arg(r.out, r.err);
}

// The commit of the source checkout, or "unknown" when it is not a git checkout.
QString sourceCommit() {
  const Run git =
      runProgram(QStringLiteral("git"), {QStringLiteral("-C"), QStringLiteral(MU2NET_SOURCE_DIR),
                                         QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
  return git.exitCode == 0 ? git.out.trimmed() : QStringLiteral("unknown");
}

QByteArray readFile(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

constexpr int kIconSizes[] = {16, 22, 24, 32, 48, 64, 128, 256};

}  // namespace

class TstInstall : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir tmp_;
  QString prefix_;

  QString installed(const QString& relative) const { return prefix_ + QLatin1Char('/') + relative; }

  // The environment the installed programs run in: nothing pointing back into the build (no
  // MU2NET_LAYOUT, no MU2NET_ROOTS_PATH), runs and settings kept inside the temporary folder.
  QProcessEnvironment cleanEnvironment() const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("MU2NET_LAYOUT"));
    env.remove(QStringLiteral("MU2NET_ROOTS_PATH"));
    env.insert(QStringLiteral("MU2NET_RUNS_DIR"), tmp_.filePath(QStringLiteral("runs")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), tmp_.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("OMP_WAIT_POLICY"), QStringLiteral("PASSIVE"));
    return env;
  }

  QString tinyConfig() const {
    const QString mnist = QString::fromStdString(mu2net::testdata::mnistDir().string());
    const QString path = tmp_.filePath(QStringLiteral("tiny.json"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return {};
    f.write(QStringLiteral(R"({
      "seed": 3,
      "root": {"pretrained": "glyphs-vit"},
      "tasks": [{"name": "digits-0-2", "format": "idx", "path": "%1", "classes": [0, 1, 2]}],
      "evolution": {"generation_size": 1, "children_per_task_iteration": 1,
                    "task_iterations": 1},
      "training": {"batch_size": 32, "validations_per_child": 1,
                   "train_examples_between_validations": 512, "validation_examples_max": 128,
                   "test_examples_max": 300, "threads": 1}
    })")
                .arg(mnist)
                .toUtf8());
    return path;
  }

 private Q_SLOTS:
  void initTestCase() {
    MU2NET_REQUIRE_DIR(mu2net::testdata::mnistDir());
    QVERIFY(tmp_.isValid());
    const QString first = tmp_.filePath(QStringLiteral("first"));
    const Run install = runProgram(QStringLiteral(MU2NET_CMAKE_COMMAND),
                                   {QStringLiteral("--install"), QStringLiteral(MU2NET_BINARY_DIR),
                                    QStringLiteral("--prefix"), first});
    QVERIFY2(install.exitCode == 0, qPrintable(describe("cmake --install", install)));
    // Move the installation: nothing in it may depend on the prefix it was installed to.
    prefix_ = tmp_.filePath(QStringLiteral("moved/prefix"));
    QVERIFY(QDir().mkpath(tmp_.filePath(QStringLiteral("moved"))));
    QVERIFY(QDir().rename(first, prefix_));
  }

  void installsEverything() {
    for (const char* program : {"mu2net", "mu2net-workbench", "mu2net-layout"})
      QVERIFY2(QFileInfo(installed(QStringLiteral("bin/") + program)).isExecutable(), program);
    for (const char* file :
         {"share/mu2net/roots/glyphs-vit.pt", "share/mu2net/roots/glyphs-vit.json",
          "share/mu2net/experiments/default.json", "share/mu2net/experiments/screenshot.json",
          "share/mu2net/experiments/thirty-tasks.json",
          "share/applications/mu2net-workbench.desktop",
          "share/icons/hicolor/scalable/apps/mu2net-workbench.svg",
          "share/doc/mu2net-workbench/copyright"})
      QVERIFY2(QFileInfo(installed(QString::fromLatin1(file))).size() > 0, file);
    // The root and the default experiment are the source tree's, byte for byte.
    QCOMPARE(readFile(installed(QStringLiteral("share/mu2net/roots/glyphs-vit.pt"))),
             readFile(QStringLiteral(MU2NET_SOURCE_DIR "/resources/roots/glyphs-vit.pt")));
    QCOMPARE(readFile(installed(QStringLiteral("share/mu2net/experiments/default.json"))),
             readFile(QStringLiteral(MU2NET_SOURCE_DIR "/resources/experiments/default.json")));
    // Icons rendered from the SVG at build time: the right size, transparent corners outside the
    // rounded square, an opaque middle.
    for (const int size : kIconSizes) {
      const QString png = installed(
          QStringLiteral("share/icons/hicolor/%1x%1/apps/mu2net-workbench.png").arg(size));
      const QImage image(png);
      QVERIFY2(!image.isNull(), qPrintable(png));
      QCOMPARE(image.size(), QSize(size, size));
      QVERIFY2(image.pixelColor(0, 0).alpha() < 64, qPrintable(png));
      QCOMPARE(image.pixelColor(size / 2, size / 2).alpha(), 255);
    }
  }

  void versions() {
    const QString commit = sourceCommit();
    const QProcessEnvironment env = cleanEnvironment();
    const Run cli =
        runProgram(installed(QStringLiteral("bin/mu2net")), {QStringLiteral("--version")}, env);
    QVERIFY2(cli.exitCode == 0, qPrintable(describe("mu2net --version", cli)));
    const QStringList lines = cli.out.split(QLatin1Char('\n'));
    QCOMPARE(lines.value(0), QStringLiteral("mu2net " MU2NET_VERSION));
    QVERIFY2(lines.value(1).startsWith(QStringLiteral("commit   ") + commit),
             qPrintable(lines.value(1) + " vs the checkout's " + commit +
                        " (rebuild after committing)"));
    QVERIFY(lines.contains(QStringLiteral("LibTorch " TORCH_VERSION)));
    QVERIFY(lines.contains(QStringLiteral("SQLite   " SQLITE_VERSION)));
    QVERIFY(lines.contains(QStringLiteral("Qt       " QT_VERSION_STR " (in mu2net-workbench)")));
    QVERIFY(lines.contains(QStringLiteral("Graphviz " PACKAGE_VERSION " (in mu2net-layout)")));
    QVERIFY(cli.out.contains(QStringLiteral("MIT")));

    // The workbench answers --version without a display.
    QProcessEnvironment noDisplay = env;
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
      noDisplay.remove(QString::fromLatin1(name));
    const Run gui = runProgram(installed(QStringLiteral("bin/mu2net-workbench")),
                               {QStringLiteral("--version")}, noDisplay);
    QVERIFY2(gui.exitCode == 0, qPrintable(describe("mu2net-workbench --version", gui)));
    const QStringList guiLines = gui.out.split(QLatin1Char('\n'));
    QCOMPARE(guiLines.value(0), QStringLiteral("mu2net-workbench " MU2NET_VERSION));
    QVERIFY(guiLines.value(1).startsWith(QStringLiteral("Commit   ") + commit));
    QVERIFY(guiLines.contains(QStringLiteral("LibTorch " TORCH_VERSION)));
    QVERIFY(guiLines.contains(QStringLiteral("SQLite   " SQLITE_VERSION)));
    QVERIFY(!guiLines.filter(QStringLiteral("Qt       " QT_VERSION_STR)).isEmpty());
    QVERIFY(guiLines.contains(QStringLiteral("Graphviz " PACKAGE_VERSION " (in mu2net-layout)")));
    QVERIFY(gui.out.contains(QStringLiteral("QCustomPlot (GPL-3.0)")));
    QVERIFY(gui.out.contains(QStringLiteral("Graphviz (EPL-1.0)")));

    const Run layout = runProgram(installed(QStringLiteral("bin/mu2net-layout")),
                                  {QStringLiteral("--version")}, env);
    QVERIFY2(layout.exitCode == 0, qPrintable(describe("mu2net-layout --version", layout)));
    const QStringList layoutLines = layout.out.split(QLatin1Char('\n'));
    QCOMPARE(layoutLines.value(0), QStringLiteral("mu2net-layout " MU2NET_VERSION));
    QVERIFY(layoutLines.value(1).startsWith(QStringLiteral("commit   ") + commit));
    QVERIFY(layoutLines.contains(QStringLiteral("Graphviz " PACKAGE_VERSION)));
    QVERIFY(layout.out.contains(QStringLiteral("Graphviz (EPL-1.0)")));
  }

  void manPages() {
    const QPair<const char*, const char*> pages[] = {{"mu2net", "pretrain"},
                                                     {"mu2net-workbench", "\\-\\-screenshot"},
                                                     {"mu2net-layout", "\\-\\-engine"}};
    for (const auto& [program, option] : pages) {
      const QString page = installed(QStringLiteral("share/man/man1/%1.1.gz").arg(program));
      const Run unzip = runProgram(QStringLiteral("gzip"), {QStringLiteral("-dc"), page});
      QVERIFY2(unzip.exitCode == 0, qPrintable(describe(page, unzip)));
      QVERIFY2(unzip.out.contains(QStringLiteral(".TH ") + QString::fromLatin1(program).toUpper() +
                                  QStringLiteral(" \"1\"")),
               qPrintable(unzip.out.left(400)));
      QVERIFY2(unzip.out.contains(QString::fromLatin1(option)), qPrintable(unzip.out));
      QVERIFY(unzip.out.contains(QStringLiteral(MU2NET_VERSION)));
      // Written from the program's help as run by name, not from a build folder.
      QVERIFY2(!unzip.out.contains(QStringLiteral(MU2NET_BINARY_DIR)), qPrintable(unzip.out));
    }
  }

  void desktopEntry() {
    const QString validator =
        QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    QVERIFY2(!validator.isEmpty(),
             "desktop-file-validate is missing: install desktop-file-utils "
             "(bash .ci/install-deps.sh)");
    const QString entry = installed(QStringLiteral("share/applications/mu2net-workbench.desktop"));
    const Run validate = runProgram(validator, {entry});
    QVERIFY2(validate.exitCode == 0 && validate.out.isEmpty() && validate.err.isEmpty(),
             qPrintable(describe("desktop-file-validate", validate)));
    // Exec starts the installed workbench without arguments (its default experiment) and passes
    // a dropped file on; Icon names the installed icon.
    const QStringList lines = QString::fromUtf8(readFile(entry)).split(QLatin1Char('\n'));
    QVERIFY(lines.contains(QStringLiteral("Exec=mu2net-workbench %f")));
    QVERIFY(lines.contains(QStringLiteral("TryExec=mu2net-workbench")));
    QVERIFY(lines.contains(QStringLiteral("Icon=mu2net-workbench")));
    QVERIFY(QFileInfo(installed(QStringLiteral("bin/mu2net-workbench"))).isExecutable());
  }

  void rootsFromThePrefix() {
    const Run roots = runProgram(installed(QStringLiteral("bin/mu2net")), {QStringLiteral("roots")},
                                 cleanEnvironment());
    QVERIFY2(roots.exitCode == 0, qPrintable(describe("mu2net roots", roots)));
    QVERIFY2(roots.out.contains(QStringLiteral("glyphs-vit  (default)")), qPrintable(roots.out));
    // Found beside the installed program, not in the source tree it was built from.
    const QString file = QDir(installed(QStringLiteral("share/mu2net/roots")))
                             .filePath(QStringLiteral("glyphs-vit.pt"));
    QVERIFY2(roots.out.contains(QStringLiteral("file          ") + file), qPrintable(roots.out));
  }

  void runsATinyExperimentWithTheBuiltInRoot() {
    const QString config = tinyConfig();
    QVERIFY(!config.isEmpty());
    const QString out = tmp_.filePath(QStringLiteral("cli-run"));
    const Run r = runProgram(installed(QStringLiteral("bin/mu2net")),
                             {QStringLiteral("run"), config, QStringLiteral("--out"), out},
                             cleanEnvironment());
    QVERIFY2(r.exitCode == 0, qPrintable(describe("mu2net run", r)));
    QFile f(out + QStringLiteral("/report.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject report = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray tasks = report[QStringLiteral("tasks")].toArray();
    QCOMPARE(tasks.size(), 1);
    const double accuracy = tasks[0].toObject()[QStringLiteral("test_accuracy")].toDouble();
    qInfo("test accuracy of the tiny run: %.3f", accuracy);
    // Three classes: chance is 0.33; the pretrained root's features learn far more than that.
    QVERIFY2(accuracy > 0.8, qPrintable(QString::number(accuracy)));
  }

  void workbenchTakesAScreenshotOffscreen() {
    const QString config = tinyConfig();
    const QString shot = tmp_.filePath(QStringLiteral("shot.png"));
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    const Run r = runProgram(installed(QStringLiteral("bin/mu2net-workbench")),
                             {QStringLiteral("-qwindowgeometry"), QStringLiteral("1200x800+0+0"),
                              QStringLiteral("--screenshot"), shot,
                              QStringLiteral("--screenshot-after"), QStringLiteral("8"), config},
                             env);
    QVERIFY2(r.exitCode == 0, qPrintable(describe("mu2net-workbench --screenshot", r)));
    QVERIFY2(r.err.contains(QStringLiteral("screenshot written")), qPrintable(r.err));
    // The graph was laid out by the mu2net-layout installed beside the workbench.
    QVERIFY2(r.err.contains(QStringLiteral("graph laid out")), qPrintable(r.err));
    QVERIFY2(!r.err.contains(QStringLiteral("layout failed")), qPrintable(r.err));
    const QImage image(shot);
    QVERIFY(!image.isNull());
    QVERIFY2(image.width() >= 1000 && image.height() >= 600,
             qPrintable(QStringLiteral("%1x%2").arg(image.width()).arg(image.height())));
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
      for (int x = 0; x < image.width(); x += 3)
        colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    // The run went into MU2NET_RUNS_DIR.
    QVERIFY(!QDir(tmp_.filePath(QStringLiteral("runs")))
                 .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                 .isEmpty());
  }
};

QTEST_MAIN(TstInstall)
#include "tst_install.moc"
