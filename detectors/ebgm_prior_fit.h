// Maximum marginal likelihood estimate of the MGPS gamma-mixture prior
// (detectors/ebgm.h) from observed cells, as openEBGM 0.9's autoHyper /
// exploreHypers do with zeroes = FALSE and N_star = 1: the likelihood of each
// cell is that of its count conditional on being >= 1,
//   L(n) = P f1(n) / (1 - f1(0)) + (1-P) f2(n) / (1 - f2(0)),
// f_i = NegBin(size alpha_i, prob beta_i/(beta_i+E)), weighted by the cell's
// squashing weight (openEBGM R/f_likelihoodEqs.R: negLL, and negLLsquash
// with weights wi; DuMouchel & Pregibon 2001). Cells with n = 0 must be left
// out, as openEBGM requires when N_star = 1.
#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "detectors/ebgm.h"

namespace vigil {

struct EbgmCell {
  int64_t n;            // observed count, >= 1
  double expected;      // expected count under independence, finite and > 0
  double weight = 1.0;  // how many cells this one stands for (data squashing), > 0
};

// Sum over cells of weight * ln L(n): the objective the fit maximises (the
// negative of openEBGM's negLL / negLLsquash with N_star = 1). 0 for no cells;
// NaN when a cell or the prior is invalid (n < 1, expected or weight not
// finite and > 0; see is_valid_prior). Computed in logs throughout.
double gamma_mixture_log_likelihood(std::span<const EbgmCell> cells,
                                    const GammaMixturePrior& prior);

// The prior maximising gamma_mixture_log_likelihood, searched from `start`
// (DuMouchel's (0.2, 0.1, 2, 4, 1/3) when the caller has nothing better).
//
// openEBGM minimises with nlminb (PORT, unconstrained) and then discards
// estimates outside alpha, beta in (0, 100), P in (0, 1). Here NLopt's BOBYQA
// (bounded, derivative-free) searches ln alpha, ln beta in [ln 1e-6, ln 1e6]
// and logit P in [logit 1e-6, logit (1 - 1e-6)], restarting from its own
// answer until the likelihood stops improving: the log/logit scale keeps
// every trial point a valid prior and gives the five parameters comparable
// step sizes. A result on the box edge is returned as found (a degenerate
// mixture still gives usable EBGMs); the caller may compare with other starts
// as autoHyper does. Like any mixture fit it can stop at a local maximum.
//
// Costs two log-gamma evaluations per cell per likelihood evaluation and a few
// hundred likelihood evaluations: ~0.4 s for 3000 cells. For much larger
// tables squash the cells first (openEBGM squashData) and pass weights.
// Errors: InvalidArgument for no cells, an invalid cell (index in the message)
// or a start that is not a valid prior with 0 < P < 1; Fatal when the
// optimiser fails or the likelihood at its answer is not finite.
Result<GammaMixturePrior> fit_gamma_mixture_prior(std::span<const EbgmCell> cells,
                                                  const GammaMixturePrior& start);

}  // namespace vigil
