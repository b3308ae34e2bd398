#include "detectors/space_time_scan_zones.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace vigil {

std::string_view to_string(NeighbourhoodKind kind) {
  switch (kind) {
    case NeighbourhoodKind::kOrg: return "org";
    case NeighbourhoodKind::kIcb: return "icb";
    case NeighbourhoodKind::kRegion: return "region";
  }
  return "org";
}

double great_circle_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRadians = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRadians;
  const double dlon = (lon2 - lon1) * kRadians;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kRadians) * std::cos(lat2 * kRadians) * std::sin(dlon / 2) *
                       std::sin(dlon / 2);
  return 2 * 6371.0 * std::asin(std::min(1.0, std::sqrt(a)));
}

Neighbourhoods hierarchy_neighbourhoods(const std::vector<ScanZone>& zones, uint64_t max_cases) {
  Neighbourhoods out;
  std::set<std::vector<uint32_t>> seen;
  const auto add = [&](NeighbourhoodKind kind, std::string_view code, std::vector<uint32_t> members,
                       uint64_t cases) {
    if (members.empty() || cases > max_cases || !seen.insert(members).second) return;
    const auto size = static_cast<uint32_t>(members.size());
    out.chains.push_back(ZoneChain{std::move(members), {size}});
    out.names.push_back(NeighbourhoodName{kind, code});
  };
  for (uint32_t z = 0; z < zones.size(); ++z) {
    add(NeighbourhoodKind::kOrg, zones[z].org, {z}, zones[z].cases);
  }
  // Members in zone order (by org code), so a set's identity is its list.
  for (const auto kind : {NeighbourhoodKind::kIcb, NeighbourhoodKind::kRegion}) {
    std::map<std::string_view, std::pair<std::vector<uint32_t>, uint64_t>> groups;
    for (uint32_t z = 0; z < zones.size(); ++z) {
      const std::string_view code = kind == NeighbourhoodKind::kIcb ? zones[z].icb : zones[z].region;
      if (code.empty()) continue;
      auto& [members, cases] = groups[code];
      members.push_back(z);
      cases += zones[z].cases;
    }
    for (auto& [code, group] : groups) add(kind, code, std::move(group.first), group.second);
  }
  return out;
}

CoordinateNeighbours::CoordinateNeighbours(const std::vector<OrgLocation>& locations) {
  std::vector<const OrgLocation*> sorted;
  for (const auto& l : locations) sorted.push_back(&l);
  std::sort(sorted.begin(), sorted.end(),
            [](const OrgLocation* a, const OrgLocation* b) { return a->org < b->org; });
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [](const OrgLocation* a, const OrgLocation* b) { return a->org == b->org; }),
               sorted.end());
  codes_.reserve(sorted.size());
  for (const auto* l : sorted) codes_.push_back(l->org);
  for (uint32_t i = 0; i < codes_.size(); ++i) index_.emplace(codes_[i], i);
  const auto n = static_cast<uint32_t>(sorted.size());
  by_distance_.resize(n);
  std::vector<double> distance(n);
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t j = 0; j < n; ++j) {
      distance[j] = great_circle_km(sorted[i]->latitude, sorted[i]->longitude, sorted[j]->latitude,
                                    sorted[j]->longitude);
    }
    auto& order = by_distance_[i];
    order.resize(n);
    std::iota(order.begin(), order.end(), 0u);
    // Codes are sorted, so index order breaks distance ties by code; the
    // centre itself (distance 0) comes first unless another organisation
    // shares its site and sorts before it, so it is placed first explicitly.
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      if (a == i || b == i) return a == i && b != i;
      return distance[a] < distance[b];
    });
  }
}

Neighbourhoods CoordinateNeighbours::build(const std::vector<ScanZone>& zones,
                                           uint64_t max_cases) const {
  Neighbourhoods out;
  // Zone of each located organisation that has cases (none: skipped).
  std::vector<uint32_t> zone_of(codes_.size(), UINT32_MAX);
  for (uint32_t z = 0; z < zones.size(); ++z) {
    auto it = index_.find(zones[z].org);
    if (it != index_.end()) zone_of[it->second] = z;
  }
  for (uint32_t z = 0; z < zones.size(); ++z) {
    auto it = index_.find(zones[z].org);
    ZoneChain chain;
    if (it == index_.end()) {
      if (zones[z].cases <= max_cases) chain = ZoneChain{{z}, {1}};
    } else {
      uint64_t cases = 0;
      for (const uint32_t other : by_distance_[it->second]) {
        const uint32_t oz = zone_of[other];
        if (oz == UINT32_MAX) continue;
        cases += zones[oz].cases;
        if (cases > max_cases) break;
        chain.zones.push_back(oz);
        chain.sizes.push_back(static_cast<uint32_t>(chain.zones.size()));
      }
    }
    if (chain.zones.empty()) continue;
    out.chains.push_back(std::move(chain));
    out.names.push_back(NeighbourhoodName{NeighbourhoodKind::kOrg, zones[z].org});
  }
  return out;
}

}  // namespace vigil
