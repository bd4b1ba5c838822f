#include "prodcat/pipeline/tracking_hooks.h"

#include <spdlog/spdlog.h>

#include "prodcat/registry/model_registration.h"
#include "prodcat/registry/promotion.h"

namespace prodcat {

TrackingOptions TrackingOptions::FromConfig(const Config& config) {
  TrackingOptions o;
  o.enabled = config.GetBool("tracking", "enabled");
  o.uri = config.GetString("tracking", "uri");
  o.experiment = config.GetString("tracking", "experiment");
  if (o.experiment.empty()) o.experiment = "prodcat";
  o.register_as = config.GetString("tracking", "register_as");
  return o;
}

std::map<std::string, std::string> FlattenParams(const nlohmann::json& j,
                                                 const std::string& prefix) {
  std::map<std::string, std::string> out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      auto child = FlattenParams(v, prefix.empty() ? k : prefix + "." + k);
      out.insert(child.begin(), child.end());
    }
  } else if (!prefix.empty()) {
    std::string value = j.is_string() ? j.get<std::string>() : j.dump();
    if (value.size() > 6000) value.resize(6000);  // MLflow's param value limit
    out[prefix] = value;
  }
  return out;
}

Status StartTrackedRun(const TrackingOptions& options, const std::string& run_name,
                       std::unique_ptr<tracking::RunLogger>* logger) {
  logger->reset();
  if (!options.enabled) return Status::Ok();
  tracking::RunLoggerOptions o;
  o.tracking_uri = options.uri;
  o.experiment_name = options.experiment;
  o.run_name = run_name;
  Status s = tracking::RunLogger::Start(o, logger);
  if (!s.ok())
    return s.WithContext("experiment tracking (disable with --set tracking.enabled=false)");
  spdlog::info("tracking: run {} in experiment '{}'", (*logger)->run_id(), options.experiment);
  return Status::Ok();
}

Status LogEvaluation(tracking::RunLogger& logger, const nlohmann::json& report,
                     const std::string& eval_fingerprint, const std::filesystem::path& report_dir,
                     const std::string& prefix) {
  std::map<std::string, double> metrics;
  for (const char* key : {"accuracy", "macro_f1", "weighted_f1", "top3_accuracy", "log_loss",
                          "expected_calibration_error"}) {
    if (report.contains(key) && report[key].is_number()) {
      metrics[prefix + key] = report[key].get<double>();
    }
  }
  if (report.contains("per_class")) {
    for (const auto& [label, m] : report["per_class"].items()) {
      if (m.contains("f1") && m["f1"].is_number()) {
        std::string safe;
        for (char c : label) safe += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
        metrics[prefix + "f1." + safe] = m["f1"].get<double>();
      }
    }
  }
  PRODCAT_RETURN_IF_ERROR(logger.LogMetrics(metrics));
  PRODCAT_RETURN_IF_ERROR(logger.SetTag(registry::kEvalFingerprintKey, eval_fingerprint));
  PRODCAT_RETURN_IF_ERROR(logger.LogInput("evaluation", eval_fingerprint, "", "evaluation"));
  if (!report_dir.empty()) PRODCAT_RETURN_IF_ERROR(logger.LogArtifact(report_dir, "evaluation"));
  return logger.Flush();
}

Status RegisterBundle(const TrackingOptions& options, tracking::RunLogger& logger,
                      const std::filesystem::path& bundle_dir, int64_t* version,
                      const std::string& artifact_path) {
  *version = 0;
  if (options.register_as.empty()) return Status::Ok();
  registry::RegistrationOptions r;
  r.user = tracking::CurrentUser();
  r.artifact_path = artifact_path;
  tracking::ModelVersion mv;
  PRODCAT_RETURN_IF_ERROR(
      registry::RegisterModelVersion(logger.client(), options.register_as, logger.run_id(),
                                     std::filesystem::absolute(bundle_dir), r, &mv));
  *version = mv.version;
  spdlog::info("registry: registered {} version {}", options.register_as, mv.version);
  return Status::Ok();
}

}  // namespace prodcat
