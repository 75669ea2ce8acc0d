#include "mu2net/store/StoreCsv.h"

#include <map>
#include <sstream>
#include <stdexcept>

#include "mu2net/common/OutputFile.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net {

namespace {

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s)
    q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string idList(const std::vector<int64_t>& ids) {
  std::vector<std::string> items;
  for (int64_t id : ids)
    items.push_back(std::to_string(id));
  return joined(items, " ");
}

std::string childrenCsv(const std::vector<ChildRecord>& children) {
  std::ostringstream f;
  f << "generation,child,task,path_id,parent_id,parent_task,improved,validation_accuracy,"
       "score,trainable_params,total_params,accounted_params,seconds,mutations,cloned,shared,"
       "new\n";
  for (const auto& c : children) {
    std::vector<std::string> cloned, shared, fresh, mutations;
    for (const auto& s : c.slots)
      (s.kind == SlotOrigin::Kind::Cloned   ? cloned
       : s.kind == SlotOrigin::Kind::Shared ? shared
                                            : fresh)
          .push_back(s.slot);
    for (const auto& m : c.mutations)
      mutations.push_back(describe(m));
    f << c.generation << "," << c.childIndex << "," << csvField(c.task) << "," << c.pathId << ","
      << c.parentId << "," << csvField(c.parentTask) << "," << (c.improved ? 1 : 0) << ","
      << c.quality << "," << c.score << "," << c.trainableParams << "," << c.totalParams << ","
      << c.accountedParams << "," << c.seconds << "," << csvField(joined(mutations, "; ")) << ","
      << joined(cloned, " ") << "," << joined(shared, " ") << "," << joined(fresh, " ") << "\n";
  }
  return f.str();
}

std::string curvesCsv(const std::vector<ChildRecord>& children) {
  std::ostringstream f;
  f << "task,generation,child,validation,validation_accuracy\n";
  for (const auto& c : children)
    for (std::size_t v = 0; v < c.validationHistory.size(); ++v)
      f << csvField(c.task) << "," << c.generation << "," << c.childIndex << "," << v + 1 << ","
        << c.validationHistory[v] << "\n";
  return f.str();
}

std::string pathsCsv(const System& system) {
  std::ostringstream f;
  f << "path_id,task,parent_id,retained,validation_accuracy,test_accuracy,score,generation,"
       "activated_params,accounted_params,components\n";
  for (int64_t id : system.pathIds()) {
    const Path& p = system.path(id);
    const bool retained = p.task != System::kRootTask && system.retainedPath(p.task) == id;
    f << id << "," << csvField(p.task) << "," << p.parentId << "," << (retained ? 1 : 0) << ","
      << p.metrics.validationQuality << ","
      << (p.metrics.testQuality ? std::to_string(*p.metrics.testQuality) : "") << ","
      << p.metrics.score << "," << p.metrics.generation << "," << system.activatedParams(id) << ","
      << system.accountedParams(id) << "," << idList(p.componentIds) << "\n";
  }
  return f.str();
}

std::string componentsCsv(const System& system, const ExperimentStore& store) {
  std::map<int64_t, std::string> hashes;
  for (const auto& [id, h] : store.storedHashes())
    hashes[id] = h;
  std::ostringstream f;
  f << "component_id,slot,creator_task,generation,params,locks,trainable,sha256\n";
  for (int64_t id : system.componentIds()) {
    const Component& c = system.component(id);
    const std::vector<std::string> locks(c.locks.begin(), c.locks.end());
    f << id << "," << c.slot << "," << csvField(c.creatorTask) << "," << c.generation << ","
      << c.paramCount << "," << csvField(joined(locks, " ")) << "," << (c.trainable() ? 1 : 0)
      << "," << hashes[id] << "\n";
  }
  return f.str();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> storeCsvTables(const ExperimentStore& store) {
  if (!store.hasState())
    throw StoreError(store.directory().string() + " holds no committed generation yet");
  const System system(store.loadMetadata().system);
  const std::vector<ChildRecord> children = store.children();
  return {{"children.csv", childrenCsv(children)},
          {"curves.csv", curvesCsv(children)},
          {"paths.csv", pathsCsv(system)},
          {"components.csv", componentsCsv(system, store)}};
}

std::vector<std::string> writeStoreCsv(const ExperimentStore& store,
                                       const std::filesystem::path& dir) {
  const auto tables = storeCsvTables(store);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  std::vector<std::string> names;
  for (const auto& [name, text] : tables) {
    writeOutputFile(dir / name, text);
    names.push_back(name);
  }
  return names;
}

}  // namespace mu2net
