// Architecture configuration: validation, slot names and route order (torch-free).
#include <QtTest/QtTest>

#include <stdexcept>
#include <string>
#include <vector>

#include "mu2net/model/Architecture.h"

using namespace mu2net;

class TstArchitecture : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void defaultsAreValid() {
    ArchitectureConfig vit;
    validate(vit);
    ArchitectureConfig cnn;
    cnn.kind = ArchitectureKind::Cnn;
    validate(cnn);
  }

  void validateRejectsBadSizes() {
    ArchitectureConfig c;
    c.imageSize = 30;  // not a multiple of the patch size 4
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(c));
    c = {};
    c.heads = 5;  // 64 % 5 != 0
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(c));
    c = {};
    c.width = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(c));
    c = {};
    c.mlpDim = -1;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(c));
    c = {};
    c.depth = -1;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(c));
    // The CNN ignores the ViT-only fields and works at any image size.
    c = {};
    c.kind = ArchitectureKind::Cnn;
    c.imageSize = 30;
    c.heads = 5;
    validate(c);
  }

  void messageNamesField() {
    ArchitectureConfig c;
    c.patchSize = 0;
    try {
      validate(c);
      QFAIL("expected an exception");
    } catch (const std::invalid_argument& e) {
      QVERIFY(std::string(e.what()).find("patchSize") != std::string::npos);
    }
  }

  void blockSlots() {
    QCOMPARE(blockSlot(0), std::string("block_0"));
    QCOMPARE(blockSlot(12), std::string("block_12"));
    int index = -1;
    QVERIFY(parseBlockSlot("block_7", &index));
    QCOMPARE(index, 7);
    QVERIFY(parseBlockSlot("block_10", &index));
    QCOMPARE(index, 10);
    QVERIFY(parseBlockSlot("block_0", nullptr));
    for (const char* bad :
         {"block_", "block_-1", "block_01", "block_1a", "blocks_1", "head", "block_99999999999999"})
      QVERIFY2(!parseBlockSlot(bad, &index), bad);
  }

  void routeOrder() {
    ArchitectureConfig vit;
    QCOMPARE(routeSlots(vit, 2), (std::vector<std::string>{"embedding", "cls", "posembed",
                                                           "block_0", "block_1", "norm", "head"}));
    QCOMPARE(routeSlots(vit, 0),
             (std::vector<std::string>{"embedding", "cls", "posembed", "norm", "head"}));
    ArchitectureConfig cnn;
    cnn.kind = ArchitectureKind::Cnn;
    QCOMPARE(routeSlots(cnn, 1),
             (std::vector<std::string>{"embedding", "block_0", "norm", "head"}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, routeSlots(cnn, -1));
  }

  void convStem() {
    ArchitectureConfig a;  // the laptop ViT: patch 4, width 64
    a.stem = StemKind::Conv;
    validate(a);
    QCOMPARE(convStemChannels(a), (std::vector<int>{32, 64}));
    a.patchSize = 16;
    a.imageSize = 32;
    QCOMPARE(convStemChannels(a), (std::vector<int>{8, 16, 32, 64}));
    for (int patch : {1, 3, 6, 12}) {
      a.patchSize = patch;
      a.imageSize = patch * 4;
      QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(a));
    }
    a.patchSize = 8;
    a.imageSize = 32;
    a.width = 66;  // not divisible by patch / 2 = 4
    a.heads = 2;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(a));
    QVERIFY(parseStemKind(toString(StemKind::Conv)) == StemKind::Conv);
    QVERIFY(parseStemKind(toString(StemKind::Patch)) == StemKind::Patch);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseStemKind("hybrid"));
  }

  void kindNames() {
    QVERIFY(parseArchitectureKind(toString(ArchitectureKind::Vit)) == ArchitectureKind::Vit);
    QVERIFY(parseArchitectureKind(toString(ArchitectureKind::Cnn)) == ArchitectureKind::Cnn);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseArchitectureKind("resnet"));
  }
};

QTEST_GUILESS_MAIN(TstArchitecture)
#include "tst_architecture.moc"
