// `mu2net datasets check PATH --format FORMAT`: reads a dataset folder with the core readers and
// reports what it holds, so that a person can check a folder before starting an experiment.
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "Commands.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/data/DataError.h"
#include "mu2net/data/DatasetReader.h"

namespace mu2net::cli {
namespace {

constexpr const char* kUsage =
    "usage: mu2net datasets check PATH --format idx|cifar-binary|image-folder\n"
    "\n"
    "Reads the dataset folder PATH and prints, per split (train, validation if present, test),\n"
    "the sample count, the number of classes present, the image size, the channel count and\n"
    "the label range. Exit status: 0 readable, 1 the data is not, 2 bad usage.\n";

// At most this many class names are printed in full; Omniglot-sized lists are elided.
constexpr std::size_t kMaxNamesShown = 20;

void printSplit(std::ostream& out, const char* name, const ImageSet& set) {
  const auto [lo, hi] = set.labelRange();
  std::ostringstream size;
  size << set.height << "x" << set.width;
  std::ostringstream range;
  range << lo << ".." << hi;
  out << std::left << std::setw(12) << name << std::setw(10) << set.count << std::setw(8)
      << set.distinctLabels() << std::setw(10) << size.str() << std::setw(10) << set.channels
      << range.str() << "\n";
}

int check(const std::string& path, DatasetFormat format, std::ostream& out) {
  const auto source = readDataset(path, format);
  out << "dataset   " << path << "\n";
  out << "format    " << formatName(format) << "\n";
  out << "classes   " << source.numClasses << "\n";
  if (!source.classNames.empty()) {
    out << "names     ";
    for (std::size_t i = 0; i < source.classNames.size() && i < kMaxNamesShown; ++i)
      out << (i ? ", " : "") << source.classNames[i];
    if (source.classNames.size() > kMaxNamesShown)
      out << ", ... (" << source.classNames.size() << " in all)";
    out << "\n";
  } else {
    out << "names     (none in this layout)\n";
  }
  out << "\n"
      << std::left << std::setw(12) << "split" << std::setw(10) << "samples" << std::setw(8)
      << "classes" << std::setw(10) << "size(HxW)" << std::setw(10) << "channels"
      << "labels\n";
  printSplit(out, "train", source.train);
  if (source.validation) printSplit(out, "validation", *source.validation);
  printSplit(out, "test", source.test);
  return 0;
}

}  // namespace

int runDatasetsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    out << kUsage;
    return 0;
  }
  if (args.empty() || args[0] != "check") {
    err << kUsage;
    return 2;
  }
  std::optional<std::string> path;
  std::optional<std::string> formatText;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out << kUsage;
      return 0;
    }
    if (arg == "--format") {
      if (i + 1 >= args.size()) {
        err << "error: --format needs a value\n" << kUsage;
        return 2;
      }
      formatText = args[++i];
    } else if (arg.rfind("--format=", 0) == 0) {
      formatText = arg.substr(9);
    } else if (!arg.empty() && arg[0] == '-') {
      err << "error: unknown option " << arg << "\n" << kUsage;
      return 2;
    } else if (!path) {
      path = arg;
    } else {
      err << "error: unexpected argument " << arg << "\n" << kUsage;
      return 2;
    }
  }
  if (!path || !formatText) {
    err << "error: " << (!path ? "PATH" : "--format") << " is required\n" << kUsage;
    return 2;
  }
  DatasetFormat format;
  try {
    format = parseDatasetFormat(*formatText);
  } catch (const DataError& e) {
    err << "error: " << errorText(e) << "\n" << kUsage;
    return 2;
  }
  try {
    return check(*path, format, out);
  } catch (const DataError& e) {
    err << "error: " << errorText(e) << "\n";
    return 1;
  }
}

}  // namespace mu2net::cli
