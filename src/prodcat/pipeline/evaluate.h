// Evaluate: a model bundle against labeled data -> report JSON, a readable table and SVG plots
// (confusion matrix, feature importance, calibration). Labels pass through the bundle's
// reframing first, so rare classes are scored as the model was trained to name them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/models/bundle.h"

namespace prodcat {

struct EvaluateOptions {
  ReadOptions read;
  size_t importance_top = 20;
  int threads = 0;
};

Status EvaluateRecords(const ModelBundle& bundle, const std::vector<ProductRecord>& records,
                       const EvaluateOptions& options, nlohmann::json* report);

// Writes `report_path` and, beside it, confusion_matrix.svg, feature_importance.svg and
// calibration.svg.
Status EvaluateToFiles(const ModelBundle& bundle, const std::vector<ProductRecord>& records,
                       const EvaluateOptions& options, const std::filesystem::path& report_path,
                       nlohmann::json* report);

}  // namespace prodcat
