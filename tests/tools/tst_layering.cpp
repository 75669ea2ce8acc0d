// Enforces the layering rules of the design. Scans the real source tree:
//   - nothing under core/ includes a Qt header, nothing under ui/ includes a torch header;
//   - core/ is in folders by domain (include/mu2net/<domain>/, src/<domain>/), and a domain
//     includes only itself and the domains below it (kDomains), so data never sees the model or
//     the evolution and the include graph points one way;
//   - torch headers are included only by the model layer (core/src/model/) and the few files of
//     kTorchOutsideModel; the public headers (core/include/) are torch-free;
//   - no core header includes itself through others (the include graph has no cycle);
//   - core/buildinfo/ (mu2net_buildinfo, a library of its own, not a domain of mu2net_core) is a
//     leaf: it includes no core header, and of torch only its version header.
#include <QtTest/QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::regex kQtInclude(
    R"(^\s*#\s*include\s*[<"](Q[A-Za-z]+|Qt[A-Za-z]*/[^>"]*|q[a-z]+\.h|qcustomplot\.h)[>"])");
const std::regex kTorchInclude(R"(^\s*#\s*include\s*[<"](torch/|ATen/|c10/|caffe2/)[^>"]*[>"])");
// A core header by domain: "mu2net/<domain>/X.h" (public) or "<domain>/X.h" (core/src, private).
const std::regex kDomainInclude(R"(^\s*#\s*include\s*"(?:mu2net/)?([a-z]+)/[^"]*")");

// Any quoted include: core's headers are included as "mu2net/<domain>/X.h" or "<domain>/X.h".
const std::regex kQuotedInclude(R"re(^\s*#\s*include\s*"([^"]+)")re");

// core's domains, lowest first. A file may include headers of its own domain and of the domains
// before it, never of a domain after it.
const std::vector<std::string> kDomains = {
    "common",     // errors, the seeded Rng, JSON reading helpers, SHA-256: no domain of their own
    "data",       // reading and preparing images (torch-free)
    "model",      // architectures, the torch model layer, component and root files
    "evolution",  // the search: configuration, search space, system, layer cloning, events
    "store",      // the experiment store (persistence of the evolution's state)
    "engine",     // running: the experiment engine, pretraining, report.json, model export
};

// Core files outside core/src/model/ that include torch headers, each with its reason. A new torch
// include elsewhere fails coreTorchOnlyInModel; an entry whose file no longer includes torch
// fails it too, so the list stays exact.
const std::vector<std::pair<std::string, std::string>> kTorchOutsideModel = {
    {"core/src/engine/GenerationTrainer.cpp",
     "trains and evaluates a generation's children: batches as tensors, LibTorch's thread count"},
    {"core/src/engine/ActivationCache.cpp",
     "holds frozen-prefix activations (tensors) and counts their bytes"},
    {"core/src/engine/ModelExport.cpp",
     "writes a retained model as a TorchScript module and loads one back (inspectTorchScript)"},
    {"core/src/engine/Pretrain.cpp", "pretraining trains a root in its own loop, on tensors"},
    {"core/src/common/ErrorText.cpp",
     "recognises c10::Error to show LibTorch's messages without their backtrace (no tensors)"},
};

// mu2net_buildinfo (--version, the About dialog): a leaf library below core, ui and app, outside
// core's domains. Its files include no core header, and of torch only kBuildInfoTorchHeader (the
// version macros; the library links no torch).
const std::string kBuildInfoDir = "core/buildinfo/";
const std::string kBuildInfoTorchHeader = "torch/version.h";

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

// The domain of a file under core/ (the first folder below include/mu2net/ or src/), or "" for a
// file outside every domain folder.
std::string domainOf(const fs::path& relative) {
  std::vector<std::string> parts;
  for (const auto& part : relative)
    parts.push_back(part.string());
  // core/include/mu2net/<domain>/X.h or core/src/<domain>/X.cpp
  if (parts.size() >= 5 && parts[1] == "include" && parts[2] == "mu2net") return parts[3];
  if (parts.size() >= 4 && parts[1] == "src") return parts[2];
  return "";
}

int rankOf(const std::string& domain) {
  for (std::size_t i = 0; i < kDomains.size(); ++i)
    if (kDomains[i] == domain) return static_cast<int>(i);
  return -1;
}

bool inBuildInfo(const fs::path& relative) {
  return relative.generic_string().rfind(kBuildInfoDir, 0) == 0;
}

// Every source file under core/ (relative to the source directory) of the build-info library
// when `buildInfo`, else of everything else: mu2net_core's, which must all be in domain folders.
std::vector<fs::path> sourcesUnderCore(bool buildInfo) {
  std::vector<fs::path> files;
  const fs::path source(MU2NET_SOURCE_DIR);
  for (const auto& entry : fs::recursive_directory_iterator(source / "core")) {
    if (!entry.is_regular_file() || !isSource(entry.path())) continue;
    const fs::path relative = fs::relative(entry.path(), source);
    if (inBuildInfo(relative) == buildInfo) files.push_back(relative);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> coreSources() {
  return sourcesUnderCore(false);
}

// The lines of a file with their 1-based numbers.
std::vector<std::pair<int, std::string>> linesOf(const fs::path& file) {
  std::vector<std::pair<int, std::string>> lines;
  std::ifstream in(file);
  std::string line;
  int number = 0;
  while (std::getline(in, line))
    lines.emplace_back(++number, line);
  return lines;
}

// True when `file` (relative to the source directory) includes a torch header.
bool includesTorch(const fs::path& file) {
  for (const auto& [number, line] : linesOf(fs::path(MU2NET_SOURCE_DIR) / file))
    if (std::regex_search(line, kTorchInclude)) return true;
  return false;
}

// The core files a file includes (quoted includes that name a file of core/), relative to the
// source directory.
std::vector<std::string> coreIncludesOf(const fs::path& file) {
  const fs::path source(MU2NET_SOURCE_DIR);
  std::vector<std::string> out;
  for (const auto& [number, line] : linesOf(source / file)) {
    std::smatch m;
    if (!std::regex_search(line, m, kQuotedInclude)) continue;
    const std::string name = m[1].str();
    const fs::path target = name.rfind("mu2net/", 0) == 0 ? fs::path("core/include") / name
                                                          : fs::path("core/src") / name;
    if (fs::is_regular_file(source / target)) out.push_back(target.generic_string());
  }
  return out;
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

  void domainPatternRecognisesCoreIncludes() {
    std::smatch m;
    const std::string pub = "#include \"mu2net/model/Architecture.h\"";
    QVERIFY(std::regex_search(pub, m, kDomainInclude));
    QCOMPARE(m[1].str(), std::string("model"));
    const std::string priv = "#include \"evolution/ChildSampler.h\"";
    QVERIFY(std::regex_search(priv, m, kDomainInclude));
    QCOMPARE(m[1].str(), std::string("evolution"));
    const std::string torch = "#include <torch/types.h>";
    QVERIFY(!std::regex_search(torch, m, kDomainInclude));
    const std::string flat = "#include \"Network.h\"";
    QVERIFY(!std::regex_search(flat, m, kDomainInclude));
    QCOMPARE(domainOf("core/include/mu2net/data/TaskData.h"), std::string("data"));
    QCOMPARE(domainOf("core/src/store/ExperimentStore.cpp"), std::string("store"));
    QCOMPARE(domainOf("core/src/Engine.cpp"), std::string(""));
    QVERIFY(rankOf("data") < rankOf("model"));
    QVERIFY(rankOf("model") < rankOf("evolution"));
    QVERIFY(rankOf("evolution") < rankOf("store"));
  }

  // Every core file is in a domain folder, and includes only its own domain and those below it.
  // In particular nothing under data/ includes a model/, evolution/, store/ or engine/ header.
  void coreDomainsIncludeOnlyDomainsBelow() {
    std::string all;
    int scanned = 0;
    for (const auto& file : coreSources()) {
      ++scanned;
      const std::string domain = domainOf(file);
      if (rankOf(domain) < 0) {
        all += file.string() + ": not in a domain folder (core/src/<domain>/, " +
               "core/include/mu2net/<domain>/)\n";
        continue;
      }
      for (const auto& [number, line] : linesOf(fs::path(MU2NET_SOURCE_DIR) / file)) {
        std::smatch m;
        if (!std::regex_search(line, m, kDomainInclude)) continue;
        const std::string included = m[1].str();
        if (rankOf(included) < 0 || rankOf(included) > rankOf(domain))
          all += file.string() + ":" + std::to_string(number) + ": " + domain +
                 " must not include " + included + ": " + line + "\n";
      }
    }
    QVERIFY2(scanned > 0, "no source files found under core/");
    QVERIFY2(all.empty(), ("core's domains include only the domains below them:\n" + all).c_str());
  }

  void coreTorchOnlyInModel() {
    std::string all;
    std::set<std::string> allowedAndUsed;
    for (const auto& file : coreSources()) {
      const std::string name = file.generic_string();
      bool usesTorch = false;
      for (const auto& [number, line] : linesOf(fs::path(MU2NET_SOURCE_DIR) / file)) {
        if (!std::regex_search(line, kTorchInclude)) continue;
        usesTorch = true;
        const bool inModel = name.rfind("core/src/model/", 0) == 0;
        const bool listed = std::any_of(kTorchOutsideModel.begin(), kTorchOutsideModel.end(),
                                        [&](const auto& allowed) { return allowed.first == name; });
        if (!inModel && !listed)
          all += name + ":" + std::to_string(number) + ": torch outside core/src/model/: " + line +
                 "\n";
      }
      if (usesTorch) allowedAndUsed.insert(name);
    }
    for (const auto& [name, reason] : kTorchOutsideModel)
      if (!allowedAndUsed.count(name))
        all += name + ": listed as including torch (" + reason + ") but does not; remove it\n";
    QVERIFY2(all.empty(), ("torch headers belong to the model layer:\n" + all).c_str());
  }

  // Domains pointing one way keep cycles out between domains; this keeps them out within one.
  void coreIncludeGraphHasNoCycles() {
    std::map<std::string, std::vector<std::string>> edges;
    std::size_t edgeCount = 0;
    for (const auto& file : coreSources()) {
      edges[file.generic_string()] = coreIncludesOf(file);
      edgeCount += edges[file.generic_string()].size();
    }
    QVERIFY2(edgeCount > 0, "no includes of core headers found under core/");
    std::map<std::string, int> state;  // 0 unseen, 1 on the current path, 2 done
    std::vector<std::string> path;
    std::string cycle;
    std::function<void(const std::string&)> visit = [&](const std::string& node) {
      state[node] = 1;
      path.push_back(node);
      for (const auto& next : edges[node]) {
        if (!cycle.empty()) return;
        if (state[next] == 1) {
          for (auto it = std::find(path.begin(), path.end(), next); it != path.end(); ++it)
            cycle += *it + " -> ";
          cycle += next;
          return;
        }
        if (state[next] == 0) visit(next);
      }
      path.pop_back();
      state[node] = 2;
    };
    for (const auto& [node, targets] : edges)
      if (state[node] == 0 && cycle.empty()) visit(node);
    QVERIFY2(cycle.empty(), ("core's include graph has a cycle: " + cycle).c_str());
  }

  // The build-info library sits below every domain: it must not include any of them.
  void buildInfoIsALeaf() {
    const auto files = sourcesUnderCore(true);
    QVERIFY2(!files.empty(), "no source files found under core/buildinfo/");
    std::string all;
    for (const auto& file : files) {
      const std::string name = file.generic_string();
      for (const auto& [number, line] : linesOf(fs::path(MU2NET_SOURCE_DIR) / file)) {
        std::smatch m;
        const std::string where = name + ":" + std::to_string(number) + ": ";
        if (std::regex_search(line, m, kQuotedInclude) &&
            (std::regex_search(line, kDomainInclude) || m[1].str().rfind("mu2net/", 0) == 0))
          all += where + "includes a core header: " + line + "\n";
        if (std::regex_search(line, kTorchInclude) &&
            line.find("<" + kBuildInfoTorchHeader + ">") == std::string::npos)
          all += where + "includes torch beyond " + kBuildInfoTorchHeader + ": " + line + "\n";
      }
    }
    QVERIFY2(all.empty(), ("core/buildinfo/ is a leaf library:\n" + all).c_str());
    QVERIFY(inBuildInfo("core/buildinfo/BuildInfo.cpp"));
    QVERIFY(!inBuildInfo("core/src/common/Rng.cpp"));
  }

  void publicHeadersAreTorchFree() {
    const fs::path include = fs::path(MU2NET_SOURCE_DIR) / "core" / "include";
    QVERIFY2(!coreSources().empty() && fs::is_directory(include), "no core/include/ found");
    std::string all;
    for (const auto& file : coreSources())
      if (file.generic_string().rfind("core/include/", 0) == 0 && includesTorch(file))
        all += file.generic_string() + "\n";
    QVERIFY2(all.empty(), ("core/include/ must stay torch-free:\n" + all).c_str());
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
