#include "mu2net/engine/ModelExport.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include <cmath>
#include <iomanip>
#include <sstream>

#include "model/ComponentTensors.h"
#include "model/Network.h"
#include "mu2net/common/OutputFile.h"

namespace mu2net {
namespace {

std::string literal(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  std::string s = os.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

// The TorchScript source mirrors forwardRoute() in Network.cpp op for op, so the exported module
// computes the same logits as the engine (the export test compares them).
void exportTorchScript(const Engine& engine, const std::string& task,
                       const std::filesystem::path& file) {
  const RetainedModel m = engine.retainedModel(task);
  const ArchitectureConfig& a = m.architecture;
  const bool vit = a.kind == ArchitectureKind::Vit;
  torch::jit::Module module("Mu2NetTaskModel");
  const auto name = [](std::size_t i, std::size_t j) {
    return "p" + std::to_string(i) + "_" + std::to_string(j);
  };
  for (std::size_t i = 0; i < m.tensors.size(); ++i)
    for (std::size_t j = 0; j < m.tensors[i]->params.size(); ++j)
      module.register_parameter(name(i, j), m.tensors[i]->params[j].detach().clone(), false);
  const auto p = [&](std::size_t i, std::size_t j) { return "self." + name(i, j); };

  std::ostringstream src;
  src << "def forward(self, x):\n";
  const std::size_t last = m.tensors.size() - 1;  // head
  const std::size_t norm = last - 1;
  const std::size_t firstBlock = vit ? 3 : 1;
  if (vit) {
    const int d = a.width, heads = a.heads, dh = a.width / a.heads;
    if (a.stem == StemKind::Conv) {
      const std::size_t convs = convStemChannels(a).size();
      for (std::size_t j = 0; j < convs; ++j) {
        src << "    x = torch.conv2d(x, " << p(0, 2 * j) << ", " << p(0, 2 * j + 1)
            << ", [2, 2], [1, 1])\n";
        if (j + 1 < convs) src << "    x = torch.relu(x)\n";
      }
      src << "    x = x.flatten(2).transpose(1, 2)\n";
    } else {
      src << "    x = torch.conv2d(x, " << p(0, 0) << ", " << p(0, 1) << ", [" << a.patchSize
          << ", " << a.patchSize << "]).flatten(2).transpose(1, 2)\n";
    }
    src << "    n = x.size(0)\n"
        << "    x = torch.cat([" << p(1, 0) << ".expand(n, 1, " << d << "), x], 1)\n"
        << "    x = x + " << p(2, 0) << "\n";
    for (std::size_t i = firstBlock; i < norm; ++i) {
      src << "    t = x.size(1)\n"
          << "    h = torch.layer_norm(x, [" << d << "], " << p(i, 0) << ", " << p(i, 1) << ", "
          << literal(kLayerNormEps) << ")\n"
          << "    qkv = torch.linear(h, " << p(i, 2) << ", " << p(i, 3) << ").view(n, t, 3, "
          << heads << ", " << dh << ").permute(2, 0, 3, 1, 4)\n"
          << "    q = qkv.select(0, 0) * " << literal(1.0 / std::sqrt(static_cast<double>(dh)))
          << "\n"
          << "    att = torch.softmax(torch.matmul(q, qkv.select(0, 1).transpose(-2, -1)), -1)\n"
          << "    o = torch.matmul(att, qkv.select(0, 2)).transpose(1, 2).reshape(n, t, " << d
          << ")\n"
          << "    x = x + torch.linear(o, " << p(i, 4) << ", " << p(i, 5) << ")\n"
          << "    h = torch.layer_norm(x, [" << d << "], " << p(i, 6) << ", " << p(i, 7) << ", "
          << literal(kLayerNormEps) << ")\n"
          << "    h = torch.gelu(torch.linear(h, " << p(i, 8) << ", " << p(i, 9) << "))\n"
          << "    x = x + torch.linear(h, " << p(i, 10) << ", " << p(i, 11) << ")\n";
    }
    src << "    f = x.select(1, 0)\n";
  } else {
    src << "    x = torch.relu(torch.conv2d(x, " << p(0, 0) << ", " << p(0, 1)
        << ", [2, 2], [1, 1]))\n";
    for (std::size_t i = firstBlock; i < norm; ++i)
      src << "    h = torch.relu(torch.conv2d(x, " << p(i, 0) << ", " << p(i, 1)
          << ", [1, 1], [1, 1]))\n"
          << "    x = torch.relu(x + torch.conv2d(h, " << p(i, 2) << ", " << p(i, 3)
          << ", [1, 1], [1, 1]))\n";
    src << "    f = x.mean([2, 3])\n";
  }
  src << "    f = torch.layer_norm(f, [" << a.width << "], " << p(norm, 0) << ", " << p(norm, 1)
      << ", " << literal(kLayerNormEps) << ")\n"
      << "    return torch.linear(f, " << p(last, 0) << ", " << p(last, 1) << ")\n\n"
      << "def image_size(self) -> int:\n    return " << m.imageSize << "\n\n"
      << "def num_classes(self) -> int:\n    return " << m.numClasses << "\n\n"
      << "def class_names(self) -> List[str]:\n    return [";
  for (std::size_t i = 0; i < m.classNames.size(); ++i)
    src << (i ? ", " : "") << quoted(m.classNames[i]);
  src << "]\n";
  module.define(src.str());
  // Serialised in memory, then written whole (writeOutputFile): torch's file writer aborts the
  // process on a failed write (a full disk, /dev/full) and leaves a partial file behind.
  std::ostringstream bytes;
  try {
    module.save(bytes);
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot serialise the model of task '" + task +
                             "': " + e.what_without_backtrace());
  }
  writeOutputFile(file, bytes.str());
}

TorchScriptModelInfo inspectTorchScript(const std::filesystem::path& file) {
  try {
    torch::jit::Module module = torch::jit::load(file.string());
    TorchScriptModelInfo info;
    info.imageSize = static_cast<int>(module.run_method("image_size").toInt());
    info.numClasses = static_cast<int>(module.run_method("num_classes").toInt());
    for (const auto& name : module.run_method("class_names").toListRef())
      info.classNames.push_back(name.toStringRef());
    c10::InferenceMode inference;
    const at::Tensor logits =
        module.forward({torch::zeros({1, 3, info.imageSize, info.imageSize})}).toTensor();
    info.logitsShape = logits.sizes().vec();
    return info;
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot load the TorchScript module " + file.string() + ": " +
                             e.what_without_backtrace());
  }
}

}  // namespace mu2net
