// qnbinom and qpois (detectors/discrete_quantile.h): the summed pmf path
// gives exactly the reference search's integer (Boost's long-double cdf at
// every step), across the parameters farringtonFlexible produces and beyond,
// including levels that fall on a cdf value (where the sum must hand over to
// the reference search); and a few values printed by R 4.2.2.
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

#include "detectors/discrete_quantile.h"

BOOST_AUTO_TEST_SUITE(discrete_quantile_test)

BOOST_AUTO_TEST_CASE(values_match_r) {
  BOOST_TEST(vigil::qnbinom(0.995, 10, 0.5) == 24);
  BOOST_TEST(vigil::qnbinom(0.995, 3.7, 0.25) == 35);
  BOOST_TEST(vigil::qnbinom(0.95, 1e-3, 0.9) == 0);
  BOOST_TEST(vigil::qnbinom(0.995, 2000, 0.8) == 566);
  BOOST_TEST(vigil::qnbinom(0.995, 1e9, 1 / (1 + 1e-9)) == 4);
  BOOST_TEST(vigil::qpois(0.995, 0.3) == 2);
  BOOST_TEST(vigil::qpois(0.995, 150) == 182);
  BOOST_TEST(vigil::qpois(0.95, 1000) == 1052);  // beyond the summed path: e^-1000
}

BOOST_AUTO_TEST_CASE(negative_binomial_equals_the_reference_search) {
  const std::vector<double> levels = {0.5, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9999};
  const std::vector<double> phis = {1 + 1e-9, 1.0001, 1.05, 1.3, 2, 3.5, 8, 40, 500};
  int compared = 0;
  for (double mu = 0.01; mu < 3000; mu *= 1.37) {
    for (const double phi : phis) {
      for (const double p : levels) {
        const double size = mu / (phi - 1), prob = 1 / phi;
        BOOST_TEST_CONTEXT("p=" << p << " mu=" << mu << " phi=" << phi) {
          BOOST_TEST(vigil::qnbinom(p, size, prob) == vigil::qnbinom_reference(p, size, prob));
        }
        ++compared;
      }
    }
  }
  BOOST_TEST(compared > 1000);
}

BOOST_AUTO_TEST_CASE(poisson_equals_the_reference_search) {
  const std::vector<double> levels = {0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999};
  for (double lambda = 1e-4; lambda < 2000; lambda *= 1.21) {
    for (const double p : levels) {
      BOOST_TEST_CONTEXT("p=" << p << " lambda=" << lambda) {
        BOOST_TEST(vigil::qpois(p, lambda) == vigil::qpois_reference(p, lambda));
      }
    }
  }
}

// A level on (or within rounding of) a cdf value is where a summed cdf could
// fall on the wrong side of it: the answer must still be the reference one.
BOOST_AUTO_TEST_CASE(levels_on_a_cdf_value_equal_the_reference_search) {
  for (const double mu : {0.7, 4.0, 23.0, 180.0}) {
    for (const double phi : {1.5, 4.0}) {
      const double size = mu / (phi - 1), prob = 1 / phi;
      const boost::math::negative_binomial_distribution<double> nb(size, prob);
      const boost::math::poisson_distribution<double> pois(mu);
      for (double y = 0; y < 3 * mu + 10; ++y) {
        for (const double nudge : {-2.0, 0.0, 2.0}) {
          const double p_nb = boost::math::cdf(nb, y) * (1 + nudge * 1e-16);
          const double p_pois = boost::math::cdf(pois, y) * (1 + nudge * 1e-16);
          BOOST_TEST_CONTEXT("mu=" << mu << " phi=" << phi << " y=" << y << " nudge=" << nudge) {
            if (p_nb > 0 && p_nb < 1) {
              BOOST_TEST(vigil::qnbinom(p_nb, size, prob) ==
                         vigil::qnbinom_reference(p_nb, size, prob));
            }
            if (p_pois > 0 && p_pois < 1) {
              BOOST_TEST(vigil::qpois(p_pois, mu) == vigil::qpois_reference(p_pois, mu));
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(degenerate_parameters_follow_the_reference) {
  BOOST_TEST(vigil::qnbinom(0.995, 0, 0.5) == 0);
  BOOST_TEST(vigil::qpois(0.995, 0) == 0);
  BOOST_TEST(std::isnan(vigil::qnbinom(0.995, -1, 0.5)));
  BOOST_TEST(std::isnan(vigil::qnbinom(0.995, 1, 1.5)));
  BOOST_TEST(std::isnan(vigil::qpois(0.995, -2)));
}

BOOST_AUTO_TEST_SUITE_END()
