// The statistics of an experiment:
//
// * Sample-ratio mismatch: Pearson's chi-square goodness of fit of the requests per arm against
//   the configured shares; p = Q((k-1)/2, X^2/2), the regularized upper incomplete gamma function
//   (Boost.Math), for k arms.
//
// * Accuracy comparison of a treatment arm B against the control A that stays valid under
//   continuous monitoring: the mixture sequential probability ratio test (mSPRT) of Johari,
//   Koomen, Pekelis and Walsh ("Always valid inference", Operations Research 2022; the 2017 KDD
//   paper "Peeking at A/B tests") with a normal mixture N(0, tau^2) over the difference of
//   proportions theta = p_B - p_A, in its Gaussian (large-sample) form. With n_A, n_B feedbacks,
//   theta_hat = c_B/n_B - c_A/n_A and V = pA~(1-pA~)/n_A + pB~(1-pB~)/n_B (p~ = (c + 0.5)/(n + 1),
//   smoothed so V > 0 even when an arm is all right or all wrong):
//
//     Lambda_n(theta0) = sqrt(V / (V + tau^2)) * exp(tau^2 (theta_hat - theta0)^2 / (2 V (V +
//     tau^2)))
//
//   Always-valid p-value: p_n = min(1, min over m <= n of 1 / Lambda_m(0)). Confidence sequence
//   for theta: the running intersection of theta_hat_m +/- h_m with
//     h_m^2 = 2 V (V + tau^2) / tau^2 * (log(1/alpha) + log((V + tau^2) / V) / 2),
//   i.e. the theta0 with Lambda_m(theta0) < 1/alpha. P(ever p_n <= alpha | theta = 0) <= alpha and
//   P(theta ever outside the sequence) <= alpha (Ville's inequality), however often one looks.
//   Should a new interval miss the running intersection entirely (drift), the sequence keeps its
//   last non-empty value: it stays nested, the p-value never rises, decisions are final.
//   The statistic is updated at every feedback once both arms have `min_per_arm` observations
//   and at least `min_outcomes_per_arm` (10) right and 10 wrong answers each (the usual np >= 10
//   rule for the normal approximation; without it a small arm with a 99%-accurate model and no
//   error yet has a near-zero variance estimate, and simulations show the error rate rising to
//   ~9% for a 90/10 split), so the result does not depend on when anyone looks.
#pragma once

#include <cstdint>
#include <span>

#include "prodcat/common/status.h"

namespace prodcat::experiments {

struct ChiSquareResult {
  double statistic = 0;        // sum over arms of (observed - expected)^2 / expected
  int degrees_of_freedom = 0;  // arms - 1
  double p_value = 1;          // P(X^2 >= statistic) under the configured shares
};

// Upper tail P(X >= x) of the chi-square distribution with `degrees_of_freedom` > 0 degrees of
// freedom: the regularized upper incomplete gamma Q(df / 2, x / 2). 1 for x <= 0.
double ChiSquareUpperTail(double x, int degrees_of_freedom);

// Pearson goodness-of-fit test of `observed` counts against `expected_shares` (positive, summing
// to 1, same length >= 2). With no observations at all the statistic is 0 and p is 1.
StatusOr<ChiSquareResult> ChiSquareGoodnessOfFit(std::span<const int64_t> observed,
                                                 std::span<const double> expected_shares);

struct SequentialTestOptions {
  double alpha = 0.05;        // error rate of this one comparison (already Bonferroni-adjusted)
  double mixture_sd = 0.02;   // tau, the sd of the normal mixture over p_B - p_A
  int64_t min_per_arm = 100;  // observations each arm needs before the test starts
  int64_t min_outcomes_per_arm = 10;  // right and wrong answers each arm needs before it starts
};

struct SequentialResult {
  bool started = false;             // both arms reached the minimum counts at some point
  int64_t control_n = 0;            // feedbacks on the control arm A
  int64_t control_successes = 0;    // correct predictions among them
  int64_t treatment_n = 0;          // feedbacks on the treatment arm B
  int64_t treatment_successes = 0;  // correct predictions among them
  double difference = 0;  // current p_B - p_A estimate (0 before any feedback on both arms)
  double lower = -1;      // confidence sequence for p_B - p_A, running intersection;
  double upper = 1;       //   [-1, 1] (trivially valid) before the test starts
  double p_value = 1;     // always-valid p-value of H0: p_B = p_A, non-increasing
};

// The mSPRT above for one treatment arm against the control, fed one Bernoulli observation at
// a time. Not thread-safe; the manager guards it.
class MixtureSprt {
 public:
  explicit MixtureSprt(const SequentialTestOptions& options);

  // One feedback: on the treatment arm (else the control), correct or not.
  void Add(bool treatment, bool success);

  const SequentialResult& result() const { return result_; }
  const SequentialTestOptions& options() const { return options_; }

 private:
  void Update();

  SequentialTestOptions options_;  // fixed at construction
  SequentialResult result_;        // state after every observation so far
};

// One evaluation of the mixture likelihood ratio at given counts (no running state): log
// Lambda_n(0) and the half-width h_n of this step's interval. Exposed for tests and tools.
struct MixtureStep {
  double difference = 0;            // theta_hat
  double variance = 0;              // V
  double log_likelihood_ratio = 0;  // log Lambda_n(0)
  double half_width = 0;            // h_n
};
MixtureStep EvaluateMixture(int64_t control_n, int64_t control_successes, int64_t treatment_n,
                            int64_t treatment_successes, double alpha, double mixture_sd);

}  // namespace prodcat::experiments
