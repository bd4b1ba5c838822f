// Auto-logging of pipeline commands into experiment tracking (embedded SQLite by default,
// PostgreSQL or an MLflow-compatible server by URI): every hyperparameter, per-round training
// and validation metrics, final metrics, input data fingerprints, the git commit, the model
// bundle and the evaluation report and plots as artifacts.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/pipeline/config.h"
#include "prodcat/tracking/run_logger.h"

namespace prodcat {

struct TrackingOptions {
  bool enabled = true;
  std::string uri;  // empty: the default store
  std::string experiment = "prodcat";
  std::string register_as;  // model name to register the bundle under; empty: do not register

  static TrackingOptions FromConfig(const Config& config);
};

// Flattens nested JSON into "a.b.c" -> value strings (MLflow params are flat strings).
std::map<std::string, std::string> FlattenParams(const nlohmann::json& j,
                                                 const std::string& prefix = "");

// Starts a run when tracking is enabled; *logger stays null when it is disabled.
Status StartTrackedRun(const TrackingOptions& options, const std::string& run_name,
                       std::unique_ptr<tracking::RunLogger>* logger);

// Logs an evaluation report's headline and per-class metrics (optionally prefixed), the
// evaluation data fingerprint tag the promotion gate compares, and the report directory.
Status LogEvaluation(tracking::RunLogger& logger, const nlohmann::json& report,
                     const std::string& eval_fingerprint, const std::filesystem::path& report_dir,
                     const std::string& prefix = "");

// Registers the bundle under options.register_as (no-op when empty); returns the version. The
// bundle is stored in the run's artifacts under `artifact_path`.
Status RegisterBundle(const TrackingOptions& options, tracking::RunLogger& logger,
                      const std::filesystem::path& bundle_dir, int64_t* version,
                      const std::string& artifact_path = "model");

}  // namespace prodcat
