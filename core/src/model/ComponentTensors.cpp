#include "model/ComponentTensors.h"

#include <stdexcept>

#include "common/Sha256.h"

namespace mu2net {

std::shared_ptr<ComponentTensors> ComponentTensors::create(std::vector<std::string> names,
                                                           std::vector<torch::Tensor> params) {
  if (names.size() != params.size())
    throw std::invalid_argument("ComponentTensors::create: " + std::to_string(names.size()) +
                                " names for " + std::to_string(params.size()) + " tensors");
  auto out = std::make_shared<ComponentTensors>();
  out->names = std::move(names);
  out->params = std::move(params);
  out->momentum.reserve(out->params.size());
  for (const auto& p : out->params)
    out->momentum.push_back(at::zeros_like(p));
  return out;
}

std::shared_ptr<ComponentTensors> ComponentTensors::clone() const {
  // The copy must never share storage or autograd history with the source: the source may be a
  // locked component of another task, and the copy is about to be trained.
  at::NoGradGuard noGrad;
  auto out = std::make_shared<ComponentTensors>();
  out->names = names;
  out->params.reserve(params.size());
  out->momentum.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    out->params.push_back(params[i].detach().clone(at::MemoryFormat::Contiguous));
    const bool hasMomentum = i < momentum.size() && momentum[i].defined();
    out->momentum.push_back(hasMomentum ? momentum[i].detach().clone(at::MemoryFormat::Contiguous)
                                        : at::zeros_like(out->params.back()));
  }
  return out;
}

int64_t ComponentTensors::numel() const {
  int64_t total = 0;
  for (const auto& p : params)
    total += p.numel();
  return total;
}

std::vector<std::vector<int64_t>> ComponentTensors::shapes() const {
  std::vector<std::vector<int64_t>> out;
  out.reserve(params.size());
  for (const auto& p : params)
    out.emplace_back(p.sizes().begin(), p.sizes().end());
  return out;
}

std::string ComponentTensors::sha256Hex() const {
  Sha256 hash;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string& name = i < names.size() ? names[i] : std::string();
    hash.updateU64(name.size());
    hash.update(name);
    // Hash a float32 CPU view so the fingerprint depends on values only, not on layout or dtype.
    const at::Tensor values = params[i].detach().to(at::kCPU, at::kFloat).contiguous();
    hash.updateU64(static_cast<std::uint64_t>(values.dim()));
    for (int64_t d : values.sizes())
      hash.updateU64(static_cast<std::uint64_t>(d));
    const auto bytes = static_cast<std::size_t>(values.numel()) * sizeof(float);
    hash.updateU64(bytes);
    hash.update(values.data_ptr<float>(), bytes);
  }
  return hash.hexDigest();
}

}  // namespace mu2net
