#include "synthetic/planted_risk_match.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include "ingest/field_rules.h"

namespace vigil {
namespace {

constexpr int32_t kExplainsAfterEndDays = 120;

}  // namespace

bool signal_finds(const Signal& s, const PlantedRisk& risk) {
  if (s.fired_at < risk.onset || s.fired_at.days > risk.end.days + kExplainsAfterEndDays) {
    return false;
  }
  if ((s.method == "severity_rule") != risk.never_event) return false;
  // A text cluster's key after its id lists what its reports happen to
  // share, not the series it judges: a field the risk does not define (three
  // reports that share an ethnic group by chance) says nothing against it.
  const bool descriptive = s.method == "text_cluster";
  // A key part for a field the risk leaves undefined.
  const auto undefined = [&] { return descriptive; };
  bool identified = false;
  for (const auto& [dimension, value] : s.key) {
    const std::string_view v = value;
    if (dimension == "medication") {
      if (risk.medication_code.empty()) {
        if (undefined()) continue;
        return false;
      }
      if (v != risk.medication_code) return false;
      identified = true;
    } else if (dimension == "device") {
      // A device is keyed by its code when the report gives one, else by
      // "manufacturer model" as the decoder normalised them (lower case).
      if (risk.device_model.empty()) {
        if (undefined()) continue;
        return false;
      }
      std::string model;
      normalise_identity_text(risk.device_model, LetterCase::kLower, model);
      if (v.find(model) == std::string_view::npos && v != risk.device_code) return false;
      identified = true;
    } else if (dimension == "org") {
      if (risk.org.empty()) {
        if (undefined()) continue;
        return false;
      }
      if (v != risk.org) return false;
      identified = true;
    } else if (dimension == "ethnicity") {
      if (risk.ethnicity.empty()) {
        if (undefined()) continue;
        return false;
      }
      if (v != risk.ethnicity) return false;
      identified = true;
    } else if (dimension == "category") {
      if (!risk.category.empty() && v != risk.category) return false;
      // A risk defined by service area (maternity) spans that area's categories.
      if (risk.category.empty() && risk.service_area.empty() && !undefined()) return false;
    } else if (dimension == "service_area") {
      if (!risk.service_area.empty() && v != risk.service_area) return false;
    } else if (dimension == "region") {
      if (!risk.regions.empty() &&
          std::find(risk.regions.begin(), risk.regions.end(), v) == risk.regions.end()) {
        return false;
      }
    }
  }
  return identified;
}

std::vector<RiskFinding> find_planted_risks(const std::vector<PlantedRisk>& risks,
                                            const std::vector<Signal>& raised) {
  std::vector<RiskFinding> out;
  for (const auto& risk : risks) {
    RiskFinding f{&risk, nullptr};
    for (const auto& s : raised) {
      if (signal_finds(s, risk) && (f.first == nullptr || s.fired_at < f.first->fired_at)) {
        f.first = &s;
      }
    }
    out.push_back(f);
  }
  return out;
}

void report_planted_risks(const std::vector<PlantedRisk>& risks, const std::vector<Signal>& raised,
                          std::ostream& err) {
  err << "planted risks:\n";
  for (const RiskFinding& f : find_planted_risks(risks, raised)) {
    err << "  " << f.risk->name << " (onset " << format_date(f.risk->onset) << "): ";
    if (f.first != nullptr) {
      err << "found by " << f.first->detector << " (" << f.first->method << ") at stream time "
          << format_date(f.first->fired_at) << ", " << (f.first->fired_at.days - f.risk->onset.days)
          << " days after onset\n";
    } else {
      err << "not found (yet: the stream may not have reached it, or no detector covers it)\n";
    }
  }
}

void report_detection_table(const std::vector<PlantedRisk>& risks,
                            const std::vector<Signal>& raised, std::ostream& out) {
  out << "detection table (days from onset to each detector's first raised signal; p: "
         "provisional, raised while its period was still open):\n";
  std::vector<int32_t> firsts;
  for (const auto& risk : risks) {
    std::map<std::string, const Signal*> by_detector;
    for (const auto& s : raised) {
      if (!signal_finds(s, risk)) continue;
      const Signal*& first = by_detector[s.detector];
      if (first == nullptr || s.fired_at < first->fired_at) first = &s;
    }
    out << "  " << risk.name << ":";
    if (by_detector.empty()) out << " not found";
    int32_t first = -1;
    for (const auto& [detector, s] : by_detector) {
      const int32_t days = s->fired_at.days - risk.onset.days;
      out << " " << detector << " " << days
          << (s->detection && s->detection->provisional ? "p" : "");
      if (first < 0 || days < first) first = days;
    }
    out << "\n";
    if (first >= 0) firsts.push_back(first);
  }
  std::sort(firsts.begin(), firsts.end());
  out << "found " << firsts.size() << " of " << risks.size() << " planted risks";
  if (!firsts.empty()) {
    const size_t n = firsts.size();
    const double median = n % 2 == 1 ? firsts[n / 2] : (firsts[n / 2 - 1] + firsts[n / 2]) / 2.0;
    out << "; first detection: median " << median << " days after onset, latest "
        << firsts.back() << " days";
  }
  out << "\n";
}

}  // namespace vigil
