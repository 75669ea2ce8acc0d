// Importing timm ViTs from .safetensors: the reader and the importer against a plain-PyTorch
// implementation of timm's forward pass (timm_vit_reference.py, run with Debian's python3-torch),
// at the native image size and with a re-interpolated position embedding; the architecture read
// from the header alone; and hostile or unsupported files refused with a message naming the
// problem. The test fails, never skips, when /usr/bin/python3 or its torch is missing.
// Longer than 500 lines: the hostile files each need their own bytes, written here.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include <torch/types.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "TestData.h"
#include "model/ComponentIO.h"
#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "model/Safetensors.h"
#include "model/SafetensorsTensor.h"
#include "model/TimmImport.h"
#include "mu2net/common/ConfigError.h"
#include "mu2net/engine/Engine.h"
#include "mu2net/evolution/ExperimentConfig.h"
#include "mu2net/model/Architecture.h"

using namespace mu2net;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

ArchitectureConfig vitArch(int imageSize, int width, int heads, int mlpDim, int depth) {
  ArchitectureConfig a;
  a.kind = ArchitectureKind::Vit;
  a.imageSize = imageSize;
  a.patchSize = 4;
  a.width = width;
  a.heads = heads;
  a.mlpDim = mlpDim;
  a.depth = depth;
  return a;
}
// The architectures of the reference script's files.
ArchitectureConfig smallVit(int imageSize) {
  return vitArch(imageSize, 24, 3, 48, 2);
}
ArchitectureConfig noClassVit(int imageSize) {
  return vitArch(imageSize, 32, 4, 64, 3);
}

// One tensor of a file, as raw bytes, for building altered files.
struct RawTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

std::string u64le(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

void writeBytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file with an explicit header length, JSON text and data area.
void writeSafetensorsRaw(const fs::path& file, std::uint64_t headerLength, const std::string& json,
                         const std::string& data) {
  writeBytes(file, u64le(headerLength) + json + data);
}

std::vector<RawTensor> readRaw(const fs::path& file) {
  const SafetensorsHeader header = readSafetensorsHeader(file);
  std::ifstream in(file, std::ios::binary);
  std::vector<RawTensor> out;
  for (const auto& e : header.entries) {
    RawTensor t{e.name, toString(e.dtype), e.shape, std::string(e.end - e.begin, '\0')};
    in.seekg(static_cast<std::streamoff>(header.dataStart + e.begin));
    in.read(t.bytes.data(), static_cast<std::streamsize>(t.bytes.size()));
    out.push_back(std::move(t));
  }
  return out;
}

// Writes tensors in order, packed; metadataJson is the text of the "__metadata__" object, if any.
void writeTensors(const fs::path& file, const std::vector<RawTensor>& tensors,
                  const std::string& metadataJson = "") {
  std::string json = "{";
  if (!metadataJson.empty()) json += "\"__metadata__\":" + metadataJson;
  std::string data;
  for (const auto& t : tensors) {
    if (json.size() > 1) json += ",";
    json += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[";
    for (std::size_t i = 0; i < t.shape.size(); ++i)
      json += (i ? "," : "") + std::to_string(t.shape[i]);
    json += "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
            std::to_string(data.size() + t.bytes.size()) + "]}";
    data += t.bytes;
  }
  json += "}";
  writeSafetensorsRaw(file, json.size(), json, data);
}

RawTensor f32Tensor(const std::string& name, std::vector<int64_t> shape, float value) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::string bytes(static_cast<std::size_t>(n) * 4, '\0');
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(bytes.data() + 4 * i, &value, 4);
  return {name, "F32", std::move(shape), std::move(bytes)};
}

RawTensor& findRaw(std::vector<RawTensor>& tensors, const std::string& name) {
  for (auto& t : tensors)
    if (t.name == name) return t;
  throw std::logic_error("test: no tensor " + name);
}

// The route embedding .. norm, head of an import, for forwardRoute.
std::vector<const ComponentTensors*> routeOf(const TimmVitWeights& w) {
  std::vector<const ComponentTensors*> route;
  for (const auto& [slot, c] : w.slots)
    route.push_back(c.get());
  route.push_back(w.head.get());
  return route;
}

}  // namespace

class TstTimmImport : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path ref_;
  std::map<std::string, at::Tensor> reference_;
  int fileCount_ = 0;

  fs::path model(const std::string& name) const { return ref_ / (name + ".safetensors"); }
  fs::path freshPath() {
    return fs::path(dir_.path().toStdString()) /
           ("case" + std::to_string(++fileCount_) + ".safetensors");
  }

  // vit.safetensors altered by `edit`, written to a new file.
  fs::path alteredVit(const std::function<void(std::vector<RawTensor>&)>& edit,
                      const std::string& metadataJson = R"({"num_heads":"3"})") {
    auto tensors = readRaw(model("vit"));
    edit(tensors);
    const fs::path file = freshPath();
    writeTensors(file, tensors, metadataJson);
    return file;
  }

  // Max |logits - reference| of `name` imported for `target`.
  double logitDifference(const std::string& name, const ArchitectureConfig& target) {
    const TimmVitWeights w = loadTimmVit(model(name), target);
    const std::string size = std::to_string(target.imageSize);
    const at::Tensor& images = reference_.at("images_" + size);
    const at::Tensor& expected = reference_.at("logits_" + name + "_" + size);
    const auto route = routeOf(w);
    const at::Tensor logits = forwardRoute(target, route, images, route.size());
    if (logits.sizes() != expected.sizes()) return std::numeric_limits<double>::infinity();
    return (logits - expected).abs().max().item<double>();
  }

  // Checks that `action` throws std::runtime_error whose message contains every one of `parts`.
  static void expectRefused(const std::function<void()>& action,
                            const std::vector<std::string>& parts) {
    try {
      action();
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      for (const auto& part : parts)
        QVERIFY2(message.find(part) != std::string::npos,
                 qPrintable(QString::fromStdString("message lacks '" + part + "': " + message)));
      return;
    }
    QFAIL(qPrintable(QString::fromStdString("not refused (expected: " + parts.front() + ")")));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    ref_ = fs::path(dir_.path().toStdString()) / "reference";
    const QString script =
        QStringLiteral(MU2NET_SOURCE_DIR "/tests/core/model/timm_vit_reference.py");
    QProcess python;
    python.start(QString::fromLatin1(kPython),
                 {script, QStringLiteral("--out"), QString::fromStdString(ref_.string())});
    if (!python.waitForStarted(30000))
      QFAIL(qPrintable(QStringLiteral("cannot start %1 (Debian's python3 with python3-torch is "
                                      "required): %2")
                           .arg(QString::fromLatin1(kPython), python.errorString())));
    QVERIFY2(python.waitForFinished(180000), "the reference script did not finish in 3 minutes");
    const QString errors = QString::fromUtf8(python.readAllStandardError());
    QVERIFY2(python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0,
             qPrintable(QStringLiteral("the reference script failed (is python3-torch "
                                       "installed?):\n%1")
                            .arg(errors)));
    for (auto& [name, tensor] : readSafetensors(ref_ / "reference.safetensors"))
      reference_.emplace(name, tensor);
    QVERIFY(reference_.count("logits_vit_16") == 1);
  }

  // (a) At the native size the imported model reproduces timm's logits, whatever the stored
  // dtypes, with or without a class slot in pos_embed and qkv biases.
  void matchesTimmAtTheNativeSize() {
    const std::vector<std::pair<std::string, ArchitectureConfig>> cases = {
        {"vit", smallVit(16)}, {"mixed", smallVit(16)}, {"noclass", noClassVit(12)}};
    for (const auto& [name, arch] : cases) {
      const double diff = logitDifference(name, arch);
      qInfo("%s at %d px: max |logit difference| %.3g", name.c_str(), arch.imageSize, diff);
      QVERIFY2(diff < 1e-4, name.c_str());
    }
  }

  // (b) At a larger size the position embedding is re-interpolated (bilinear, align_corners
  // false, class slot kept) exactly as the reference resamples it.
  void matchesTimmWithAResizedPositionEmbedding() {
    const std::vector<std::pair<std::string, ArchitectureConfig>> cases = {
        {"vit", smallVit(28)}, {"mixed", smallVit(28)}, {"noclass", noClassVit(20)}};
    for (const auto& [name, arch] : cases) {
      const double diff = logitDifference(name, arch);
      qInfo("%s at %d px: max |logit difference| %.3g", name.c_str(), arch.imageSize, diff);
      QVERIFY2(diff < 1e-4, name.c_str());
    }
  }

  // The components have the engine's slots, names and shapes, zero momentum, no grad; missing
  // qkv biases are zeros and a no_embed_class position embedding gets a zero class slot.
  void importedComponentsHaveTheEngineLayout() {
    const ArchitectureConfig arch = smallVit(28);
    const TimmVitWeights w = loadTimmVit(model("vit"), arch);
    auto slots = routeSlots(arch, arch.depth);
    slots.pop_back();
    QCOMPARE(w.slots.size(), slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
      QCOMPARE(w.slots[i].first, slots[i]);
      const ComponentTensors& c = *w.slots[i].second;
      QCOMPARE(c.names, componentParamNames(arch, slots[i]));
      QVERIFY(fitsShapes(c, componentShapes(arch, slots[i], 1, 28)));
      for (std::size_t j = 0; j < c.params.size(); ++j) {
        QVERIFY(!c.params[j].requires_grad());
        QVERIFY(c.params[j].is_contiguous());
        QCOMPARE(c.momentum[j].abs().sum().item<double>(), 0.0);
      }
    }
    QVERIFY(w.head != nullptr);
    QVERIFY(fitsShapes(*w.head, componentShapes(arch, "head", 5, 28)));
    // The file's values, by name.
    const auto file = readSafetensors(model("vit"));
    const auto value = [&](const std::string& name) {
      for (const auto& [n, t] : file)
        if (n == name) return t;
      throw std::logic_error("test: no tensor " + name);
    };
    QVERIFY(w.slots[3].second->params[2].equal(value("blocks.0.attn.qkv.weight")));
    QVERIFY(w.slots[4].second->params[11].equal(value("blocks.1.mlp.fc2.bias")));
    QVERIFY(w.head->params[0].equal(value("head.weight")));

    const TimmVitWeights noClass = loadTimmVit(model("noclass"), noClassVit(12));
    QCOMPARE(noClass.slots[2].second->params[0].size(1), int64_t{10});
    QCOMPARE(noClass.slots[2].second->params[0].select(1, 0).abs().sum().item<double>(), 0.0);
    QCOMPARE(noClass.slots[3].second->names[3], std::string("qkv.bias"));
    QCOMPARE(noClass.slots[3].second->params[3].abs().sum().item<double>(), 0.0);
  }

  // (c) The architecture comes from the header alone.
  void architectureIsInferredFromTheHeader() {
    const TimmVitInfo vit = inspectTimmVit(model("vit"));
    QVERIFY(vit.arch.kind == ArchitectureKind::Vit);
    QCOMPARE(vit.arch.patchSize, 4);
    QCOMPARE(vit.arch.width, 24);
    QCOMPARE(vit.arch.mlpDim, 48);
    QCOMPARE(vit.arch.depth, 2);
    QCOMPARE(vit.arch.imageSize, 16);
    QVERIFY(vit.heads == std::optional<int>(3));
    QCOMPARE(vit.arch.heads, 3);
    QVERIFY(vit.posEmbedHasClassSlot);
    QVERIFY(vit.qkvBias);
    QVERIFY(vit.headClasses == std::optional<int>(5));
    QVERIFY(vit.arch == smallVit(16));

    QVERIFY(inspectTimmVit(model("mixed")).heads == std::optional<int>(3));  // key "heads"

    const TimmVitInfo noClass = inspectTimmVit(model("noclass"));
    QCOMPARE(noClass.arch.width, 32);
    QCOMPARE(noClass.arch.mlpDim, 64);
    QCOMPARE(noClass.arch.depth, 3);
    QCOMPARE(noClass.arch.imageSize, 12);
    QVERIFY(!noClass.heads.has_value());
    QCOMPARE(noClass.arch.heads, 0);
    QVERIFY(!noClass.posEmbedHasClassSlot);
    QVERIFY(!noClass.qkvBias);
    QVERIFY(noClass.headClasses == std::optional<int>(3));

    // Without a head the root is still importable; the head is simply absent.
    const fs::path headless = alteredVit([](auto& t) {
      std::erase_if(t, [](const RawTensor& r) { return r.name.rfind("head.", 0) == 0; });
    });
    QVERIFY(!inspectTimmVit(headless).headClasses.has_value());
    QVERIFY(loadTimmVit(headless, smallVit(16)).head == nullptr);

    // The header reader itself: order, dtypes, metadata.
    const SafetensorsHeader h = readSafetensorsHeader(model("mixed"));
    QCOMPARE(h.entries.front().name, std::string("cls_token"));
    QVERIFY(h.entries[0].dtype == SafetensorsDType::F16);
    QVERIFY(h.entries[1].dtype == SafetensorsDType::BF16);
    QVERIFY(h.entries[2].dtype == SafetensorsDType::F64);
    QCOMPARE(h.entries[2].shape, (std::vector<int64_t>{24, 3, 4, 4}));
    QCOMPARE(h.metadata.at("heads"), std::string("3"));
    QCOMPARE(h.dataStart % 8, std::uint64_t{0});
  }

  // (d) Malformed files: refused by the header reader with a message naming the problem.
  // A configuration naming the file as root.checkpoint: the architecture comes from its header
  // (heads from its metadata, or from root.heads when it records none), the root's components
  // are the file's tensors (the position embedding re-interpolated to root.image_size), and an
  // experiment grows from it like from any trained root.
  void anExperimentGrowsFromATimmRoot() {
    MU2NET_REQUIRE_DIR(testdata::mnistDir());
    const fs::path file = ref_ / "vit.safetensors";
    std::string json = R"({"seed": 2, "root": {"checkpoint": "@FILE@", "image_size": 28},
        "tasks": [{"name": "digits", "format": "idx", "path": "@MNIST@", "classes": [1, 7]}],
        "evolution": {"generation_size": 2, "children_per_task_iteration": 2,
                      "task_iterations": 1},
        "training": {"batch_size": 16, "validations_per_child": 1,
                     "train_examples_between_validations": 128,
                     "validation_examples_max": 64, "test_examples_max": 64},
        "image_sizes": [28]})";
    json.replace(json.find("@FILE@"), 6, file.string());
    json.replace(json.find("@MNIST@"), 7, testdata::mnistDir().string());
    const ExperimentConfig c = parseExperimentConfig(json, "/");
    QCOMPARE(c.root.architecture.width, 24);
    QCOMPARE(c.root.architecture.heads, 3);
    QCOMPARE(c.root.architecture.depth, 2);
    QCOMPARE(c.root.architecture.imageSize, 28);
    QVERIFY(c.root.trained());
    Engine engine(c, nullptr);
    const RunReport report = engine.run();
    QVERIFY(report.tasks[0].testQuality.has_value());
    const TimmVitWeights expected = loadTimmVit(file, smallVit(28));
    const GraphSnapshot g = engine.snapshot();
    QCOMPARE(g.routes[0].task, std::string("root"));
    QCOMPARE(g.routes[0].componentIds.size(), expected.slots.size());
    const auto hashes = engine.lockedComponentHashes();
    const std::map<int64_t, std::string> byId(hashes.begin(), hashes.end());
    for (std::size_t i = 0; i < expected.slots.size(); ++i)
      QCOMPARE(byId.at(g.routes[0].componentIds[i]), componentSha256(*expected.slots[i].second));

    // "noclass" records no heads: the configuration must give them.
    std::string noHeads = json;
    noHeads.replace(noHeads.find(file.string()), file.string().size(),
                    (ref_ / "noclass.safetensors").string());
    try {
      parseExperimentConfig(noHeads, "/");
      QFAIL("a file without heads was accepted without root.heads");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("root.heads") != std::string::npos, e.what());
    }
  }

  void hostileFilesAreRefused() {
    const auto raw = [&](std::uint64_t n, const std::string& json, const std::string& data) {
      const fs::path file = freshPath();
      writeSafetensorsRaw(file, n, json, data);
      return file;
    };
    const auto json = [&](const std::string& text, const std::string& data) {
      return raw(text.size(), text, data);
    };
    const auto header = [](const fs::path& file) {
      return [file] { readSafetensorsHeader(file); };
    };

    // Truncated: inside the length prefix, and inside the data area.
    const fs::path shortFile = freshPath();
    writeBytes(shortFile, std::string(5, '\0'));
    expectRefused(header(shortFile), {"5 bytes", "fewer than the 8"});
    {
      std::ifstream in(model("vit"), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const fs::path cut = freshPath();
      writeBytes(cut, bytes.substr(0, bytes.size() - 10));
      expectRefused(header(cut), {"'head.bias'", "outside the data area", "truncated"});
      const fs::path cutHeader = freshPath();
      writeBytes(cutHeader, bytes.substr(0, 200));
      expectRefused(header(cutHeader), {"header length", "exceeds the 192 bytes"});
    }
    expectRefused(header(raw(1000, "{}", "")), {"header length 1000", "exceeds"});
    expectRefused(header(raw(std::uint64_t{1} << 62, "{}", "")), {"exceeds the limit"});
    expectRefused(header(json("{\"a\": ", "")), {"not valid JSON"});
    expectRefused(header(json("[1, 2]", "")), {"not an object"});
    const std::string eight(8, '\0');
    expectRefused(header(json(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234")),
                  {"'a'", "[0, 8]", "outside the data area of 4 bytes"});
    expectRefused(header(json(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight)),
                  {"'w'", "shape [3] of F32", "8 bytes"});
    // 2^62 * 4 elements of 4 bytes is 2^66 bytes, 0 modulo 2^64: an overflow would accept it.
    expectRefused(
        header(json(
            R"({"big":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}})", "")),
        {"'big'", "does not fill its byte range of 0 bytes"});
    expectRefused(header(json(R"({"n":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight)),
                  {"'n'", "negative value -2"});
    expectRefused(header(json(R"({"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", eight)),
                  {"'i'", "dtype 'I64'"});
    expectRefused(
        header(json(R"({"f":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}})", eight)),
        {"'f'", "non-negative integers"});
    expectRefused(header(json(R"({"r":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", eight)),
                  {"'r'", "end before they begin"});
    expectRefused(header(json(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                              eight + "1234")),
                  {"'a' and 'b' overlap"});
    expectRefused(header(json(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                              R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                              eight)),
                  {"repeats the key 'a'"});
    expectRefused(header(json(R"({"s":{"dtype":"F32","shape":[1]}})", "")),
                  {"'s'", "no \"data_offsets\""});
    expectRefused(header(json(R"({"__metadata__":{"num_heads":3}})", "")),
                  {"\"__metadata__\" key 'num_heads'"});
    expectRefused(
        header(json(R"({"a":{"dtype":"F32","shape":[[[[1]]]],"data_offsets":[0,4]}})", "1234")),
        {"nested"});

    // A tensor readable at header time but gone when the values are read.
    const fs::path shrinking =
        json(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", eight);
    const SafetensorsHeader h = readSafetensorsHeader(shrinking);
    fs::resize_file(shrinking, 12);
    expectRefused([&] { readSafetensorsTensor(h, h.entries[0]); }, {"'a'", "cannot read"});
  }

  // (d) Well-formed files of models the engine cannot reproduce, or that do not fit the target.
  void unsupportedOrMismatchedModelsAreRefused() {
    const auto inspect = [](const fs::path& file) { return [file] { inspectTimmVit(file); }; };
    const auto load = [](const fs::path& file, ArchitectureConfig target) {
      return [file, target] { loadTimmVit(file, target); };
    };

    // Non-finite values, in any dtype.
    expectRefused(load(alteredVit([](auto& t) {
                         const float nan = std::numeric_limits<float>::quiet_NaN();
                         std::memcpy(findRaw(t, "blocks.1.mlp.fc1.weight").bytes.data() + 28, &nan,
                                     4);
                       }),
                       smallVit(16)),
                  {"'blocks.1.mlp.fc1.weight'", "NaN or infinite"});
    expectRefused(load(alteredVit([](auto& t) {
                         RawTensor& cls = findRaw(t, "cls_token");
                         cls = RawTensor{cls.name, "F16", cls.shape, std::string(48, '\0')};
                         cls.bytes[5] = static_cast<char>(0x7c);  // element 2 = +infinity
                       }),
                       smallVit(16)),
                  {"'cls_token'", "NaN or infinite"});

    // Variants the engine does not implement.
    expectRefused(inspect(alteredVit(
                      [](auto& t) { t.push_back(f32Tensor("blocks.0.ls1.gamma", {24}, 1e-5f)); })),
                  {"'blocks.0.ls1.gamma'", "LayerScale"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    t.insert(t.begin(), f32Tensor("reg_token", {1, 4, 24}, 0.f));
                  })),
                  {"'reg_token'", "register tokens"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    t.push_back(f32Tensor("fc_norm.weight", {24}, 1.f));
                    t.push_back(f32Tensor("fc_norm.bias", {24}, 0.f));
                  })),
                  {"'fc_norm.weight'", "fc_norm"});
    expectRefused(
        inspect(alteredVit([](auto& t) { t.push_back(f32Tensor("norm_pre.weight", {24}, 1.f)); })),
        {"'norm_pre.weight'", "pre-norm"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    t.push_back(f32Tensor("blocks.1.attn.q_norm.weight", {8}, 1.f));
                  })),
                  {"'blocks.1.attn.q_norm.weight'", "query/key norms"});

    // Missing, misnumbered or misshapen tensors.
    expectRefused(inspect(alteredVit([](auto& t) {
                    std::erase_if(
                        t, [](const RawTensor& r) { return r.name == "blocks.1.mlp.fc2.bias"; });
                  })),
                  {"'blocks.1.mlp.fc2.bias' is missing"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    for (auto& r : t)
                      if (r.name.rfind("blocks.1.", 0) == 0) r.name.replace(7, 1, "2");
                  })),
                  {"not numbered contiguously", "blocks.1.* is missing"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    findRaw(t, "blocks.0.attn.qkv.weight") =
                        f32Tensor("blocks.0.attn.qkv.weight", {48, 24}, 0.f);
                  })),
                  {"'blocks.0.attn.qkv.weight' has shape [48, 24], expected [72, 24]"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    findRaw(t, "patch_embed.proj.weight") =
                        f32Tensor("patch_embed.proj.weight", {24, 1, 4, 4}, 0.f);
                  })),
                  {"'patch_embed.proj.weight'", "1 input channels", "3-channel"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    findRaw(t, "pos_embed") = f32Tensor("pos_embed", {1, 15, 24}, 0.f);
                  })),
                  {"'pos_embed'", "15 tokens"});
    expectRefused(inspect(alteredVit([](auto& t) {
                    std::erase_if(t, [](const RawTensor& r) { return r.name == "head.bias"; });
                  })),
                  {"'head.weight' but not 'head.bias'"});
    expectRefused(inspect(alteredVit([](auto&) {}, R"({"num_heads":"5"})")),
                  {"\"num_heads\" is '5'", "divisor of the width 24"});

    // A target that does not fit the file: the field and both values are named.
    const fs::path vit = model("vit");
    expectRefused(load(vit, vitArch(16, 32, 4, 48, 2)), {"width is 32", "width 24"});
    expectRefused(load(vit, vitArch(16, 24, 3, 48, 3)), {"depth is 3", "depth 2"});
    expectRefused(load(vit, vitArch(16, 24, 3, 96, 2)), {"mlpDim is 96", "mlpDim 48"});
    expectRefused(load(vit, vitArch(16, 24, 4, 48, 2)), {"heads is 4", "heads 3"});
    ArchitectureConfig patch8 = smallVit(16);
    patch8.patchSize = 8;
    expectRefused(load(vit, patch8), {"patchSize is 8", "patchSize 4"});
    ArchitectureConfig cnn = smallVit(16);
    cnn.kind = ArchitectureKind::Cnn;
    expectRefused(load(vit, cnn), {"cnn"});
    // Heads the file does not record come from the target.
    QCOMPARE(loadTimmVit(model("noclass"), noClassVit(12)).slots.size(), std::size_t{7});
  }
};

QTEST_GUILESS_MAIN(TstTimmImport)
#include "tst_timm_import_torch.moc"
