#include "app/evaluate_text.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace vigil {
namespace {

constexpr int32_t kExplainsAfterEndDays = 120;

std::string per_week(int64_t n, double weeks) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", weeks > 0 ? static_cast<double>(n) / weeks : 0.0);
  return buf;
}

}  // namespace

void TextEvaluation::note_line(std::string_view line, std::string_view risk) {
  if (risk.empty()) return;
  constexpr std::string_view kId = "\"id\":\"";
  const size_t at = line.find(kId);
  if (at == std::string_view::npos) return;
  const size_t from = at + kId.size();
  const size_t end = line.find('"', from);
  if (end == std::string_view::npos) return;
  planted_ids_[std::string(line.substr(from, end - from))] = std::string(risk);
  if (std::find(wording_risks_.begin(), wording_risks_.end(), risk) == wording_risks_.end()) {
    wording_risks_.emplace_back(risk);
  }
}

const PlantedRisk* TextEvaluation::explains(const Signal& s,
                                            const std::vector<PlantedRisk>& risks) const {
  if (s.event_ids.empty()) return nullptr;
  std::map<std::string, size_t> by_risk;
  for (const auto& id : s.event_ids) {
    auto it = planted_ids_.find(id);
    if (it != planted_ids_.end()) ++by_risk[it->second];
  }
  for (const auto& [name, n] : by_risk) {
    if (2 * n < s.event_ids.size()) continue;
    for (const auto& risk : risks) {
      if (risk.name != name) continue;
      if (s.fired_at < risk.onset || s.fired_at.days > risk.end.days + kExplainsAfterEndDays) {
        return nullptr;
      }
      return &risk;
    }
  }
  return nullptr;
}

void TextEvaluation::report(const std::vector<PlantedRisk>& risks, const std::vector<Signal>& raised,
                            Date half, double weeks, double second_half_weeks,
                            std::ostream& out) const {
  std::vector<const Signal*> text;
  for (const auto& s : raised) {
    if (s.method == "text_cluster") text.push_back(&s);
  }
  out << "text clusters (text_cluster signals matched to planted wording by their report ids):\n";
  int found = 0;
  int planted = 0;
  for (const auto& risk : risks) {
    if (std::find(wording_risks_.begin(), wording_risks_.end(), risk.name) == wording_risks_.end()) {
      continue;
    }
    ++planted;
    const Signal* first = nullptr;
    int signals = 0;
    for (const Signal* s : text) {
      if (explains(*s, risks) != &risk) continue;
      ++signals;
      if (first == nullptr || s->fired_at < first->fired_at) first = s;
    }
    out << "  " << risk.name << " (onset " << format_date(risk.onset) << "): ";
    if (first == nullptr) {
      out << "not found\n";
      continue;
    }
    ++found;
    out << "found by " << first->detector << " at stream time " << format_date(first->fired_at)
        << ", " << (first->fired_at.days - risk.onset.days) << " days after onset; "
        << first->evidence_count << " reports from " << first->evidence_orgs
        << " organisations; " << signals << " cluster signal(s); top terms:";
    for (const auto& st : first->strata) {
      if (st.dimension != "term") continue;
      for (const auto& [term, n] : st.counts) out << " " << term;
    }
    out << "\n";
  }
  int64_t unexplained = 0;
  int64_t unexplained_second_half = 0;
  for (const Signal* s : text) {
    if (explains(*s, risks) != nullptr) continue;
    ++unexplained;
    if (s->fired_at >= half) ++unexplained_second_half;
  }
  out << "found " << found << " of " << planted << " planted wording clusters; " << text.size()
      << " text signals raised, unexplained per week: " << per_week(unexplained, weeks)
      << " over the whole stream, " << per_week(unexplained_second_half, second_half_weeks)
      << " from " << format_date(half) << "\n";
}

}  // namespace vigil
