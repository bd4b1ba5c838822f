#include "prodcat/tracking/tracking_server.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <vector>

#include "prodcat/common/version.h"
#include "prodcat/tracking/artifact_store.h"
#include "prodcat/tracking/json_codec.h"
#include "prodcat/tracking/mlflow_error.h"

namespace prodcat::tracking {
namespace {

using Handler = std::function<Status(const Json& request, const http::Request& raw, Json* out)>;

struct Endpoint {
  const char* method;
  const char* path;  // below /api/2.0/mlflow
  Handler handler;
};

// Query parameters that MLflow's clients repeat (?order_by=a&order_by=b).
bool IsRepeatedField(const std::string& name) {
  return name == "order_by" || name == "stages" || name == "experiment_ids" || name == "run_ids";
}

Json QueryToJson(const http::Request& req) {
  Json j = Json::object();
  size_t q = req.target.find('?');
  if (q == std::string::npos) return j;
  std::string_view query = std::string_view(req.target).substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = http::PercentDecode(part.substr(0, eq));
      std::string value =
          eq == std::string_view::npos ? "" : http::PercentDecode(part.substr(eq + 1));
      if (IsRepeatedField(key)) {
        if (!j.contains(key)) j[key] = Json::array();
        j[key].push_back(value);
      } else {
        j[key] = value;
      }
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return j;
}

void SetError(http::Response* res, int status, const char* code, const std::string& message) {
  res->status = status;
  res->content_type = "application/json";
  res->body = MlflowErrorBody(code, message);
}

void SetStatusError(http::Response* res, const Status& s) {
  MlflowError e = ToMlflowError(s);
  SetError(res, e.http_status, e.error_code, s.message());
}

Status ReadRunId(const Json& j, std::string* run_id) {
  PRODCAT_RETURN_IF_ERROR(ReadString(j, "run_id", false, run_id));
  if (run_id->empty()) PRODCAT_RETURN_IF_ERROR(ReadString(j, "run_uuid", false, run_id));
  if (run_id->empty()) return ReadString(j, "run_id", true, run_id);
  return Status::Ok();
}

Status ReadViewType(const Json& j, const char* field, ViewType* view) {
  std::string text;
  if (j.contains(field) && j[field].is_number_integer()) {
    text = std::to_string(j[field].get<int>());
  } else {
    PRODCAT_RETURN_IF_ERROR(ReadString(j, field, false, &text));
  }
  if (text.empty()) return Status::Ok();
  if (!ParseViewType(text, view)) {
    return Status::InvalidArgument("Invalid value '" + text + "' for parameter '" + field +
                                   "': expected ACTIVE_ONLY, DELETED_ONLY or ALL");
  }
  return Status::Ok();
}

Status ReadSearch(const Json& j, SearchQuery* q) {
  PRODCAT_RETURN_IF_ERROR(ReadString(j, "filter", false, &q->filter));
  PRODCAT_RETURN_IF_ERROR(ReadStringList(j, "order_by", &q->order_by));
  PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "max_results", false, &q->max_results));
  return ReadString(j, "page_token", false, &q->page_token);
}

Status ReadVersionKey(const Json& j, std::string* name, int64_t* version) {
  PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, name));
  return ReadInt64(j, "version", true, version);
}

// "mlflow-artifacts:/0/<run>/artifacts" or "mlflow-artifacts://host:port/0/..." -> "0/<run>/..."
bool ProxiedPath(const std::string& uri, std::string* relative) {
  const std::string scheme = "mlflow-artifacts:";
  if (uri.rfind(scheme, 0) != 0) return false;
  std::string rest = uri.substr(scheme.size());
  if (rest.rfind("//", 0) == 0) {
    size_t slash = rest.find('/', 2);
    rest = slash == std::string::npos ? "" : rest.substr(slash);
  }
  while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
  *relative = rest;
  return true;
}

bool LooksLikeRunId(const std::string& s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

void MlflowErrorFormatter(int status, const std::string& code, const std::string& message,
                          http::Response* response) {
  const char* mlflow_code = "BAD_REQUEST";
  if (status == 404) mlflow_code = "ENDPOINT_NOT_FOUND";
  if (status == 500) mlflow_code = "INTERNAL_ERROR";
  if (status == 413) mlflow_code = "BAD_REQUEST";
  response->status = status;
  response->content_type = "application/json";
  response->body = MlflowErrorBody(mlflow_code, message);
}

struct TrackingServer::Impl {
  std::shared_ptr<TrackingStore> store;      // never null
  LocalArtifactStore artifacts;              // the proxy's root
  TrackingServerOptions options;             // immutable after construction
  std::unique_ptr<http::HttpServer> server;  // set by Start

  Impl(std::shared_ptr<TrackingStore> s, std::filesystem::path root, TrackingServerOptions o)
      : store(std::move(s)), artifacts(std::move(root)), options(std::move(o)) {}

  std::vector<Endpoint> TrackingEndpoints();
  std::vector<Endpoint> RegistryEndpoints();
  http::Router BuildRouter();
  bool Authorize(http::Request& req, http::Response& res) const;
  Status ListRunArtifacts(const Json& j, Json* out);
  void AddArtifactRoutes(http::Router* router);
};

bool TrackingServer::Impl::Authorize(http::Request& req, http::Response& res) const {
  if (options.auth_token.empty()) return true;
  if (req.method == "GET" || req.method == "HEAD") return true;
  static const char* kReadOnlyPosts[] = {"/experiments/search", "/runs/search",
                                         "/registered-models/get-latest-versions"};
  for (const char* suffix : kReadOnlyPosts) {
    std::string s(suffix);
    if (req.path.size() >= s.size() &&
        req.path.compare(req.path.size() - s.size(), s.size(), s) == 0) {
      return true;
    }
  }
  const std::string* auth = req.Header("authorization");
  const std::string prefix = "Bearer ";
  if (auth && auth->size() == prefix.size() + options.auth_token.size() &&
      auth->compare(0, prefix.size(), prefix) == 0 &&
      CRYPTO_memcmp(auth->data() + prefix.size(), options.auth_token.data(),
                    options.auth_token.size()) == 0) {
    return true;
  }
  SetError(&res, 401, "UNAUTHENTICATED",
           auth ? "The bearer token is not valid for this tracking server."
                : "This tracking server requires authentication for writes: send "
                  "'Authorization: Bearer <token>'.");
  res.SetHeader("WWW-Authenticate", "Bearer");
  return false;
}

Status TrackingServer::Impl::ListRunArtifacts(const Json& j, Json* out) {
  std::string run_id, path;
  PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
  PRODCAT_RETURN_IF_ERROR(ReadString(j, "path", false, &path));
  PRODCAT_RETURN_IF_ERROR(ValidateArtifactPath(path));
  while (!path.empty() && path.back() == '/') path.pop_back();
  Run run;
  PRODCAT_RETURN_IF_ERROR(store->GetRun(run_id, &run));
  std::string root_relative;
  const std::string& uri = run.info.artifact_uri;
  if (!ProxiedPath(uri, &root_relative)) {
    std::string local = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
    std::string root = artifacts.root().string();
    if (local.rfind(root + "/", 0) != 0) {
      return Status::InvalidArgument("Artifacts of run " + run_id + " live at '" + uri +
                                     "', outside this server's artifact root; list them there");
    }
    root_relative = local.substr(root.size() + 1);
  }
  std::vector<FileInfo> files;
  std::string listed = path.empty() ? root_relative : root_relative + "/" + path;
  PRODCAT_RETURN_IF_ERROR(artifacts.List(listed, &files));
  (*out)["root_uri"] = uri;
  if (!files.empty()) {
    (*out)["files"] = Json::array();
    for (FileInfo f : files) {
      f.path = path.empty() ? f.path : path + "/" + f.path;
      (*out)["files"].push_back(FileInfoToJson(f));
    }
  }
  return Status::Ok();
}

std::vector<Endpoint> TrackingServer::Impl::TrackingEndpoints() {
  TrackingStore& s = *store;
  std::vector<Endpoint> e;
  e.push_back({"POST", "/experiments/create", [&s](const Json& j, const http::Request&, Json* out) {
                 std::string name, location, id;
                 std::vector<KeyValue> tags;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "artifact_location", false, &location));
                 PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &tags));
                 PRODCAT_RETURN_IF_ERROR(s.CreateExperiment(name, location, tags, &id));
                 (*out)["experiment_id"] = id;
                 return Status::Ok();
               }});
  e.push_back({"GET", "/experiments/get", [&s](const Json& j, const http::Request&, Json* out) {
                 std::string id;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_id", true, &id));
                 Experiment exp;
                 PRODCAT_RETURN_IF_ERROR(s.GetExperiment(id, &exp));
                 (*out)["experiment"] = ExperimentToJson(exp);
                 return Status::Ok();
               }});
  e.push_back(
      {"GET", "/experiments/get-by-name", [&s](const Json& j, const http::Request&, Json* out) {
         std::string name;
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_name", true, &name));
         Experiment exp;
         PRODCAT_RETURN_IF_ERROR(s.GetExperimentByName(name, &exp));
         (*out)["experiment"] = ExperimentToJson(exp);
         return Status::Ok();
       }});
  Handler search_experiments = [&s](const Json& j, const http::Request&, Json* out) {
    ExperimentSearch q;
    PRODCAT_RETURN_IF_ERROR(ReadSearch(j, &q));
    PRODCAT_RETURN_IF_ERROR(ReadViewType(j, "view_type", &q.view_type));
    Page<Experiment> page;
    PRODCAT_RETURN_IF_ERROR(s.SearchExperiments(q, &page));
    if (!page.items.empty()) {
      (*out)["experiments"] = Json::array();
      for (const Experiment& x : page.items) (*out)["experiments"].push_back(ExperimentToJson(x));
    }
    if (!page.next_page_token.empty()) (*out)["next_page_token"] = page.next_page_token;
    return Status::Ok();
  };
  e.push_back({"POST", "/experiments/search", search_experiments});
  e.push_back({"GET", "/experiments/search", search_experiments});
  e.push_back({"POST", "/experiments/delete", [&s](const Json& j, const http::Request&, Json*) {
                 std::string id;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_id", true, &id));
                 return s.DeleteExperiment(id);
               }});
  e.push_back({"POST", "/experiments/restore", [&s](const Json& j, const http::Request&, Json*) {
                 std::string id;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_id", true, &id));
                 return s.RestoreExperiment(id);
               }});
  e.push_back({"POST", "/experiments/update", [&s](const Json& j, const http::Request&, Json*) {
                 std::string id, name;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_id", true, &id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "new_name", false, &name));
                 if (name.empty()) return Status::Ok();  // nothing to change
                 return s.RenameExperiment(id, name);
               }});
  e.push_back(
      {"POST", "/experiments/set-experiment-tag", [&s](const Json& j, const http::Request&, Json*) {
         std::string id, key, value;
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_id", true, &id));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "value", false, &value));
         return s.SetExperimentTag(id, key, value);
       }});
  e.push_back({"POST", "/experiments/delete-experiment-tag",
               [&s](const Json& j, const http::Request&, Json*) {
                 std::string id, key;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_id", true, &id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
                 return s.DeleteExperimentTag(id, key);
               }});
  e.push_back({"POST", "/runs/create", [&s](const Json& j, const http::Request&, Json* out) {
                 CreateRunRequest r;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "experiment_id", false, &r.experiment_id));
                 if (r.experiment_id.empty()) r.experiment_id = kDefaultExperimentId;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "user_id", false, &r.user_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "run_name", false, &r.run_name));
                 PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "start_time", false, &r.start_time));
                 PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &r.tags));
                 Run run;
                 PRODCAT_RETURN_IF_ERROR(s.CreateRun(r, &run));
                 (*out)["run"] = RunToJson(run);
                 return Status::Ok();
               }});
  e.push_back({"POST", "/runs/update", [&s](const Json& j, const http::Request&, Json* out) {
                 std::string run_id, status_text, name;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 std::optional<RunStatus> status;
                 if (j.contains("status") && j["status"].is_number_integer()) {
                   status_text = std::to_string(j["status"].get<int>());
                 } else {
                   PRODCAT_RETURN_IF_ERROR(ReadString(j, "status", false, &status_text));
                 }
                 if (!status_text.empty()) {
                   RunStatus parsed;
                   if (!ParseRunStatus(status_text, &parsed)) {
                     return Status::InvalidArgument(
                         "Invalid value '" + status_text +
                         "' for parameter 'status': expected RUNNING, SCHEDULED, FINISHED, "
                         "FAILED or KILLED");
                   }
                   status = parsed;
                 }
                 std::optional<int64_t> end_time;
                 int64_t end = 0;
                 bool has_end = false;
                 PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "end_time", false, &end, &has_end));
                 if (has_end) end_time = end;
                 std::optional<std::string> run_name;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "run_name", false, &name));
                 if (!name.empty()) run_name = name;
                 RunInfo info;
                 PRODCAT_RETURN_IF_ERROR(s.UpdateRun(run_id, status, end_time, run_name, &info));
                 (*out)["run_info"] = RunInfoToJson(info);
                 return Status::Ok();
               }});
  e.push_back({"POST", "/runs/delete", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 return s.DeleteRun(run_id);
               }});
  e.push_back({"POST", "/runs/restore", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 return s.RestoreRun(run_id);
               }});
  e.push_back({"POST", "/runs/log-metric", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id;
                 Metric m;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &m.key));
                 PRODCAT_RETURN_IF_ERROR(ReadDouble(j, "value", true, &m.value));
                 PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "timestamp", true, &m.timestamp));
                 PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "step", false, &m.step));
                 return s.LogMetric(run_id, m);
               }});
  e.push_back({"POST", "/runs/log-parameter", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id, key, value;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "value", false, &value));
                 return s.LogParam(run_id, key, value);
               }});
  e.push_back({"POST", "/runs/set-tag", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id, key, value;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "value", false, &value));
                 return s.SetTag(run_id, key, value);
               }});
  e.push_back({"POST", "/runs/delete-tag", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id, key;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
                 return s.DeleteTag(run_id, key);
               }});
  e.push_back({"GET", "/runs/get", [&s](const Json& j, const http::Request&, Json* out) {
                 std::string run_id;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 Run run;
                 PRODCAT_RETURN_IF_ERROR(s.GetRun(run_id, &run));
                 (*out)["run"] = RunToJson(run);
                 return Status::Ok();
               }});
  e.push_back({"POST", "/runs/search", [&s](const Json& j, const http::Request&, Json* out) {
                 RunSearch q;
                 PRODCAT_RETURN_IF_ERROR(ReadSearch(j, &q));
                 PRODCAT_RETURN_IF_ERROR(ReadStringList(j, "experiment_ids", &q.experiment_ids));
                 PRODCAT_RETURN_IF_ERROR(ReadViewType(j, "run_view_type", &q.view_type));
                 Page<Run> page;
                 PRODCAT_RETURN_IF_ERROR(s.SearchRuns(q, &page));
                 if (!page.items.empty()) {
                   (*out)["runs"] = Json::array();
                   for (const Run& r : page.items) (*out)["runs"].push_back(RunToJson(r));
                 }
                 if (!page.next_page_token.empty()) {
                   (*out)["next_page_token"] = page.next_page_token;
                 }
                 return Status::Ok();
               }});
  e.push_back({"POST", "/runs/log-batch", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 std::vector<Metric> metrics;
                 if (j.contains("metrics") && j["metrics"].is_array()) {
                   for (const Json& m : j["metrics"]) {
                     Metric metric;
                     PRODCAT_RETURN_IF_ERROR(MetricFromJson(m, &metric));
                     metrics.push_back(std::move(metric));
                   }
                 } else if (j.contains("metrics") && !j["metrics"].is_null()) {
                   return Status::InvalidArgument(
                       "Invalid value for parameter 'metrics': "
                       "expected a list of metrics");
                 }
                 std::vector<KeyValue> params, tags;
                 PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "params", &params));
                 PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &tags));
                 return s.LogBatch(run_id, metrics, params, tags);
               }});
  e.push_back({"POST", "/runs/log-model", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id, model_json;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "model_json", true, &model_json));
                 return s.LogModel(run_id, model_json);
               }});
  e.push_back({"POST", "/runs/log-inputs", [&s](const Json& j, const http::Request&, Json*) {
                 std::string run_id;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 std::vector<DatasetInput> inputs;
                 if (j.contains("datasets") && j["datasets"].is_array()) {
                   for (const Json& d : j["datasets"]) {
                     DatasetInput input;
                     PRODCAT_RETURN_IF_ERROR(DatasetInputFromJson(d, &input));
                     inputs.push_back(std::move(input));
                   }
                 }
                 return s.LogInputs(run_id, inputs);
               }});
  e.push_back({"GET", "/metrics/get-history", [&s](const Json& j, const http::Request&, Json* out) {
                 std::string run_id, key, token;
                 int64_t max_results = 0;
                 PRODCAT_RETURN_IF_ERROR(ReadRunId(j, &run_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "metric_key", true, &key));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "page_token", false, &token));
                 PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "max_results", false, &max_results));
                 Page<Metric> page;
                 PRODCAT_RETURN_IF_ERROR(
                     s.GetMetricHistory(run_id, key, max_results, token, &page));
                 if (!page.items.empty()) {
                   (*out)["metrics"] = Json::array();
                   for (const Metric& m : page.items) (*out)["metrics"].push_back(MetricToJson(m));
                 }
                 if (!page.next_page_token.empty()) {
                   (*out)["next_page_token"] = page.next_page_token;
                 }
                 return Status::Ok();
               }});
  e.push_back({"GET", "/artifacts/list", [this](const Json& j, const http::Request&, Json* out) {
                 return ListRunArtifacts(j, out);
               }});
  return e;
}

std::vector<Endpoint> TrackingServer::Impl::RegistryEndpoints() {
  TrackingStore& s = *store;
  std::vector<Endpoint> e;
  auto model_out = [](const RegisteredModel& m, Json* out) {
    (*out)["registered_model"] = RegisteredModelToJson(m);
  };
  auto version_out = [](const ModelVersion& v, Json* out) {
    (*out)["model_version"] = ModelVersionToJson(v);
  };
  e.push_back({"POST", "/registered-models/create",
               [&s, model_out](const Json& j, const http::Request&, Json* out) {
                 std::string name, description;
                 std::vector<KeyValue> tags;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "description", false, &description));
                 PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &tags));
                 RegisteredModel m;
                 PRODCAT_RETURN_IF_ERROR(s.CreateRegisteredModel(name, tags, description, &m));
                 model_out(m, out);
                 return Status::Ok();
               }});
  e.push_back({"GET", "/registered-models/get",
               [&s, model_out](const Json& j, const http::Request&, Json* out) {
                 std::string name;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
                 RegisteredModel m;
                 PRODCAT_RETURN_IF_ERROR(s.GetRegisteredModel(name, &m));
                 model_out(m, out);
                 return Status::Ok();
               }});
  e.push_back({"POST", "/registered-models/rename",
               [&s, model_out](const Json& j, const http::Request&, Json* out) {
                 std::string name, new_name;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "new_name", true, &new_name));
                 RegisteredModel m;
                 PRODCAT_RETURN_IF_ERROR(s.RenameRegisteredModel(name, new_name, &m));
                 model_out(m, out);
                 return Status::Ok();
               }});
  e.push_back({"PATCH", "/registered-models/update",
               [&s, model_out](const Json& j, const http::Request&, Json* out) {
                 std::string name, description;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "description", false, &description));
                 RegisteredModel m;
                 PRODCAT_RETURN_IF_ERROR(s.UpdateRegisteredModel(name, description, &m));
                 model_out(m, out);
                 return Status::Ok();
               }});
  e.push_back(
      {"DELETE", "/registered-models/delete", [&s](const Json& j, const http::Request&, Json*) {
         std::string name;
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
         return s.DeleteRegisteredModel(name);
       }});
  e.push_back(
      {"GET", "/registered-models/search", [&s](const Json& j, const http::Request&, Json* out) {
         SearchQuery q;
         PRODCAT_RETURN_IF_ERROR(ReadSearch(j, &q));
         Page<RegisteredModel> page;
         PRODCAT_RETURN_IF_ERROR(s.SearchRegisteredModels(q, &page));
         if (!page.items.empty()) {
           (*out)["registered_models"] = Json::array();
           for (const RegisteredModel& m : page.items) {
             (*out)["registered_models"].push_back(RegisteredModelToJson(m));
           }
         }
         if (!page.next_page_token.empty()) {
           (*out)["next_page_token"] = page.next_page_token;
         }
         return Status::Ok();
       }});
  Handler latest = [&s](const Json& j, const http::Request&, Json* out) {
    std::string name;
    std::vector<std::string> stages;
    PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
    PRODCAT_RETURN_IF_ERROR(ReadStringList(j, "stages", &stages));
    std::vector<ModelVersion> versions;
    PRODCAT_RETURN_IF_ERROR(s.GetLatestVersions(name, stages, &versions));
    if (!versions.empty()) {
      (*out)["model_versions"] = Json::array();
      for (const ModelVersion& v : versions)
        (*out)["model_versions"].push_back(ModelVersionToJson(v));
    }
    return Status::Ok();
  };
  e.push_back({"POST", "/registered-models/get-latest-versions", latest});
  e.push_back({"GET", "/registered-models/get-latest-versions", latest});
  e.push_back(
      {"POST", "/registered-models/set-tag", [&s](const Json& j, const http::Request&, Json*) {
         std::string name, key, value;
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "value", false, &value));
         return s.SetRegisteredModelTag(name, key, value);
       }});
  e.push_back(
      {"DELETE", "/registered-models/delete-tag", [&s](const Json& j, const http::Request&, Json*) {
         std::string name, key;
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
         return s.DeleteRegisteredModelTag(name, key);
       }});
  e.push_back(
      {"POST", "/registered-models/alias", [&s](const Json& j, const http::Request&, Json*) {
         std::string name, alias;
         int64_t version = 0;
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "alias", true, &alias));
         PRODCAT_RETURN_IF_ERROR(ReadInt64(j, "version", true, &version));
         return s.SetRegisteredModelAlias(name, alias, version);
       }});
  e.push_back(
      {"DELETE", "/registered-models/alias", [&s](const Json& j, const http::Request&, Json*) {
         std::string name, alias;
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "alias", true, &alias));
         return s.DeleteRegisteredModelAlias(name, alias);
       }});
  e.push_back({"GET", "/registered-models/alias",
               [&s, version_out](const Json& j, const http::Request&, Json* out) {
                 std::string name, alias;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &name));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "alias", true, &alias));
                 ModelVersion v;
                 PRODCAT_RETURN_IF_ERROR(s.GetModelVersionByAlias(name, alias, &v));
                 version_out(v, out);
                 return Status::Ok();
               }});
  e.push_back({"POST", "/model-versions/create",
               [&s, version_out](const Json& j, const http::Request& raw, Json* out) {
                 CreateModelVersionRequest r;
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "name", true, &r.name));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "source", true, &r.source));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "run_id", false, &r.run_id));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "run_link", false, &r.run_link));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "description", false, &r.description));
                 PRODCAT_RETURN_IF_ERROR(KeyValuesFromJson(j, "tags", &r.tags));
                 if (const std::string* user = raw.Header("x-prodcat-user")) r.user_id = *user;
                 ModelVersion v;
                 PRODCAT_RETURN_IF_ERROR(s.CreateModelVersion(r, &v));
                 version_out(v, out);
                 return Status::Ok();
               }});
  e.push_back({"GET", "/model-versions/get",
               [&s, version_out](const Json& j, const http::Request&, Json* out) {
                 std::string name;
                 int64_t version = 0;
                 PRODCAT_RETURN_IF_ERROR(ReadVersionKey(j, &name, &version));
                 ModelVersion v;
                 PRODCAT_RETURN_IF_ERROR(s.GetModelVersion(name, version, &v));
                 version_out(v, out);
                 return Status::Ok();
               }});
  e.push_back({"PATCH", "/model-versions/update",
               [&s, version_out](const Json& j, const http::Request&, Json* out) {
                 std::string name, description;
                 int64_t version = 0;
                 PRODCAT_RETURN_IF_ERROR(ReadVersionKey(j, &name, &version));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "description", false, &description));
                 ModelVersion v;
                 PRODCAT_RETURN_IF_ERROR(s.UpdateModelVersion(name, version, description, &v));
                 version_out(v, out);
                 return Status::Ok();
               }});
  e.push_back(
      {"DELETE", "/model-versions/delete", [&s](const Json& j, const http::Request&, Json*) {
         std::string name;
         int64_t version = 0;
         PRODCAT_RETURN_IF_ERROR(ReadVersionKey(j, &name, &version));
         return s.DeleteModelVersion(name, version);
       }});
  e.push_back(
      {"GET", "/model-versions/search", [&s](const Json& j, const http::Request&, Json* out) {
         SearchQuery q;
         PRODCAT_RETURN_IF_ERROR(ReadSearch(j, &q));
         Page<ModelVersion> page;
         PRODCAT_RETURN_IF_ERROR(s.SearchModelVersions(q, &page));
         if (!page.items.empty()) {
           (*out)["model_versions"] = Json::array();
           for (const ModelVersion& v : page.items) {
             (*out)["model_versions"].push_back(ModelVersionToJson(v));
           }
         }
         if (!page.next_page_token.empty()) {
           (*out)["next_page_token"] = page.next_page_token;
         }
         return Status::Ok();
       }});
  e.push_back({"POST", "/model-versions/transition-stage",
               [&s, version_out](const Json& j, const http::Request& raw, Json* out) {
                 TransitionRequest r;
                 PRODCAT_RETURN_IF_ERROR(ReadVersionKey(j, &r.name, &r.version));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "stage", true, &r.stage));
                 PRODCAT_RETURN_IF_ERROR(
                     ReadBool(j, "archive_existing_versions", false, &r.archive_existing_versions));
                 const std::string* user = raw.Header("x-prodcat-user");
                 r.user = user ? *user : "rest:" + raw.remote.substr(0, raw.remote.rfind(':'));
                 if (const std::string* comment = raw.Header("x-prodcat-comment")) {
                   r.comment = http::PercentDecode(*comment, false);
                 }
                 ModelVersion v;
                 PRODCAT_RETURN_IF_ERROR(s.TransitionModelVersionStage(r, &v));
                 version_out(v, out);
                 return Status::Ok();
               }});
  e.push_back({"GET", "/model-versions/get-download-uri",
               [&s](const Json& j, const http::Request&, Json* out) {
                 std::string name, uri;
                 int64_t version = 0;
                 PRODCAT_RETURN_IF_ERROR(ReadVersionKey(j, &name, &version));
                 PRODCAT_RETURN_IF_ERROR(s.GetModelVersionDownloadUri(name, version, &uri));
                 (*out)["artifact_uri"] = uri;
                 return Status::Ok();
               }});
  e.push_back({"POST", "/model-versions/set-tag", [&s](const Json& j, const http::Request&, Json*) {
                 std::string name, key, value;
                 int64_t version = 0;
                 PRODCAT_RETURN_IF_ERROR(ReadVersionKey(j, &name, &version));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
                 PRODCAT_RETURN_IF_ERROR(ReadString(j, "value", false, &value));
                 return s.SetModelVersionTag(name, version, key, value);
               }});
  e.push_back(
      {"DELETE", "/model-versions/delete-tag", [&s](const Json& j, const http::Request&, Json*) {
         std::string name, key;
         int64_t version = 0;
         PRODCAT_RETURN_IF_ERROR(ReadVersionKey(j, &name, &version));
         PRODCAT_RETURN_IF_ERROR(ReadString(j, "key", true, &key));
         return s.DeleteModelVersionTag(name, version, key);
       }});
  return e;
}

void TrackingServer::Impl::AddArtifactRoutes(http::Router* router) {
  http::RouteOptions upload{options.max_artifact_bytes, /*offload=*/true};
  http::RouteOptions small{options.max_json_body_bytes, /*offload=*/true};
  for (std::string prefix :
       {"/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"}) {
    router->Add(
        "PUT", prefix + "/{path*}",
        [this](http::Request& req, http::Response& res) {
          std::string path = http::PercentDecode(req.path_params["path"], false);
          std::string sha;
          Status s = artifacts.Put(path, req.body, &sha);
          if (s.ok()) {
            // "<experiment>/<run_id>/artifacts/..." belongs to that run.
            std::string run_id;
            size_t first = path.find('/');
            size_t second = first == std::string::npos ? first : path.find('/', first + 1);
            if (second != std::string::npos) {
              std::string candidate = path.substr(first + 1, second - first - 1);
              if (LooksLikeRunId(candidate)) run_id = candidate;
            }
            s = store->RecordArtifact(
                {path, run_id, static_cast<int64_t>(req.body.size()), sha, 0});
          }
          if (!s.ok()) return SetStatusError(&res, s);
          res.SetJson(200, Json::object());
        },
        upload);
    router->Add(
        "GET", prefix + "/{path*}",
        [this](http::Request& req, http::Response& res) {
          std::string path = http::PercentDecode(req.path_params["path"], false);
          std::string bytes;
          Status s = artifacts.Get(path, &bytes);
          if (!s.ok()) return SetStatusError(&res, s);
          res.status = 200;
          res.content_type = "application/octet-stream";
          res.body = std::move(bytes);
        },
        small);
    router->Add(
        "DELETE", prefix + "/{path*}",
        [this](http::Request& req, http::Response& res) {
          Status s = artifacts.Delete(http::PercentDecode(req.path_params["path"], false));
          if (!s.ok()) return SetStatusError(&res, s);
          res.SetJson(200, Json::object());
        },
        small);
    router->Add(
        "GET", prefix,
        [this](http::Request& req, http::Response& res) {
          std::string path = req.query.count("path") ? req.query.at("path") : "";
          while (!path.empty() && path.back() == '/') path.pop_back();
          std::vector<FileInfo> files;
          Status s = artifacts.List(path, &files);
          if (!s.ok()) return SetStatusError(&res, s);
          Json out = Json::object();
          if (!files.empty()) {
            out["files"] = Json::array();
            for (const FileInfo& f : files) out["files"].push_back(FileInfoToJson(f));
          }
          res.SetJson(200, out);
        },
        small);
  }
}

http::Router TrackingServer::Impl::BuildRouter() {
  http::Router router;
  http::RouteOptions route_options{options.max_json_body_bytes, /*offload=*/true};
  std::vector<Endpoint> endpoints = TrackingEndpoints();
  for (Endpoint& e : RegistryEndpoints()) endpoints.push_back(std::move(e));
  for (const Endpoint& e : endpoints) {
    Handler handler = e.handler;
    std::string method = e.method;
    auto wrapped = [handler, method](http::Request& req, http::Response& res) {
      Json request = Json::object();
      bool has_body =
          !req.body.empty() && req.body.find_first_not_of(" \t\r\n") != std::string::npos;
      if (method != "GET" && has_body) {
        request = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
        if (request.is_discarded() || !request.is_object()) {
          return SetError(&res, 400, "BAD_REQUEST",
                          "Malformed request body: expected a JSON object");
        }
      }
      // Query parameters fill what the body does not say (DELETE clients use either).
      Json query = QueryToJson(req);
      for (auto it = query.begin(); it != query.end(); ++it) {
        if (!request.contains(it.key())) request[it.key()] = *it;
      }
      Json out = Json::object();
      Status s = handler(request, req, &out);
      if (!s.ok()) return SetStatusError(&res, s);
      res.SetJson(200, out);
    };
    for (const char* prefix : {"/api/2.0/mlflow", "/ajax-api/2.0/mlflow"}) {
      router.Add(e.method, std::string(prefix) + e.path, wrapped, route_options);
    }
  }
  AddArtifactRoutes(&router);
  auto transitions = [this](http::Request& req, http::Response& res) {
    Json j = QueryToJson(req);
    std::string name;
    int64_t version = 0;
    Status s = ReadString(j, "name", true, &name);
    if (s.ok()) s = ReadInt64(j, "version", false, &version);
    std::vector<StageTransition> list;
    if (s.ok()) s = store->ListStageTransitions(name, version, &list);
    if (!s.ok()) return SetStatusError(&res, s);
    Json out = {{"transitions", Json::array()}};
    for (const StageTransition& t : list) out["transitions"].push_back(StageTransitionToJson(t));
    res.SetJson(200, out);
  };
  router.Add("GET", "/api/2.0/prodcat/model-versions/transitions", transitions, route_options);
  auto digests = [this](http::Request& req, http::Response& res) {
    Json j = QueryToJson(req);
    std::string run_id;
    Status s = ReadString(j, "run_id", true, &run_id);
    std::vector<ArtifactRecord> records;
    if (s.ok()) s = store->ListArtifactRecords(run_id, &records);
    if (!s.ok()) return SetStatusError(&res, s);
    Json out = {{"artifacts", Json::array()}};
    for (const ArtifactRecord& r : records) {
      out["artifacts"].push_back({{"path", r.path},
                                  {"run_id", r.run_id},
                                  {"size", r.size},
                                  {"sha256", r.sha256},
                                  {"updated_time", r.updated_time}});
    }
    res.SetJson(200, out);
  };
  router.Add("GET", "/api/2.0/prodcat/artifacts/digests", digests, route_options);
  router.Add("GET", "/health", [](http::Request&, http::Response& res) {
    res.content_type = "text/plain";
    res.body = "OK";
  });
  router.Add("GET", "/version", [](http::Request&, http::Response& res) {
    res.content_type = "text/plain";
    res.body = kVersion;
  });
  return router;
}

TrackingServer::TrackingServer(std::shared_ptr<TrackingStore> store,
                               std::filesystem::path artifact_root, TrackingServerOptions options)
    : impl_(
          std::make_unique<Impl>(std::move(store), std::move(artifact_root), std::move(options))) {}

TrackingServer::~TrackingServer() {
  if (impl_->server) impl_->server->Shutdown(std::chrono::milliseconds(2000));
}

Status TrackingServer::Start() {
  Impl& s = *impl_;
  http::ServerOptions options;
  options.host = s.options.host;
  options.port = s.options.port;
  options.io_threads = s.options.io_threads;
  options.worker_threads = s.options.worker_threads;
  options.server_name = std::string("prodcat-tracking/") + kVersion;
  options.error_formatter = MlflowErrorFormatter;
  options.before_handler = [&s](http::Request& req, http::Response& res) {
    return s.Authorize(req, res);
  };
  if (s.options.access_log) {
    options.access_log = [](const http::AccessLogEntry& e) {
      spdlog::info("{} {} {} {:.1f} ms", e.method, e.target, e.status, e.duration_ms);
    };
  }
  s.server = std::make_unique<http::HttpServer>(options, s.BuildRouter());
  return s.server->Start();
}

uint16_t TrackingServer::port() const {
  return impl_->server ? impl_->server->port() : 0;
}

bool TrackingServer::Shutdown(std::chrono::milliseconds drain) {
  if (!impl_->server) return true;
  bool drained = impl_->server->Shutdown(drain);
  impl_->server.reset();
  return drained;
}

}  // namespace prodcat::tracking
