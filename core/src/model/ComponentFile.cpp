#include "model/ComponentFile.h"

#include <map>

#include "common/Sha256.h"
#include "model/ComponentIO.h"
#include "model/PickleCheck.h"
#include "model/TensorCheck.h"
#include "mu2net/common/ErrorText.h"
#include "mu2net/common/OutputFile.h"

#include <ATen/core/Dict.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mu2net {
namespace {

// The tensor as written: its own values only. torch::pickle_save writes a tensor's whole storage,
// so a view into a larger one (a slice, an offset) would carry the rest along, and the bytes (the
// component's SHA-256) would depend on how the values happen to be laid out in memory.
at::Tensor compact(const at::Tensor& t) {
  at::Tensor c = t.detach();
  if (!c.is_contiguous() || c.storage_offset() != 0 ||
      c.storage().nbytes() != static_cast<std::size_t>(c.numel()) * c.element_size())
    c = c.clone(at::MemoryFormat::Contiguous);
  return c;
}

}  // namespace

void saveComponentFile(const std::filesystem::path& file, const SlotTensors& components) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [slot, tensors] : components)
    for (std::size_t i = 0; i < tensors->params.size(); ++i)
      dict.insert(slot + "/" + tensors->names[i], compact(tensors->params[i]));
  const std::vector<char> bytes = torch::jit::pickle_save(c10::IValue(dict));
  writeOutputFile(file, std::string_view(bytes.data(), bytes.size()));
}

SlotTensors loadComponentFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open component file " + file.string());
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  checkPickleArchive(bytes, "component file " + file.string());  // before LibTorch allocates
  c10::IValue value;
  try {
    value = torch::jit::pickle_load(bytes);
  } catch (const c10::Error& e) {
    // LibTorch's first line says what is wrong with the file; its C++ backtrace only under
    // --verbose (for a bug report).
    throw std::runtime_error("component file " + file.string() +
                             " is not a readable tensor dict: " +
                             (verboseErrors() ? e.what() : e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw std::runtime_error("component file " + file.string() +
                             " is not a readable tensor dict: " + e.what());
  }
  if (!value.isGenericDict())
    throw std::runtime_error("component file " + file.string() + " does not hold a dict");
  SlotTensors out;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isTensor())
      throw std::runtime_error("component file " + file.string() +
                               ": every entry must map a \"slot/param\" string to a tensor");
    const std::string key = entry.key().toStringRef();
    const auto slash = key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == key.size())
      throw std::runtime_error("component file " + file.string() + ": key '" + key +
                               "' is not of the form slot/param");
    const std::string slot = key.substr(0, slash);
    at::Tensor t = entry.value().toTensor();
    checkStoredTensor(t, "component file " + file.string() + ", tensor '" + key + "'");
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == slot; });
    if (it == out.end()) it = out.emplace(out.end(), slot, ComponentTensors::create({}, {}));
    auto& c = *it->second;
    c.names.push_back(key.substr(slash + 1));
    c.params.push_back(t.contiguous().clone());
    c.momentum.push_back(at::zeros_like(c.params.back()));
  }
  if (out.empty()) throw std::runtime_error("component file " + file.string() + " is empty");
  return out;
}

}  // namespace mu2net

namespace mu2net {

std::vector<char> serializeComponent(const ComponentTensors& component) {
  c10::Dict<std::string, at::Tensor> dict;
  for (std::size_t i = 0; i < component.params.size(); ++i)
    dict.insert("param/" + component.names[i], compact(component.params[i]));
  for (std::size_t i = 0; i < component.momentum.size(); ++i)
    dict.insert("momentum/" + component.names[i], compact(component.momentum[i]));
  return torch::jit::pickle_save(c10::IValue(dict));
}

std::shared_ptr<ComponentTensors> deserializeComponent(
    const std::vector<char>& bytes, const std::string& where,
    const std::vector<std::vector<int64_t>>* expectedShapes) {
  checkPickleArchive(bytes, where);  // before LibTorch allocates what the pickle declares
  c10::IValue value;
  try {
    value = torch::jit::pickle_load(bytes);
  } catch (const std::exception& e) {
    throw std::runtime_error(where + " is not a readable component file (truncated or corrupt)");
  }
  if (!value.isGenericDict()) throw std::runtime_error(where + " does not hold a tensor dict");
  auto out = ComponentTensors::create({}, {});
  std::vector<std::string> names;
  std::vector<at::Tensor> params;
  std::map<std::string, at::Tensor> momentum;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isTensor())
      throw std::runtime_error(where + ": entries must map strings to tensors");
    const std::string key = entry.key().toStringRef();
    const at::Tensor t = entry.value().toTensor();
    // Before anything reads its values: a crafted shape may reach beyond the storage.
    checkStoredTensor(t, where + ", tensor '" + key + "'");
    if (key.rfind("param/", 0) == 0 && key.size() > 6) {
      if (std::find(names.begin(), names.end(), key.substr(6)) != names.end())
        throw std::runtime_error(where + ": tensor '" + key + "' appears twice");
      names.push_back(key.substr(6));
      params.push_back(t);
    } else if (key.rfind("momentum/", 0) == 0 && key.size() > 9) {
      momentum[key.substr(9)] = t;
    } else {
      throw std::runtime_error(where + ": unexpected entry '" + key + "'");
    }
  }
  if (params.empty()) throw std::runtime_error(where + " holds no parameters");
  if (momentum.size() != params.size())
    throw std::runtime_error(where + ": holds " + std::to_string(momentum.size()) +
                             " momentum tensors for " + std::to_string(params.size()) +
                             " parameters");
  if (expectedShapes && expectedShapes->size() != params.size())
    throw std::runtime_error(where + ": holds " + std::to_string(params.size()) +
                             " parameters, the store recorded " +
                             std::to_string(expectedShapes->size()));
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (expectedShapes)
      checkTensorShape(params[i], (*expectedShapes)[i],
                       where + ", tensor 'param/" + names[i] + "'");
    const auto it = momentum.find(names[i]);
    if (it == momentum.end() || !it->second.sizes().equals(params[i].sizes()))
      throw std::runtime_error(where + ": momentum of '" + names[i] + "' missing or misshapen");
    out->names.push_back(names[i]);
    out->params.push_back(params[i].contiguous().clone());
    out->momentum.push_back(it->second.contiguous().clone());
  }
  return out;
}

std::string componentSha256(const ComponentTensors& component) {
  const std::vector<char> bytes = serializeComponent(component);
  return sha256Hex(std::string_view(bytes.data(), bytes.size()));
}

std::string legacyComponentSha256(const ComponentTensors& component) {
  return component.sha256Hex();
}

std::vector<std::vector<int64_t>> componentShapesOf(const ComponentTensors& component) {
  return component.shapes();
}

}  // namespace mu2net
