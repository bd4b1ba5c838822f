// RunLogger: auto-logging for prodcat's train / evaluate / run commands. Start() opens the
// tracking store named by the URI (SQLite/PostgreSQL in-process, or http:// REST), finds or
// creates the experiment, and starts a run tagged with the user, the program and the git commit
// of the working directory. Metrics are buffered and sent in log-batch calls (at 1000 buffered
// values, on Flush and on End); params and tags are sent at once. Thread-safe.
//
//   std::unique_ptr<RunLogger> run;
//   PRODCAT_RETURN_IF_ERROR(RunLogger::Start(uri, "pricerunner", "train", &run));
//   run->LogParams({{"model", "linear"}, {"c", "1.0"}});
//   run->LogMetric("val_macro_f1", 0.91, /*step=*/epoch);
//   run->LogInput("train.csv", fingerprint, "/data/train.csv");
//   run->LogArtifact(bundle_dir, "model");
//   run->End(RunStatus::kFinished);
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/entities.h"
#include "prodcat/tracking/tracking_client.h"

namespace prodcat::tracking {

struct RunLoggerOptions {
  std::string tracking_uri;  // empty: DefaultTrackingUri()
  std::string experiment_name = kDefaultExperimentName;
  std::string run_name;           // empty: generated
  std::string user;               // empty: $USER (or the account name)
  std::string source_name;        // empty: "prodcat"
  std::vector<KeyValue> tags;     // extra tags on the new run
  size_t flush_threshold = 1000;  // buffered metrics that trigger a log-batch
};

class RunLogger {
 public:
  static Status Start(const std::string& tracking_uri, const std::string& experiment_name,
                      const std::string& run_name, std::unique_ptr<RunLogger>* logger);
  static Status Start(const RunLoggerOptions& options, std::unique_ptr<RunLogger>* logger);
  // A run not ended explicitly is ended FAILED (the command did not finish).
  ~RunLogger();

  const std::string& run_id() const { return run_id_; }
  const std::string& experiment_id() const { return experiment_id_; }
  const std::string& artifact_uri() const { return artifact_uri_; }
  TrackingClient& client() { return *client_; }

  Status LogParam(const std::string& key, const std::string& value);
  Status LogParams(const std::map<std::string, std::string>& params);
  // Buffered; `timestamp_ms` 0 means now.
  Status LogMetric(const std::string& key, double value, int64_t step = 0,
                   int64_t timestamp_ms = 0);
  Status LogMetrics(const std::map<std::string, double>& metrics, int64_t step = 0);
  Status SetTag(const std::string& key, const std::string& value);
  // A dataset the run read, in MLflow's log-inputs shape; `context` becomes the
  // mlflow.data.context input tag ("training", "validation", "evaluation", ...).
  Status LogInput(const std::string& name, const std::string& digest, const std::string& source,
                  const std::string& context = "", const std::string& schema = "",
                  const std::string& profile = "");
  // Copies a file or directory into the run's artifacts under `artifact_path`.
  Status LogArtifact(const std::filesystem::path& local, const std::string& artifact_path = "");
  // Sends buffered metrics.
  Status Flush();
  // Flushes, then marks the run ended with `status` and the end time. Idempotent.
  Status End(RunStatus status = RunStatus::kFinished);

 private:
  RunLogger() = default;
  Status FlushLocked();

  std::unique_ptr<TrackingClient> client_;  // never null after Start
  std::string run_id_;                      // the run being logged
  std::string experiment_id_;               // the run's experiment
  std::string artifact_uri_;                // where the run's artifacts go
  size_t flush_threshold_ = 1000;           // >= 1: buffered metrics that trigger a flush
  std::mutex mutex_;                        // guards pending_ and ended_
  std::vector<Metric> pending_;             // metrics not yet sent
  bool ended_ = false;                      // End() has run
};

// The commit checked out in `dir` (git rev-parse HEAD), or "" outside a git work tree.
std::string GitCommit(const std::filesystem::path& dir);
// $USER, else the account name of the current uid, else "unknown".
std::string CurrentUser();

}  // namespace prodcat::tracking
