#include "prodcat/monitoring/drift_statistics.h"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <numbers>

namespace prodcat::monitoring {

double PopulationStabilityIndex(std::span<const double> expected, std::span<const double> actual,
                                double epsilon) {
  double e_sum = 0, a_sum = 0;
  for (double v : expected) e_sum += v;
  for (double v : actual) a_sum += v;
  if (expected.size() != actual.size() || !(e_sum > 0) || !(a_sum > 0)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double psi = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const double e = std::max(expected[i] / e_sum, epsilon);
    const double a = std::max(actual[i] / a_sum, epsilon);
    psi += (a - e) * std::log(a / e);
  }
  return psi;
}

double KolmogorovSurvival(double lambda) {
  if (!(lambda > 0)) return 1.0;
  constexpr double kTiny = 1e-17;
  if (lambda < 1.18) {
    // Q = 1 - sqrt(2 pi) / lambda * sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 lambda^2)).
    const double scale = std::numbers::pi * std::numbers::pi / (8 * lambda * lambda);
    double sum = 0;
    for (int j = 1; j < 100; ++j) {
      const double odd = 2.0 * j - 1.0;
      const double term = std::exp(-odd * odd * scale);
      sum += term;
      if (term < kTiny * sum) break;
    }
    return std::clamp(1.0 - std::sqrt(2 * std::numbers::pi) / lambda * sum, 0.0, 1.0);
  }
  double sum = 0, sign = 1;
  for (int j = 1; j < 100; ++j) {
    const double term = std::exp(-2.0 * j * j * lambda * lambda);
    sum += sign * term;
    if (term < kTiny) break;
    sign = -sign;
  }
  return std::clamp(2 * sum, 0.0, 1.0);
}

double KsPValue(double d, double effective_n) {
  if (!(effective_n > 0) || !(d > 0)) return 1.0;
  const double root = std::sqrt(effective_n);
  return KolmogorovSurvival((root + 0.12 + 0.11 / root) * d);
}

double EffectiveSampleSize(double n, double m) {
  if (!(m > 0)) return n;
  if (!(n > 0)) return 0;
  return n * m / (n + m);
}

KsResult TwoSampleKs(std::vector<double> a, std::vector<double> b) {
  std::erase_if(a, [](double v) { return std::isnan(v); });
  std::erase_if(b, [](double v) { return std::isnan(v); });
  KsResult r;
  if (a.empty() || b.empty()) return r;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const double n = static_cast<double>(a.size()), m = static_cast<double>(b.size());
  size_t i = 0, j = 0;
  double d = 0;
  // Walk the merged distinct values; both empirical CDFs step past every copy of a value before
  // they are compared, so ties between the samples never count as a gap.
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / n - static_cast<double>(j) / m));
  }
  r.statistic = d;
  r.effective_n = n * m / (n + m);
  r.p_value = KsPValue(d, r.effective_n);
  return r;
}

PiecewiseLinearCdf::PiecewiseLinearCdf(std::vector<double> xs, std::vector<double> ps) {
  if (xs.empty() || xs.size() != ps.size()) return;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(xs[i]) || !(ps[i] >= 0 && ps[i] <= 1)) return;
    if (i > 0 && (xs[i] < xs[i - 1] || ps[i] < ps[i - 1])) return;
  }
  ps.back() = 1.0;
  xs_ = std::move(xs);
  ps_ = std::move(ps);
}

PiecewiseLinearCdf PiecewiseLinearCdf::FromQuantileEdges(std::span<const double> edges) {
  if (edges.size() < 2) return {};
  std::vector<double> ps(edges.size());
  for (size_t k = 0; k < edges.size(); ++k) {
    ps[k] = static_cast<double>(k) / static_cast<double>(edges.size() - 1);
  }
  return PiecewiseLinearCdf(std::vector<double>(edges.begin(), edges.end()), std::move(ps));
}

double PiecewiseLinearCdf::At(double x) const {
  if (xs_.empty() || x < xs_.front()) return 0.0;
  // The last knot at or left of x: for tied knots the highest p (the top of the jump).
  const size_t i =
      static_cast<size_t>(std::upper_bound(xs_.begin(), xs_.end(), x) - xs_.begin()) - 1;
  if (i + 1 == xs_.size()) return 1.0;
  return ps_[i] + (ps_[i + 1] - ps_[i]) * (x - xs_[i]) / (xs_[i + 1] - xs_[i]);
}

double PiecewiseLinearCdf::Before(double x) const {
  if (xs_.empty() || x <= xs_.front()) return 0.0;
  // The first knot at or right of x: for tied knots the lowest p (the bottom of the jump).
  const size_t j = static_cast<size_t>(std::lower_bound(xs_.begin(), xs_.end(), x) - xs_.begin());
  if (j == xs_.size()) return 1.0;
  return ps_[j - 1] + (ps_[j] - ps_[j - 1]) * (x - xs_[j - 1]) / (xs_[j] - xs_[j - 1]);
}

double KsStatisticAgainstCdf(std::span<const double> sorted, const PiecewiseLinearCdf& cdf,
                             double lattice_step) {
  const size_t n = sorted.size();
  if (n == 0) return 0.0;
  const double half = lattice_step > 0 ? lattice_step / 2 : 0.0;
  double d = 0;
  size_t below = 0;  // values < the current distinct value
  size_t i = 0;
  while (i < n) {
    const double x = sorted[i];
    size_t end = i;
    while (end < n && sorted[end] == x) ++end;
    const double lower = half > 0 ? cdf.At(x - half) : cdf.Before(x);
    const double upper = half > 0 ? cdf.At(x + half) : cdf.At(x);
    // Between distinct values both CDFs are monotone and the empirical one is flat, so the gap
    // is largest just before a value (reference at `lower`, empirical below/n) or at it.
    d = std::max(d, std::abs(lower - static_cast<double>(below) / static_cast<double>(n)));
    d = std::max(d, std::abs(upper - static_cast<double>(end) / static_cast<double>(n)));
    below = end;
    i = end;
  }
  return d;
}

double ChiSquaredSurvival(double x, double dof) {
  if (!(x > 0) || !(dof > 0)) return 1.0;
  return boost::math::gamma_q(dof / 2, x / 2);
}

double NormalSurvival(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

}  // namespace prodcat::monitoring
