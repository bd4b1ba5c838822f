#include "prodcat/pipeline/evaluate.h"

#include <chrono>

#include "prodcat/common/file_util.h"
#include "prodcat/evaluation/metrics.h"
#include "prodcat/evaluation/plots.h"
#include "prodcat/pipeline/train.h"

namespace prodcat {
namespace fs = std::filesystem;

Status EvaluateRecords(const ModelBundle& bundle, const std::vector<ProductRecord>& records,
                       const EvaluateOptions& options, nlohmann::json* report) {
  if (records.empty()) return Status::InvalidArgument("evaluate: the data has no rows");
  EvaluationInput input;
  input.class_names = bundle.class_names();
  input.y_true.reserve(records.size());
  for (const auto& r : records) {
    if (r.category.empty()) {
      return Status::InvalidArgument("evaluate: row at line " + std::to_string(r.source_line) +
                                     " has no label");
    }
    input.y_true.push_back(bundle.ClassIndex(bundle.reframing().Apply(r.category)));
  }
  auto start = std::chrono::steady_clock::now();
  PredictRecords(bundle, records, options.threads, &input.probs);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PRODCAT_RETURN_IF_ERROR(Evaluate(input, report));
  nlohmann::json importance = nlohmann::json::array();
  for (const auto& fi : bundle.classifier().Importance(bundle.spec(), options.importance_top)) {
    importance.push_back({{"feature", fi.name}, {"importance", fi.importance}});
  }
  (*report)["feature_importance"] = importance;
  (*report)["model"] = {{"family", bundle.classifier().family()},
                        {"data_fingerprint", bundle.metadata().value("data_fingerprint", "")}};
  (*report)["predict_seconds"] = seconds;
  (*report)["rows_per_second"] = seconds > 0 ? static_cast<double>(records.size()) / seconds : 0.0;
  return Status::Ok();
}

Status EvaluateToFiles(const ModelBundle& bundle, const std::vector<ProductRecord>& records,
                       const EvaluateOptions& options, const fs::path& report_path,
                       nlohmann::json* report) {
  PRODCAT_RETURN_IF_ERROR(EvaluateRecords(bundle, records, options, report));
  fs::path dir = report_path.parent_path();
  if (!dir.empty()) PRODCAT_RETURN_IF_ERROR(EnsureDirectory(dir));
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& fi : (*report)["feature_importance"]) {
    bars.emplace_back(fi["feature"].get<std::string>(), fi["importance"].get<double>());
  }
  PRODCAT_RETURN_IF_ERROR(
      WriteFileAtomic(dir / "confusion_matrix.svg", ConfusionMatrixSvg(*report)));
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(
      dir / "feature_importance.svg",
      FeatureImportanceSvg(bars, "Feature importance (" + bundle.classifier().family() + ")")));
  PRODCAT_RETURN_IF_ERROR(WriteFileAtomic(dir / "calibration.svg", CalibrationSvg(*report)));
  (*report)["plots"] = {{"confusion_matrix", (dir / "confusion_matrix.svg").string()},
                        {"feature_importance", (dir / "feature_importance.svg").string()},
                        {"calibration", (dir / "calibration.svg").string()}};
  return WriteFileAtomic(report_path, report->dump(2) + "\n");
}

}  // namespace prodcat
