#include "series/cusum.h"

#include <cmath>
#include <numbers>
#include <string>

#include "core/named_values.h"
#include "detectors/glm_fit.h"

namespace vigil {
namespace {

// R's x^y: R_pow special-cases 2 and 0.5.
double r_pow(double x, double y) {
  if (y == 2.0) return x * x;
  if (y == 0.5) return std::sqrt(x);
  return std::pow(x, y);
}

double transform(CusumTransform trans, double x, double m, double alpha) {
  switch (trans) {
    case CusumTransform::kStandard:
      return (x - m) / std::sqrt(m);
    case CusumTransform::kRossi:
      return (x - 3 * m + 2 * std::sqrt(x * m)) / (2 * std::sqrt(m));
    case CusumTransform::kAnscombe:
      return 3.0 / 2.0 * (r_pow(x, 2.0 / 3.0) - r_pow(m, 2.0 / 3.0)) / r_pow(m, 1.0 / 6.0);
    case CusumTransform::kAnscombe2nd:
      return (r_pow(x, 2.0 / 3.0) - (r_pow(m, 2.0 / 3.0) - r_pow(m, -1.0 / 3.0) / 9)) /
             (2.0 / 3.0 * r_pow(m, 1.0 / 6.0));
    case CusumTransform::kPearsonNegBin:
      return (x - m) / std::sqrt(m + alpha * r_pow(m, 2));
    case CusumTransform::kNone:
      return x;
  }
  return x;  // unreachable: the switch is exhaustive
}

// The count that brings the sum to h, given C(t-1) and, for `none`, C(t).
double bound(CusumTransform trans, double m, double h, double k, double c_prev, double c_now,
             double alpha) {
  switch (trans) {
    case CusumTransform::kStandard:
      return std::ceil(std::sqrt(m) * (h + k - c_prev) + m);
    case CusumTransform::kRossi: {
      const double root = r_pow(m, 0.5), m32 = r_pow(m, 3.0 / 2.0);
      return 2 * h * root + 2 * k * root - 2 * c_prev * root + 5 * m -
             2 * r_pow(4 * r_pow(m, 2) + 2 * m32 * h + 2 * m32 * k - 2 * m32 * c_prev, 0.5);
    }
    case CusumTransform::kAnscombe: {
      const double base = 2.0 / 3.0 * r_pow(m, 1.0 / 6.0) * (h + k - c_prev) + r_pow(m, 2.0 / 3.0);
      return base < 0 ? 0 : r_pow(base, 3.0 / 2.0);
    }
    case CusumTransform::kAnscombe2nd: {
      const double base = 2.0 / 3.0 * r_pow(m, 1.0 / 6.0) * (h + k - c_prev) +
                          (r_pow(m, 2.0 / 3.0) - r_pow(m, 1.0 / 3.0) / 9);
      return base < 0 ? 0 : r_pow(base, 3.0 / 2.0);
    }
    case CusumTransform::kPearsonNegBin:
      return std::sqrt(m + alpha * r_pow(m, 2)) * (h + k - c_prev) + m;
    case CusumTransform::kNone:
      return h - c_now;
  }
  return kNa;  // unreachable: the switch is exhaustive
}

// algo.cusum's m = "glm": Poisson GLM with one harmonic on the points before
// the range, predicted over the range.
Result<std::vector<double>> glm_mean(std::span<const double> observed, SeriesRange range,
                                     int freq) {
  auto design = [freq](std::size_t from, std::size_t to) {
    Eigen::MatrixXd x(static_cast<Eigen::Index>(to - from + 1), 3);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      const double t = static_cast<double>(from) + static_cast<double>(r);
      const double angle = 2 * std::numbers::pi / freq * t;  // R: 2 * pi/p * t
      x.row(r) << 1.0, std::cos(angle), std::sin(angle);
    }
    return x;
  };
  const std::size_t train = range.first - 1;
  const Eigen::VectorXd y =
      Eigen::Map<const Eigen::VectorXd>(observed.data(), static_cast<Eigen::Index>(train));
  auto fit = fit_glm(design(1, train), y, Eigen::VectorXd::Ones(y.size()), GlmSpec{});
  if (!fit) return fit.error();
  const Eigen::VectorXd eta = design(range.first, range.last) * fit.value().coefficients;
  std::vector<double> m;
  for (const double e : eta) m.push_back(log_link_inverse(e));
  return m;
}

}  // namespace

Result<CusumParams> parse_cusum_params(const MethodParams& params) {
  const std::string unknown = unknown_param_names(params, {"k", "h", "m", "trans", "alpha"});
  if (!unknown.empty()) {
    return make_error(ErrorKind::kInvalidArgument, "unknown parameter(s) for cusum: " + unknown +
                                                       " (known: k, h, m, trans, alpha)");
  }
  CusumParams out;
  for (const auto& [name, value] : params) {
    if (name == "trans") {
      static constexpr Named<CusumTransform> kTransforms[] = {
          {"standard", CusumTransform::kStandard},
          {"rossi", CusumTransform::kRossi},
          {"anscombe", CusumTransform::kAnscombe},
          {"anscombe2nd", CusumTransform::kAnscombe2nd},
          {"pearsonNegBin", CusumTransform::kPearsonNegBin},
          {"none", CusumTransform::kNone}};
      const auto trans = lookup(value, kTransforms);
      if (!trans) {
        return bad_param(name, value,
                         "must be standard, rossi, anscombe, anscombe2nd, pearsonNegBin or none");
      }
      out.trans = *trans;
    } else if (name == "m" && (value == "glm" || value == "NULL")) {
      out.m_glm = value == "glm";
    } else {
      auto v = parse_param_double(name, value);
      if (!v) return v.error();
      if (name == "m" && !(v.value() > 0)) return bad_param(name, value, "must be > 0");
      if (name == "alpha" && v.value() < 0) return bad_param(name, value, "must be >= 0");
      if (name == "k") out.k = v.value();
      if (name == "h") out.h = v.value();
      if (name == "m") out.m = v.value();
      if (name == "alpha") out.alpha = v.value();
    }
  }
  return out;
}

Result<std::vector<SeriesPoint>> cusum_chart(std::span<const double> x, std::span<const double> m,
                                             const CusumParams& params) {
  if (x.size() != m.size()) {
    return make_error(ErrorKind::kInvalidArgument, "cusum: counts and means differ in length");
  }
  std::vector<SeriesPoint> points(x.size());
  double c = 0;
  for (std::size_t t = 0; t < x.size(); ++t) {
    const double c_prev = c;
    const double step = c + (transform(params.trans, x[t], m[t], params.alpha) - params.k);
    c = std::isnan(step) ? kNa : std::max(0.0, step);  // R's max() keeps NaN
    SeriesPoint& point = points[t];
    point.alarm = c >= params.h;
    double u = bound(params.trans, m[t], params.h, params.k, c_prev, c, params.alpha);
    if (std::isnan(u) || u < 0) u = 0;  // R: upperbound[is.na | < 0] <- 0
    point.upperbound = u;
    point.expected = m[t];
    point.score = c;
  }
  return points;
}

Result<std::vector<SeriesPoint>> cusum_range(const CountSeries& series, SeriesRange range,
                                             const CusumParams& params) {
  const auto observed = observed_in_range(series, range);
  if (!observed) return observed.error();
  const std::span<const double> x = observed.value();
  const std::size_t length = x.size();
  std::vector<double> m;
  if (params.m) {
    m.assign(length, *params.m);
  } else if (!params.m_glm && series.has_mu0()) {
    const auto known = range_of(series.mu0, range);
    m.assign(known.begin(), known.end());
  } else {
    if (range.first < 2) {
      return make_error(ErrorKind::kInvalidArgument,
                        "cusum estimates m from the counts before the range: start it at t >= 2");
    }
    const std::span<const double> before =
        std::span<const double>(series.observed).first(range.first - 1);
    if (params.m_glm) {
      auto fitted = glm_mean(series.observed, range, series.freq);
      if (!fitted) return fitted.error();
      m = std::move(fitted).value();
    } else {
      m.assign(length, r_mean(before));
    }
  }
  for (const double v : m) {
    if (!(v > 0)) {
      return make_error(ErrorKind::kInvalidArgument, "cusum: the in-control mean must be > 0");
    }
  }
  return cusum_chart(x, m, params);
}

}  // namespace vigil
