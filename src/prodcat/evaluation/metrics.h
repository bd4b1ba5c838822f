// Classification metrics and the evaluation report: accuracy, top-3 accuracy, per-class
// precision/recall/F1/support, macro and weighted F1, log loss, confusion matrix and calibration
// (expected calibration error with reliability bins).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prodcat/common/status.h"

namespace prodcat {

struct EvaluationInput {
  std::vector<std::string> class_names;  // index = class id
  std::vector<int> y_true;               // class ids; -1 = a label the model does not know
  std::vector<float> probs;              // y_true.size() x class_names.size(), row-major
};

// Report JSON: top-level keys accuracy, macro_f1, weighted_f1, top3_accuracy, log_loss,
// expected_calibration_error, num_samples, per_class {label: {precision, recall, f1, support}},
// confusion_matrix {labels, matrix}, calibration {bins: [...]}. Error when shapes disagree.
Status Evaluate(const EvaluationInput& input, nlohmann::json* report);
// Readable table of the headline metrics and per-class rows.
std::string RenderReportTable(const nlohmann::json& report);

// Standalone macro-F1 of hard predictions (used for model selection on validation).
double MacroF1(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes);

}  // namespace prodcat
