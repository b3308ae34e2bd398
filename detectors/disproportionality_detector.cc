#include "detectors/disproportionality_detector.h"

#include <spdlog/spdlog.h>

#include <cmath>

#include "core/named_values.h"
#include "detectors/disproportionality.h"
#include "detectors/ebgm_prior_fit.h"

namespace vigil {
namespace {

// The row of the window's totals; no item code can contain this byte.
constexpr std::string_view kTotalsKey = "\x1d";

}  // namespace

std::string_view to_string(DisproportionalityMethod m) {
  switch (m) {
    case DisproportionalityMethod::kPrr: return "prr";
    case DisproportionalityMethod::kRor: return "ror";
    case DisproportionalityMethod::kIc: return "ic";
    case DisproportionalityMethod::kEbgm: return "ebgm";
  }
  return "?";
}

std::string_view decisive_statistic(DisproportionalityMethod m) {
  switch (m) {
    case DisproportionalityMethod::kPrr: return "prr";
    case DisproportionalityMethod::kRor: return "ror_lo95";
    case DisproportionalityMethod::kIc: return "ic025";
    case DisproportionalityMethod::kEbgm: return "eb05";
  }
  return "?";
}

std::optional<DisproportionalityMethod> parse_disproportionality_method(std::string_view name) {
  return parse_enum(name, {DisproportionalityMethod::kPrr, DisproportionalityMethod::kRor,
                           DisproportionalityMethod::kIc, DisproportionalityMethod::kEbgm});
}

Result<std::unique_ptr<DisproportionalityDetector>> DisproportionalityDetector::create(
    DisproportionalityConfig config, int32_t partition, ColumnFamilyId cf) {
  if (config.min_count < 1) return config_error(config.name, "min_count must be at least 1");
  if (config.window.window_weeks < 1 || config.window.window_weeks > 104) {
    return config_error(config.name, "window_weeks must be 1..104");
  }
  if (config.prior && !is_valid_prior(*config.prior)) {
    return config_error(config.name,
                        "prior needs alpha1, beta1, alpha2, beta2 > 0 and p in [0, 1]");
  }
  if (!is_valid_prior(config.prior_start)) {
    return config_error(config.name, "prior_start is not a valid prior");
  }
  return std::unique_ptr<DisproportionalityDetector>(
      new DisproportionalityDetector(std::move(config), partition, cf));
}

DisproportionalityDetector::DisproportionalityDetector(DisproportionalityConfig config,
                                                       int32_t partition, ColumnFamilyId cf)
    : WindowedDetector(config.name, partition, cf, kOutcomeMeasures, config.window.window_weeks,
                       config.window.grace_days),
      config_(std::move(config)),
      dimensions_{config_.item} {}

bool DisproportionalityDetector::count_event(const IncidentEvent& event, int32_t week,
                                             int sign) {
  const auto counted = count_outcome(event, config_.population, config_.outcome);
  if (!counted) return false;
  bool named_any = false;
  for_each_key(event, dimensions_, key_state_, [&](std::string_view key) {
    named_any = true;
    table_.add(key, week, counted->mask, sign, counted->evidence);
  });
  // The background is the reports that name some item of this kind, each
  // counted once: an incident without a medicine says nothing about medicines.
  if (named_any) table_.add(kTotalsKey, week, counted->mask, sign, nullptr);
  return true;
}

void DisproportionalityDetector::judge(int32_t week, Date stream_time, std::vector<Signal>& out) {
  const int32_t from = week - table_.window() + 1;
  // The first complete window is the baseline: what meets the criterion
  // there is already known.
  const bool first_judgement = from == table_.first_period();
  RollingTable::Row* totals_row = table_.find(kTotalsKey);
  if (totals_row == nullptr) return;
  int64_t totals[2];
  table_.sum(*totals_row, from, week, totals);
  const int64_t reports = totals[0];
  const int64_t outcomes = totals[1];
  if (reports == 0) return;

  struct Pair {
    std::string_view key;
    RollingTable::Row* row;
    TwoByTwo table;
  };
  std::vector<Pair> pairs;
  for (auto& [key, row] : table_.rows_in_order()) {
    if (key == kTotalsKey) continue;
    int64_t sums[2];
    table_.sum(*row, from, week, sums);
    TwoByTwo t;
    t.a = sums[1];
    t.b = sums[0] - sums[1];
    t.c = outcomes - sums[1];
    t.d = reports - sums[0] - t.c;
    pairs.push_back(Pair{key, row, t});
  }

  GammaMixturePrior prior = config_.prior.value_or(config_.prior_start);
  bool have_prior = config_.prior.has_value();
  if (config_.method == DisproportionalityMethod::kEbgm && !have_prior) {
    std::vector<EbgmCell> cells;
    for (const Pair& p : pairs) {
      if (p.table.a >= 1) {
        cells.push_back({p.table.a, static_cast<double>(p.table.a + p.table.b) *
                                        static_cast<double>(outcomes) / static_cast<double>(reports)});
      }
    }
    auto fitted = fit_gamma_mixture_prior(cells, config_.prior_start);
    if (fitted) {
      prior = fitted.value();
      have_prior = true;
    } else {
      spdlog::warn("detector {}: EBGM prior not estimated for the week of {} ({}); pairs not judged",
                   config_.name, format_date(week_start(week)), fitted.error().message);
    }
  }
  if (config_.method == DisproportionalityMethod::kEbgm && !have_prior) return;

  for (Pair& p : pairs) {
    RollingTable::Row& row = *p.row;
    const DisproportionalityStats st = disproportionality(p.table);
    EbgmResult eb{NAN, NAN, NAN, NAN};
    if (config_.method == DisproportionalityMethod::kEbgm && st.expected > 0) {
      eb = ebgm(p.table.a, st.expected, prior);
    }
    const bool enough = p.table.a >= config_.min_count;
    double score = NAN;
    double threshold = NAN;
    bool meets = false;
    switch (config_.method) {
      case DisproportionalityMethod::kPrr:
        score = st.prr;
        threshold = config_.prr;
        meets = enough && st.prr >= config_.prr && st.chi2_yates >= config_.chi2;
        break;
      case DisproportionalityMethod::kRor:
        score = st.ror_lo95;
        threshold = config_.ror_lower;
        meets = enough && st.ror_lo95 > config_.ror_lower;
        break;
      case DisproportionalityMethod::kIc:
        score = st.ic025;
        threshold = config_.ic025;
        meets = enough && st.ic025 > config_.ic025;
        break;
      case DisproportionalityMethod::kEbgm:
        score = eb.eb05;
        threshold = config_.eb05;
        meets = enough && eb.eb05 >= config_.eb05 && eb.ebgm >= config_.ebgm;
        break;
    }
    // The pair's series (data.series) is its decisive statistic per week;
    // a known pair's weeks are never flagged, since it cannot be raised.
    const bool judged_known = row.known || (first_judgement && meets);
    table_.record_judgement(p.key, row, {week, score, NAN, threshold, meets && !judged_known});
    if (row.known) {
      row.known_quiet = meets ? 0 : row.known_quiet + 1;
      if (row.known_quiet >= config_.window.lifecycle.resolve_after_quiet) {
        row.known = false;
        row.known_quiet = 0;
      }
      table_.mark_dirty(p.key, row);
      continue;
    }
    if (first_judgement && meets) {
      row.known = true;
      table_.mark_dirty(p.key, row);
      continue;
    }
    const auto transition = row.episode.step(meets, p.table.a, week, config_.window.lifecycle);
    if (transition || row.episode.open) table_.mark_dirty(p.key, row);
    if (!transition) continue;

    const std::string method(to_string(config_.method));
    Signal s = window_signal(config_.name, method, key_parts(dimensions_, p.key), row.episode,
                             *transition, from, week, stream_time, config_.window.severity);
    s.observed = p.table.a;
    s.expected = st.expected;
    s.threshold = threshold;
    s.score = score;
    s.evidence_count = p.table.a;
    add_window_evidence(s, table_, row, from, week);
    s.table = ContingencyTable{p.table.a, p.table.b, p.table.c, p.table.d};
    s.series = judged_series(std::string(decisive_statistic(config_.method)), row, table_.window());
    s.statistics = {{"prr", st.prr},           {"prr_lo95", st.prr_lo95}, {"chi2_yates", st.chi2_yates},
                    {"ror", st.ror},           {"ror_lo95", st.ror_lo95}, {"ic", st.ic},
                    {"ic025", st.ic025},       {"ic975", st.ic975}};
    if (config_.method == DisproportionalityMethod::kEbgm) {
      s.statistics.insert(s.statistics.end(),
                          {{"ebgm", eb.ebgm}, {"eb05", eb.eb05}, {"eb95", eb.eb95}});
    }
    const std::string item = s.key.empty() ? "" : s.key.front().first + " " + s.key.front().second;
    const std::string what = config_.outcome.describe();
    const std::string share = format_ratio(
        p.table.a + p.table.b > 0 ? 100.0 * p.table.a / (p.table.a + p.table.b) : NAN, 1);
    const std::string rest = format_ratio(
        p.table.c + p.table.d > 0 ? 100.0 * p.table.c / (p.table.c + p.table.d) : NAN, 1);
    const std::string span = std::to_string(table_.window()) + " weeks to " +
                             format_date(week_end(week));
    if (*transition == SignalType::kResolved) {
      s.summary = item + " no longer stands out for " + what + " in the " + span + " (" +
                  std::to_string(p.table.a) + " of " + std::to_string(p.table.a + p.table.b) +
                  " reports, " + share + "% against " + rest + "% for other items).";
    } else {
      s.summary = item + ": " + std::to_string(p.table.a) + " of its " +
                  std::to_string(p.table.a + p.table.b) + " reports in the " + span + " are " +
                  what + " (" + share + "% against " + rest + "% for other items; " + method +
                  " " + format_ratio(score) + ", threshold " + format_ratio(threshold) + ").";
    }
    out.push_back(std::move(s));
  }
}

}  // namespace vigil
