#pragma once
// A dataset folder checked by its file names alone, before anything is read: which layout the
// names suggest, and why a task's folder cannot be read in the format it names. Lets a
// configuration be refused when it is opened (the workbench) and a wrong format come with the
// format that fits (every reader). Torch-free and Qt-free; reads no file's content, so a folder
// that passes may still hold a truncated or corrupt file (readDataset() says so then).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mu2net/data/DatasetReader.h"
#include "mu2net/data/TaskData.h"

namespace mu2net {

/// The layout `folder`'s names suggest: Idx when it holds train-images-idx3-ubyte[.gz],
/// CifarBinary when it holds a data_batch_<N>.bin[.gz], ImageFolder when it has train/ and test/
/// subfolders; nothing when none fits or the folder cannot be listed.
std::optional<DatasetFormat> detectDatasetFormat(const std::filesystem::path& folder);

/// The names that give `format` away, for messages: "IDX files (train-images-idx3-ubyte)",
/// "CIFAR-binary files (data_batch_*.bin)", "an image folder (train/ and test/ subfolders)".
std::string formatEvidence(DatasetFormat format);

/// When `folder` holds another layout than `format`: "<folder> holds <evidence>: use "format":
/// "<name>"". Empty when it holds `format`'s files or none that are recognised.
std::string formatHint(const std::filesystem::path& folder, DatasetFormat format);

/// Why `spec`'s folder cannot be read in its format, from names alone, naming the task and the
/// configuration key (`key` is the task's own, e.g. "tasks[1]"; empty: no key named):
///   task 'fashion' (tasks[1].path): folder /x does not exist
///   task 'fashion' (tasks[1].format): format is 'idx' but /x holds CIFAR-binary files
///   (data_batch_*.bin): use "format": "cifar-binary"
/// Empty when the names fit the format.
std::string taskFolderProblem(const TaskSpec& spec, const std::string& key);

/// taskFolderProblem() of every task, keyed tasks[0], tasks[1], …; empty when all fit.
std::vector<std::string> taskFolderProblems(const std::vector<TaskSpec>& tasks);

}  // namespace mu2net
