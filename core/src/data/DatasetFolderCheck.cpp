#include "mu2net/data/DatasetFolderCheck.h"

#include <system_error>

#include "mu2net/common/InputLimits.h"

namespace mu2net {

namespace fs = std::filesystem;

namespace {

bool isFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool isFolder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool hasFileOrGz(const fs::path& folder, const std::string& name) {
  return isFile(folder / name) || isFile(folder / (name + ".gz"));
}

// data_batch_<digits>.bin or .bin.gz
bool isCifarBatchName(const std::string& name) {
  const std::string prefix = "data_batch_";
  if (name.rfind(prefix, 0) != 0) return false;
  std::size_t end = prefix.size();
  while (end < name.size() && name[end] >= '0' && name[end] <= '9')
    ++end;
  const std::string suffix = name.substr(end);
  return end > prefix.size() && (suffix == ".bin" || suffix == ".bin.gz");
}

bool hasCifarBatch(const fs::path& folder) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec), end;
  // A dataset folder holds a handful of files: a bound keeps a huge folder from stalling this.
  for (int seen = 0; !ec && it != end && seen < 10000; it.increment(ec), ++seen)
    if (isCifarBatchName(it->path().filename().string()) && isFile(it->path())) return true;
  return false;
}

std::string keyOf(const std::string& key, const char* field) {
  return key.empty() ? std::string() : " (" + key + "." + field + ")";
}

}  // namespace

std::optional<DatasetFormat> detectDatasetFormat(const fs::path& folder) {
  if (hasFileOrGz(folder, "train-images-idx3-ubyte")) return DatasetFormat::Idx;
  if (hasCifarBatch(folder)) return DatasetFormat::CifarBinary;
  if (isFolder(folder / "train") && isFolder(folder / "test")) return DatasetFormat::ImageFolder;
  return std::nullopt;
}

std::string formatEvidence(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::Idx:
      return "IDX files (train-images-idx3-ubyte)";
    case DatasetFormat::CifarBinary:
      return "CIFAR-binary files (data_batch_*.bin)";
    case DatasetFormat::ImageFolder:
      return "an image folder (train/ and test/ subfolders)";
  }
  return {};
}

std::string formatHint(const fs::path& folder, DatasetFormat format) {
  const auto found = detectDatasetFormat(folder);
  if (!found || *found == format) return {};
  return printable(folder.string(), 4096) + " holds " + formatEvidence(*found) +
         ": use \"format\": \"" + formatName(*found) + "\"";
}

std::string taskFolderProblem(const TaskSpec& spec, const std::string& key) {
  const std::string task = "task '" + printable(spec.name, 200) + "'";
  const std::string folder = printable(spec.path.string(), 4096);
  std::error_code ec;
  if (!fs::exists(spec.path, ec))
    return task + keyOf(key, "path") + ": folder " + folder + " does not exist";
  if (!isFolder(spec.path)) return task + keyOf(key, "path") + ": " + folder + " is not a folder";
  if (const std::string hint = formatHint(spec.path, spec.format); !hint.empty())
    return task + keyOf(key, "format") + ": format is '" + formatName(spec.format) + "' but " +
           hint;
  return {};
}

std::vector<std::string> taskFolderProblems(const std::vector<TaskSpec>& tasks) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < tasks.size(); ++i)
    if (std::string p = taskFolderProblem(tasks[i], "tasks[" + std::to_string(i) + "]"); !p.empty())
      problems.push_back(std::move(p));
  return problems;
}

}  // namespace mu2net
