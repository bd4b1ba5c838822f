// Tracking entities with MLflow's meaning: experiments hold runs; a run has params (immutable),
// metrics (full history; the latest value per key is what searches see), tags and dataset inputs.
// Ids are strings as on MLflow's wire (experiment ids are decimal integers, run ids 32 hex digits).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prodcat::tracking {

inline constexpr const char* kLifecycleActive = "active";
inline constexpr const char* kLifecycleDeleted = "deleted";
inline constexpr const char* kDefaultExperimentId = "0";
inline constexpr const char* kDefaultExperimentName = "Default";

// Tag names MLflow's clients and UI read.
inline constexpr const char* kTagRunName = "mlflow.runName";
inline constexpr const char* kTagUser = "mlflow.user";
inline constexpr const char* kTagSourceName = "mlflow.source.name";
inline constexpr const char* kTagSourceType = "mlflow.source.type";
inline constexpr const char* kTagGitCommit = "mlflow.source.git.commit";
inline constexpr const char* kTagLogModelHistory = "mlflow.log-model.history";
inline constexpr const char* kInputTagContext = "mlflow.data.context";

// MLflow's RunStatus enum; the numbers are the protobuf values.
enum class RunStatus { kRunning = 1, kScheduled = 2, kFinished = 3, kFailed = 4, kKilled = 5 };
const char* RunStatusName(RunStatus status);
// Accepts the enum name ("FINISHED", case-insensitive) or its number ("3").
bool ParseRunStatus(std::string_view text, RunStatus* status);

// Which lifecycle stages a search returns.
enum class ViewType { kActiveOnly = 1, kDeletedOnly = 2, kAll = 3 };
bool ParseViewType(std::string_view text, ViewType* view);

struct KeyValue {
  std::string key;
  std::string value;
  bool operator==(const KeyValue&) const = default;
};

struct Experiment {
  std::string experiment_id;
  std::string name;
  std::string artifact_location;
  std::string lifecycle_stage = kLifecycleActive;
  int64_t creation_time = 0;     // ms since epoch
  int64_t last_update_time = 0;  // ms since epoch
  std::vector<KeyValue> tags;
};

struct Metric {
  std::string key;
  double value = 0;       // may be NaN or +-infinity
  int64_t timestamp = 0;  // ms since epoch
  int64_t step = 0;
};

struct RunInfo {
  std::string run_id;  // 32 lower-case hex digits
  std::string experiment_id;
  std::string run_name;
  std::string user_id;
  RunStatus status = RunStatus::kRunning;
  int64_t start_time = 0;
  std::optional<int64_t> end_time;  // unset while the run is going
  std::string artifact_uri;
  std::string lifecycle_stage = kLifecycleActive;
};

// MLflow's Dataset message: what data a run consumed, identified by name and digest.
struct Dataset {
  std::string name;
  std::string digest;
  std::string source_type;
  std::string source;
  std::string schema;
  std::string profile;
};

struct DatasetInput {
  std::vector<KeyValue> tags;  // e.g. mlflow.data.context = training
  Dataset dataset;
};

struct Run {
  RunInfo info;
  std::vector<Metric> metrics;  // latest value per key
  std::vector<KeyValue> params;
  std::vector<KeyValue> tags;
  std::vector<DatasetInput> inputs;

  // Lookups by key; nullptr when absent.
  const Metric* FindMetric(std::string_view key) const;
  const std::string* FindParam(std::string_view key) const;
  const std::string* FindTag(std::string_view key) const;
};

// One entry of an artifact listing; `path` is relative to the listed root.
struct FileInfo {
  std::string path;
  bool is_dir = false;
  int64_t file_size = 0;  // bytes; 0 for directories
};

// An artifact file the store knows the content digest of.
struct ArtifactRecord {
  std::string path;  // relative to the artifact root
  std::string run_id;
  int64_t size = 0;
  std::string sha256;
  int64_t updated_time = 0;
};

// One page of a search; `next_page_token` is empty when there is nothing more.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

}  // namespace prodcat::tracking
