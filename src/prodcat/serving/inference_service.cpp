#include "prodcat/serving/inference_service.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <map>
#include <thread>

#include "prodcat/common/version.h"
#include "prodcat/serving/admin_auth.h"
#include "prodcat/serving/json_writer.h"
#include "prodcat/serving/open_inference.h"
#include "prodcat/serving/openapi.h"
#include "prodcat/serving/request_id.h"
#include "prodcat/serving/request_parser.h"

namespace prodcat::serving {
namespace {

struct EndpointDoc {
  const char* method;
  const char* path;
  const char* description;
};

constexpr EndpointDoc kEndpoints[] = {
    {"GET", "/", "service name, version, endpoints and the model being served"},
    {"GET", "/health", "liveness"},
    {"GET", "/ready", "readiness: model loaded and warmed (503 otherwise)"},
    {"POST", "/predict", "categorize one product (?top_k=)"},
    {"POST", "/predict/batch", "categorize a JSON array of products or {\"items\": [...]}"},
    {"GET", "/metrics", "Prometheus metrics"},
    {"GET", "/openapi.json", "OpenAPI 3 description"},
    {"GET", "/docs", "Swagger UI"},
    {"GET", "/redoc", "ReDoc"},
    {"POST", "/admin/reload", "reload the model from its source (bearer token)"},
    {"POST", "/admin/fault", "inject a primary-model failure for drills (bearer token)"},
    {"GET", "/shadow", "the shadow model's agreement with the primary and its latency"},
    {"GET", "/drift", "drift of live traffic against the model's training profile"},
    {"POST", "/experiments", "create an A/B experiment between model versions (bearer token)"},
    {"GET", "/experiments", "the experiments and the running one"},
    {"GET", "/experiments/{id}", "per-arm figures, sample-ratio check, sequential test, verdict"},
    {"POST", "/experiments/{id}/stop", "stop an experiment (bearer token)"},
    {"POST", "/feedback", "record the true category of a served request"},
    {"GET", "/v2/health/live", "Open Inference Protocol: liveness"},
    {"GET", "/v2/health/ready", "Open Inference Protocol: readiness"},
    {"GET", "/v2/models/{name}", "Open Inference Protocol: model metadata"},
    {"POST", "/v2/models/{name}/infer", "Open Inference Protocol: inference"},
};

const std::string& RequestIdOf(const http::Request& request) {
  static const std::string kNone;
  const std::string* id = request.Header("x-request-id");
  return id != nullptr ? *id : kNone;
}

void WriteModelRef(JsonWriter& w, const ServedModel& model) {
  w.Key("model").BeginObject();
  w.Key("name").String(model.name).Key("version").String(model.version);
  w.EndObject();
}

// The answering model: a model, or the class prior of `primary` (when known).
void WriteAnswerModelRef(JsonWriter& w, const RoutedAnswer& answer, const ServedModel* primary) {
  if (answer.model) return WriteModelRef(w, *answer.model);
  w.Key("model").BeginObject().Key("name").String("class_prior");
  w.Key("version").String(primary != nullptr ? primary->version : "");
  w.EndObject();
}

void WriteScores(JsonWriter& w, const ProductRecord& record, const RoutedAnswer& answer) {
  const std::vector<ScoredLabel>& top = answer.top;
  if (!record.product_id.empty()) w.Key("product_id").String(record.product_id);
  w.Key("category").String(top[0].label);
  w.Key("confidence").Float(top[0].probability);
  w.Key("probabilities").BeginArray();
  for (const ScoredLabel& s : top) {
    w.BeginObject().Key("category").String(s.label).Key("probability").Float(s.probability);
    w.EndObject();
  }
  w.EndArray();
  w.Key("fallback").Bool(answer.fallback());
  if (answer.fallback()) {
    w.Key("fallback_reason").String(FallbackReasonName(answer.reason));
    w.Key("fallback_detail").String(answer.detail);
  }
}

void SetV2Error(int status, const std::string& message, http::Response* response) {
  response->status = status;
  response->content_type = "application/json";
  response->body = "{\"error\":";
  AppendJsonString(message, &response->body);
  response->body += '}';
}

nlohmann::json ModelInfoJson(const ServedModel& model) {
  nlohmann::json j = {
      {"name", model.name},           {"version", model.version},
      {"family", model.family},       {"source", model.source},
      {"loaded_at", model.loaded_at}, {"num_classes", model.bundle->class_names().size()}};
  if (!model.created_at.empty()) j["created_at"] = model.created_at;
  return j;
}

}  // namespace

InferenceService::InferenceService(ServiceOptions options, ModelManager* models,
                                   ServingMetrics* metrics, const LiveOps& live)
    : options_(std::move(options)),
      models_(models),
      metrics_(metrics),
      router_(live.router),
      shadow_(live.shadow),
      experiments_(live.arms != nullptr ? live.experiments : nullptr),
      arms_(live.arms),
      assets_(options_.web_root),
      openapi_json_(OpenApiDocument(options_.limits, options_.default_top_k).dump()) {
  if (router_ == nullptr) {
    own_router_ = std::make_unique<FallbackRouter>(FallbackOptions{}, nullptr, nullptr, nullptr);
    router_ = own_router_.get();
  }
  drift_gauges_ = metrics_->mutable_registry().AddGauge(
      "prodcat_drift",
      "Drift of live traffic against the served model's training profile, per window, feature "
      "and metric (psi, js_distance, ks_p_value, ...; status: 0 insufficient data, 1 ok, "
      "2 warning, 3 alert).",
      {"window", "feature", "metric"});
  metrics_->SetRefresh([this] { RefreshDriftMetrics(); });
}

bool InferenceService::PredictionModels(http::Response* response,
                                        std::shared_ptr<const ServedModel>* primary,
                                        std::shared_ptr<const ServedModel>* sizing) const {
  *primary = models_->current();
  *sizing = *primary ? *primary : router_->fallback_model();
  if (*sizing) return true;
  SetErrorResponse(ApiError::Make(503, "model_unavailable", "no model is loaded yet"), response);
  return false;
}

RoutedAnswer InferenceService::Route(const std::shared_ptr<const ServedModel>& primary,
                                     const ProductRecord& record, size_t k) {
  // Extracted once for both the support check and the drift windows.
  thread_local monitoring::Observation observation;
  monitoring::DriftMonitor* drift = primary ? primary->drift.get() : nullptr;
  if (drift != nullptr) drift->reference().Extract(record, &observation);
  auto start = std::chrono::steady_clock::now();
  RoutedAnswer answer =
      router_->Answer(primary, record, k, drift != nullptr ? &observation : nullptr);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (answer.fallback()) {
    metrics_->CountFallback(FallbackReasonName(answer.reason));
    metrics_->ObserveModelTime(answer.model ? "fallback" : "prior", seconds);
  } else {
    metrics_->ObserveModelTime("primary", seconds);
    if (shadow_ != nullptr) shadow_->Submit(record, answer.top[0].label, seconds);
  }
  if (drift != nullptr) {
    // Inputs are always observed; predictions only when the primary made them.
    observation.predicted_class = -1;
    observation.confidence = 0;
    if (!answer.fallback() && !answer.top.empty()) {
      auto id = primary->class_ids.find(answer.top[0].label);
      if (id != primary->class_ids.end()) observation.predicted_class = id->second;
      observation.confidence = answer.top[0].probability;
    }
    drift->Observe(observation, std::chrono::system_clock::now());
  }
  return answer;
}

void InferenceService::Drift(http::Request&, http::Response& response) {
  std::shared_ptr<const ServedModel> model = ModelOr503(&response, false);
  if (!model) return;
  if (!model->drift) {
    SetErrorResponse(ApiError::Make(404, "drift_off",
                                    "drift detection is off for this model (started with "
                                    "--no-drift, or its bundle has no reference profile)"),
                     &response);
    return;
  }
  nlohmann::json report = model->drift->Report(std::chrono::system_clock::now());
  report["model"] = {{"name", model->name}, {"version", model->version}};
  response.SetJson(200, report);
}

void InferenceService::RefreshDriftMetrics() {
  std::shared_ptr<const ServedModel> model = models_->current();
  drift_gauges_->Clear();
  if (!model || !model->drift) return;
  for (const monitoring::DriftGauge& g : model->drift->Gauges(std::chrono::system_clock::now())) {
    drift_gauges_->Set({g.window, g.feature, g.metric}, g.value);
  }
}

bool InferenceService::BeforeRequest(http::Request& request, http::Response& response) {
  std::string* id = nullptr;
  for (auto& [name, value] : request.headers) {
    if (name == "x-request-id") {
      id = &value;
      break;
    }
  }
  if (id == nullptr) {
    request.headers.emplace_back("x-request-id", NewRequestId());
    id = &request.headers.back().second;
  } else if (!IsValidRequestId(*id)) {
    *id = NewRequestId();
  }
  response.SetHeader("X-Request-Id", *id);
  return true;
}

std::shared_ptr<const ServedModel> InferenceService::ModelOr503(http::Response* response,
                                                                bool v2) const {
  std::shared_ptr<const ServedModel> model = models_->current();
  if (model) return model;
  if (v2) {
    SetV2Error(503, "no model is loaded yet", response);
  } else {
    SetErrorResponse(ApiError::Make(503, "model_unavailable", "no model is loaded yet"), response);
  }
  return nullptr;
}

void InferenceService::CountPredictions(const std::vector<std::vector<ScoredLabel>>& scores,
                                        const std::vector<BatchItem>& items) {
  // One metrics update per category rather than per item.
  std::map<std::string_view, size_t> counts;
  for (size_t i = 0; i < scores.size(); ++i) {
    if ((items.empty() || items[i].ok) && !scores[i].empty()) ++counts[scores[i][0].label];
  }
  for (const auto& [category, n] : counts) {
    metrics_->CountPrediction(category, static_cast<double>(n));
  }
}

void InferenceService::Reject(std::string_view endpoint, const ApiError& error,
                              http::Response* response) {
  metrics_->CountInvalidInput(endpoint, error.code);
  SetErrorResponse(error, response);
}

bool InferenceService::ParseTopK(const http::Request& request, const ServedModel& model, size_t* k,
                                 ApiError* error) const {
  *k = options_.default_top_k;
  auto it = request.query.find("top_k");
  if (it != request.query.end()) {
    const std::string& text = it->second;
    size_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value < 1 ||
        value > options_.limits.max_top_k) {
      *error = ApiError::Make(
          422, "invalid_parameter",
          "top_k must be an integer between 1 and " + std::to_string(options_.limits.max_top_k),
          "top_k");
      return false;
    }
    *k = value;
  }
  *k = std::max<size_t>(1, std::min(*k, model.bundle->class_names().size()));
  return true;
}

void InferenceService::Root(http::Request&, http::Response& response) {
  nlohmann::json endpoints = nlohmann::json::array();
  for (const EndpointDoc& e : kEndpoints) {
    endpoints.push_back({{"method", e.method}, {"path", e.path}, {"description", e.description}});
  }
  std::shared_ptr<const ServedModel> model = models_->current();
  response.SetJson(200, {{"service", "prodcat inference server"},
                         {"version", kVersion},
                         {"model", model ? ModelInfoJson(*model) : nlohmann::json(nullptr)},
                         {"endpoints", std::move(endpoints)},
                         {"docs", "/docs"}});
}

void InferenceService::Ready(http::Request&, http::Response& response) {
  std::shared_ptr<const ServedModel> model = models_->current();
  if (draining_.load()) {
    response.SetJson(503, {{"status", "not_ready"}, {"reason", "shutting down"}});
  } else if (!model && router_->fallback_model()) {
    auto fallback = router_->fallback_model();
    response.SetJson(200, {{"status", "degraded"},
                           {"reason", "the primary model is unavailable; the fallback answers"},
                           {"model", {{"name", fallback->name}, {"version", fallback->version}}}});
  } else if (!model) {
    response.SetJson(503, {{"status", "not_ready"}, {"reason", "no model loaded yet"}});
  } else {
    response.SetJson(200, {{"status", "ready"},
                           {"model", {{"name", model->name}, {"version", model->version}}}});
  }
}

void InferenceService::Predict(http::Request& request, http::Response& response) {
  std::shared_ptr<const ServedModel> model, sizing;
  if (!PredictionModels(&response, &model, &sizing)) return;
  size_t k = 0;
  ApiError error;
  if (!ParseTopK(request, *sizing, &k, &error)) return Reject("/predict", error, &response);
  thread_local ProductRecord record;
  thread_local RoutingKeys keys;
  if (!ParsePredictRequest(&request.body, options_.limits, &record, &error, &keys)) {
    return Reject("/predict", error, &response);
  }
  std::string key;
  std::optional<experiments::Assignment> arm = AssignArm(request, record, keys, &key, &model);
  auto start = std::chrono::steady_clock::now();
  RoutedAnswer answer = Route(model, record, k);
  if (arm) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    RecordArm(*arm, key, RequestIdOf(request), record, answer, ms);
  }
  if (answer.top.empty()) {
    SetErrorResponse(
        ApiError::Make(503, "model_unavailable", "no model could answer: " + answer.detail),
        &response);
    return;
  }
  metrics_->CountPrediction(answer.top[0].label);
  response.status = 200;
  response.content_type = "application/json";
  response.body.reserve(256 + 64 * answer.top.size());
  JsonWriter w(&response.body);
  w.BeginObject();
  WriteScores(w, record, answer);
  WriteAnswerModelRef(w, answer, model.get());
  if (arm) {
    w.Key("experiment").BeginObject().Key("id").String(arm->experiment_id);
    w.Key("arm").String(arm->arm).EndObject();
  }
  w.Key("request_id").String(RequestIdOf(request));
  w.EndObject();
}

void InferenceService::PredictBatch(http::Request& request, http::Response& response) {
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const ServedModel> model, sizing;
  if (!PredictionModels(&response, &model, &sizing)) return;
  size_t k = 0;
  ApiError error;
  if (!ParseTopK(request, *sizing, &k, &error)) return Reject("/predict/batch", error, &response);
  std::vector<BatchItem> items;
  if (!ParseBatchRequest(&request.body, options_.limits, &items, &error)) {
    return Reject("/predict/batch", error, &response);
  }
  metrics_->ObserveBatch("/predict/batch", items.size());

  std::vector<RoutedAnswer> answers(items.size());
  auto score_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (items[i].ok) answers[i] = Route(model, items[i].record, k);
    }
  };
  if (items.size() >= options_.parallel_batch_rows && options_.parallel_batch_rows > 0) {
    // Large batches: half on a helper thread, so one big request does not take twice as long
    // as it needs to on an otherwise idle machine.
    size_t mid = items.size() / 2;
    std::thread helper([&] { score_range(mid, items.size()); });
    score_range(0, mid);
    helper.join();
  } else {
    score_range(0, items.size());
  }
  std::vector<std::vector<ScoredLabel>> scores(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].ok && answers[i].top.empty()) {  // neither a model nor a prior could answer
      items[i].ok = false;
      items[i].error = ApiError::Make(503, "model_unavailable", "no model could answer");
    }
    scores[i] = answers[i].top;
  }

  size_t failed = 0;
  response.status = 200;
  response.content_type = "application/json";
  response.body.reserve(64 + items.size() * (96 + 64 * k));
  JsonWriter w(&response.body);
  w.BeginObject().Key("results").BeginArray();
  for (size_t i = 0; i < items.size(); ++i) {
    w.BeginObject().Key("index").Int(static_cast<int64_t>(i));
    if (items[i].ok) {
      WriteScores(w, items[i].record, answers[i]);
      if (answers[i].fallback()) WriteAnswerModelRef(w, answers[i], model.get());
    } else {
      ++failed;
      metrics_->CountInvalidInput("/predict/batch", items[i].error.code);
      if (!items[i].record.product_id.empty()) {
        w.Key("product_id").String(items[i].record.product_id);
      }
      std::string error_json;
      AppendErrorObject(items[i].error, &error_json);
      w.Key("error").Raw(error_json);
    }
    w.EndObject();
  }
  w.EndArray();
  CountPredictions(scores, items);
  w.Key("total_processed").Int(static_cast<int64_t>(items.size()));
  w.Key("succeeded").Int(static_cast<int64_t>(items.size() - failed));
  w.Key("failed").Int(static_cast<int64_t>(failed));
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  w.Key("processing_time_ms").Double(static_cast<double>(static_cast<int64_t>(ms * 1000)) / 1000);
  WriteModelRef(w, model ? *model : *sizing);
  w.Key("request_id").String(RequestIdOf(request));
  w.EndObject();
}

bool InferenceService::AuthorizeAdmin(const http::Request& request,
                                      http::Response* response) const {
  if (options_.admin_token.empty()) {
    SetErrorResponse(ApiError::Make(403, "admin_disabled",
                                    "administration is disabled: start the server with "
                                    "--admin-token-file FILE or PRODCAT_ADMIN_TOKEN set"),
                     response);
    return false;
  }
  if (!IsAuthorizedBearer(request.Header("authorization"), options_.admin_token)) {
    SetErrorResponse(ApiError::Make(401, "unauthorized",
                                    "missing or wrong bearer token (Authorization: Bearer ...)"),
                     response);
    response->SetHeader("WWW-Authenticate", "Bearer realm=\"prodcat-admin\"");
    return false;
  }
  return true;
}

void InferenceService::AdminFault(http::Request& request, http::Response& response) {
  if (!AuthorizeAdmin(request, &response)) return;
  if (!options_.allow_fault_injection) {
    SetErrorResponse(ApiError::Make(403, "fault_injection_disabled",
                                    "fault injection is disabled: start the server with "
                                    "--allow-fault-injection"),
                     &response);
    return;
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    SetErrorResponse(ApiError::Make(400, "invalid_json", "the body must be a JSON object"),
                     &response);
    return;
  }
  auto primary_field = body.find("primary");
  if (primary_field != body.end() && !primary_field->is_string()) {
    SetErrorResponse(ApiError::Make(422, "invalid_parameter",
                                    "primary must be \"none\", \"error\" or \"delay\"", "primary"),
                     &response);
    return;
  }
  std::string primary =
      primary_field != body.end() ? primary_field->get<std::string>() : std::string("none");
  int mode = FaultInjection::kNone;
  if (primary == "error") {
    mode = FaultInjection::kError;
  } else if (primary == "delay") {
    mode = FaultInjection::kDelay;
  } else if (primary != "none") {
    SetErrorResponse(ApiError::Make(422, "invalid_parameter",
                                    "primary must be \"none\", \"error\" or \"delay\"", "primary"),
                     &response);
    return;
  }
  auto delay = body.find("delay_ms");
  if (delay != body.end() &&
      (!delay->is_number_integer() || delay->get<int64_t>() < 0 || delay->get<int64_t>() > 60000)) {
    SetErrorResponse(ApiError::Make(422, "invalid_parameter",
                                    "delay_ms must be an integer between 0 and 60000", "delay_ms"),
                     &response);
    return;
  }
  router_->faults().delay_ms.store(delay != body.end() ? delay->get<int>() : 0);
  router_->faults().mode.store(mode);
  spdlog::warn("fault injection: primary {} (delay {} ms)", primary,
               router_->faults().delay_ms.load());
  response.SetJson(200, {{"primary", primary}, {"delay_ms", router_->faults().delay_ms.load()}});
}

void InferenceService::Shadow(http::Request&, http::Response& response) {
  if (shadow_ == nullptr) {
    SetErrorResponse(
        ApiError::Make(404, "no_shadow", "no shadow model: start the server with --shadow MODEL"),
        &response);
    return;
  }
  response.SetJson(200, shadow_->Summary());
}

void InferenceService::AdminReload(http::Request& request, http::Response& response) {
  if (!AuthorizeAdmin(request, &response)) return;
  auto force = request.query.find("force");
  bool forced = force != request.query.end() && (force->second == "true" || force->second == "1");
  ReloadResult result = models_->Reload(ReloadTrigger::kAdmin, forced);
  if (result.outcome == ReloadResult::Outcome::kFailed) {
    SetErrorResponse(
        ApiError::Make(
            500, "reload_failed",
            result.status.message() + " (still serving version " +
                (result.previous_version.empty() ? std::string("none") : result.previous_version) +
                ")"),
        &response);
    return;
  }
  response.SetJson(200, {{"result", ReloadOutcomeName(result.outcome)},
                         {"previous_version", result.previous_version},
                         {"version", result.version},
                         {"seconds", result.seconds}});
}

void InferenceService::V2Ready(http::Request&, http::Response& response) {
  bool ready = models_->current() != nullptr && !draining_.load();
  response.SetJson(ready ? 200 : 503, {{"ready", ready}});
}

bool InferenceService::MatchesV2Model(const http::Request& request, const ServedModel& model,
                                      http::Response* response) const {
  const std::string& name = request.path_params.at("name");
  if (name != model.name) {
    SetV2Error(404, "unknown model '" + name + "': this server serves '" + model.name + "'",
               response);
    return false;
  }
  auto version = request.path_params.find("version");
  if (version != request.path_params.end() && version->second != model.version) {
    SetV2Error(404,
               "model '" + name + "' has no version '" + version->second + "': serving version '" +
                   model.version + "'",
               response);
    return false;
  }
  return true;
}

void InferenceService::V2ModelMetadata(http::Request& request, http::Response& response) {
  std::shared_ptr<const ServedModel> model = ModelOr503(&response, true);
  if (!model || !MatchesV2Model(request, *model, &response)) return;
  response.SetJson(
      200,
      {{"name", model->name},
       {"versions", {model->version}},
       {"platform", "prodcat"},
       {"inputs", InferInputsMetadata()},
       {"outputs", InferOutputsMetadata()},
       {"parameters", {{"family", model->family}, {"class_names", model->bundle->class_names()}}}});
}

void InferenceService::V2ModelReady(http::Request& request, http::Response& response) {
  std::shared_ptr<const ServedModel> model = ModelOr503(&response, true);
  if (!model || !MatchesV2Model(request, *model, &response)) return;
  bool ready = !draining_.load();
  response.SetJson(ready ? 200 : 503, {{"name", model->name}, {"ready", ready}});
}

void InferenceService::V2Infer(http::Request& request, http::Response& response) {
  std::shared_ptr<const ServedModel> model = ModelOr503(&response, true);
  if (!model || !MatchesV2Model(request, *model, &response)) return;
  InferRequest infer;
  std::string error;
  if (!ParseInferRequest(&request.body, options_.limits, options_.default_top_k, &infer, &error)) {
    metrics_->CountInvalidInput("/v2/models/{name}/infer", "invalid_request");
    SetV2Error(400, error, &response);
    return;
  }
  metrics_->ObserveBatch("/v2/models/{name}/infer", infer.records.size());
  size_t k = std::max<size_t>(1, std::min(infer.top_k, model->bundle->class_names().size()));
  std::vector<std::vector<ScoredLabel>> predictions;
  predictions.reserve(infer.records.size());
  for (const ProductRecord& r : infer.records) {
    predictions.push_back(model->bundle->PredictTopK(r, k));
  }
  CountPredictions(predictions, {});
  response.status = 200;
  response.content_type = "application/json";
  WriteInferResponse(infer, *model, predictions, &response.body);
}

http::Router InferenceService::BuildRouter() {
  http::Router router;
  auto bind = [this](void (InferenceService::*method)(http::Request&, http::Response&)) {
    return [this, method](http::Request& req, http::Response& res) { (this->*method)(req, res); };
  };
  // Batches and reloads can take milliseconds to seconds: off the I/O threads.
  const http::RouteOptions batch{options_.limits.max_batch_body_bytes, true};
  const http::RouteOptions slow{options_.limits.max_single_body_bytes, true};
  const http::RouteOptions small{size_t{64} * 1024, false};

  router.Add("GET", "/", bind(&InferenceService::Root), small);
  router.Add(
      "GET", "/health",
      [](http::Request&, http::Response& res) {
        res.SetJson(200, {{"status", "ok"}});
      },
      small);
  router.Add("GET", "/ready", bind(&InferenceService::Ready), small);
  // With a primary time budget a prediction may wait: off the I/O threads too.
  const http::RouteOptions predict{options_.limits.max_single_body_bytes,
                                   router_->options().primary_budget.count() > 0};
  router.Add("POST", "/predict", bind(&InferenceService::Predict), predict);
  router.Add("POST", "/predict/batch", bind(&InferenceService::PredictBatch), batch);
  router.Add(
      "GET", "/metrics",
      [this](http::Request&, http::Response& res) {
        res.status = 200;
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        res.body = metrics_->Render();
      },
      small);
  router.Add(
      "GET", "/openapi.json",
      [this](http::Request&, http::Response& res) {
        res.status = 200;
        res.content_type = "application/json";
        res.body = openapi_json_;
      },
      small);
  router.Add(
      "GET", "/docs", [this](http::Request&, http::Response& res) { assets_.SwaggerUiPage(&res); },
      small);
  router.Add(
      "GET", "/docs/{file*}",
      [this](http::Request& req, http::Response& res) {
        assets_.SwaggerUiFile(req.path_params.at("file"), &res);
      },
      small);
  router.Add(
      "GET", "/redoc", [this](http::Request&, http::Response& res) { assets_.RedocPage(&res); },
      small);
  router.Add(
      "GET", "/redoc/{file*}",
      [this](http::Request& req, http::Response& res) {
        assets_.RedocFile(req.path_params.at("file"), &res);
      },
      small);
  router.Add("POST", "/admin/reload", bind(&InferenceService::AdminReload), slow);
  router.Add("POST", "/admin/fault", bind(&InferenceService::AdminFault), small);
  router.Add("GET", "/shadow", bind(&InferenceService::Shadow), small);
  router.Add("GET", "/drift", bind(&InferenceService::Drift), small);
  // Creating an experiment may load models: off the I/O threads.
  router.Add("POST", "/experiments", bind(&InferenceService::CreateExperiment), slow);
  router.Add("GET", "/experiments", bind(&InferenceService::ListExperiments), small);
  router.Add("GET", "/experiments/{id}", bind(&InferenceService::GetExperiment), small);
  router.Add("POST", "/experiments/{id}/stop", bind(&InferenceService::StopExperiment), small);
  router.Add("POST", "/feedback", bind(&InferenceService::Feedback), small);

  router.Add(
      "GET", "/v2",
      [](http::Request&, http::Response& res) {
        res.SetJson(
            200,
            {{"name", "prodcat"}, {"version", kVersion}, {"extensions", nlohmann::json::array()}});
      },
      small);
  router.Add(
      "GET", "/v2/health/live",
      [](http::Request&, http::Response& res) {
        res.SetJson(200, {{"live", true}});
      },
      small);
  router.Add("GET", "/v2/health/ready", bind(&InferenceService::V2Ready), small);
  for (const std::string prefix : {"/v2/models/{name}", "/v2/models/{name}/versions/{version}"}) {
    router.Add("GET", prefix, bind(&InferenceService::V2ModelMetadata), small);
    router.Add("GET", prefix + "/ready", bind(&InferenceService::V2ModelReady), small);
    router.Add("POST", prefix + "/infer", bind(&InferenceService::V2Infer), batch);
  }
  return router;
}

}  // namespace prodcat::serving
