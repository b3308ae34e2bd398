#include "web/svg_chart.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "web/html_escape.h"

namespace vigil {
namespace {

constexpr double kWidth = 760, kHeight = 300;
constexpr double kLeft = 60, kRight = 16, kTop = 28, kBottom = 44;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;

// Fixed decimals, independent of the locale (never printf's %f).
std::string number(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  char buf[64];
  const auto result =
      std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
  if (result.ec != std::errc()) return "n/a";
  std::string out(buf, result.ptr);
  if (out == "-0" || out == "-0.0" || out == "-0.00") out.erase(0, 1);
  return out;
}

// A value to show a reader: whole numbers without decimals, others with two.
std::string readable(double value) {
  return std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15
             ? number(value, 0)
             : number(value, 2);
}

// The vertical axis: maps values in [low, high] onto the plot.
struct Scale {
  double low = 0, high = 1;
  double y(double value) const {
    return kTop + kPlotHeight - (value - low) / (high - low) * kPlotHeight;
  }
};

Scale scale_for(double low, double high) {
  Scale s;
  s.low = std::min(0.0, low);
  s.high = high > s.low ? high + (high - s.low) * 0.08 : s.low + 1;
  return s;
}

// About five round steps (1, 2 or 5 times a power of ten) across the axis.
double tick_step(const Scale& s) {
  const double raw = (s.high - s.low) / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

void open_svg(std::string& out, std::string_view css_class, std::string_view title) {
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart ";
  out += css_class;
  out += "\" viewBox=\"0 0 " + number(kWidth, 0) + " " + number(kHeight, 0) + "\" width=\"" +
         number(kWidth, 0) + "\" height=\"" + number(kHeight, 0) + "\" role=\"img\"><title>";
  out += escape_html(title);
  out += "</title>";
}

void y_axis(std::string& out, const Scale& s, int decimals) {
  const double step = tick_step(s);
  out += "<g class=\"axis y-axis\">";
  for (double tick = std::ceil(s.low / step) * step; tick <= s.high + step * 1e-9; tick += step) {
    const std::string y = number(s.y(tick), 1);
    out += "<line class=\"grid\" x1=\"" + number(kLeft, 0) + "\" x2=\"" +
           number(kLeft + kPlotWidth, 0) + "\" y1=\"" + y + "\" y2=\"" + y + "\" stroke=\"#ddd\"/>";
    out += "<text x=\"" + number(kLeft - 6, 0) + "\" y=\"" + y +
           "\" text-anchor=\"end\" dominant-baseline=\"middle\">" + number(tick, decimals) +
           "</text>";
  }
  out += "</g>";
}

// A path through the finite (x, y) pairs, broken where y is not finite.
std::string broken_path(const std::vector<std::pair<double, double>>& xy, const Scale& s) {
  std::string d;
  bool pen_down = false;
  for (const auto& [x, value] : xy) {
    if (!std::isfinite(value)) {
      pen_down = false;
      continue;
    }
    d += pen_down ? " L" : (d.empty() ? "M" : " M");
    d += number(x, 1) + "," + number(s.y(value), 1);
    pen_down = true;
  }
  return d;
}

void line(std::string& out, std::string_view css_class, const std::string& d,
          std::string_view stroke, bool dashed) {
  if (d.empty()) return;
  out += "<path class=\"";
  out += css_class;
  out += "\" d=\"" + d + "\" fill=\"none\" stroke=\"";
  out += stroke;
  out += dashed ? "\" stroke-dasharray=\"6 4\"/>" : "\"/>";
}

void legend(std::string& out,
            const std::vector<std::pair<std::string_view, std::string_view>>& items) {
  out += "<g class=\"legend\">";
  double x = kLeft;
  for (const auto& [css_class, text] : items) {
    out += "<rect class=\"legend-key legend-" + std::string(css_class) + "\" x=\"" + number(x, 0) +
           "\" y=\"8\" width=\"12\" height=\"12\"/>";
    out += "<text x=\"" + number(x + 16, 0) + "\" y=\"18\">" + escape_html(text) + "</text>";
    x += 30 + 7.0 * static_cast<double>(text.size());
  }
  out += "</g>";
}

double finite_max(double a, double b) { return std::isfinite(b) ? std::max(a, b) : a; }
double finite_min(double a, double b) { return std::isfinite(b) ? std::min(a, b) : a; }

}  // namespace

std::string render_series_chart(const SignalSeries& series) {
  const auto& points = series.points;
  if (points.empty()) return "";
  double low = 0, high = 0;
  for (const PeriodPoint& p : points) {
    for (const double v : {p.value, p.expected, p.threshold}) {
      high = finite_max(high, v);
      low = finite_min(low, v);
    }
  }
  const Scale s = scale_for(low, high);
  const bool counts = series.measure == "count";
  const double slot = kPlotWidth / static_cast<double>(points.size());
  auto x_of = [&](size_t i) { return kLeft + (static_cast<double>(i) + 0.5) * slot; };

  std::string out;
  out.reserve(512 + points.size() * 260);
  open_svg(
      out, "series-chart",
      (counts ? std::string("Reports per period") : "Statistic " + series.measure + " per period") +
          ", with expected and threshold");
  // The legend names only what is drawn.
  bool any_expected = false, any_threshold = false, any_flagged = false;
  for (const PeriodPoint& p : points) {
    any_expected = any_expected || std::isfinite(p.expected);
    any_threshold = any_threshold || std::isfinite(p.threshold);
    any_flagged = any_flagged || p.flagged;
  }
  std::vector<std::pair<std::string_view, std::string_view>> keys = {
      {"observed", counts ? std::string_view("observed") : std::string_view(series.measure)}};
  if (any_expected) keys.emplace_back("expected", "expected");
  if (any_threshold) keys.emplace_back("threshold", "threshold");
  if (any_flagged) keys.emplace_back("flagged", "flagged period");
  legend(out, keys);
  y_axis(out, s, tick_step(s) < 1 ? 2 : 0);

  // Dates under the first, the last and about six periods between.
  out += "<g class=\"axis x-axis\">";
  const size_t every = std::max<size_t>(1, points.size() / 6);
  for (size_t i = 0; i < points.size(); ++i) {
    const bool last = i + 1 == points.size();
    // A regular label too close to the last one is left out.
    if (!last && (i % every != 0 || points.size() - 1 - i < (every + 1) / 2)) continue;
    // The first and last labels grow inwards, so neither is cut at the edge.
    const char* anchor = i == 0 ? "start" : last ? "end" : "middle";
    out += "<text x=\"" + number(x_of(i), 1) + "\" y=\"" + number(kTop + kPlotHeight + 18, 0) +
           "\" text-anchor=\"" + anchor + "\">" + format_date(points[i].start) + "</text>";
  }
  out += "</g>";

  std::vector<std::pair<double, double>> observed, expected, threshold;
  for (size_t i = 0; i < points.size(); ++i) {
    observed.emplace_back(x_of(i), points[i].value);
    expected.emplace_back(x_of(i), points[i].expected);
    threshold.emplace_back(x_of(i), points[i].threshold);
  }
  line(out, "expected", broken_path(expected, s), "#2b7a2b", false);
  line(out, "threshold", broken_path(threshold, s), "#c0392b", true);
  line(out, "observed", broken_path(observed, s), "#1f4e8c", false);

  out += "<g class=\"points\">";
  for (size_t i = 0; i < points.size(); ++i) {
    const PeriodPoint& p = points[i];
    const bool has_value = std::isfinite(p.value);
    std::string title = format_date(p.start) + " to " + format_date(p.end) + ": " +
                        (counts ? "observed " : series.measure + " ") +
                        (has_value ? readable(p.value) : "no value") + ", expected " +
                        readable(p.expected) + ", threshold " + readable(p.threshold) +
                        (p.flagged ? ", flagged" : "");
    out += "<circle class=\"point";
    if (p.flagged) out += " flagged";
    if (!has_value) out += " missing";
    out += "\" cx=\"" + number(x_of(i), 1) + "\" cy=\"" +
           number(s.y(has_value ? p.value : s.low), 1) + "\" r=\"" + (p.flagged ? "5" : "3") +
           "\" fill=\"" + (p.flagged ? "#c0392b" : "#1f4e8c") + "\"><title>" + escape_html(title) +
           "</title></circle>";
  }
  out += "</g></svg>";
  return out;
}

std::string render_funnel_chart(const FunnelPlot& funnel, std::string_view own_unit,
                                const std::function<std::string(std::string_view)>& unit_label) {
  const auto& points = funnel.points;
  if (points.empty()) return "";
  auto ratio_of = [](const FunnelPoint& p) {
    return p.expected > 0 ? static_cast<double>(p.observed) / p.expected
                          : std::numeric_limits<double>::quiet_NaN();
  };
  double max_expected = 0, high = 1, low = 0;
  for (const FunnelPoint& p : points) {
    max_expected = std::max(max_expected, p.expected);
    high = finite_max(high, ratio_of(p));
    high = finite_max(high, p.upper);
    low = finite_min(low, p.lower);
  }
  if (max_expected <= 0) max_expected = 1;
  const Scale s = scale_for(low, high);
  auto x_of = [&](double expected) {
    return kLeft + expected / (max_expected * 1.05) * kPlotWidth;
  };

  std::string out;
  out.reserve(512 + points.size() * 260);
  open_svg(out, "funnel-chart",
           "Funnel plot: each unit's ratio of observed to expected reports, "
           "with " +
               number(funnel.coverage * 100, 1) + "% limits");
  legend(out, {{"unit", "unit"}, {"highlighted", "this signal's unit"}, {"limit", "limits"}});
  y_axis(out, s, 1);
  out += "<g class=\"axis x-axis\"><text x=\"" + number(kLeft + kPlotWidth / 2, 0) + "\" y=\"" +
         number(kHeight - 8, 0) + "\" text-anchor=\"middle\">expected reports (0 to " +
         readable(max_expected) + ")</text></g>";

  std::vector<const FunnelPoint*> by_expected;
  for (const FunnelPoint& p : points) by_expected.push_back(&p);
  std::sort(by_expected.begin(), by_expected.end(),
            [](const FunnelPoint* a, const FunnelPoint* b) { return a->expected < b->expected; });
  std::vector<std::pair<double, double>> upper, lower;
  for (const FunnelPoint* p : by_expected) {
    if (p->expected <= 0) continue;
    upper.emplace_back(x_of(p->expected), p->upper);
    lower.emplace_back(x_of(p->expected), p->lower);
  }
  const std::string target_y = number(s.y(1), 1);
  out += "<line class=\"target\" x1=\"" + number(kLeft, 0) + "\" x2=\"" +
         number(kLeft + kPlotWidth, 0) + "\" y1=\"" + target_y + "\" y2=\"" + target_y +
         "\" stroke=\"#555\"/>";
  line(out, "limit upper", broken_path(upper, s), "#c0392b", true);
  line(out, "limit lower", broken_path(lower, s), "#c0392b", true);

  out += "<g class=\"points\">";
  // The signal's own unit last, so no other point covers it.
  std::vector<const FunnelPoint*> order = by_expected;
  std::stable_partition(order.begin(), order.end(),
                        [&](const FunnelPoint* p) { return p->unit != own_unit; });
  for (const FunnelPoint* p : order) {
    const double ratio = ratio_of(*p);
    const bool outside =
        std::isfinite(ratio) ? (ratio > p->upper || ratio < p->lower) : p->observed > 0;
    const bool own = p->unit == own_unit;
    const double y = std::isfinite(ratio) ? s.y(ratio) : (p->observed > 0 ? kTop : s.y(0));
    const std::string title =
        unit_label(p->unit) + ": observed " + std::to_string(p->observed) + ", expected " +
        readable(p->expected) + ", ratio " +
        (std::isfinite(ratio) ? number(ratio, 2) : "none (nothing expected)") + ", limits " +
        number(p->lower, 2) + " to " + number(p->upper, 2);
    out += "<circle class=\"point";
    if (outside) out += " flagged";
    if (own) out += " highlighted";
    out += "\" cx=\"" + number(x_of(std::max(0.0, p->expected)), 1) + "\" cy=\"" + number(y, 1) +
           "\" r=\"" + (own ? "6" : "3") + "\" fill=\"" +
           (own       ? "#e67e22"
            : outside ? "#c0392b"
                      : "#1f4e8c") +
           "\"><title>" + escape_html(title) + "</title></circle>";
  }
  out += "</g></svg>";
  return out;
}

}  // namespace vigil
