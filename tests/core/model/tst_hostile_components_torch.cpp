// A component file or root checkpoint whose pickle declares more than it holds (issue 13, item
// 9): LibTorch's unpickler allocates what a string or memo opcode declares, so a 1 KB file made it
// allocate gigabytes before noticing. The files are built here from a valid component, with
// data.pkl patched and the zip rebuilt (valid checksums), and read under a memory ceiling.
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <ATen/Parallel.h>
#include <caffe2/serialize/inline_container.h>

#include <fstream>
#include <sstream>

#include "Bounded.h"
#include "model/ComponentFile.h"
#include "model/ComponentIO.h"
#include "model/PickleCheck.h"

using namespace mu2net;

namespace {

std::vector<char> validComponent() {
  auto c = ComponentTensors::create({"weight", "bias"}, {torch::ones({3, 5}), torch::zeros({3})});
  return serializeComponent(*c);
}

// The archive with data.pkl passed through `patch`, rebuilt as a valid zip.
std::vector<char> withPickle(const std::vector<char>& archive,
                             const std::function<void(std::string&)>& patch) {
  std::istringstream stream(std::string(archive.begin(), archive.end()));
  caffe2::serialize::PyTorchStreamReader reader(&stream);
  std::vector<char> out;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
    const auto* p = static_cast<const char*>(data);
    out.insert(out.end(), p, p + size);
    return size;
  });
  for (const auto& name : reader.getAllRecords()) {
    if (name == "version") continue;
    auto [data, size] = reader.getRecord(name);
    std::string record(static_cast<const char*>(data.get()), size);
    if (name == "data.pkl") patch(record);
    writer.writeRecord(name, record.data(), record.size());
  }
  writer.writeEndOfFile();
  return out;
}

// The first BINUNICODE ('X', 4-byte length) made to declare 2 GiB - 1.
void hugeString(std::string& pickle) {
  const auto at = pickle.find('X');
  QVERIFY(at != std::string::npos);
  pickle.replace(at + 1, 4, std::string("\xff\xff\xff\x7f", 4));
}

// The first BINPUT ('q', 1-byte index) made a LONG_BINPUT of index 2^32 - 1.
void hugeMemo(std::string& pickle) {
  const auto at = pickle.find('q');
  QVERIFY(at != std::string::npos);
  pickle.replace(at, 2, std::string("r\xff\xff\xff\xff", 5));
}

// The last TUPLE2 (restore_type_tag's arguments, before the final REDUCE) made a TUPLE3: the
// fuzzer's finding. The stack then holds one value for REDUCE's two, and LibTorch's unpickler,
// which does not check its stack, corrupts the heap.
void tuple3(std::string& pickle) {
  const auto at = pickle.rfind("\x86R");
  QVERIFY(at != std::string::npos && at + 5 >= pickle.size());
  pickle[at] = '\x87';
}

// The whole pickle replaced by one REDUCE on an empty stack.
void reduceOnEmpty(std::string& pickle) {
  pickle = std::string("\x80\x02R.", 4);
}

// The MARK after the EMPTY_DICT removed: SETITEMS finds no mark.
void setitemsWithoutMark(std::string& pickle) {
  const auto at = pickle.find("}(");
  QVERIFY(at != std::string::npos);
  pickle.erase(at + 1, 1);
}

// The first BINGET (of memo index 2, the _rebuild_tensor_v2 global) made to read index 99,
// which no BINPUT stored.
void unsetMemo(std::string& pickle) {
  const auto at = pickle.find(std::string("h\x02", 2));
  QVERIFY(at != std::string::npos);
  pickle[at + 1] = 99;
}

// A NONE before STOP: two values left on the stack.
void twoValuesAtStop(std::string& pickle) {
  QVERIFY(!pickle.empty() && pickle.back() == '.');
  pickle.insert(pickle.size() - 1, 1, 'N');
}

// The first storage's numel (a BININT1 after its location 'cpu') one more than its record holds.
void storageBeyondRecord(std::string& pickle) {
  const auto at = pickle.find('K', pickle.find("cpu"));
  QVERIFY(at != std::string::npos);
  ++pickle[at + 1];
}

// The first storage's key '0' made '9': no record data/9.
void storageWithoutRecord(std::string& pickle) {
  const auto at =
      pickle.find(std::string("X\x01\x00\x00\x00"
                              "0",
                              6));
  QVERIFY(at != std::string::npos);
  pickle[at + 5] = '9';
}

// A pickle from a string literal, NUL bytes included.
template <std::size_t N>
std::string pk(const char (&bytes)[N]) {
  return std::string(bytes, N - 1);
}

}  // namespace

class TstHostileComponents : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void pickleWalkerFindsDeclaredLengthsBeyondTheData() {
    QCOMPARE(pickleProblem(std::string("\x80\x02N.", 4)), std::string());
    QVERIFY(pickleProblem(std::string("\x80\x02X\xff\xff\xff\x7f"
                                      "abc.",
                                      11))
                .find("declares 2147483647 bytes") != std::string::npos);
    QVERIFY(pickleProblem(std::string("\x80\x02Nr\xff\xff\xff\xff.", 9)).find("memo index") !=
            std::string::npos);
    QVERIFY(pickleProblem(std::string("\x80\x02N", 3)).find("STOP") != std::string::npos);
  }

  void pickleWalkerSimulatesTheStack() {
    const auto refused = [](const std::string& pickle, const char* words) {
      const std::string p = pickleProblem(pickle);
      if (p.find(words) == std::string::npos)
        QFAIL(("expected \"" + std::string(words) + "\", got \"" + p + "\"").c_str());
    };
    // Sound: a dict filled by SETITEMS, a memo put and got, a tuple of two.
    QCOMPARE(pickleProblem(pk("\x80\x02}(NNu.")), std::string());
    QCOMPARE(pickleProblem(pk("\x80\x02Nq\x00h\x00\x86.")), std::string());
    QCOMPARE(pickleProblem(pk("\x80\x02(NN(t0t.")), std::string());
    refused(pk("\x80\x02NN\x87R."), "TUPLE3 at byte 4 needs 3 values on the stack, but 2 are");
    refused(pk("\x80\x02NNN\x87R."), "REDUCE at byte 6 needs 2 values on the stack, but 1 is");
    refused(pk("\x80\x02R."), "REDUCE at byte 2 needs 2 values");
    refused(pk("\x80\x02}NNu."), "SETITEMS at byte 5 has no MARK");
    refused(pk("\x80\x02(NNu."), "SETITEMS at byte 5 has no value below its MARK");
    refused(pk("\x80\x02}(Nu."), "not key-value pairs");
    refused(pk("\x80\x02(Nd."), "not key-value pairs");
    refused(pk("\x80\x02N(N\x86."),
            "TUPLE2 at byte 5 needs 2 values on the stack, but 1 is there "
            "above its MARK");
    refused(pk("\x80\x02h\x05."), "BINGET at byte 2 reads memo index 5, which was never stored");
    refused(pk("\x80\x02Nq\x01h\x00."), "never stored");
    refused(pk("\x80\x02q\x00N."), "BINPUT at byte 2 has no value");
    refused(pk("\x80\x02NN."), "STOP at byte 4 leaves 2 values on the stack");
    refused(pk("\x80\x02."), "STOP at byte 2 leaves 0 values");
    refused(pk("\x80\x02N(."), "STOP at byte 4 leaves a MARK open");
    refused(pk("\x80\x02t."), "TUPLE at byte 2 has no MARK");
    refused(pk("\x80\x02\x81."), "NEWOBJ at byte 2 needs 2 values");
    refused(pk("\x80\x02Q."), "BINPERSID at byte 2 needs 1 value");
    refused(pk("\x80\x02NQ."), "BINPERSID at byte 3 is not a persistent id");
    // A persistent id as LibTorch writes it, checked against the record's size.
    const std::string id =
        pk("\x80\x02(X\x07\x00\x00\x00"
           "storage"
           "ctorch\nFloatStorage\n"
           "X\x01\x00\x00\x00"
           "0"
           "X\x03\x00\x00\x00"
           "cpu"
           "K\x0f"
           "tQ.");
    QCOMPARE(pickleProblem(id), std::string());
    const auto record = [](std::optional<std::uint64_t> size) {
      return [size](const std::string& key) { return key == "0" ? size : std::nullopt; };
    };
    QCOMPARE(pickleProblem(id, record(60)), std::string());
    QVERIFY(pickleProblem(id, record(56))
                .find("storage '0' of 15 values (60 bytes), but its "
                      "record data/0 holds 56 bytes") != std::string::npos);
    QVERIFY(pickleProblem(id, record(std::nullopt)).find("no record data/0") != std::string::npos);
  }

  void stackFaultsAreRefusedWithTheFileName_data() {
    QTest::addColumn<int>("kind");
    QTest::newRow("TUPLE3 for TUPLE2 (the fuzzer's finding)") << 0;
    QTest::newRow("REDUCE on an empty stack") << 1;
    QTest::newRow("SETITEMS without MARK") << 2;
    QTest::newRow("BINGET of an unset memo index") << 3;
    QTest::newRow("STOP with two values") << 4;
    QTest::newRow("storage larger than its record") << 5;
    QTest::newRow("storage without a record") << 6;
  }
  void stackFaultsAreRefusedWithTheFileName() {
    QFETCH(int, kind);
    at::set_num_threads(1);  // no OpenMP team before the fork
    const std::function<void(std::string&)> patches[] = {
        tuple3,          reduceOnEmpty,       setitemsWithoutMark, unsetMemo,
        twoValuesAtStop, storageBeyondRecord, storageWithoutRecord};
    const auto bad = withPickle(validComponent(), patches[kind]);
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("bad.pt").toStdString();
    std::ofstream(file, std::ios::binary).write(bad.data(), static_cast<long>(bad.size()));
    const auto text = [](const std::exception& e) {
      return std::string(dynamic_cast<const std::runtime_error*>(&e) ? "runtime_error: "
                                                                     : "other: ") +
             e.what();
    };
    // In a child: without the check, LibTorch's unpickler corrupts the heap and aborts.
    for (const auto& [result, name] :
         {std::pair{testdata::runBounded([&] { deserializeComponent(bad, "components/7.pt"); },
                                         text, 256LL << 20),
                    std::string("components/7.pt")},
          std::pair{testdata::runBounded([&] { loadComponentFile(file); }, text, 256LL << 20),
                    file.string()}}) {
      QVERIFY2(result.rfind("runtime_error", 0) == 0, result.c_str());
      QVERIFY2(result.find(name + " is corrupt: in its data.pkl, ") != std::string::npos,
               result.c_str());
    }
  }

  void filesTheEngineWritesStillLoad() {
    // A store's component (params and momentum).
    const auto valid = validComponent();
    QCOMPARE(pickleProblem(std::string()), std::string("the pickle ends without its STOP opcode"));
    const auto c = deserializeComponent(valid, "valid");
    QCOMPARE(c->params.size(), std::size_t{2});
    QVERIFY(torch::equal(c->params[0], torch::ones({3, 5})));
    // A root checkpoint as pretraining writes it: several slots, numels needing one, two and four
    // bytes, a view into a larger tensor, an empty tensor.
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("root.pt").toStdString();
    const auto big = torch::arange(70001, torch::kFloat);
    SlotTensors root;
    root.emplace_back("embed",
                      ComponentTensors::create({"weight", "bias"},
                                               {torch::full({300, 7}, 0.5f), torch::zeros({7})}));
    root.emplace_back("block0",
                      ComponentTensors::create({"w", "view", "empty"},
                                               {big, big.slice(0, 10, 20), torch::zeros({0, 4})}));
    saveComponentFile(file, root);
    const SlotTensors loaded = loadComponentFile(file);
    QCOMPARE(loaded.size(), std::size_t{2});
    QCOMPARE(loaded[0].first, std::string("embed"));
    QVERIFY(torch::equal(loaded[0].second->params[0], torch::full({300, 7}, 0.5f)));
    QVERIFY(torch::equal(loaded[1].second->params[0], big));
    QVERIFY(torch::equal(loaded[1].second->params[1], big.slice(0, 10, 20)));
    QCOMPARE(loaded[1].second->params[2].numel(), int64_t{0});
  }

  void bombsAreRefusedBeforeAllocating_data() {
    QTest::addColumn<int>("kind");
    QTest::newRow("string of 2 GiB") << 0;
    QTest::newRow("memo index 2^32 - 1") << 1;
  }
  void bombsAreRefusedBeforeAllocating() {
    QFETCH(int, kind);
    at::set_num_threads(1);  // no OpenMP team before the fork
    const auto bomb = withPickle(validComponent(), kind == 0 ? hugeString : hugeMemo);
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("bomb.pt").toStdString();
    std::ofstream(file, std::ios::binary).write(bomb.data(), static_cast<long>(bomb.size()));
    const auto kind_ = [](const std::exception& e) {
      return dynamic_cast<const std::runtime_error*>(&e) ? std::string("runtime_error")
                                                         : std::string("other");
    };
    for (const std::string& result :
         {testdata::runBounded([&] { deserializeComponent(bomb, "components/7.pt"); }, kind_,
                               256LL << 20),
          testdata::runBounded([&] { loadComponentFile(file); }, kind_, 256LL << 20)}) {
      QVERIFY2(result.rfind("runtime_error", 0) == 0, result.c_str());
      QVERIFY2(result.find("is corrupt") != std::string::npos, result.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TstHostileComponents)
#include "tst_hostile_components_torch.moc"
