#include "prodcat/experiments/statistics.h"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <string>

namespace prodcat::experiments {

double ChiSquareUpperTail(double x, int degrees_of_freedom) {
  if (degrees_of_freedom <= 0 || std::isnan(x)) return 1;
  if (x <= 0) return 1;
  if (std::isinf(x)) return 0;
  try {
    return boost::math::gamma_q(degrees_of_freedom / 2.0, x / 2.0);
  } catch (const std::exception&) {
    return 0;  // only reachable for astronomically large x: the tail underflows
  }
}

StatusOr<ChiSquareResult> ChiSquareGoodnessOfFit(std::span<const int64_t> observed,
                                                 std::span<const double> expected_shares) {
  if (observed.size() < 2 || observed.size() != expected_shares.size()) {
    return Status::InvalidArgument(
        "chi-square: expected >= 2 categories and as many shares as "
        "counts, got " +
        std::to_string(observed.size()) + " counts and " + std::to_string(expected_shares.size()) +
        " shares");
  }
  double total = 0;
  double share_sum = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    if (observed[i] < 0) {
      return Status::InvalidArgument("chi-square: count " + std::to_string(i) + " is negative");
    }
    if (!(expected_shares[i] > 0)) {
      return Status::InvalidArgument("chi-square: share " + std::to_string(i) +
                                     " must be positive");
    }
    total += static_cast<double>(observed[i]);
    share_sum += expected_shares[i];
  }
  if (std::fabs(share_sum - 1) > 1e-6) {
    return Status::InvalidArgument("chi-square: the shares sum to " + std::to_string(share_sum) +
                                   ", expected 1");
  }
  ChiSquareResult result;
  result.degrees_of_freedom = static_cast<int>(observed.size()) - 1;
  if (total == 0) return result;
  for (size_t i = 0; i < observed.size(); ++i) {
    double expected = total * expected_shares[i];
    double d = static_cast<double>(observed[i]) - expected;
    result.statistic += d * d / expected;
  }
  result.p_value = ChiSquareUpperTail(result.statistic, result.degrees_of_freedom);
  return result;
}

MixtureStep EvaluateMixture(int64_t control_n, int64_t control_successes, int64_t treatment_n,
                            int64_t treatment_successes, double alpha, double mixture_sd) {
  MixtureStep step;
  if (control_n <= 0 || treatment_n <= 0) return step;
  const double na = static_cast<double>(control_n);
  const double nb = static_cast<double>(treatment_n);
  step.difference = treatment_successes / nb - control_successes / na;
  // Smoothed proportions for the variance only, so an arm at 0% or 100% still has V > 0.
  const double pa = (control_successes + 0.5) / (na + 1);
  const double pb = (treatment_successes + 0.5) / (nb + 1);
  const double v = pa * (1 - pa) / na + pb * (1 - pb) / nb;
  const double tau2 = mixture_sd * mixture_sd;
  step.variance = v;
  step.log_likelihood_ratio = 0.5 * std::log(v / (v + tau2)) +
                              tau2 * step.difference * step.difference / (2 * v * (v + tau2));
  step.half_width =
      std::sqrt(2 * v * (v + tau2) / tau2 * (std::log(1 / alpha) + 0.5 * std::log((v + tau2) / v)));
  return step;
}

MixtureSprt::MixtureSprt(const SequentialTestOptions& options) : options_(options) {}

void MixtureSprt::Add(bool treatment, bool success) {
  if (treatment) {
    ++result_.treatment_n;
    result_.treatment_successes += success ? 1 : 0;
  } else {
    ++result_.control_n;
    result_.control_successes += success ? 1 : 0;
  }
  Update();
}

void MixtureSprt::Update() {
  SequentialResult& r = result_;
  MixtureStep step = EvaluateMixture(r.control_n, r.control_successes, r.treatment_n,
                                     r.treatment_successes, options_.alpha, options_.mixture_sd);
  r.difference = step.difference;
  if (!r.started) {
    if (r.control_n < options_.min_per_arm || r.treatment_n < options_.min_per_arm) return;
    const int64_t k = options_.min_outcomes_per_arm;
    if (r.control_successes < k || r.control_n - r.control_successes < k ||
        r.treatment_successes < k || r.treatment_n - r.treatment_successes < k) {
      return;
    }
    r.started = true;
  }
  r.p_value = std::min(r.p_value, std::min(1.0, std::exp(-step.log_likelihood_ratio)));
  double lower = std::max(-1.0, step.difference - step.half_width);
  double upper = std::min(1.0, step.difference + step.half_width);
  if (lower > r.upper || upper < r.lower) {
    // The new interval misses the running one entirely, which under the i.i.d. model happens
    // with probability <= alpha (a sign the accuracies drift). The sequence keeps its last
    // non-empty value so it stays nested and a decision once reached is never reversed.
    return;
  }
  r.lower = std::max(r.lower, lower);
  r.upper = std::min(r.upper, upper);
}

}  // namespace prodcat::experiments
