#include "prodcat/tracking/rest_store.h"

#include <cstdlib>

#include "prodcat/tracking/mlflow_error.h"

namespace prodcat::tracking {
namespace {

std::string QueryValue(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

std::string ToQueryString(const Json& request) {
  std::string out;
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it->is_null()) continue;
    auto add = [&](const Json& v) {
      out += (out.empty() ? "?" : "&") + RestHttpClient::UrlEncode(it.key()) + "=" +
             RestHttpClient::UrlEncode(QueryValue(v));
    };
    if (it->is_array()) {
      for (const Json& v : *it) add(v);
    } else {
      add(*it);
    }
  }
  return out;
}

Json SearchFields(const SearchQuery& q) {
  Json j = Json::object();
  if (!q.filter.empty()) j["filter"] = q.filter;
  if (!q.order_by.empty()) j["order_by"] = q.order_by;
  if (q.max_results > 0) j["max_results"] = q.max_results;
  if (!q.page_token.empty()) j["page_token"] = q.page_token;
  return j;
}

const char* ViewTypeName(ViewType v) {
  switch (v) {
    case ViewType::kActiveOnly: return "ACTIVE_ONLY";
    case ViewType::kDeletedOnly: return "DELETED_ONLY";
    case ViewType::kAll: return "ALL";
  }
  return "ACTIVE_ONLY";
}

std::string NextToken(const Json& response) {
  if (response.contains("next_page_token") && response["next_page_token"].is_string()) {
    return response["next_page_token"].get<std::string>();
  }
  return "";
}

template <typename T, typename F>
Status ReadList(const Json& response, const char* field, F from_json, std::vector<T>* out) {
  out->clear();
  if (!response.contains(field)) return Status::Ok();
  for (const Json& item : response[field]) {
    T value;
    PRODCAT_RETURN_IF_ERROR(from_json(item, &value));
    out->push_back(std::move(value));
  }
  return Status::Ok();
}

Json VersionKey(const std::string& name, int64_t version) {
  return {{"name", name}, {"version", std::to_string(version)}};
}

}  // namespace

Status RestTrackingStore::Open(const std::string& base_url,
                               std::unique_ptr<RestTrackingStore>* store,
                               HttpClientOptions options) {
  if (options.bearer_token.empty()) {
    for (const char* var : {"PRODCAT_TRACKING_TOKEN", "MLFLOW_TRACKING_TOKEN"}) {
      const char* token = std::getenv(var);
      if (token && *token) {
        options.bearer_token = token;
        break;
      }
    }
  }
  std::unique_ptr<RestHttpClient> http;
  PRODCAT_RETURN_IF_ERROR(RestHttpClient::Create(base_url, std::move(options), &http));
  store->reset(new RestTrackingStore(std::move(http)));
  return Status::Ok();
}

Status RestTrackingStore::Call(const std::string& method, const std::string& endpoint,
                               const Json& request, Json* response, const std::string& api,
                               const std::map<std::string, std::string>* headers) {
  std::string target = "/api/2.0/" + api + "/" + endpoint;
  std::string body;
  if (method == "GET") {
    target += ToQueryString(request);
  } else {
    body = request.dump();
  }
  HttpReply reply;
  PRODCAT_RETURN_IF_ERROR(http_->Send(method, target, body, "application/json", &reply, headers));
  if (reply.status < 200 || reply.status >= 300) {
    return StatusFromMlflowReply(reply.status, reply.body);
  }
  Json parsed = reply.body.empty() ? Json::object() : Json::parse(reply.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::Internal("tracking server " + http_->base_url() + " answered " + endpoint +
                            " with a body that is not a JSON object");
  }
  if (response) *response = std::move(parsed);
  return Status::Ok();
}

// ---------------------------------------------------------------- artifacts

Status RestTrackingStore::UploadArtifact(const std::string& path, const std::string& bytes) {
  HttpReply reply;
  PRODCAT_RETURN_IF_ERROR(http_->Send(
      "PUT", "/api/2.0/mlflow-artifacts/artifacts/" + RestHttpClient::UrlEncode(path, true), bytes,
      "application/octet-stream", &reply));
  if (reply.status < 200 || reply.status >= 300) {
    return StatusFromMlflowReply(reply.status, reply.body)
        .WithContext("uploading artifact '" + path + "'");
  }
  return Status::Ok();
}

Status RestTrackingStore::DownloadArtifact(const std::string& path, std::string* bytes) {
  HttpReply reply;
  PRODCAT_RETURN_IF_ERROR(http_->Send(
      "GET", "/api/2.0/mlflow-artifacts/artifacts/" + RestHttpClient::UrlEncode(path, true), "", "",
      &reply));
  if (reply.status < 200 || reply.status >= 300) {
    return StatusFromMlflowReply(reply.status, reply.body)
        .WithContext("downloading artifact '" + path + "'");
  }
  *bytes = std::move(reply.body);
  return Status::Ok();
}

Status RestTrackingStore::ListProxiedArtifacts(const std::string& path,
                                               std::vector<FileInfo>* files) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("GET", "artifacts", Json{{"path", path}}, &response, "mlflow-artifacts"));
  return ReadList(response, "files", FileInfoFromJson, files);
}

Status RestTrackingStore::ListRunArtifacts(const std::string& run_id, const std::string& path,
                                           std::vector<FileInfo>* files) {
  Json request = {{"run_id", run_id}};
  if (!path.empty()) request["path"] = path;
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "artifacts/list", request, &response));
  return ReadList(response, "files", FileInfoFromJson, files);
}

// ---------------------------------------------------------------- experiments

Status RestTrackingStore::CreateExperiment(const std::string& name,
                                           const std::string& artifact_location,
                                           const std::vector<KeyValue>& tags,
                                           std::string* experiment_id) {
  Json request = {{"name", name}};
  if (!artifact_location.empty()) request["artifact_location"] = artifact_location;
  if (!tags.empty()) request["tags"] = KeyValuesToJson(tags);
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("POST", "experiments/create", request, &response));
  return ReadString(response, "experiment_id", true, experiment_id);
}

Status RestTrackingStore::GetExperiment(const std::string& experiment_id, Experiment* experiment) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("GET", "experiments/get", {{"experiment_id", experiment_id}}, &response));
  return ExperimentFromJson(response["experiment"], experiment);
}

Status RestTrackingStore::GetExperimentByName(const std::string& name, Experiment* experiment) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("GET", "experiments/get-by-name", {{"experiment_name", name}}, &response));
  return ExperimentFromJson(response["experiment"], experiment);
}

Status RestTrackingStore::SearchExperiments(const ExperimentSearch& query, Page<Experiment>* page) {
  Json request = SearchFields(query);
  request["view_type"] = ViewTypeName(query.view_type);
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("POST", "experiments/search", request, &response));
  page->next_page_token = NextToken(response);
  return ReadList(response, "experiments", ExperimentFromJson, &page->items);
}

Status RestTrackingStore::DeleteExperiment(const std::string& experiment_id) {
  return Call("POST", "experiments/delete", {{"experiment_id", experiment_id}}, nullptr);
}

Status RestTrackingStore::RestoreExperiment(const std::string& experiment_id) {
  return Call("POST", "experiments/restore", {{"experiment_id", experiment_id}}, nullptr);
}

Status RestTrackingStore::RenameExperiment(const std::string& experiment_id,
                                           const std::string& new_name) {
  return Call("POST", "experiments/update",
              {{"experiment_id", experiment_id}, {"new_name", new_name}}, nullptr);
}

Status RestTrackingStore::SetExperimentTag(const std::string& experiment_id, const std::string& key,
                                           const std::string& value) {
  return Call("POST", "experiments/set-experiment-tag",
              {{"experiment_id", experiment_id}, {"key", key}, {"value", value}}, nullptr);
}

Status RestTrackingStore::DeleteExperimentTag(const std::string& experiment_id,
                                              const std::string& key) {
  return Call("POST", "experiments/delete-experiment-tag",
              {{"experiment_id", experiment_id}, {"key", key}}, nullptr);
}

// ---------------------------------------------------------------- runs

Status RestTrackingStore::CreateRun(const CreateRunRequest& request, Run* run) {
  Json body = {{"experiment_id", request.experiment_id}};
  if (!request.user_id.empty()) body["user_id"] = request.user_id;
  if (!request.run_name.empty()) body["run_name"] = request.run_name;
  if (request.start_time > 0) body["start_time"] = request.start_time;
  if (!request.tags.empty()) body["tags"] = KeyValuesToJson(request.tags);
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("POST", "runs/create", body, &response));
  return RunFromJson(response["run"], run);
}

Status RestTrackingStore::GetRun(const std::string& run_id, Run* run) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "runs/get", {{"run_id", run_id}}, &response));
  return RunFromJson(response["run"], run);
}

Status RestTrackingStore::UpdateRun(const std::string& run_id, std::optional<RunStatus> status,
                                    std::optional<int64_t> end_time,
                                    const std::optional<std::string>& run_name, RunInfo* info) {
  Json body = {{"run_id", run_id}, {"run_uuid", run_id}};
  if (status) body["status"] = RunStatusName(*status);
  if (end_time) body["end_time"] = *end_time;
  if (run_name) body["run_name"] = *run_name;
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("POST", "runs/update", body, &response));
  return RunInfoFromJson(response["run_info"], info);
}

Status RestTrackingStore::DeleteRun(const std::string& run_id) {
  return Call("POST", "runs/delete", {{"run_id", run_id}}, nullptr);
}

Status RestTrackingStore::RestoreRun(const std::string& run_id) {
  return Call("POST", "runs/restore", {{"run_id", run_id}}, nullptr);
}

Status RestTrackingStore::LogBatch(const std::string& run_id, const std::vector<Metric>& metrics,
                                   const std::vector<KeyValue>& params,
                                   const std::vector<KeyValue>& tags) {
  Json body = {{"run_id", run_id}};
  if (!metrics.empty()) {
    body["metrics"] = Json::array();
    for (const Metric& m : metrics) body["metrics"].push_back(MetricToJson(m));
  }
  if (!params.empty()) body["params"] = KeyValuesToJson(params);
  if (!tags.empty()) body["tags"] = KeyValuesToJson(tags);
  return Call("POST", "runs/log-batch", body, nullptr);
}

Status RestTrackingStore::DeleteTag(const std::string& run_id, const std::string& key) {
  return Call("POST", "runs/delete-tag", {{"run_id", run_id}, {"key", key}}, nullptr);
}

Status RestTrackingStore::LogInputs(const std::string& run_id,
                                    const std::vector<DatasetInput>& inputs) {
  Json body = {{"run_id", run_id}, {"datasets", Json::array()}};
  for (const DatasetInput& d : inputs) body["datasets"].push_back(DatasetInputToJson(d));
  return Call("POST", "runs/log-inputs", body, nullptr);
}

Status RestTrackingStore::LogModel(const std::string& run_id, const std::string& model_json) {
  return Call("POST", "runs/log-model", {{"run_id", run_id}, {"model_json", model_json}}, nullptr);
}

Status RestTrackingStore::GetMetricHistory(const std::string& run_id, const std::string& key,
                                           int64_t max_results, const std::string& page_token,
                                           Page<Metric>* page) {
  Json request = {{"run_id", run_id}, {"run_uuid", run_id}, {"metric_key", key}};
  if (max_results > 0) request["max_results"] = max_results;
  if (!page_token.empty()) request["page_token"] = page_token;
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "metrics/get-history", request, &response));
  page->next_page_token = NextToken(response);
  return ReadList(response, "metrics", MetricFromJson, &page->items);
}

Status RestTrackingStore::SearchRuns(const RunSearch& query, Page<Run>* page) {
  Json request = SearchFields(query);
  request["experiment_ids"] = query.experiment_ids;
  request["run_view_type"] = ViewTypeName(query.view_type);
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("POST", "runs/search", request, &response));
  page->next_page_token = NextToken(response);
  return ReadList(response, "runs", RunFromJson, &page->items);
}

Status RestTrackingStore::RecordArtifact(const ArtifactRecord&) {
  return Status::Ok();
}

Status RestTrackingStore::ListArtifactRecords(const std::string& run_id,
                                              std::vector<ArtifactRecord>* records) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("GET", "artifacts/digests", {{"run_id", run_id}}, &response, "prodcat"));
  records->clear();
  if (!response.contains("artifacts")) return Status::Ok();
  for (const Json& a : response["artifacts"]) {
    ArtifactRecord r;
    PRODCAT_RETURN_IF_ERROR(ReadString(a, "path", true, &r.path));
    PRODCAT_RETURN_IF_ERROR(ReadString(a, "run_id", false, &r.run_id));
    PRODCAT_RETURN_IF_ERROR(ReadInt64(a, "size", false, &r.size));
    PRODCAT_RETURN_IF_ERROR(ReadString(a, "sha256", false, &r.sha256));
    PRODCAT_RETURN_IF_ERROR(ReadInt64(a, "updated_time", false, &r.updated_time));
    records->push_back(std::move(r));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- registered models

Status RestTrackingStore::CreateRegisteredModel(const std::string& name,
                                                const std::vector<KeyValue>& tags,
                                                const std::string& description,
                                                RegisteredModel* model) {
  Json body = {{"name", name}};
  if (!tags.empty()) body["tags"] = KeyValuesToJson(tags);
  if (!description.empty()) body["description"] = description;
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("POST", "registered-models/create", body, &response));
  return RegisteredModelFromJson(response["registered_model"], model);
}

Status RestTrackingStore::GetRegisteredModel(const std::string& name, RegisteredModel* model) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "registered-models/get", {{"name", name}}, &response));
  return RegisteredModelFromJson(response["registered_model"], model);
}

Status RestTrackingStore::RenameRegisteredModel(const std::string& name,
                                                const std::string& new_name,
                                                RegisteredModel* model) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("POST", "registered-models/rename",
                               {{"name", name}, {"new_name", new_name}}, &response));
  return RegisteredModelFromJson(response["registered_model"], model);
}

Status RestTrackingStore::UpdateRegisteredModel(const std::string& name,
                                                const std::string& description,
                                                RegisteredModel* model) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("PATCH", "registered-models/update",
                               {{"name", name}, {"description", description}}, &response));
  return RegisteredModelFromJson(response["registered_model"], model);
}

Status RestTrackingStore::DeleteRegisteredModel(const std::string& name) {
  return Call("DELETE", "registered-models/delete", {{"name", name}}, nullptr);
}

Status RestTrackingStore::SearchRegisteredModels(const SearchQuery& query,
                                                 Page<RegisteredModel>* page) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "registered-models/search", SearchFields(query), &response));
  page->next_page_token = NextToken(response);
  return ReadList(response, "registered_models", RegisteredModelFromJson, &page->items);
}

Status RestTrackingStore::GetLatestVersions(const std::string& name,
                                            const std::vector<std::string>& stages,
                                            std::vector<ModelVersion>* versions) {
  Json request = {{"name", name}};
  if (!stages.empty()) request["stages"] = stages;
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("POST", "registered-models/get-latest-versions", request, &response));
  return ReadList(response, "model_versions", ModelVersionFromJson, versions);
}

Status RestTrackingStore::SetRegisteredModelTag(const std::string& name, const std::string& key,
                                                const std::string& value) {
  return Call("POST", "registered-models/set-tag", {{"name", name}, {"key", key}, {"value", value}},
              nullptr);
}

Status RestTrackingStore::DeleteRegisteredModelTag(const std::string& name,
                                                   const std::string& key) {
  return Call("DELETE", "registered-models/delete-tag", {{"name", name}, {"key", key}}, nullptr);
}

Status RestTrackingStore::SetRegisteredModelAlias(const std::string& name, const std::string& alias,
                                                  int64_t version) {
  return Call("POST", "registered-models/alias",
              {{"name", name}, {"alias", alias}, {"version", std::to_string(version)}}, nullptr);
}

Status RestTrackingStore::DeleteRegisteredModelAlias(const std::string& name,
                                                     const std::string& alias) {
  return Call("DELETE", "registered-models/alias", {{"name", name}, {"alias", alias}}, nullptr);
}

Status RestTrackingStore::GetModelVersionByAlias(const std::string& name, const std::string& alias,
                                                 ModelVersion* version) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("GET", "registered-models/alias", {{"name", name}, {"alias", alias}}, &response));
  return ModelVersionFromJson(response["model_version"], version);
}

// ---------------------------------------------------------------- model versions

Status RestTrackingStore::CreateModelVersion(const CreateModelVersionRequest& request,
                                             ModelVersion* version) {
  Json body = {{"name", request.name}, {"source", request.source}};
  if (!request.run_id.empty()) body["run_id"] = request.run_id;
  if (!request.run_link.empty()) body["run_link"] = request.run_link;
  if (!request.description.empty()) body["description"] = request.description;
  if (!request.tags.empty()) body["tags"] = KeyValuesToJson(request.tags);
  std::map<std::string, std::string> headers;
  if (!request.user_id.empty()) headers["X-Prodcat-User"] = request.user_id;
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("POST", "model-versions/create", body, &response, "mlflow", &headers));
  return ModelVersionFromJson(response["model_version"], version);
}

Status RestTrackingStore::GetModelVersion(const std::string& name, int64_t version,
                                          ModelVersion* model_version) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "model-versions/get", VersionKey(name, version), &response));
  return ModelVersionFromJson(response["model_version"], model_version);
}

Status RestTrackingStore::UpdateModelVersion(const std::string& name, int64_t version,
                                             const std::string& description,
                                             ModelVersion* model_version) {
  Json request = VersionKey(name, version);
  request["description"] = description;
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("PATCH", "model-versions/update", request, &response));
  return ModelVersionFromJson(response["model_version"], model_version);
}

Status RestTrackingStore::DeleteModelVersion(const std::string& name, int64_t version) {
  return Call("DELETE", "model-versions/delete", VersionKey(name, version), nullptr);
}

Status RestTrackingStore::SearchModelVersions(const SearchQuery& query, Page<ModelVersion>* page) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "model-versions/search", SearchFields(query), &response));
  page->next_page_token = NextToken(response);
  return ReadList(response, "model_versions", ModelVersionFromJson, &page->items);
}

Status RestTrackingStore::TransitionModelVersionStage(const TransitionRequest& request,
                                                      ModelVersion* model_version) {
  Json body = VersionKey(request.name, request.version);
  body["stage"] = request.stage;
  body["archive_existing_versions"] = request.archive_existing_versions;
  // Who and why travel in headers: MLflow's message has no such fields.
  std::map<std::string, std::string> headers;
  if (!request.user.empty()) headers["X-Prodcat-User"] = request.user;
  if (!request.comment.empty())
    headers["X-Prodcat-Comment"] = RestHttpClient::UrlEncode(request.comment);
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("POST", "model-versions/transition-stage", body, &response, "mlflow", &headers));
  return ModelVersionFromJson(response["model_version"], model_version);
}

Status RestTrackingStore::GetModelVersionDownloadUri(const std::string& name, int64_t version,
                                                     std::string* artifact_uri) {
  Json response;
  PRODCAT_RETURN_IF_ERROR(
      Call("GET", "model-versions/get-download-uri", VersionKey(name, version), &response));
  return ReadString(response, "artifact_uri", true, artifact_uri);
}

Status RestTrackingStore::SetModelVersionTag(const std::string& name, int64_t version,
                                             const std::string& key, const std::string& value) {
  Json request = VersionKey(name, version);
  request["key"] = key;
  request["value"] = value;
  return Call("POST", "model-versions/set-tag", request, nullptr);
}

Status RestTrackingStore::DeleteModelVersionTag(const std::string& name, int64_t version,
                                                const std::string& key) {
  Json request = VersionKey(name, version);
  request["key"] = key;
  return Call("DELETE", "model-versions/delete-tag", request, nullptr);
}

Status RestTrackingStore::ListStageTransitions(const std::string& name, int64_t version,
                                               std::vector<StageTransition>* transitions) {
  Json request = {{"name", name}};
  if (version > 0) request["version"] = std::to_string(version);
  Json response;
  PRODCAT_RETURN_IF_ERROR(Call("GET", "model-versions/transitions", request, &response, "prodcat"));
  return ReadList(response, "transitions", StageTransitionFromJson, transitions);
}

}  // namespace prodcat::tracking
