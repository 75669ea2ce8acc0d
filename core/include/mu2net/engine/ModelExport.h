#pragma once
// Exporting a task's model for deployment outside the workbench.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mu2net/engine/Engine.h"

namespace mu2net {

/// Writes the task's retained model as a self-contained TorchScript module (torch::jit::save):
/// `forward(images)` takes a float tensor [N, 3, S, S] and returns logits [N, classes], where S is
/// `image_size()` and pixels are scaled to [-1, 1] (value / 127.5 - 1), grey images replicated to
/// three channels and resized bilinearly to S×S. The module also has `num_classes()` and
/// `class_names()`. Load it with torch::jit::load in C++ or torch.jit.load in Python.
/// Throws std::out_of_range when the task has no model, std::runtime_error on I/O failure.
void exportTorchScript(const Engine& engine, const std::string& task,
                       const std::filesystem::path& file);

/// What an exported module declares and computes, read back from its file.
struct TorchScriptModelInfo {
  int imageSize = 0;
  int numClasses = 0;
  std::vector<std::string> classNames;
  std::vector<int64_t> logitsShape;  ///< of forward() on one black image: {1, numClasses}
};

/// Loads `file` with torch::jit::load (as a deployment would) and calls image_size(),
/// num_classes(), class_names() and forward() on one image. Throws std::runtime_error naming the
/// file when it cannot be loaded or run.
TorchScriptModelInfo inspectTorchScript(const std::filesystem::path& file);

}  // namespace mu2net
