#include "detectors/farrington_design.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace vigil {
namespace {

namespace chr = std::chrono;

Error reference_error(std::size_t k) {
  return make_error(ErrorKind::kInvalidArgument,
                    "some reference time points of t=" + std::to_string(k) +
                        " did not exist; decrease 'b' or postpone 'range'");
}

// `date` minus `years` calendar years; an invalid day (29 February) rolls
// over into the next month as R's POSIXlt normalisation does.
Date minus_years(Date date, int years) {
  const chr::year_month_day ymd{chr::sys_days{chr::days{date.days}}};
  const chr::year_month_day back{ymd.year() - chr::years{years}, ymd.month(), ymd.day()};
  chr::sys_days day;
  if (back.ok()) {
    day = chr::sys_days{back};
  } else {
    const chr::year_month_day_last last{back.year(), chr::month_day_last{back.month()}};
    day = chr::sys_days{last} + (back.day() - last.day());
  }
  return Date{static_cast<int32_t>(day.time_since_epoch().count())};
}

int weekday(Date date) {
  return static_cast<int>(chr::weekday{chr::sys_days{chr::days{date.days}}}.c_encoding());
}

// algo.farrington.referencetimepoints' weekly adjustment: the candidate A
// with the target weekday within a week of `ref`, or A -/+ 7, whichever is
// nearer to `ref`.
Date nearest_with_weekday(Date ref, int target_weekday) {
  const Date a{ref.days - (weekday(ref) - target_weekday)};
  const Date b{a.days + (a.days > ref.days ? -7 : 7)};
  return std::abs(a.days - ref.days) > std::abs(b.days - ref.days) ? b : a;
}

// R's `v[from:to] <- value`, where from > to counts downwards.
Status assign_span(std::vector<int>& v, long from, long to, int value) {
  const long low = std::min(from, to), high = std::max(from, to);
  if (low < 1 || high >= static_cast<long>(v.size())) {
    return make_error(ErrorKind::kInvalidArgument,
                      "the seasonal windows reach before the first time point; "
                      "decrease 'b' or 'w' or postpone 'range'");
  }
  for (long i = low; i <= high; ++i) v[static_cast<std::size_t>(i)] = value;
  return Status::ok();
}

}  // namespace

namespace {

// farrington_reference_points into `points`.
Status reference_points_into(const CountSeries& series, std::size_t k, int b,
                             std::vector<std::size_t>& points) {
  points.clear();
  if (!series.dated()) {
    for (int j = 0; j <= b; ++j) {
      const long point = static_cast<long>(k) - static_cast<long>(j) * series.freq;
      if (point < 1) return reference_error(k);
      points.push_back(static_cast<std::size_t>(point));
    }
    return Status::ok();
  }
  if (series.freq != 12 && series.freq != 52 && series.freq != 365) {
    return make_error(ErrorKind::kInvalidArgument,
                      "a dated series needs freq 12, 52 or 365 for farringtonFlexible, not " +
                          std::to_string(series.freq));
  }
  const Date now = series.epoch_dates[k - 1];
  for (int j = 0; j <= b; ++j) {
    Date ref = minus_years(now, j);
    if (series.freq == 52) ref = nearest_with_weekday(ref, weekday(now));
    const auto it = std::lower_bound(series.epoch_dates.begin(), series.epoch_dates.end(), ref);
    if (it == series.epoch_dates.end() || *it != ref) return reference_error(k);
    points.push_back(static_cast<std::size_t>(it - series.epoch_dates.begin()) + 1);
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<std::size_t>> farrington_reference_points(const CountSeries& series,
                                                             std::size_t k, int b) {
  std::vector<std::size_t> points;
  if (Status s = reference_points_into(series, k, b, points); !s.is_ok()) return s.error();
  return points;
}

Status farrington_design_into(const CountSeries& series, std::size_t k,
                              const FarringtonWindow& window, FarringtonDesignScratch& scratch,
                              FarringtonDesign& design) {
  if (Status s = reference_points_into(series, k, window.b, scratch.reference); !s.is_ok()) {
    return s;
  }
  const std::vector<std::size_t>& ref = scratch.reference;  // descending: k first
  const int p = window.no_periods;
  const long w = window.w;
  constexpr int kNoBlock = 0;
  std::vector<int>& blocks = scratch.blocks;
  blocks.assign(series.size() + 1, kNoBlock);  // 1-based

  // R's `blocks`: the current window, then each past year's window and the
  // gap after it.
  if (auto s = assign_span(blocks, static_cast<long>(k) - w, static_cast<long>(k), p); !s) {
    return s;
  }
  for (int i = 1; i <= window.b; ++i) {
    const long ref_week = static_cast<long>(ref[static_cast<std::size_t>(i)]);
    if (auto s = assign_span(blocks, ref_week - w, ref_week + w, p); !s) return s;
    if (p == 1) continue;
    const long period = static_cast<long>(ref[static_cast<std::size_t>(i) - 1]) - 2 * w - 1 -
                        ref_week;
    if (period < p - (2 * w + 1)) {
      return make_error(ErrorKind::kInvalidArgument,
                        "number of factors too big (noPeriods " + std::to_string(p) +
                            " for a gap of " + std::to_string(period) + " points)");
    }
    const long length = period / (p - 1);
    const long rest = period % (p - 1);
    long offset = 0;  // cumsum of the block lengths so far
    for (int j = 1; j <= p - 1; ++j) {
      const long block_length = length + (j <= rest ? 1 : 0);
      const long from = ref_week + w + 1 + offset;
      if (auto s = assign_span(blocks, from, from + block_length - 1, j); !s) return s;
      offset += block_length;
    }
  }
  const long drop_from = static_cast<long>(k) - window.past_weeks_not_included;
  for (long i = std::max(1L, drop_from); i <= static_cast<long>(k); ++i) {
    blocks[static_cast<std::size_t>(i)] = kNoBlock;
  }

  design.rows.clear();
  design.response.clear();
  design.block.clear();
  design.wtime.clear();
  for (std::size_t i = 1; i <= series.size(); ++i) {
    if (blocks[i] == kNoBlock) continue;
    design.rows.push_back(i);
    design.response.push_back(series.observed[i - 1]);
    design.block.push_back(blocks[i]);
  }
  if (design.rows.empty()) {
    return make_error(ErrorKind::kInvalidArgument,
                      "no baseline counts for t=" + std::to_string(k));
  }
  if (series.dated()) {
    // (date - first fitted date) / the series' first epoch spacing.
    const double spacing = series.size() > 1
                               ? static_cast<double>(series.epoch_dates[1].days -
                                                     series.epoch_dates[0].days)
                               : 1.0;
    const double origin = series.epoch_dates[design.rows.front() - 1].days;
    for (const std::size_t row : design.rows) {
      design.wtime.push_back((series.epoch_dates[row - 1].days - origin) / spacing);
    }
    design.wtime_now = (series.epoch_dates[k - 1].days - origin) / spacing;
  } else {
    for (const std::size_t row : design.rows) design.wtime.push_back(static_cast<double>(row));
    design.wtime_now = static_cast<double>(k);
  }
  return Status::ok();
}

Result<FarringtonDesign> farrington_design(const CountSeries& series, std::size_t k,
                                           const FarringtonWindow& window) {
  FarringtonDesignScratch scratch;
  FarringtonDesign design;
  if (Status s = farrington_design_into(series, k, window, scratch, design); !s.is_ok()) {
    return s.error();
  }
  return design;
}

}  // namespace vigil
