// The candidate zone sets ("neighbourhoods") of the space-time scan, built
// afresh for each analysis from the organisations that have cases in its
// study period. Every set is bounded by the maximum cluster size: at most
// `max_cases` of the study period's cases (SaTScan's maximum spatial
// cluster size, as a share of the cases).
//  - hierarchy: each organisation alone, each ICB (the organisations whose
//    events name it) and each region; a set equal to one already listed
//    (an ICB of one organisation) is listed once.
//  - coordinates: each organisation with its k nearest neighbours by
//    great-circle distance (ties by code), k = 0, 1, 2, ... while the set
//    stays within the bound, as SaTScan grows its circles. Organisations
//    without coordinates are scanned alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detectors/space_time_scan_stats.h"

namespace vigil {

struct OrgLocation {
  std::string org;
  double latitude = 0;   // degrees
  double longitude = 0;  // degrees
};

// One organisation of an analysis: zone i of its scan table.
struct ScanZone {
  std::string_view org;
  std::string_view icb;     // empty when no event named one
  std::string_view region;  // likewise
  uint64_t cases = 0;       // in the study period
};

enum class NeighbourhoodKind : uint8_t { kOrg, kIcb, kRegion };

// What a chain is called in signals: for an organisation's circle of
// neighbours its centre (kOrg), whatever its size.
struct NeighbourhoodName {
  NeighbourhoodKind kind = NeighbourhoodKind::kOrg;
  std::string_view code;
};

std::string_view to_string(NeighbourhoodKind kind);  // "org" | "icb" | "region"

struct Neighbourhoods {
  std::vector<ZoneChain> chains;
  std::vector<NeighbourhoodName> names;  // one per chain
};

// Great-circle distance in km (haversine, mean Earth radius 6371 km).
double great_circle_km(double lat1, double lon1, double lat2, double lon2);

// `zones` sorted by org, each with at least one case.
Neighbourhoods hierarchy_neighbourhoods(const std::vector<ScanZone>& zones, uint64_t max_cases);

// Each located organisation's others by distance, computed once.
class CoordinateNeighbours {
 public:
  explicit CoordinateNeighbours(const std::vector<OrgLocation>& locations);
  bool empty() const { return codes_.empty(); }
  Neighbourhoods build(const std::vector<ScanZone>& zones, uint64_t max_cases) const;

 private:
  std::vector<std::string> codes_;
  std::unordered_map<std::string_view, uint32_t> index_;  // views of codes_
  std::vector<std::vector<uint32_t>> by_distance_;        // self first
};

}  // namespace vigil
