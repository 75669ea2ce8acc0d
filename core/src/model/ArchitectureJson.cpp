#include "model/ArchitectureJson.h"

namespace mu2net {

using json = nlohmann::json;
using jsonreader::fail;
using jsonreader::ObjectReader;

// The architecture keys of a `root` object (or of a root's metadata), recording which were given.
void readArchitectureKeys(ObjectReader& r, ArchitectureConfig& a, std::set<std::string>& given) {
  const auto note = [&](const char* name) {
    if (r.find(name)) given.insert(name);
  };
  if (const json* v = r.find("architecture")) {
    given.insert("architecture");
    const std::string name = ObjectReader::asString(*v, r.key("architecture"));
    if (name == "vit")
      a.kind = ArchitectureKind::Vit;
    else if (name == "cnn")
      a.kind = ArchitectureKind::Cnn;
    else
      fail(r.key("architecture"), "'" + name + "' is not one of: vit, cnn");
  }
  if (const json* v = r.find("stem")) {
    given.insert("stem");
    const std::string name = ObjectReader::asString(*v, r.key("stem"));
    try {
      a.stem = parseStemKind(name);
    } catch (const std::exception&) {
      fail(r.key("stem"), "'" + name + "' is not one of: patch, conv");
    }
  }
  for (const char* name : {"image_size", "patch_size", "width", "heads", "mlp_dim", "depth"})
    note(name);
  r.integer("image_size", a.imageSize, 4, 512);
  r.integer("patch_size", a.patchSize, 1, 64);
  r.integer("width", a.width, 1, 4096);
  r.integer("heads", a.heads, 1, 64);
  r.integer("mlp_dim", a.mlpDim, 1, 16384);
  r.integer("depth", a.depth, 0, 64);
}

json architectureJson(const ArchitectureConfig& a) {
  return {{"architecture", toString(a.kind)},
          {"stem", toString(a.stem)},
          {"image_size", a.imageSize},
          {"patch_size", a.patchSize},
          {"width", a.width},
          {"heads", a.heads},
          {"mlp_dim", a.mlpDim},
          {"depth", a.depth}};
}

std::string architectureToJson(const ArchitectureConfig& architecture) {
  return architectureJson(architecture).dump();
}

ArchitectureConfig parseArchitectureJson(const std::string& jsonText, const std::string& where) {
  try {
    const json j = json::parse(jsonText);
    ObjectReader r(j, "");
    ArchitectureConfig a;
    std::set<std::string> given;
    readArchitectureKeys(r, a, given);
    r.finish();
    validate(a);
    return a;
  } catch (const std::exception& e) {
    throw ConfigError(where + ": " + e.what());
  }
}

}  // namespace mu2net
