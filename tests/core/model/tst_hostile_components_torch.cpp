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
    const auto valid = validComponent();
    QVERIFY(deserializeComponent(valid, "valid")->params.size() == 2);
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
