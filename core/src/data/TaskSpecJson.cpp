#include "data/TaskSpecJson.h"

#include <set>
#include <string>

namespace mu2net::jsonreader {

TaskSpec readTaskKeys(ObjectReader& r, const std::filesystem::path& baseDir) {
  TaskSpec t;
  t.name = ObjectReader::asString(r.require("name"), r.key("name"));
  checkTaskName(t.name, r.key("name"));
  const std::string format = ObjectReader::asString(r.require("format"), r.key("format"));
  try {
    t.format = parseDatasetFormat(format);
  } catch (const std::exception& e) {
    fail(r.key("format"), e.what());
  }
  t.path = resolve(baseDir, ObjectReader::asString(r.require("path"), r.key("path")));
  if (const json* v = r.find("classes")) {
    if (!v->is_array()) fail(r.key("classes"), "expected an array, found " + typeName(*v));
    for (std::size_t i = 0; i < v->size(); ++i)
      t.classes.push_back(static_cast<int>(ObjectReader::asInteger(
          (*v)[i], r.key("classes") + "[" + std::to_string(i) + "]", 0, 1 << 20)));
    std::set<int> unique(t.classes.begin(), t.classes.end());
    if (unique.size() != t.classes.size()) fail(r.key("classes"), "lists a class twice");
    if (t.classes.size() < 2) fail(r.key("classes"), "must list at least two classes");
  }
  return t;
}

}  // namespace mu2net::jsonreader
