// RestTrackingStore: TrackingStore over MLflow's REST API (/api/2.0/mlflow/...), for a prodcat
// tracking server or a real MLflow 2.x server. Artifacts go through the mlflow-artifacts proxy
// (/api/2.0/mlflow-artifacts/artifacts/<path>). The bearer token comes from
// $PRODCAT_TRACKING_TOKEN or $MLFLOW_TRACKING_TOKEN. Two calls have no MLflow equivalent and use
// prodcat endpoints (/api/2.0/prodcat/...): the transition history and the artifact digests;
// against a plain MLflow server they answer kUnimplemented.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "prodcat/tracking/json_codec.h"
#include "prodcat/tracking/rest_http_client.h"
#include "prodcat/tracking/store.h"

namespace prodcat::tracking {

class RestTrackingStore : public TrackingStore {
 public:
  static Status Open(const std::string& base_url, std::unique_ptr<RestTrackingStore>* store,
                     HttpClientOptions options = {});

  const std::string& base_url() const { return http_->base_url(); }

  // The mlflow-artifacts proxy; `path` is relative to the server's artifact root.
  Status UploadArtifact(const std::string& path, const std::string& bytes);
  Status DownloadArtifact(const std::string& path, std::string* bytes);
  Status ListProxiedArtifacts(const std::string& path, std::vector<FileInfo>* files);
  // /mlflow/artifacts/list: a run's artifacts below `path`, paths relative to the run root.
  Status ListRunArtifacts(const std::string& run_id, const std::string& path,
                          std::vector<FileInfo>* files);

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
  // The server records digests itself when artifacts are uploaded: nothing to send.
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

 private:
  explicit RestTrackingStore(std::unique_ptr<RestHttpClient> http) : http_(std::move(http)) {}
  // Calls `/api/2.0/<api>/<endpoint>`; GET sends `request` as query parameters, other methods
  // as a JSON body. Non-2xx replies become Statuses carrying MLflow's error code.
  Status Call(const std::string& method, const std::string& endpoint, const Json& request,
              Json* response, const std::string& api = "mlflow",
              const std::map<std::string, std::string>* headers = nullptr);

  std::unique_ptr<RestHttpClient> http_;  // never null
};

}  // namespace prodcat::tracking
