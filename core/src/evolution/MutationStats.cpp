#include "mu2net/evolution/MutationStats.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "mu2net/evolution/SlotKindName.h"

namespace mu2net {

namespace {

// A row being counted: its children's improved flags and score changes.
struct Tally {
  MutationStat row;
  std::vector<double> deltas;

  void add(const ChildFinishedEvent& c) {
    ++row.children;
    if (c.improved) ++row.improved;
    if (c.parentTask == c.task) deltas.push_back(c.score - c.parentScore);
  }

  MutationStat finish() {
    row.withDelta = static_cast<int64_t>(deltas.size());
    if (deltas.empty()) return row;
    row.meanDelta = std::accumulate(deltas.begin(), deltas.end(), 0.0) / double(deltas.size());
    std::sort(deltas.begin(), deltas.end());
    const std::size_t n = deltas.size();
    row.medianDelta = n % 2 == 1 ? deltas[n / 2] : (deltas[n / 2 - 1] + deltas[n / 2]) / 2;
    return row;
  }
};

Tally tally(MutationStat::Kind kind, std::string label) {
  Tally t;
  t.row.kind = kind;
  t.row.label = std::move(label);
  return t;
}

void appendNonEmpty(std::vector<MutationStat>& out, Tally& t) {
  if (t.row.children > 0) out.push_back(t.finish());
}

}  // namespace

std::vector<MutationStat> mutationStats(const std::vector<ChildFinishedEvent>& children,
                                        const std::string& task) {
  Tally all = tally(MutationStat::Kind::All, "all children");
  Tally none = tally(MutationStat::Kind::NoMutation, "no hyperparameter mutation");
  Tally sharing = tally(MutationStat::Kind::Sharing, "shares a layer");
  Tally noSharing = tally(MutationStat::Kind::Sharing, "shares no layer");
  std::map<std::string, Tally> byHParam;
  // (first position in a route, slot, kind) orders the layer rows by route order.
  std::map<std::string, std::size_t> slotPosition;
  std::map<std::pair<std::string, SlotOrigin::Kind>, Tally> byLayer;

  for (const auto& c : children) {
    if (!task.empty() && c.task != task) continue;
    all.add(c);
    if (c.mutations.empty()) none.add(c);
    std::set<std::string> names;
    for (const auto& m : c.mutations)
      names.insert(m.name);
    for (const auto& name : names) {
      auto [it, added] = byHParam.try_emplace(name, tally(MutationStat::Kind::HParam, name));
      it->second.row.hparam = name;
      it->second.add(c);
    }
    bool shares = false;
    for (std::size_t i = 0; i < c.slots.size(); ++i) {
      const SlotOrigin& s = c.slots[i];
      shares = shares || s.kind == SlotOrigin::Kind::Shared;
      auto [pos, fresh] = slotPosition.try_emplace(s.slot, i);
      if (!fresh) pos->second = std::min(pos->second, i);
      auto [it, added] = byLayer.try_emplace(
          {s.slot, s.kind}, tally(MutationStat::Kind::Layer, s.slot + " " + slotKindName(s.kind)));
      it->second.row.slot = s.slot;
      it->second.row.slotKind = s.kind;
      it->second.add(c);
    }
    (shares ? sharing : noSharing).add(c);
  }

  std::vector<MutationStat> out{all.finish()};
  appendNonEmpty(out, none);
  for (auto& [name, t] : byHParam)
    appendNonEmpty(out, t);
  appendNonEmpty(out, sharing);
  appendNonEmpty(out, noSharing);
  std::vector<std::tuple<std::size_t, std::string, int>> layerOrder;
  for (const auto& [key, t] : byLayer)
    layerOrder.emplace_back(slotPosition.at(key.first), key.first, static_cast<int>(key.second));
  std::sort(layerOrder.begin(), layerOrder.end());
  for (const auto& [position, slot, kind] : layerOrder)
    appendNonEmpty(out, byLayer.at({slot, static_cast<SlotOrigin::Kind>(kind)}));
  return out;
}

std::vector<ScorePoint> scoreAgainst(const std::vector<ChildFinishedEvent>& children,
                                     const std::string& hparam, const std::string& task) {
  std::vector<ScorePoint> points;
  for (const auto& c : children) {
    if (!task.empty() && c.task != task) continue;
    const auto it = c.hparams.find(hparam);
    if (it == c.hparams.end()) continue;
    points.push_back({it->second, c.score, c.task, c.improved});
  }
  return points;
}

std::vector<std::string> hparamNames(const std::vector<ChildFinishedEvent>& children) {
  std::set<std::string> names;
  for (const auto& c : children)
    for (const auto& [name, value] : c.hparams)
      names.insert(name);
  return {names.begin(), names.end()};
}

}  // namespace mu2net
