#include "model/ComponentFile.h"

#include <map>

#include "model/ComponentIO.h"

#include <ATen/core/Dict.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mu2net {

void saveComponentFile(const std::filesystem::path& file, const SlotTensors& components) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [slot, tensors] : components)
    for (std::size_t i = 0; i < tensors->params.size(); ++i)
      dict.insert(slot + "/" + tensors->names[i], tensors->params[i].detach().contiguous());
  const std::vector<char> bytes = torch::jit::pickle_save(c10::IValue(dict));
  const auto tmp = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string() + " (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp.string() + ": " + ec.message());
}

SlotTensors loadComponentFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open component file " + file.string());
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::IValue value;
  try {
    value = torch::jit::pickle_load(bytes);
  } catch (const c10::Error& e) {
    // Without LibTorch's C++ backtrace: the first line says what is wrong with the file.
    throw std::runtime_error("component file " + file.string() +
                             " is not a readable tensor dict: " + e.what_without_backtrace());
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
    if (t.scalar_type() != at::kFloat)
      throw std::runtime_error("component file " + file.string() + ": tensor '" + key +
                               "' is not float32");
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
    dict.insert("param/" + component.names[i], component.params[i].detach().contiguous());
  for (std::size_t i = 0; i < component.momentum.size(); ++i)
    dict.insert("momentum/" + component.names[i], component.momentum[i].detach().contiguous());
  return torch::jit::pickle_save(c10::IValue(dict));
}

std::shared_ptr<ComponentTensors> deserializeComponent(const std::vector<char>& bytes,
                                                       const std::string& where) {
  c10::IValue value;
  try {
    value = torch::jit::pickle_load(bytes);
  } catch (const std::exception& e) {
    throw std::runtime_error(where + " is not a readable component file (truncated or corrupt)");
  }
  if (!value.isGenericDict()) throw std::runtime_error(where + " does not hold a tensor dict");
  auto out = ComponentTensors::create({}, {});
  std::map<std::string, at::Tensor> momentum;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isTensor())
      throw std::runtime_error(where + ": entries must map strings to tensors");
    const std::string key = entry.key().toStringRef();
    const at::Tensor t = entry.value().toTensor();
    if (t.scalar_type() != at::kFloat)
      throw std::runtime_error(where + ": tensor '" + key + "' is not float32");
    if (key.rfind("param/", 0) == 0) {
      out->names.push_back(key.substr(6));
      out->params.push_back(t.contiguous().clone());
    } else if (key.rfind("momentum/", 0) == 0) {
      momentum[key.substr(9)] = t.contiguous().clone();
    } else {
      throw std::runtime_error(where + ": unexpected entry '" + key + "'");
    }
  }
  for (std::size_t i = 0; i < out->names.size(); ++i) {
    const auto it = momentum.find(out->names[i]);
    if (it == momentum.end() || !it->second.sizes().equals(out->params[i].sizes()))
      throw std::runtime_error(where + ": momentum of '" + out->names[i] +
                               "' missing or misshapen");
    out->momentum.push_back(it->second);
  }
  if (out->params.empty()) throw std::runtime_error(where + " holds no parameters");
  return out;
}

std::string componentSha256(const ComponentTensors& component) {
  return component.sha256Hex();
}

std::vector<std::vector<int64_t>> componentShapesOf(const ComponentTensors& component) {
  return component.shapes();
}

}  // namespace mu2net
