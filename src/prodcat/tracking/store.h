// TrackingStore: the one interface for experiment tracking and the model registry. Backends:
// SQL (SQLite file or PostgreSQL server, see sql_store.h) and REST (an MLflow-compatible server,
// see rest_store.h). Errors follow MLflow's meaning through Status codes:
//   kNotFound -> RESOURCE_DOES_NOT_EXIST, kAlreadyExists -> RESOURCE_ALREADY_EXISTS,
//   kInvalidArgument / kFailedPrecondition -> INVALID_PARAMETER_VALUE, others -> INTERNAL_ERROR.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/tracking/entities.h"
#include "prodcat/tracking/registry_entities.h"

namespace prodcat::tracking {

// Filter, ordering and paging shared by every search (MLflow's grammar, see search_filter.h).
struct SearchQuery {
  std::string filter;
  std::vector<std::string> order_by;  // e.g. "metrics.f1 DESC"
  int64_t max_results = 0;            // 0: the endpoint's default
  std::string page_token;             // from a previous page's next_page_token
};

struct ExperimentSearch : SearchQuery {
  ViewType view_type = ViewType::kActiveOnly;
};

struct RunSearch : SearchQuery {
  std::vector<std::string> experiment_ids;
  ViewType view_type = ViewType::kActiveOnly;
};

struct CreateRunRequest {
  std::string experiment_id = kDefaultExperimentId;
  std::string user_id;
  std::string run_name;    // empty: taken from the mlflow.runName tag or generated
  int64_t start_time = 0;  // 0: now
  std::vector<KeyValue> tags;
};

struct CreateModelVersionRequest {
  std::string name;
  std::string source;
  std::string run_id;
  std::string run_link;
  std::string description;
  std::string user_id;
  std::vector<KeyValue> tags;
};

struct TransitionRequest {
  std::string name;
  int64_t version = 0;
  std::string stage;  // None, Staging, Production, Archived (any case)
  bool archive_existing_versions = false;
  std::string user;     // who asked; recorded in the transition history
  std::string comment;  // why; recorded in the transition history
};

// Run-artifact and bookkeeping limits, as MLflow's servers enforce them.
inline constexpr size_t kMaxMetricsPerBatch = 1000;
inline constexpr size_t kMaxParamsPerBatch = 100;
inline constexpr size_t kMaxTagsPerBatch = 100;
inline constexpr size_t kMaxEntriesPerBatch = 1000;

class TrackingStore {
 public:
  virtual ~TrackingStore() = default;

  // ---- Experiments
  virtual Status CreateExperiment(const std::string& name, const std::string& artifact_location,
                                  const std::vector<KeyValue>& tags,
                                  std::string* experiment_id) = 0;
  virtual Status GetExperiment(const std::string& experiment_id, Experiment* experiment) = 0;
  // Prefers the active experiment when an active and a deleted one share the name.
  virtual Status GetExperimentByName(const std::string& name, Experiment* experiment) = 0;
  virtual Status SearchExperiments(const ExperimentSearch& query, Page<Experiment>* page) = 0;
  virtual Status DeleteExperiment(const std::string& experiment_id) = 0;
  virtual Status RestoreExperiment(const std::string& experiment_id) = 0;
  virtual Status RenameExperiment(const std::string& experiment_id,
                                  const std::string& new_name) = 0;
  virtual Status SetExperimentTag(const std::string& experiment_id, const std::string& key,
                                  const std::string& value) = 0;
  virtual Status DeleteExperimentTag(const std::string& experiment_id, const std::string& key) = 0;

  // ---- Runs
  virtual Status CreateRun(const CreateRunRequest& request, Run* run) = 0;
  virtual Status GetRun(const std::string& run_id, Run* run) = 0;
  // Unset optionals leave the field as it is.
  virtual Status UpdateRun(const std::string& run_id, std::optional<RunStatus> status,
                           std::optional<int64_t> end_time,
                           const std::optional<std::string>& run_name, RunInfo* info) = 0;
  virtual Status DeleteRun(const std::string& run_id) = 0;
  virtual Status RestoreRun(const std::string& run_id) = 0;
  // Params are immutable: logging a different value for a logged key is kInvalidArgument.
  virtual Status LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                          const std::vector<KeyValue>& params,
                          const std::vector<KeyValue>& tags) = 0;
  virtual Status DeleteTag(const std::string& run_id, const std::string& key) = 0;
  virtual Status LogInputs(const std::string& run_id, const std::vector<DatasetInput>& inputs) = 0;
  // Appends an MLmodel description (JSON) to the run's mlflow.log-model.history tag.
  virtual Status LogModel(const std::string& run_id, const std::string& model_json) = 0;
  // Every logged value of one metric, by (timestamp, step). max_results 0: all of them.
  virtual Status GetMetricHistory(const std::string& run_id, const std::string& key,
                                  int64_t max_results, const std::string& page_token,
                                  Page<Metric>* page) = 0;
  virtual Status SearchRuns(const RunSearch& query, Page<Run>* page) = 0;
  // Remembers the SHA-256 of an artifact file (path relative to the artifact root).
  virtual Status RecordArtifact(const ArtifactRecord& record) = 0;
  virtual Status ListArtifactRecords(const std::string& run_id,
                                     std::vector<ArtifactRecord>* records) = 0;

  // Convenience wrappers over LogBatch.
  Status LogMetric(const std::string& run_id, const Metric& metric) {
    return LogBatch(run_id, {metric}, {}, {});
  }
  Status LogParam(const std::string& run_id, const std::string& key, const std::string& value) {
    return LogBatch(run_id, {}, {{key, value}}, {});
  }
  Status SetTag(const std::string& run_id, const std::string& key, const std::string& value) {
    return LogBatch(run_id, {}, {}, {{key, value}});
  }

  // ---- Registered models
  virtual Status CreateRegisteredModel(const std::string& name, const std::vector<KeyValue>& tags,
                                       const std::string& description, RegisteredModel* model) = 0;
  virtual Status GetRegisteredModel(const std::string& name, RegisteredModel* model) = 0;
  virtual Status RenameRegisteredModel(const std::string& name, const std::string& new_name,
                                       RegisteredModel* model) = 0;
  virtual Status UpdateRegisteredModel(const std::string& name, const std::string& description,
                                       RegisteredModel* model) = 0;
  // Deletes the model with all its versions, tags and aliases.
  virtual Status DeleteRegisteredModel(const std::string& name) = 0;
  virtual Status SearchRegisteredModels(const SearchQuery& query, Page<RegisteredModel>* page) = 0;
  // The newest version in each of `stages` (all stages when empty).
  virtual Status GetLatestVersions(const std::string& name, const std::vector<std::string>& stages,
                                   std::vector<ModelVersion>* versions) = 0;
  virtual Status SetRegisteredModelTag(const std::string& name, const std::string& key,
                                       const std::string& value) = 0;
  virtual Status DeleteRegisteredModelTag(const std::string& name, const std::string& key) = 0;
  virtual Status SetRegisteredModelAlias(const std::string& name, const std::string& alias,
                                         int64_t version) = 0;
  virtual Status DeleteRegisteredModelAlias(const std::string& name, const std::string& alias) = 0;
  virtual Status GetModelVersionByAlias(const std::string& name, const std::string& alias,
                                        ModelVersion* version) = 0;

  // ---- Model versions
  virtual Status CreateModelVersion(const CreateModelVersionRequest& request,
                                    ModelVersion* version) = 0;
  virtual Status GetModelVersion(const std::string& name, int64_t version,
                                 ModelVersion* model_version) = 0;
  virtual Status UpdateModelVersion(const std::string& name, int64_t version,
                                    const std::string& description,
                                    ModelVersion* model_version) = 0;
  virtual Status DeleteModelVersion(const std::string& name, int64_t version) = 0;
  virtual Status SearchModelVersions(const SearchQuery& query, Page<ModelVersion>* page) = 0;
  // Moves a version to a stage; with archive_existing_versions, the other versions in that
  // stage (Staging or Production only) move to Archived in the same transaction. Every move
  // is appended to the transition history.
  virtual Status TransitionModelVersionStage(const TransitionRequest& request,
                                             ModelVersion* model_version) = 0;
  virtual Status GetModelVersionDownloadUri(const std::string& name, int64_t version,
                                            std::string* artifact_uri) = 0;
  virtual Status SetModelVersionTag(const std::string& name, int64_t version,
                                    const std::string& key, const std::string& value) = 0;
  virtual Status DeleteModelVersionTag(const std::string& name, int64_t version,
                                       const std::string& key) = 0;
  // Transition history of a model (version 0: every version), oldest first.
  virtual Status ListStageTransitions(const std::string& name, int64_t version,
                                      std::vector<StageTransition>* transitions) = 0;
};

}  // namespace prodcat::tracking
