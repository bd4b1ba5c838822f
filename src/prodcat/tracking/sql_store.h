// SqlTrackingStore: TrackingStore on SQLite or PostgreSQL. One SQL text serves both dialects;
// every value is a bound parameter. Each operation runs in one transaction on a pooled
// connection and is retried on lock/serialization conflicts, so many processes and threads can
// log into the same store at once without losing rows.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "prodcat/tracking/sql_db.h"
#include "prodcat/tracking/store.h"

namespace prodcat::tracking {

struct SqlStoreOptions {
  // Directory that "mlflow-artifacts:/..." URIs resolve against. Recorded in the store on
  // first open; empty keeps the recorded one (or the backend's default).
  std::string artifact_root;
  int busy_timeout_ms = 60000;  // SQLite: how long a writer waits for the lock
  int migrate_to_version = 0;   // 0: latest; tests create old schemas with a lower number
};

class SqlTrackingStore : public TrackingStore {
 public:
  using Connector = std::function<Status(std::unique_ptr<SqlDb>*)>;

  // Opens a connection, migrates the schema and records the artifact root.
  // `default_artifact_root` is used when neither options nor the store name one.
  static Status Open(Connector connect, const SqlStoreOptions& options,
                     const std::string& default_artifact_root,
                     std::unique_ptr<SqlTrackingStore>* store);

  SqlDialect dialect() const { return dialect_; }
  // Absolute directory that "mlflow-artifacts:/x" maps to ("<root>/x").
  const std::string& artifact_root() const { return artifact_root_; }

  Status CreateExperiment(const std::string& name, const std::string& artifact_location,
                          const std::vector<KeyValue>& tags, std::string* experiment_id) override;
  Status GetExperiment(const std::string& experiment_id, Experiment* experiment) override;
  Status GetExperimentByName(const std::string& name, Experiment* experiment) override;
  Status SearchExperiments(const ExperimentSearch& query, Page<Experiment>* page) override;
  Status DeleteExperiment(const std::string& experiment_id) override;
  Status RestoreExperiment(const std::string& experiment_id) override;
  Status RenameExperiment(const std::string& experiment_id, const std::string& new_name) override;
  Status SetExperimentTag(const std::string& experiment_id, const std::string& key,
                          const std::string& value) override;
  Status DeleteExperimentTag(const std::string& experiment_id, const std::string& key) override;

  Status CreateRun(const CreateRunRequest& request, Run* run) override;
  Status GetRun(const std::string& run_id, Run* run) override;
  Status UpdateRun(const std::string& run_id, std::optional<RunStatus> status,
                   std::optional<int64_t> end_time, const std::optional<std::string>& run_name,
                   RunInfo* info) override;
  Status DeleteRun(const std::string& run_id) override;
  Status RestoreRun(const std::string& run_id) override;
  Status LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                  const std::vector<KeyValue>& params, const std::vector<KeyValue>& tags) override;
  Status DeleteTag(const std::string& run_id, const std::string& key) override;
  Status LogInputs(const std::string& run_id, const std::vector<DatasetInput>& inputs) override;
  Status LogModel(const std::string& run_id, const std::string& model_json) override;
  Status GetMetricHistory(const std::string& run_id, const std::string& key, int64_t max_results,
                          const std::string& page_token, Page<Metric>* page) override;
  Status SearchRuns(const RunSearch& query, Page<Run>* page) override;
  Status RecordArtifact(const ArtifactRecord& record) override;
  Status ListArtifactRecords(const std::string& run_id,
                             std::vector<ArtifactRecord>* records) override;

  Status CreateRegisteredModel(const std::string& name, const std::vector<KeyValue>& tags,
                               const std::string& description, RegisteredModel* model) override;
  Status GetRegisteredModel(const std::string& name, RegisteredModel* model) override;
  Status RenameRegisteredModel(const std::string& name, const std::string& new_name,
                               RegisteredModel* model) override;
  Status UpdateRegisteredModel(const std::string& name, const std::string& description,
                               RegisteredModel* model) override;
  Status DeleteRegisteredModel(const std::string& name) override;
  Status SearchRegisteredModels(const SearchQuery& query, Page<RegisteredModel>* page) override;
  Status GetLatestVersions(const std::string& name, const std::vector<std::string>& stages,
                           std::vector<ModelVersion>* versions) override;
  Status SetRegisteredModelTag(const std::string& name, const std::string& key,
                               const std::string& value) override;
  Status DeleteRegisteredModelTag(const std::string& name, const std::string& key) override;
  Status SetRegisteredModelAlias(const std::string& name, const std::string& alias,
                                 int64_t version) override;
  Status DeleteRegisteredModelAlias(const std::string& name, const std::string& alias) override;
  Status GetModelVersionByAlias(const std::string& name, const std::string& alias,
                                ModelVersion* version) override;
  Status CreateModelVersion(const CreateModelVersionRequest& request,
                            ModelVersion* version) override;
  Status GetModelVersion(const std::string& name, int64_t version,
                         ModelVersion* model_version) override;
  Status UpdateModelVersion(const std::string& name, int64_t version,
                            const std::string& description, ModelVersion* model_version) override;
  Status DeleteModelVersion(const std::string& name, int64_t version) override;
  Status SearchModelVersions(const SearchQuery& query, Page<ModelVersion>* page) override;
  Status TransitionModelVersionStage(const TransitionRequest& request,
                                     ModelVersion* model_version) override;
  Status GetModelVersionDownloadUri(const std::string& name, int64_t version,
                                    std::string* artifact_uri) override;
  Status SetModelVersionTag(const std::string& name, int64_t version, const std::string& key,
                            const std::string& value) override;
  Status DeleteModelVersionTag(const std::string& name, int64_t version,
                               const std::string& key) override;
  Status ListStageTransitions(const std::string& name, int64_t version,
                              std::vector<StageTransition>* transitions) override;

  // Runs `body` in one transaction on a pooled connection; retries the whole body on lock or
  // serialization conflicts. `write` takes the write lock up front on SQLite.
  Status Transact(bool write, const std::function<Status(SqlDb&)>& body);

 private:
  SqlTrackingStore(Connector connect, SqlDialect dialect);
  Status Acquire(std::unique_ptr<SqlDb>* db);
  void Release(std::unique_ptr<SqlDb> db);

  Connector connect_;                         // opens one more connection
  SqlDialect dialect_;                        // of every pooled connection
  std::string artifact_root_;                 // absolute; set once at Open
  std::mutex pool_mutex_;                     // guards idle_
  std::vector<std::unique_ptr<SqlDb>> idle_;  // healthy connections not in use
};

}  // namespace prodcat::tracking
