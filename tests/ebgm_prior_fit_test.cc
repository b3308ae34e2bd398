// Gamma-mixture prior fit (detectors/ebgm_prior_fit.h): the truncated
// marginal likelihood against R, squashing weights, input errors, and a fit
// to cells simulated from a known prior.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "detectors/ebgm.h"
#include "detectors/ebgm_prior_fit.h"

namespace {

using vigil::EbgmCell;
using vigil::ErrorKind;
using vigil::GammaMixturePrior;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr GammaMixturePrior kTestTheta{3.25280367, 0.39983376, 2.02490400, 1.90726819, 0.06536416};
constexpr GammaMixturePrior kDuMouchel{0.2, 0.1, 2, 4, 1.0 / 3};

const std::vector<EbgmCell> kSmallCells = {{1, 0.1}, {1, 0.8},  {2, 0.5}, {3, 1.2},
                                           {5, 2},   {10, 3.5}, {25, 10}, {1, 0.003}};

// Cells simulated from `truth` as the model says they arise: E spread
// log-uniformly over 0.05..50, lambda from the mixture, n ~ Poisson(lambda E),
// zero counts dropped (as a database of reported pairs has none).
std::vector<EbgmCell> simulate(const GammaMixturePrior& truth, int cells, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> log_e(std::log(0.05), std::log(50.0));
  std::bernoulli_distribution first(truth.p);
  std::gamma_distribution<double> lambda1(truth.alpha1, 1 / truth.beta1);
  std::gamma_distribution<double> lambda2(truth.alpha2, 1 / truth.beta2);
  std::vector<EbgmCell> out;
  while (static_cast<int>(out.size()) < cells) {
    const double e = std::exp(log_e(rng));
    const double lambda = first(rng) ? lambda1(rng) : lambda2(rng);
    std::poisson_distribution<int64_t> count(lambda * e);
    const int64_t n = count(rng);
    if (n >= 1) out.push_back({n, e});
  }
  return out;
}

vigil::Result<GammaMixturePrior> fit(const std::vector<EbgmCell>& cells,
                                     const GammaMixturePrior& start = kDuMouchel) {
  return vigil::fit_gamma_mixture_prior(cells, start);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ebgm_prior_fit_test)

BOOST_AUTO_TEST_CASE(log_likelihood_matches_r) {
  // R 4.2.2: -negLL(theta, N, E, N_star = 1) as openEBGM defines it
  // (sum(log(P f1/(1 - F1(0)) + (1-P) f2/(1 - F2(0)))) with dnbinom/pnbinom),
  // printed with 17 digits.
  BOOST_TEST(vigil::gamma_mixture_log_likelihood(kSmallCells, kDuMouchel) == -18.839292159247901,
             boost::test_tools::tolerance(1e-13));
  BOOST_TEST(vigil::gamma_mixture_log_likelihood(kSmallCells, kTestTheta) == -15.611463315345548,
             boost::test_tools::tolerance(1e-13));
  // negLLsquash with weights wi = (1, 2, 3, 1, 1, 5, 1, 2).
  std::vector<EbgmCell> weighted = kSmallCells;
  const double weights[] = {1, 2, 3, 1, 1, 5, 1, 2};
  for (std::size_t i = 0; i < weighted.size(); ++i) weighted[i].weight = weights[i];
  BOOST_TEST(vigil::gamma_mixture_log_likelihood(weighted, kDuMouchel) == -41.597770259048922,
             boost::test_tools::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(log_likelihood_is_the_truncated_negative_binomial) {
  // With P = 1 a cell's term is ln f(n) - ln(1 - f(0)) for ebgm.h's f.
  GammaMixturePrior first_only = kTestTheta;
  first_only.p = 1;
  for (const EbgmCell& cell : kSmallCells) {
    const double log_f0 =
        vigil::log_gamma_poisson_pmf(0, cell.expected, first_only.alpha1, first_only.beta1);
    const double want =
        vigil::log_gamma_poisson_pmf(cell.n, cell.expected, first_only.alpha1, first_only.beta1) -
        std::log(-std::expm1(log_f0));
    const EbgmCell one[] = {cell};
    BOOST_TEST(vigil::gamma_mixture_log_likelihood(one, first_only) == want,
               boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(a_weight_counts_as_repeated_cells) {
  std::vector<EbgmCell> repeated, weighted;
  for (const EbgmCell& cell : kSmallCells) {
    for (int k = 0; k < 3; ++k) repeated.push_back(cell);
    weighted.push_back({cell.n, cell.expected, 3.0});
  }
  BOOST_TEST(vigil::gamma_mixture_log_likelihood(weighted, kTestTheta) ==
                 vigil::gamma_mixture_log_likelihood(repeated, kTestTheta),
             boost::test_tools::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(log_likelihood_edge_cases) {
  BOOST_TEST(vigil::gamma_mixture_log_likelihood({}, kDuMouchel) == 0.0);
  // Tiny E: f(n)/(1 - f(0)) stays finite although 1 - f(0) ~ alpha E / beta.
  const std::vector<EbgmCell> tiny = {{1, 1e-12}, {2, 1e-9}};
  BOOST_TEST(std::isfinite(vigil::gamma_mixture_log_likelihood(tiny, kDuMouchel)));
  // A single-component prior (P = 0) is still a prior.
  GammaMixturePrior single = kTestTheta;
  single.p = 0;
  BOOST_TEST(std::isfinite(vigil::gamma_mixture_log_likelihood(kSmallCells, single)));
  for (const EbgmCell& bad :
       {EbgmCell{0, 1.0}, EbgmCell{-3, 1.0}, EbgmCell{1, 0.0}, EbgmCell{1, -1.0}, EbgmCell{1, kNaN},
        EbgmCell{1, kInf}, EbgmCell{1, 1.0, 0.0}, EbgmCell{1, 1.0, kNaN}}) {
    std::vector<EbgmCell> cells = kSmallCells;
    cells.push_back(bad);
    BOOST_TEST(std::isnan(vigil::gamma_mixture_log_likelihood(cells, kDuMouchel)));
  }
  GammaMixturePrior broken = kDuMouchel;
  broken.beta2 = -1;
  BOOST_TEST(std::isnan(vigil::gamma_mixture_log_likelihood(kSmallCells, broken)));
}

BOOST_AUTO_TEST_CASE(invalid_input_is_an_error) {
  const auto empty = vigil::fit_gamma_mixture_prior({}, kDuMouchel);
  BOOST_TEST_REQUIRE(!empty.is_ok());
  BOOST_TEST((empty.error().kind == ErrorKind::kInvalidArgument));
  for (const EbgmCell& bad :
       {EbgmCell{0, 1.0}, EbgmCell{-1, 1.0}, EbgmCell{1, 0.0}, EbgmCell{1, -0.5}, EbgmCell{1, kNaN},
        EbgmCell{1, kInf}, EbgmCell{1, 1.0, -1.0}, EbgmCell{1, 1.0, kInf}}) {
    std::vector<EbgmCell> cells = kSmallCells;
    cells.insert(cells.begin() + 2, bad);
    const auto r = fit(cells);
    BOOST_TEST_REQUIRE(!r.is_ok());
    BOOST_TEST((r.error().kind == ErrorKind::kInvalidArgument));
    BOOST_TEST(r.error().message.find("cell 2") != std::string::npos, r.error().message);
  }
  for (const GammaMixturePrior& start :
       {GammaMixturePrior{0.2, 0.1, 2, 4, 0}, GammaMixturePrior{0.2, 0.1, 2, 4, 1},
        GammaMixturePrior{-0.2, 0.1, 2, 4, 0.5}, GammaMixturePrior{0.2, kNaN, 2, 4, 0.5},
        GammaMixturePrior{0.2, 0.1, kInf, 4, 0.5}, GammaMixturePrior{0.2, 0.1, 2, 0, 0.5}}) {
    const auto r = fit(kSmallCells, start);
    BOOST_TEST_REQUIRE(!r.is_ok());
    BOOST_TEST((r.error().kind == ErrorKind::kInvalidArgument));
  }
}

BOOST_AUTO_TEST_CASE(fit_recovers_a_simulated_prior) {
  const std::vector<EbgmCell> cells = simulate(kTestTheta, 3000, 20240601);
  const auto fitted = fit(cells);
  BOOST_TEST_REQUIRE(fitted.is_ok(), (fitted.is_ok() ? "" : fitted.error().message));
  const GammaMixturePrior& prior = fitted.value();
  BOOST_TEST_MESSAGE("fitted " << prior.alpha1 << " " << prior.beta1 << " " << prior.alpha2 << " "
                               << prior.beta2 << " " << prior.p);
  BOOST_TEST(vigil::is_valid_prior(prior));

  // The maximum likelihood estimate is at least as likely as the truth.
  const double at_fit = vigil::gamma_mixture_log_likelihood(cells, prior);
  const double at_truth = vigil::gamma_mixture_log_likelihood(cells, kTestTheta);
  BOOST_TEST_MESSAGE("log-likelihood at fit " << at_fit << ", at truth " << at_truth);
  BOOST_TEST(at_fit >= at_truth);

  // And a local maximum: no single parameter moved by 1% improves it.
  for (auto param :
       {&GammaMixturePrior::alpha1, &GammaMixturePrior::beta1, &GammaMixturePrior::alpha2,
        &GammaMixturePrior::beta2, &GammaMixturePrior::p}) {
    for (double factor : {0.99, 1.01}) {
      GammaMixturePrior moved = prior;
      moved.*param *= factor;
      BOOST_TEST(vigil::gamma_mixture_log_likelihood(cells, moved) <= at_fit + 1e-9);
    }
  }

  // What matters downstream: EBGMs under the fitted prior are close to those
  // under the truth.
  for (const auto& [n, e] : {std::pair<int64_t, double>{1, 0.1},
                             {1, 1.0},
                             {3, 0.5},
                             {5, 1.0},
                             {10, 2.0},
                             {25, 5.0},
                             {50, 40.0}}) {
    const double want = vigil::ebgm(n, e, kTestTheta).ebgm;
    const double got = vigil::ebgm(n, e, prior).ebgm;
    BOOST_TEST_MESSAGE("n=" << n << " E=" << e << " EBGM truth " << want << " fitted " << got);
    BOOST_TEST(std::abs(got - want) <= 0.1 * want, "n=" << n << " E=" << e);
  }
}

BOOST_AUTO_TEST_CASE(fit_is_deterministic_and_start_independent_on_clear_data) {
  const std::vector<EbgmCell> cells = simulate(kDuMouchel, 2000, 7);
  const auto a = fit(cells);
  const auto b = fit(cells);
  BOOST_TEST_REQUIRE(a.is_ok());
  BOOST_TEST_REQUIRE(b.is_ok());
  BOOST_TEST(a.value().alpha1 == b.value().alpha1);
  BOOST_TEST(a.value().p == b.value().p);
  // From openEBGM's second example start the same maximum is found (up to
  // which component is called the first).
  const auto c = fit(cells, GammaMixturePrior{0.1, 0.1, 10, 10, 0.2});
  BOOST_TEST_REQUIRE(c.is_ok());
  const double ll_a = vigil::gamma_mixture_log_likelihood(cells, a.value());
  const double ll_c = vigil::gamma_mixture_log_likelihood(cells, c.value());
  BOOST_TEST(std::abs(ll_a - ll_c) < 1e-6 * std::abs(ll_a));
  BOOST_TEST(ll_a >= vigil::gamma_mixture_log_likelihood(cells, kDuMouchel));
}

BOOST_AUTO_TEST_SUITE_END()
