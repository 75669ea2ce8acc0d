#include "ComponentFile.h"

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
