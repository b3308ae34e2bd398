// EBGM posterior (detectors/ebgm.h): every row and column of
// shared/reference/ebgm_reference_openEBGM_test_theta.csv (R 4.2.2, openEBGM
// with digits high enough to show 15 significant digits), the log-space
// negative binomial against Boost's, quantile precision, large counts and the
// invariants of a posterior summary.
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "detectors/ebgm.h"
#include "tests/reference_table.h"

namespace {

using vigil::EbgmResult;
using vigil::GammaMixturePrior;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// openEBGM's test theta (its tests/testthat; METHODS.md §1.6), which the
// reference table was computed with.
constexpr GammaMixturePrior kTestTheta{3.25280367, 0.39983376, 2.02490400, 1.90726819, 0.06536416};
// DuMouchel's (1999) starting values.
constexpr GammaMixturePrior kDuMouchel{0.2, 0.1, 2, 4, 1.0 / 3};

// The posterior CDF at x, straight from its definition.
double posterior_cdf(int64_t n, double e, const GammaMixturePrior& prior, double qn, double x) {
  const double count = static_cast<double>(n);
  return qn * boost::math::gamma_p(prior.alpha1 + count, (prior.beta1 + e) * x) +
         (1 - qn) * boost::math::gamma_p(prior.alpha2 + count, (prior.beta2 + e) * x);
}

bool all_nan(const EbgmResult& r) {
  return std::isnan(r.qn) && std::isnan(r.ebgm) && std::isnan(r.eb05) && std::isnan(r.eb95);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ebgm_test)

BOOST_AUTO_TEST_CASE(matches_every_reference_row) {
  const auto rows = vigil::testing::read_reference_table(
      std::string(VIGIL_SHARED_DIR "/reference/ebgm_reference_openEBGM_test_theta.csv"));
  BOOST_TEST(rows.size() == 7U);
  constexpr double kTolerance = 1e-9;  // we agree to ~1e-14; 1e-6 is the contract
  for (const auto& row : rows) {
    const int64_t n = std::stoll(row.at("N"));
    const double e = std::stod(row.at("E"));
    const std::string name = "N=" + row.at("N") + " E=" + row.at("E");
    const EbgmResult r = vigil::ebgm(n, e, kTestTheta);
    using vigil::testing::check_reference_value;
    check_reference_value(name + " Qn", r.qn, row.at("Qn"), kTolerance);
    check_reference_value(name + " EBGM", r.ebgm, row.at("EBGM"), kTolerance);
    check_reference_value(name + " EB05", r.eb05, row.at("EB05"), kTolerance);
    check_reference_value(name + " EB95", r.eb95, row.at("EB95"), kTolerance);
    BOOST_TEST(vigil::mhra_signal(n, r) == (row.at("MHRA_signal") == "1"), name << " MHRA_signal");
  }
}

BOOST_AUTO_TEST_CASE(log_pmf_is_the_negative_binomial) {
  for (double alpha : {0.05, 0.2, 1.0, 3.25, 40.0}) {
    for (double beta : {0.01, 0.4, 4.0, 100.0}) {
      for (double e : {0.001, 0.1, 2.0, 50.0, 3000.0}) {
        // Boost's pdf takes prob = beta/(beta+E); when 1 - prob is small it has
        // lost digits to cancellation before the power (1 - prob)^n amplifies
        // them, so compare only where Boost itself is accurate.
        if (e / (beta + e) < 1e-3) continue;
        for (int64_t n : {0, 1, 2, 5, 17, 100, 1000}) {
          const boost::math::negative_binomial_distribution<double> nb(alpha, beta / (beta + e));
          const double want = boost::math::pdf(nb, static_cast<double>(n));
          if (want < 1e-280) continue;  // Boost's pdf underflows before our log does
          const double got = std::exp(vigil::log_gamma_poisson_pmf(n, e, alpha, beta));
          BOOST_TEST(std::abs(got - want) <= 1e-11 * want,
                     "alpha=" << alpha << " beta=" << beta << " E=" << e << " n=" << n << ": "
                              << got << " vs " << want);
        }
      }
    }
  }
  // Where Boost cancels, alpha = 1 has a closed form free of cancellation: the
  // geometric beta/(beta+E) * (E/(beta+E))^n.
  for (double beta : {100.0, 1e4}) {
    for (double e : {0.001, 1e-6}) {
      for (int64_t n : {0, 1, 2, 5, 17}) {
        const double want = beta / (beta + e) * std::pow(e / (beta + e), static_cast<double>(n));
        const double got = std::exp(vigil::log_gamma_poisson_pmf(n, e, 1.0, beta));
        BOOST_TEST(std::abs(got - want) <= 1e-13 * want,
                   "beta=" << beta << " E=" << e << " n=" << n);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(quantiles_solve_the_posterior_cdf) {
  for (const auto& prior : {kTestTheta, kDuMouchel}) {
    for (const auto& [n, e] : {std::pair<int64_t, double>{0, 0.3},
                               {1, 0.1},
                               {3, 0.5},
                               {10, 2.0},
                               {50, 40.0},
                               {400, 3.0},
                               {2, 900.0}}) {
      const EbgmResult r = vigil::ebgm(n, e, prior);
      for (const auto& [q, p] : {std::pair{r.eb05, 0.05}, std::pair{r.eb95, 0.95}}) {
        // Within 1e-10 relative: the CDF crosses p between q(1 - 1e-10) and q(1 + 1e-10).
        BOOST_TEST(posterior_cdf(n, e, prior, r.qn, q * (1 - 1e-10)) < p, "n=" << n << " E=" << e);
        BOOST_TEST(posterior_cdf(n, e, prior, r.qn, q * (1 + 1e-10)) > p, "n=" << n << " E=" << e);
        BOOST_TEST(vigil::ebgm_posterior_quantile(n, e, prior, p) == q);
      }
      const double median = vigil::ebgm_posterior_quantile(n, e, prior, 0.5);
      BOOST_TEST(std::abs(posterior_cdf(n, e, prior, r.qn, median) - 0.5) < 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(ebgm_increases_with_n_and_decreases_with_e) {
  for (const auto& prior : {kTestTheta, kDuMouchel}) {
    for (double e : {0.05, 0.5, 2.0, 20.0, 200.0}) {
      EbgmResult previous = vigil::ebgm(0, e, prior);
      for (int64_t n = 1; n <= 300; ++n) {
        const EbgmResult r = vigil::ebgm(n, e, prior);
        BOOST_TEST(r.ebgm > previous.ebgm, "E=" << e << " n=" << n);
        BOOST_TEST(r.eb05 > previous.eb05, "E=" << e << " n=" << n);
        BOOST_TEST(r.eb05 < r.ebgm, "E=" << e << " n=" << n);
        BOOST_TEST(r.ebgm < r.eb95, "E=" << e << " n=" << n);
        BOOST_TEST((r.qn >= 0 && r.qn <= 1));
        previous = r;
      }
    }
    for (int64_t n : {1, 5, 40}) {
      BOOST_TEST(vigil::ebgm(n, 1.0, prior).ebgm > vigil::ebgm(n, 1.1, prior).ebgm);
    }
  }
}

BOOST_AUTO_TEST_CASE(large_counts_stay_finite) {
  // n / E = 2000 lies so far in both prior components' tails that both
  // negative binomial probabilities underflow (Boost's pdf returns 0): Qn from
  // the direct ratio would be 0/0, from the log odds it is 1.
  constexpr int64_t n = 2'000'000'000;
  constexpr double e = 1'000'000;
  for (const auto& [alpha, beta] : {std::pair{kTestTheta.alpha1, kTestTheta.beta1},
                                    std::pair{kTestTheta.alpha2, kTestTheta.beta2}}) {
    const boost::math::negative_binomial_distribution<double> nb(alpha, beta / (beta + e));
    BOOST_TEST(boost::math::pdf(nb, static_cast<double>(n)) == 0.0);
  }
  const EbgmResult r = vigil::ebgm(n, e, kTestTheta);
  BOOST_TEST(r.qn == 1.0);
  BOOST_TEST(r.ebgm == 2000.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(r.eb05 < r.ebgm);
  BOOST_TEST(r.eb95 > r.ebgm);
  BOOST_TEST(r.eb95 - r.eb05 < 0.2);
  // n ~ E, both large: EBGM ~ n/E with a narrow interval, Qn inside (0, 1).
  const EbgmResult flat = vigil::ebgm(1'300'000, 1e6, kTestTheta);
  BOOST_TEST(flat.ebgm == 1.3, boost::test_tools::tolerance(1e-5));
  BOOST_TEST((flat.qn > 0 && flat.qn < 1));
  BOOST_TEST(flat.eb95 - flat.eb05 < 0.01);
  // Beyond Boost's incomplete gamma (n ~ 2e10): no exception, EBGM still right,
  // any quantile Boost cannot invert is NaN.
  const EbgmResult beyond = vigil::ebgm(int64_t{1} << 50, 1e15, kTestTheta);
  BOOST_TEST(beyond.ebgm == std::ldexp(1.0, 50) / 1e15, boost::test_tools::tolerance(1e-6));
  BOOST_TEST((std::isnan(beyond.eb95) || beyond.eb95 > beyond.ebgm));
}

BOOST_AUTO_TEST_CASE(single_component_priors_reduce_to_one_gamma) {
  constexpr int64_t n = 4;
  constexpr double e = 1.5;
  for (const double p : {0.0, 1.0}) {
    GammaMixturePrior prior = kTestTheta;
    prior.p = p;
    const double alpha = (p == 1 ? prior.alpha1 : prior.alpha2) + n;
    const double rate = (p == 1 ? prior.beta1 : prior.beta2) + e;
    const EbgmResult r = vigil::ebgm(n, e, prior);
    BOOST_TEST(r.qn == p);
    BOOST_TEST(r.ebgm == std::exp(boost::math::digamma(alpha) - std::log(rate)),
               boost::test_tools::tolerance(1e-14));
    BOOST_TEST(r.eb05 == boost::math::gamma_p_inv(alpha, 0.05) / rate,
               boost::test_tools::tolerance(1e-14));
    BOOST_TEST(r.eb95 == boost::math::gamma_q_inv(alpha, 0.05) / rate,
               boost::test_tools::tolerance(1e-14));
  }
}

BOOST_AUTO_TEST_CASE(invalid_arguments_give_nan) {
  BOOST_TEST(all_nan(vigil::ebgm(-1, 1.0, kTestTheta)));
  BOOST_TEST(all_nan(vigil::ebgm(1, 0.0, kTestTheta)));
  BOOST_TEST(all_nan(vigil::ebgm(1, -2.0, kTestTheta)));
  BOOST_TEST(all_nan(vigil::ebgm(1, kNaN, kTestTheta)));
  BOOST_TEST(all_nan(vigil::ebgm(1, std::numeric_limits<double>::infinity(), kTestTheta)));
  for (auto broken : {&GammaMixturePrior::alpha1, &GammaMixturePrior::beta1,
                      &GammaMixturePrior::alpha2, &GammaMixturePrior::beta2}) {
    for (double bad : {0.0, -1.0, kNaN, std::numeric_limits<double>::infinity()}) {
      GammaMixturePrior prior = kTestTheta;
      prior.*broken = bad;
      BOOST_TEST(!vigil::is_valid_prior(prior));
      BOOST_TEST(all_nan(vigil::ebgm(3, 1.0, prior)));
    }
  }
  for (double bad_p : {-0.1, 1.1, kNaN}) {
    GammaMixturePrior prior = kTestTheta;
    prior.p = bad_p;
    BOOST_TEST(all_nan(vigil::ebgm(3, 1.0, prior)));
  }
  BOOST_TEST(std::isnan(vigil::ebgm_posterior_quantile(3, 1.0, kTestTheta, 0.0)));
  BOOST_TEST(std::isnan(vigil::ebgm_posterior_quantile(3, 1.0, kTestTheta, 1.0)));
  BOOST_TEST(std::isnan(vigil::ebgm_posterior_quantile(3, 1.0, kTestTheta, kNaN)));
  BOOST_TEST(!vigil::mhra_signal(10, EbgmResult{kNaN, kNaN, kNaN, kNaN}));
}

BOOST_AUTO_TEST_CASE(mhra_signal_needs_all_three) {
  const EbgmResult strong{0.5, 2.5, 1.8, 6.0};
  BOOST_TEST(vigil::mhra_signal(3, strong));
  BOOST_TEST(!vigil::mhra_signal(2, strong));
  BOOST_TEST(!vigil::mhra_signal(3, EbgmResult{0.5, 2.4999, 1.8, 6.0}));
  BOOST_TEST(!vigil::mhra_signal(3, EbgmResult{0.5, 2.5, 1.7999, 6.0}));
}

BOOST_AUTO_TEST_SUITE_END()
