// The pure statistics of drift detection, with no knowledge of features or windows.
//
//   PSI   Population stability index over bins: sum_i (a_i - e_i) ln(a_i / e_i), where e and a
//         are the reference ("expected") and current ("actual") shares. A share below `epsilon`
//         (default 1e-4) is replaced by epsilon on either side, so an empty bin adds a large but
//         finite term instead of infinity. For small deviations n * PSI is approximately
//         Pearson's chi-squared statistic (PSI is the symmetrised KL divergence).
//   JS    Jensen-Shannon distance: prodcat::JensenShannonDistance (validation/js_distance.h),
//         sqrt of the JS divergence with base-2 logarithms, in [0, 1]. Reused, not rewritten.
//         For small deviations 8 n ln(2) JS^2 is approximately Pearson's chi-squared statistic.
//   KS    Kolmogorov-Smirnov: the two-sample statistic, the one-sample statistic against a
//         piecewise-linear reference CDF, and the asymptotic p-value Q_KS(lambda) with Stephens'
//         small-sample correction lambda = (sqrt(n_e) + 0.12 + 0.11 / sqrt(n_e)) * D, where n_e
//         is the effective sample size (n for one sample, n m / (n + m) for two).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace prodcat::monitoring {

inline constexpr double kDefaultPsiEpsilon = 1e-4;

// `expected` and `actual` are non-negative weights (counts or shares) over the same bins; each is
// normalized to shares here. NaN when the sizes differ or either side sums to <= 0.
double PopulationStabilityIndex(std::span<const double> expected, std::span<const double> actual,
                                double epsilon = kDefaultPsiEpsilon);

// The Kolmogorov distribution's survival function Q(lambda) = 2 sum_{j>=1} (-1)^(j-1)
// exp(-2 j^2 lambda^2) (for lambda < 1.18 the equivalent theta-function form converges faster).
double KolmogorovSurvival(double lambda);

// Asymptotic p-value of a KS statistic `d` for effective sample size `effective_n` (see above).
// 1 when effective_n <= 0.
double KsPValue(double d, double effective_n);

// Effective sample size of a two-sample comparison: n m / (n + m); n when m is 0 (infinite).
double EffectiveSampleSize(double n, double m);

struct KsResult {
  double statistic = 0;    // sup |F1 - F2|, in [0, 1]
  double effective_n = 0;  // the n_e of the p-value
  double p_value = 1;      // KsPValue(statistic, effective_n)
};

// Two-sample KS on unsorted samples (NaN values are ignored). Both empty or one empty: D = 0,
// p = 1.
KsResult TwoSampleKs(std::vector<double> a, std::vector<double> b);

// A CDF through knots (x_k, p_k) joined by straight lines: 0 left of the first knot, 1 right of
// the last. Equal x's make a vertical jump (an atom). This is how a reference distribution is
// rebuilt from its quantile edges: knot k = (q_k, k / (m - 1)) for m edges.
class PiecewiseLinearCdf {
 public:
  PiecewiseLinearCdf() = default;
  // `xs` ascending (ties allowed), `ps` non-decreasing in [0, 1], same size (>= 1); the last p is
  // treated as 1. Returns an empty CDF when the inputs do not satisfy this.
  PiecewiseLinearCdf(std::vector<double> xs, std::vector<double> ps);
  // Knots (q_k, k / (edges.size() - 1)); empty when fewer than 2 edges.
  static PiecewiseLinearCdf FromQuantileEdges(std::span<const double> edges);

  bool empty() const { return xs_.empty(); }
  // P(X <= x): right-continuous (at an atom, the top of the jump).
  double At(double x) const;
  // P(X < x): the left limit (at an atom, the bottom of the jump).
  double Before(double x) const;
  const std::vector<double>& xs() const { return xs_; }
  const std::vector<double>& ps() const { return ps_; }

 private:
  std::vector<double> xs_;  // knot positions, ascending; empty = no distribution
  std::vector<double> ps_;  // cumulative probability at each knot, non-decreasing, last = 1
};

// One-sample KS statistic of ascending `sorted` values against `cdf`. With lattice_step > 0 the
// values are taken to live on a lattice of that step (integers: 1) and the reference is
// evaluated with a continuity correction: P(X <= x) = cdf.At(x + step/2) and
// P(X < x) = cdf.At(x - step/2); otherwise cdf.At(x) and cdf.Before(x). Equal values are
// grouped (the empirical CDF jumps once per distinct value). 0 for no values.
double KsStatisticAgainstCdf(std::span<const double> sorted, const PiecewiseLinearCdf& cdf,
                             double lattice_step);

// P(chi-squared with `dof` degrees of freedom > x) (Boost.Math's regularized gamma). 1 when
// x <= 0 or dof <= 0.
double ChiSquaredSurvival(double x, double dof);

// P(Z > z) for a standard normal Z.
double NormalSurvival(double z);

}  // namespace prodcat::monitoring
