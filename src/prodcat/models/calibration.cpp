#include "prodcat/models/calibration.h"

#include <algorithm>
#include <cmath>

namespace prodcat {

namespace {
constexpr double kMinProbability = 1e-15;
constexpr double kMinLogTemperature = -6.907755278982137;  // log(1e-3)
constexpr double kMaxLogTemperature = 6.907755278982137;   // log(1e3)

bool UsableLabel(int label, int num_classes) {
  return label >= 0 && label < num_classes;
}
}  // namespace

void SoftmaxWithTemperature(const float* logits, size_t n, double temperature, float* probs) {
  if (n == 0) return;
  const double inv_t = 1.0 / temperature;
  float max_logit = *std::max_element(logits, logits + n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    double e = std::exp((static_cast<double>(logits[i]) - max_logit) * inv_t);
    probs[i] = static_cast<float>(e);
    sum += e;
  }
  const double inv_sum = 1.0 / sum;  // sum >= 1: the max term contributes exp(0)
  for (size_t i = 0; i < n; ++i) probs[i] = static_cast<float>(probs[i] * inv_sum);
}

double SoftmaxLogLoss(const std::vector<float>& logits, const std::vector<int>& labels,
                      int num_classes, double temperature) {
  if (num_classes <= 0) return 0;
  const size_t k = static_cast<size_t>(num_classes);
  const double inv_t = 1.0 / temperature;
  double total = 0;
  size_t rows = 0;
  for (size_t r = 0; r < labels.size() && (r + 1) * k <= logits.size(); ++r) {
    if (!UsableLabel(labels[r], num_classes)) continue;
    const float* row = logits.data() + r * k;
    double max_scaled = *std::max_element(row, row + k) * inv_t;
    double sum = 0;
    for (size_t c = 0; c < k; ++c) sum += std::exp(row[c] * inv_t - max_scaled);
    // log p = z_label - logsumexp(z); computed in log space so tiny probabilities stay exact.
    double log_p = row[labels[r]] * inv_t - max_scaled - std::log(sum);
    total -= std::max(log_p, std::log(kMinProbability));
    ++rows;
  }
  return rows == 0 ? 0 : total / static_cast<double>(rows);
}

double FitTemperature(const std::vector<float>& logits, const std::vector<int>& labels,
                      int num_classes) {
  bool any_usable =
      std::any_of(labels.begin(), labels.end(), [&](int l) { return UsableLabel(l, num_classes); });
  if (!any_usable || num_classes <= 0) return 1.0;
  auto loss_at = [&](double log_t) {
    return SoftmaxLogLoss(logits, labels, num_classes, std::exp(log_t));
  };
  const double inv_phi = (std::sqrt(5.0) - 1) / 2;
  double lo = kMinLogTemperature, hi = kMaxLogTemperature;
  double a = hi - inv_phi * (hi - lo), b = lo + inv_phi * (hi - lo);
  double fa = loss_at(a), fb = loss_at(b);
  // 60 iterations shrink the 13.8-wide bracket below 1e-11: far past float precision.
  for (int i = 0; i < 60; ++i) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - inv_phi * (hi - lo);
      fa = loss_at(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + inv_phi * (hi - lo);
      fb = loss_at(b);
    }
  }
  return std::exp((lo + hi) / 2);
}

ProbabilityScores ScoreProbabilities(const std::vector<float>& probs,
                                     const std::vector<int>& labels, int num_classes) {
  ProbabilityScores scores;
  if (num_classes <= 0) return scores;
  const size_t k = static_cast<size_t>(num_classes);
  std::vector<size_t> true_positive(k, 0), predicted(k, 0), actual(k, 0);
  size_t correct = 0;
  double loss = 0;
  for (size_t r = 0; r < labels.size() && (r + 1) * k <= probs.size(); ++r) {
    if (!UsableLabel(labels[r], num_classes)) continue;
    const float* row = probs.data() + r * k;
    size_t best = static_cast<size_t>(std::max_element(row, row + k) - row);
    size_t label = static_cast<size_t>(labels[r]);
    ++predicted[best];
    ++actual[label];
    if (best == label) {
      ++true_positive[label];
      ++correct;
    }
    loss -= std::log(std::max(static_cast<double>(row[label]), kMinProbability));
    ++scores.rows;
  }
  if (scores.rows == 0) return scores;
  double f1_sum = 0;
  size_t f1_classes = 0;
  for (size_t c = 0; c < k; ++c) {
    if (actual[c] == 0 && predicted[c] == 0) continue;  // sklearn: labels seen in either
    f1_sum +=
        2.0 * static_cast<double>(true_positive[c]) / static_cast<double>(actual[c] + predicted[c]);
    ++f1_classes;
  }
  scores.accuracy = static_cast<double>(correct) / static_cast<double>(scores.rows);
  scores.macro_f1 = f1_sum / static_cast<double>(f1_classes);
  scores.log_loss = loss / static_cast<double>(scores.rows);
  return scores;
}

}  // namespace prodcat
