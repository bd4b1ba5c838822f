// Self-contained SVG plots for evaluation reports (no plotting library needed to view them).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace prodcat {

// Row-normalized confusion matrix heat map with counts; `report` is Evaluate()'s output.
std::string ConfusionMatrixSvg(const nlohmann::json& report);
// Horizontal bar chart of the top features by importance, largest first.
std::string FeatureImportanceSvg(const std::vector<std::pair<std::string, double>>& importances,
                                 const std::string& title);
// Reliability diagram from report["calibration"].
std::string CalibrationSvg(const nlohmann::json& report);

}  // namespace prodcat
