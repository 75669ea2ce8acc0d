// Enforces the layering rule of the design: nothing under core/ includes a Qt header, nothing
// under ui/ includes a torch header. Scans the real source tree.
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::regex kQtInclude(
    R"(^\s*#\s*include\s*[<"](Q[A-Za-z]+|Qt[A-Za-z]*/[^>"]*|q[a-z]+\.h|qcustomplot\.h)[>"])");
const std::regex kTorchInclude(R"(^\s*#\s*include\s*[<"](torch/|ATen/|c10/|caffe2/)[^>"]*[>"])");

bool isSource(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".h" || ext == ".hpp" || ext == ".cpp" || ext == ".cc" || ext == ".cxx";
}

// Returns "file:line: text" for every line under root that matches the pattern.
std::vector<std::string> offendingLines(const fs::path& root, const std::regex& pattern,
                                        int* filesScanned) {
  std::vector<std::string> hits;
  if (!fs::exists(root)) return hits;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || !isSource(entry.path())) continue;
    ++*filesScanned;
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (std::regex_search(line, pattern))
        hits.push_back(entry.path().string() + ":" + std::to_string(number) + ": " + line);
    }
  }
  return hits;
}

}  // namespace

class TstLayering : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void patternsRecogniseIncludes() {
    QVERIFY(std::regex_search("#include <QObject>", kQtInclude));
    QVERIFY(std::regex_search("#include <QtCore/qstring.h>", kQtInclude));
    QVERIFY(std::regex_search("  #  include \"qcustomplot.h\"", kQtInclude));
    QVERIFY(!std::regex_search("#include <vector>", kQtInclude));
    QVERIFY(!std::regex_search("#include \"mu2net/Rng.h\"", kQtInclude));
    QVERIFY(std::regex_search("#include <torch/torch.h>", kTorchInclude));
    QVERIFY(std::regex_search("#include <ATen/ATen.h>", kTorchInclude));
    QVERIFY(std::regex_search("#include <c10/core/Scalar.h>", kTorchInclude));
    QVERIFY(!std::regex_search("#include \"mu2net/Engine.h\"", kTorchInclude));
  }

  void coreIncludesNoQt() {
    int scanned = 0;
    const auto hits = offendingLines(fs::path(MU2NET_SOURCE_DIR) / "core", kQtInclude, &scanned);
    QVERIFY2(scanned > 0, "no source files found under core/");
    std::string all;
    for (const auto& h : hits)
      all += h + "\n";
    QVERIFY2(hits.empty(), ("core/ must not include Qt headers:\n" + all).c_str());
  }

  void uiIncludesNoTorch() {
    int scanned = 0;
    const auto hits = offendingLines(fs::path(MU2NET_SOURCE_DIR) / "ui", kTorchInclude, &scanned);
    std::string all;
    for (const auto& h : hits)
      all += h + "\n";
    QVERIFY2(hits.empty(), ("ui/ must not include torch headers:\n" + all).c_str());
  }
};

QTEST_GUILESS_MAIN(TstLayering)
#include "tst_layering.moc"
