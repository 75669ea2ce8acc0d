// The New experiment dialog's root chooser: the built-in roots found on MU2NET_ROOTS_PATH (the
// default root first and preselected), a random initialisation and a checkpoint file (.pt with
// metadata, timm .safetensors, missing file); the form's `root` JSON for each; what validating it
// gives; setConfig() restoring each kind; and the dialog's size on a 1024x700 screen. The roots
// are metadata written by hand and any bytes as tensors: the dialog never loads tensors.
#include <QtTest/QtTest>

#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QTemporaryDir>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "NewExperimentDialog.h"
#include "TestData.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/model/RootCatalog.h"

using namespace mu2net;
using mu2net::ui::NewExperimentDialog;
using RootKind = NewExperimentDialog::RootKind;
namespace fs = std::filesystem;

namespace {

// The architecture of the test's own root "tiny": a conv-stem ViT unlike the defaults.
const char* kTinyArchitecture =
    R"({"architecture": "vit", "stem": "conv", "image_size": 16, "patch_size": 4, "width": 24,
        "heads": 3, "mlp_dim": 48, "depth": 2})";

void writeText(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

// NAME.json (metadata, as `mu2net pretrain` writes it) and NAME.pt (any bytes) in dir.
void writeRoot(const fs::path& dir, const std::string& name, const std::string& architecture) {
  writeText(dir / (name + ".json"),
            R"({"format": "mu2net-root", "name": ")" + name + R"(", "checkpoint": ")" + name +
                R"(.pt", "sha256": "00", "architecture": )" + architecture +
                R"(, "parameters": 21234, "pretraining": {"source": "test glyphs",
                "accuracy": 0.875, "steps": 10, "seconds": 3.5}})");
  writeText(dir / (name + ".pt"), "tensors are not read by the dialog");
}

std::string u64le(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A timm ViT as .safetensors (zeros), without "num_heads" metadata: patch 4, width 8, an 8 px
// image (2x2 grid), MLP 16, one block.
void writeTimmVit(const fs::path& file) {
  const std::vector<std::pair<std::string, std::vector<int>>> tensors = {
      {"patch_embed.proj.weight", {8, 3, 4, 4}},
      {"patch_embed.proj.bias", {8}},
      {"cls_token", {1, 1, 8}},
      {"pos_embed", {1, 5, 8}},
      {"blocks.0.norm1.weight", {8}},
      {"blocks.0.norm1.bias", {8}},
      {"blocks.0.attn.qkv.weight", {24, 8}},
      {"blocks.0.attn.qkv.bias", {24}},
      {"blocks.0.attn.proj.weight", {8, 8}},
      {"blocks.0.attn.proj.bias", {8}},
      {"blocks.0.norm2.weight", {8}},
      {"blocks.0.norm2.bias", {8}},
      {"blocks.0.mlp.fc1.weight", {16, 8}},
      {"blocks.0.mlp.fc1.bias", {16}},
      {"blocks.0.mlp.fc2.weight", {8, 16}},
      {"blocks.0.mlp.fc2.bias", {8}},
      {"norm.weight", {8}},
      {"norm.bias", {8}}};
  std::string json = "{";
  std::size_t offset = 0;
  for (const auto& [name, shape] : tensors) {
    std::size_t n = 1;
    std::string dims;
    for (int d : shape) {
      n *= static_cast<std::size_t>(d);
      dims += (dims.empty() ? "" : ",") + std::to_string(d);
    }
    if (json.size() > 1) json += ",";
    json += "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + dims + "],\"data_offsets\":[" +
            std::to_string(offset) + "," + std::to_string(offset + 4 * n) + "]}";
    offset += 4 * n;
  }
  json += "}";
  writeText(file, u64le(json.size()) + json + std::string(offset, '\0'));
}

QJsonObject rootOf(const NewExperimentDialog& dialog) {
  QString error;
  const QJsonObject j = dialog.formJson(&error);
  if (!error.isEmpty()) qWarning("formJson: %s", qPrintable(error));
  return j.value(QStringLiteral("root")).toObject();
}

QSpinBox* spin(const NewExperimentDialog& dialog, const char* key) {
  return qobject_cast<QSpinBox*>(dialog.architectureField(QString::fromLatin1(key)));
}
QComboBox* combo(const NewExperimentDialog& dialog, const char* key) {
  return qobject_cast<QComboBox*>(dialog.architectureField(QString::fromLatin1(key)));
}

}  // namespace

class TstNewExperimentDialog : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path roots_, files_;

  QString filePath(const std::string& name) const {
    return QString::fromStdString((files_ / name).string());
  }

  // A dialog with one task on a real IDX folder (the dialog checks the folder's file names; it
  // never reads the data).
  static void addTask(NewExperimentDialog& dialog) {
    dialog.addTaskRow(QStringLiteral("a"), QStringLiteral("idx"),
                      QString::fromStdString(testdata::mnistDir().string()), QString());
  }

  static void checkTinyFields(const NewExperimentDialog& d, int imageSize) {
    QCOMPARE(combo(d, "architecture")->currentText(), QStringLiteral("vit"));
    QCOMPARE(combo(d, "stem")->currentText(), QStringLiteral("conv"));
    QCOMPARE(spin(d, "image_size")->value(), imageSize);
    QCOMPARE(spin(d, "patch_size")->value(), 4);
    QCOMPARE(spin(d, "width")->value(), 24);
    QCOMPARE(spin(d, "heads")->value(), 3);
    QCOMPARE(spin(d, "mlp_dim")->value(), 48);
    QCOMPARE(spin(d, "depth")->value(), 2);
  }

  // Every architecture field but the image size is editable exactly when `editable`.
  static void checkEditable(const NewExperimentDialog& d, bool editable) {
    for (const char* key :
         {"architecture", "stem", "patch_size", "width", "heads", "mlp_dim", "depth"})
      QVERIFY2(d.architectureField(QString::fromLatin1(key))->isEnabled() == editable, key);
    QVERIFY(d.architectureField(QStringLiteral("image_size"))->isEnabled());
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    roots_ = fs::path(dir_.filePath(QStringLiteral("roots")).toStdString());
    files_ = fs::path(dir_.filePath(QStringLiteral("files")).toStdString());
    fs::create_directories(roots_);
    fs::create_directories(files_);
    // The test's own roots, first on the search path: "tiny", and a stand-in for the default
    // root (it shadows an installed one, so the test does not depend on it).
    writeRoot(roots_, "tiny", kTinyArchitecture);
    writeRoot(roots_, kDefaultRootName, R"({"architecture": "cnn", "width": 8, "depth": 1})");
    ::setenv("MU2NET_ROOTS_PATH", roots_.c_str(), 1);
    // A checkpoint with metadata beside it (as `mu2net pretrain --out` writes it).
    writeRoot(files_, "mine", kTinyArchitecture);
    writeTimmVit(files_ / "timm.safetensors");
  }
  void cleanupTestCase() { ::unsetenv("MU2NET_ROOTS_PATH"); }

  void listsBuiltinRootsDefaultFirst() {
    NewExperimentDialog d;
    QComboBox* chooser = d.rootChooser();
    QStringList names;
    int tiny = -1;
    for (int i = 0; i < chooser->count(); ++i)
      if (chooser->itemData(i, NewExperimentDialog::rootKindRole).toInt() ==
          static_cast<int>(RootKind::Builtin)) {
        names << chooser->itemData(i, NewExperimentDialog::rootNameRole).toString();
        if (names.back() == QStringLiteral("tiny")) tiny = i;
      }
    QCOMPARE(names.value(0), QString::fromLatin1(kDefaultRootName));
    QVERIFY2(tiny > 0, qPrintable(names.join(QStringLiteral(", "))));
    const QString label = chooser->itemText(tiny);
    for (const char* part :
         {"Built-in: tiny", "ViT", "conv stem", "16 px", "21.2k parameters", "test glyphs", "87.5"})
      QVERIFY2(label.contains(QString::fromLatin1(part)), qPrintable(label));
    QVERIFY(!chooser->itemData(tiny, Qt::ToolTipRole).toString().isEmpty());
    // Then random and checkpoint, last.
    QCOMPARE(chooser->itemData(chooser->count() - 2, NewExperimentDialog::rootKindRole).toInt(),
             static_cast<int>(RootKind::Random));
    QCOMPARE(chooser->itemData(chooser->count() - 1, NewExperimentDialog::rootKindRole).toInt(),
             static_cast<int>(RootKind::Checkpoint));

    // A new configuration starts from the default root, its architecture shown read-only.
    QVERIFY(d.rootKind() == RootKind::Builtin);
    QCOMPARE(d.rootName(), QString::fromLatin1(kDefaultRootName));
    QCOMPARE(combo(d, "architecture")->currentText(), QStringLiteral("cnn"));
    QCOMPARE(spin(d, "width")->value(), 8);
    checkEditable(d, false);
    QVERIFY(!d.checkpointEdit()->isEnabled());
    addTask(d);
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    QCOMPARE(d.config().root.pretrained, std::string(kDefaultRootName));
  }

  void builtinRootGivesPretrained() {
    NewExperimentDialog d;
    addTask(d);
    d.chooseBuiltinRoot(QStringLiteral("tiny"));
    QVERIFY(d.rootKind() == RootKind::Builtin);
    checkTinyFields(d, 16);
    checkEditable(d, false);
    QCOMPARE(rootOf(d), (QJsonObject{{QStringLiteral("pretrained"), QStringLiteral("tiny")},
                                     {QStringLiteral("image_size"), 16}}));
    spin(d, "image_size")->setValue(20);  // re-interpolated position embedding
    QCOMPARE(rootOf(d).value(QStringLiteral("image_size")).toInt(), 20);
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    const RootOptions& root = d.config().root;
    QCOMPARE(root.pretrained, std::string("tiny"));
    QCOMPARE(root.checkpoint, roots_ / "tiny.pt");
    QVERIFY(root.architecture.kind == ArchitectureKind::Vit);
    QVERIFY(root.architecture.stem == StemKind::Conv);
    QCOMPARE(root.architecture.imageSize, 20);
    QCOMPARE(root.architecture.width, 24);
    QCOMPARE(root.architecture.heads, 3);
    QCOMPARE(root.architecture.mlpDim, 48);
    QCOMPARE(root.architecture.depth, 2);
  }

  void randomReenablesTheFields() {
    NewExperimentDialog d;
    addTask(d);
    d.chooseBuiltinRoot(QStringLiteral("tiny"));
    d.chooseRootKind(RootKind::Random);
    QVERIFY(d.rootKind() == RootKind::Random);
    checkEditable(d, true);
    checkTinyFields(d, 16);  // starts from the sizes shown
    combo(d, "stem")->setCurrentText(QStringLiteral("patch"));
    spin(d, "width")->setValue(36);
    const QJsonObject root = rootOf(d);
    QCOMPARE(root.value(QStringLiteral("stem")).toString(), QStringLiteral("patch"));
    QCOMPARE(root.value(QStringLiteral("width")).toInt(), 36);
    QVERIFY(!root.contains(QStringLiteral("pretrained")));
    QVERIFY(!root.contains(QStringLiteral("checkpoint")));
    QCOMPARE(root.size(), 8);  // every architecture key
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    QVERIFY(!d.config().root.trained());
    QVERIFY(d.config().root.pretrained.empty());
    QVERIFY(d.config().root.architecture.stem == StemKind::Patch);
    QCOMPARE(d.config().root.architecture.width, 36);

    combo(d, "stem")->setCurrentText(QStringLiteral("conv"));
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    QVERIFY(d.config().root.architecture.stem == StemKind::Conv);
  }

  void missingCheckpointIsNamed() {
    NewExperimentDialog d;
    addTask(d);
    d.chooseRootKind(RootKind::Checkpoint);
    QVERIFY(d.checkpointEdit()->isEnabled());
    checkEditable(d, true);
    QVERIFY(!d.validate());  // no file chosen
    QVERIFY2(d.errorText().contains(QStringLiteral("root.checkpoint")), qPrintable(d.errorText()));
    const QString missing = filePath("nope.pt");
    d.checkpointEdit()->setText(missing);
    QVERIFY(!d.validate());
    QVERIFY2(d.errorText().contains(QStringLiteral("root.checkpoint")), qPrintable(d.errorText()));
    QVERIFY2(d.errorText().contains(missing), qPrintable(d.errorText()));
  }

  void checkpointWithMetadata() {
    NewExperimentDialog d;
    addTask(d);
    d.chooseRootKind(RootKind::Checkpoint);
    const QString file = filePath("mine.pt");
    d.checkpointEdit()->setText(file);
    Q_EMIT d.checkpointEdit()->editingFinished();
    // The fields show what the file resolves to, and stay editable.
    checkTinyFields(d, 16);
    checkEditable(d, true);
    QCOMPARE(rootOf(d), (QJsonObject{{QStringLiteral("checkpoint"), file}}));

    // A changed key is given; one that disagrees with the file's metadata is refused by name.
    spin(d, "width")->setValue(32);
    QCOMPARE(rootOf(d),
             (QJsonObject{{QStringLiteral("checkpoint"), file}, {QStringLiteral("width"), 32}}));
    QVERIFY(!d.validate());
    QVERIFY2(d.errorText().contains(QStringLiteral("root.width")), qPrintable(d.errorText()));
    spin(d, "width")->setValue(24);
    spin(d, "image_size")->setValue(20);
    QCOMPARE(rootOf(d), (QJsonObject{{QStringLiteral("checkpoint"), file},
                                     {QStringLiteral("image_size"), 20}}));
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    const RootOptions& root = d.config().root;
    QVERIFY(root.pretrained.empty());
    QCOMPARE(root.checkpoint, files_ / "mine.pt");
    QCOMPARE(root.architecture.imageSize, 20);
    QCOMPARE(root.architecture.width, 24);
    QVERIFY(root.architecture.stem == StemKind::Conv);

    // A path typed and accepted at once (no editingFinished) is resolved before validating.
    NewExperimentDialog typed;
    addTask(typed);
    typed.chooseRootKind(RootKind::Checkpoint);
    typed.checkpointEdit()->setText(file);
    QVERIFY2(typed.validate(), qPrintable(typed.errorText()));
    QCOMPARE(typed.config().root.architecture.width, 24);
    checkTinyFields(typed, 16);
  }

  void safetensorsWithoutHeadsGivesTheKey() {
    NewExperimentDialog d;
    addTask(d);
    d.chooseRootKind(RootKind::Checkpoint);
    const QString file = filePath("timm.safetensors");
    spin(d, "heads")->setValue(2);
    d.checkpointEdit()->setText(file);
    Q_EMIT d.checkpointEdit()->editingFinished();
    QVERIFY2(d.errorText().isEmpty(), qPrintable(d.errorText()));
    QCOMPARE(spin(d, "width")->value(), 8);
    QCOMPARE(spin(d, "patch_size")->value(), 4);
    QCOMPARE(spin(d, "image_size")->value(), 8);
    QCOMPARE(spin(d, "mlp_dim")->value(), 16);
    QCOMPARE(spin(d, "depth")->value(), 1);
    // The file does not record its heads: the key is always given.
    QCOMPARE(rootOf(d),
             (QJsonObject{{QStringLiteral("checkpoint"), file}, {QStringLiteral("heads"), 2}}));
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    QCOMPARE(d.config().root.architecture.heads, 2);
    QCOMPARE(d.config().root.architecture.width, 8);
  }

  void setConfigRestoresEachKind() {
    // Built-in, as a validated configuration comes back to the dialog (MainWindow's path).
    ExperimentConfig pretrained;
    {
      NewExperimentDialog d;
      addTask(d);
      d.chooseBuiltinRoot(QStringLiteral("tiny"));
      spin(d, "image_size")->setValue(24);
      QVERIFY2(d.validate(), qPrintable(d.errorText()));
      pretrained = d.config();
    }
    ExperimentConfig checkpoint = pretrained;
    checkpoint.root.pretrained.clear();
    checkpoint.root.checkpoint = files_ / "mine.pt";
    ExperimentConfig random = pretrained;
    random.root = RootOptions{};
    random.root.architecture.stem = StemKind::Conv;
    random.root.architecture.width = 40;

    NewExperimentDialog d;
    d.chooseRootKind(RootKind::Random);
    d.setConfig(pretrained, dir_.path());
    QVERIFY(d.rootKind() == RootKind::Builtin);
    QCOMPARE(d.rootName(), QStringLiteral("tiny"));
    checkTinyFields(d, 24);
    checkEditable(d, false);
    QVERIFY(d.checkpointEdit()->text().isEmpty());

    d.setConfig(checkpoint, dir_.path());
    QVERIFY(d.rootKind() == RootKind::Checkpoint);
    QCOMPARE(d.checkpointEdit()->text(), filePath("mine.pt"));
    checkTinyFields(d, 24);
    checkEditable(d, true);
    QCOMPARE(rootOf(d), (QJsonObject{{QStringLiteral("checkpoint"), filePath("mine.pt")},
                                     {QStringLiteral("image_size"), 24}}));
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    QCOMPARE(d.config().root.checkpoint, files_ / "mine.pt");
    QCOMPARE(d.config().root.architecture.imageSize, 24);

    d.setConfig(random, dir_.path());
    QVERIFY(d.rootKind() == RootKind::Random);
    QCOMPARE(combo(d, "stem")->currentText(), QStringLiteral("conv"));
    QCOMPARE(spin(d, "width")->value(), 40);
    checkEditable(d, true);
    QVERIFY(!d.checkpointEdit()->isEnabled());
    QVERIFY2(d.validate(), qPrintable(d.errorText()));
    QVERIFY(!d.config().root.trained());
    QCOMPARE(d.config().root.architecture.width, 40);

    // A built-in root this installation lacks is shown as such, and refused by the parser.
    ExperimentConfig absent = pretrained;
    absent.root.pretrained = "absent-root";
    d.setConfig(absent, dir_.path());
    QVERIFY(d.rootKind() == RootKind::Builtin);
    QCOMPARE(d.rootName(), QStringLiteral("absent-root"));
    QVERIFY(d.rootChooser()->currentText().contains(QStringLiteral("absent-root")));
    QVERIFY(!d.validate());
    QVERIFY2(d.errorText().contains(QStringLiteral("root.pretrained")), qPrintable(d.errorText()));
    QVERIFY2(d.errorText().contains(QStringLiteral("absent-root")), qPrintable(d.errorText()));
  }

  // A task whose folder is missing, or holds another format, is named with its key before the
  // dialog closes (not when the run starts).
  void datasetFolderProblemsAreNamed() {
    NewExperimentDialog d;
    d.chooseBuiltinRoot(QStringLiteral("tiny"));
    const QString missing = dir_.filePath(QStringLiteral("no-such-folder"));
    d.addTaskRow(QStringLiteral("lost"), QStringLiteral("idx"), missing, QString());
    QVERIFY(!d.validate());
    QVERIFY2(d.errorText().contains(QStringLiteral("'lost'")), qPrintable(d.errorText()));
    QVERIFY2(d.errorText().contains(QStringLiteral("tasks[0].path")), qPrintable(d.errorText()));
    QVERIFY2(d.errorText().contains(missing), qPrintable(d.errorText()));
  }

  void fitsA1024x700Screen() {
    NewExperimentDialog d;
    addTask(d);
    d.chooseRootKind(RootKind::Checkpoint);  // the longest hint
    const QSize minimum = d.minimumSizeHint();
    // Room for a title bar of up to 40 px.
    QVERIFY2(minimum.width() <= 1024 && minimum.height() <= 660,
             qPrintable(QStringLiteral("%1x%2").arg(minimum.width()).arg(minimum.height())));
    QVERIFY(d.width() <= 1024 && d.height() <= 660);
    // MU2NET_SCREENSHOT_DIR: where to save a picture of the dialog (for a person to look at).
    const QString shots = qEnvironmentVariable("MU2NET_SCREENSHOT_DIR");
    if (!shots.isEmpty()) {
      d.chooseBuiltinRoot(QStringLiteral("tiny"));
      d.show();
      QVERIFY(QTest::qWaitForWindowExposed(&d));
      QVERIFY(d.grab().save(QDir(shots).filePath(QStringLiteral("new-experiment-dialog.png"))));
      // The open chooser, on the whole screen (the list is a window of its own).
      d.rootChooser()->showPopup();
      QTest::qWait(200);
      QVERIFY(d.screen()->grabWindow(0).save(
          QDir(shots).filePath(QStringLiteral("new-experiment-dialog-roots.png"))));
      d.rootChooser()->hidePopup();
    }
  }
};

QTEST_MAIN(TstNewExperimentDialog)
#include "tst_new_experiment_dialog.moc"
