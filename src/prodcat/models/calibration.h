// Calibration: turning raw class scores (logits, SVM decision values) into probabilities, and
// judging probability outputs on a labelled set. Temperature scaling (Guo et al., 2017) divides
// every score by one fitted constant T before the softmax: it keeps the ranking (so accuracy is
// unchanged) and only fixes over- or under-confidence, which makes it safe with little data.
#pragma once

#include <cstddef>
#include <vector>

namespace prodcat {

// probs[i] = softmax(logits / temperature)[i] for i < n. Stable for large scores; temperature > 0.
void SoftmaxWithTemperature(const float* logits, size_t n, double temperature, float* probs);

// Mean negative log-likelihood of `labels` under softmax(logits / temperature). `logits` is
// row-major, labels.size() rows x num_classes. Rows whose label is outside [0, num_classes) are
// skipped. Probabilities are floored at 1e-15 like sklearn's log_loss.
double SoftmaxLogLoss(const std::vector<float>& logits, const std::vector<int>& labels,
                      int num_classes, double temperature);

// The temperature in [1e-3, 1e3] minimizing SoftmaxLogLoss: golden-section search on log T
// (the loss is convex in 1/T, hence unimodal in log T). Returns 1 when there are no usable rows.
double FitTemperature(const std::vector<float>& logits, const std::vector<int>& labels,
                      int num_classes);

// Quality of a probability matrix (row-major, labels.size() x num_classes) on labelled rows.
struct ProbabilityScores {
  double accuracy = 0;  // share of rows whose arg-max class is the label
  double macro_f1 = 0;  // unweighted mean F1 over classes present in labels or predictions
  double log_loss = 0;  // mean -log p(label), floored at 1e-15
  size_t rows = 0;      // rows scored (labels outside [0, num_classes) are skipped)
};
ProbabilityScores ScoreProbabilities(const std::vector<float>& probs,
                                     const std::vector<int>& labels, int num_classes);

}  // namespace prodcat
