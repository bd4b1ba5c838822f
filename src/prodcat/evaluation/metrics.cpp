// Evaluate() and MacroF1(): one pass over the probability matrix accumulates every count the
// report needs, so a million rows x a dozen classes takes tens of milliseconds.
//
// Conventions (chosen to match scikit-learn where it has one):
// - Predicted class = argmax of the row; ties go to the lowest class id.
// - Rows with y_true == -1 (a label the model does not know) count in num_samples and always as
//   errors: they lower accuracy and top-3 accuracy, and their prediction is a false positive of
//   the predicted class (so they do enter precision denominators: the model did claim that class
//   for an item that is not in it). They have no row in the confusion matrix; their predictions
//   are reported separately as confusion_matrix.unknown_label_predictions. They are excluded from
//   log loss (there is no probability for a class the model lacks), from support and from
//   weighted-F1 weights. Their count is reported as unknown_label_count.
// - Zero division gives 0 (precision of a never-predicted class, recall of an absent class, and
//   F1 when both are 0), like sklearn's zero_division=0.
// - macro_f1 averages over the classes present in y_true or in the predictions, like
//   sklearn.metrics.f1_score(average='macro') with labels=None; the unknown pseudo-label is not
//   a class and is not averaged over.
// - weighted_f1 weights each class's F1 by its support (0 when no row has a known label).
// - top3_accuracy: the true class ranks among the 3 highest probabilities, ranking ties by lowest
//   class id as argmax does (with fewer than 3 classes every known-label row is a hit).
// - log_loss = mean over known-label rows of -ln(clamp(p_true, 1e-15, 1)); probabilities are not
//   renormalized. null when no row has a known label.
// - Calibration: confidence = the predicted class's probability; 15 equal-width bins over [0, 1],
//   bin b covering (b/15, (b+1)/15] (a confidence of exactly 0 goes to bin 0), as in Guo et al.,
//   "On Calibration of Modern Neural Networks" (2017). ECE = sum over bins of
//   (bin count / num_samples) * |bin accuracy - bin mean confidence|. Empty bins are listed with
//   count 0 and accuracy = mean_confidence = 0.
#include "prodcat/evaluation/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <unordered_map>

namespace prodcat {
namespace {

constexpr int kCalibrationBins = 15;
constexpr double kLogLossEpsilon = 1e-15;
constexpr int kTopK = 3;

// Per-class counts that precision, recall and F1 derive from.
struct ClassCounts {
  explicit ClassCounts(int num_classes)
      : true_positives(num_classes, 0), predicted(num_classes, 0), support(num_classes, 0) {}

  std::vector<int64_t> true_positives;  // rows with true == predicted == class
  std::vector<int64_t> predicted;       // rows predicted as the class, unknown-label rows included
  std::vector<int64_t> support;         // rows whose true label is the class
};

struct ClassScores {
  double precision = 0;  // tp / predicted, 0 when never predicted
  double recall = 0;     // tp / support, 0 when absent from y_true
  double f1 = 0;         // 2tp / (predicted + support), 0 when both are 0
};

ClassScores ScoreClass(int64_t true_positives, int64_t predicted, int64_t support) {
  ClassScores scores;
  const auto tp = static_cast<double>(true_positives);
  if (predicted > 0) scores.precision = tp / static_cast<double>(predicted);
  if (support > 0) scores.recall = tp / static_cast<double>(support);
  // Equal to the harmonic mean of precision and recall whenever that is defined.
  if (predicted + support > 0) scores.f1 = 2.0 * tp / static_cast<double>(predicted + support);
  return scores;
}

// sklearn's average='macro' over labels present in y_true or y_pred.
double MacroF1FromCounts(const ClassCounts& counts) {
  double f1_sum = 0;
  int present = 0;
  for (size_t c = 0; c < counts.support.size(); ++c) {
    if (counts.support[c] == 0 && counts.predicted[c] == 0) continue;
    f1_sum += ScoreClass(counts.true_positives[c], counts.predicted[c], counts.support[c]).f1;
    ++present;
  }
  return present > 0 ? f1_sum / present : 0.0;
}

Status ValidateInput(const EvaluationInput& input) {
  const size_t num_classes = input.class_names.size();
  if (num_classes == 0) {
    return Status::InvalidArgument("Evaluate: class_names is empty; need at least one class");
  }
  if (num_classes > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument(
        fmt::format("Evaluate: {} classes exceed the supported maximum", num_classes));
  }
  std::unordered_map<std::string, size_t> first_index;
  for (size_t c = 0; c < num_classes; ++c) {
    const auto [it, inserted] = first_index.emplace(input.class_names[c], c);
    if (!inserted) {
      return Status::InvalidArgument(
          fmt::format("Evaluate: class_names[{}] '{}' duplicates class_names[{}]; per-class "
                      "metrics are keyed by name",
                      c, input.class_names[c], it->second));
    }
  }
  const size_t num_samples = input.y_true.size();
  if (num_samples == 0) {
    return Status::InvalidArgument("Evaluate: y_true is empty; need at least one sample");
  }
  if (input.probs.size() / num_classes != num_samples || input.probs.size() % num_classes != 0) {
    return Status::InvalidArgument(fmt::format(
        "Evaluate: probs has {} values, expected y_true.size() x class_names.size() = {} x {} = "
        "{} (row-major)",
        input.probs.size(), num_samples, num_classes, num_samples * num_classes));
  }
  const int k = static_cast<int>(num_classes);
  for (size_t i = 0; i < num_samples; ++i) {
    const int label = input.y_true[i];
    if (label < -1 || label >= k) {
      return Status::InvalidArgument(fmt::format(
          "Evaluate: y_true[{}] = {} is outside [-1, {}) (-1 marks a label unknown to the model; "
          "{} classes)",
          i, label, k, k));
    }
  }
  for (size_t index = 0; index < input.probs.size(); ++index) {
    if (!std::isfinite(input.probs[index])) {
      return Status::InvalidArgument(
          fmt::format("Evaluate: probs[row {}, class {}] = {} is not a finite number",
                      index / num_classes, index % num_classes, input.probs[index]));
    }
  }
  return Status::Ok();
}

int CalibrationBin(double confidence) {
  const int bin = static_cast<int>(std::ceil(confidence * kCalibrationBins)) - 1;
  return std::clamp(bin, 0, kCalibrationBins - 1);
}

}  // namespace

Status Evaluate(const EvaluationInput& input, nlohmann::json* report) {
  if (report == nullptr) return Status::InvalidArgument("Evaluate: report must not be null");
  PRODCAT_RETURN_IF_ERROR(ValidateInput(input));

  const int k = static_cast<int>(input.class_names.size());
  const size_t n = input.y_true.size();
  const auto stride = static_cast<size_t>(k);

  ClassCounts counts(k);
  std::vector<int64_t> confusion(stride * stride, 0);  // [true * k + predicted]
  std::vector<int64_t> unknown_predictions(stride, 0);
  std::vector<int64_t> bin_count(kCalibrationBins, 0);
  std::vector<int64_t> bin_correct(kCalibrationBins, 0);
  std::vector<double> bin_confidence_sum(kCalibrationBins, 0.0);
  int64_t correct = 0;
  int64_t top3_hits = 0;
  int64_t unknown_count = 0;
  double log_loss_sum = 0;

  for (size_t i = 0; i < n; ++i) {
    const float* row = input.probs.data() + i * stride;
    int predicted = 0;
    float best = row[0];
    for (int c = 1; c < k; ++c) {
      if (row[c] > best) {  // strict: ties keep the lowest index
        best = row[c];
        predicted = c;
      }
    }
    const int label = input.y_true[i];
    const bool is_correct = label == predicted;
    ++counts.predicted[predicted];
    if (label < 0) {
      ++unknown_count;
      ++unknown_predictions[predicted];
    } else {
      ++counts.support[label];
      ++confusion[static_cast<size_t>(label) * stride + predicted];
      if (is_correct) {
        ++correct;
        ++counts.true_positives[label];
      }
      const float p_true = row[label];
      int rank = 0;  // classes ranked above the true one under the argmax tie rule
      for (int c = 0; c < k; ++c) {
        rank += (row[c] > p_true) || (row[c] == p_true && c < label);
      }
      if (rank < kTopK) ++top3_hits;
      log_loss_sum -= std::log(std::clamp(static_cast<double>(p_true), kLogLossEpsilon, 1.0));
    }
    const int bin = CalibrationBin(best);
    ++bin_count[bin];
    bin_correct[bin] += is_correct;
    bin_confidence_sum[bin] += best;
  }

  const auto total = static_cast<double>(n);
  const int64_t known_count = static_cast<int64_t>(n) - unknown_count;

  nlohmann::json per_class = nlohmann::json::object();
  double weighted_f1_sum = 0;
  for (int c = 0; c < k; ++c) {
    const ClassScores scores =
        ScoreClass(counts.true_positives[c], counts.predicted[c], counts.support[c]);
    per_class[input.class_names[c]] = {{"precision", scores.precision},
                                       {"recall", scores.recall},
                                       {"f1", scores.f1},
                                       {"support", counts.support[c]}};
    weighted_f1_sum += scores.f1 * static_cast<double>(counts.support[c]);
  }

  nlohmann::json matrix = nlohmann::json::array();
  for (size_t t = 0; t < stride; ++t) {
    matrix.push_back(
        std::vector<int64_t>(confusion.begin() + t * stride, confusion.begin() + (t + 1) * stride));
  }

  nlohmann::json bins = nlohmann::json::array();
  double ece = 0;
  for (int b = 0; b < kCalibrationBins; ++b) {
    double accuracy = 0;
    double mean_confidence = 0;
    if (bin_count[b] > 0) {
      accuracy = static_cast<double>(bin_correct[b]) / static_cast<double>(bin_count[b]);
      mean_confidence = bin_confidence_sum[b] / static_cast<double>(bin_count[b]);
      ece += static_cast<double>(bin_count[b]) / total * std::abs(accuracy - mean_confidence);
    }
    bins.push_back({{"lower", static_cast<double>(b) / kCalibrationBins},
                    {"upper", static_cast<double>(b + 1) / kCalibrationBins},
                    {"count", bin_count[b]},
                    {"accuracy", accuracy},
                    {"mean_confidence", mean_confidence}});
  }

  nlohmann::json out;
  out["accuracy"] = static_cast<double>(correct) / total;
  out["macro_f1"] = MacroF1FromCounts(counts);
  out["weighted_f1"] = known_count > 0 ? weighted_f1_sum / static_cast<double>(known_count) : 0.0;
  out["top3_accuracy"] = static_cast<double>(top3_hits) / total;
  out["log_loss"] = known_count > 0
                        ? nlohmann::json(log_loss_sum / static_cast<double>(known_count))
                        : nlohmann::json(nullptr);
  out["expected_calibration_error"] = ece;
  out["num_samples"] = static_cast<int64_t>(n);
  out["unknown_label_count"] = unknown_count;
  out["per_class"] = std::move(per_class);
  out["confusion_matrix"] = {{"labels", input.class_names},
                             {"matrix", std::move(matrix)},
                             {"unknown_label_predictions", unknown_predictions}};
  out["calibration"] = {{"num_bins", kCalibrationBins}, {"bins", std::move(bins)}};
  *report = std::move(out);
  return Status::Ok();
}

// Hard-label macro-F1 with Evaluate()'s conventions: y_true == -1 is a label unknown to the model
// (a false positive of its prediction). The signature cannot carry a Status, so malformed input
// (sizes differ, num_classes < 1, y_true outside [-1, num_classes) or y_pred outside
// [0, num_classes)) yields NaN, which loses every `>` comparison in model selection.
double MacroF1(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes) {
  constexpr double kInvalid = std::numeric_limits<double>::quiet_NaN();
  if (num_classes < 1 || y_true.size() != y_pred.size()) return kInvalid;
  ClassCounts counts(num_classes);
  for (size_t i = 0; i < y_true.size(); ++i) {
    const int label = y_true[i];
    const int predicted = y_pred[i];
    if (label < -1 || label >= num_classes || predicted < 0 || predicted >= num_classes) {
      return kInvalid;
    }
    ++counts.predicted[predicted];
    if (label < 0) continue;
    ++counts.support[label];
    if (label == predicted) ++counts.true_positives[label];
  }
  return MacroF1FromCounts(counts);
}

}  // namespace prodcat
