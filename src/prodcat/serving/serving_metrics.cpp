#include "prodcat/serving/serving_metrics.h"

#include <chrono>
#include <cstdio>

#include "prodcat/common/version.h"
#include "prodcat/serving/process_stats.h"

namespace prodcat::serving {

std::string_view EndpointLabel(std::string_view path) {
  static constexpr std::string_view kExact[] = {"/",
                                                "/health",
                                                "/ready",
                                                "/predict",
                                                "/predict/batch",
                                                "/metrics",
                                                "/openapi.json",
                                                "/docs",
                                                "/redoc",
                                                "/admin/reload",
                                                "/v2",
                                                "/v2/health/live",
                                                "/v2/health/ready",
                                                "/admin/fault",
                                                "/shadow",
                                                "/drift",
                                                "/experiments",
                                                "/feedback"};
  for (std::string_view e : kExact) {
    if (path == e) return e;
  }
  if (path.starts_with("/experiments/")) {
    return path.ends_with("/stop") ? "/experiments/{id}/stop" : "/experiments/{id}";
  }
  if (path.starts_with("/docs/")) return "/docs/{file}";
  if (path.starts_with("/redoc/")) return "/redoc/{file}";
  if (path.starts_with("/v2/models/")) {
    if (path.ends_with("/infer")) return "/v2/models/{name}/infer";
    if (path.ends_with("/ready")) return "/v2/models/{name}/ready";
    return "/v2/models/{name}";
  }
  return "other";
}

namespace {
const std::vector<double> kLatencyBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10};
const std::vector<double> kBatchBounds = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
}  // namespace

ServingMetrics::ServingMetrics(std::function<double()> in_flight) {
  requests_ = registry_.AddCounter("prodcat_http_requests_total",
                                   "HTTP requests by endpoint, method and status.",
                                   {"endpoint", "method", "status"});
  latency_ = registry_.AddHistogram("prodcat_http_request_duration_seconds",
                                    "Time from the full request read to the response written.",
                                    {"endpoint"}, kLatencyBounds);
  batch_sizes_ = registry_.AddHistogram("prodcat_batch_size", "Items per batch request.",
                                        {"endpoint"}, kBatchBounds);
  predictions_ = registry_.AddCounter("prodcat_predictions_total",
                                      "Products scored, by predicted category.", {"category"});
  invalid_inputs_ = registry_.AddCounter("prodcat_invalid_inputs_total",
                                         "Requests or batch items rejected by input validation.",
                                         {"endpoint", "code"});
  model_info_ = registry_.AddGauge("prodcat_model_info", "The model being served (value 1).",
                                   {"name", "version", "family"});
  model_loaded_ = registry_.AddGauge("prodcat_model_loaded_timestamp_seconds",
                                     "Unix time the served model went live.");
  reloads_ = registry_.AddCounter("prodcat_model_reloads_total",
                                  "Model reload attempts that loaded a new model (success) or "
                                  "rejected one (failure).",
                                  {"result"});
  reloads_->Add({"success"}, 0);
  reloads_->Add({"failure"}, 0);
  fallbacks_ = registry_.AddCounter(
      "prodcat_fallbacks_total",
      "Predictions answered by the fallback model or the class prior, by reason.", {"reason"});
  for (const char* reason : {"primary_unavailable", "primary_error", "primary_timeout",
                             "out_of_support", "drift_alert"}) {
    fallbacks_->Add({reason}, 0);
  }
  model_time_ = registry_.AddHistogram(
      "prodcat_model_predict_seconds",
      "Model time of one prediction by role (primary, fallback, shadow), HTTP excluded.", {"role"},
      {0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
       0.025, 0.1});
  ValueFamily* build =
      registry_.AddGauge("prodcat_build_info", "prodcat version (value 1).", {"version"});
  build->Set({kVersion}, 1);
  if (in_flight) {
    registry_.AddCallbackGauge("prodcat_http_in_flight_requests",
                               "Requests read and not yet answered.", std::move(in_flight));
  }
  registry_.AddCallbackGauge("process_resident_memory_bytes", "Resident set size (statm).",
                             [] { return static_cast<double>(ResidentMemoryBytes()); });
  registry_.AddCallbackGauge("process_resident_memory_max_bytes", "Peak resident set size (VmHWM).",
                             [] { return static_cast<double>(PeakResidentMemoryBytes()); });
  registry_.AddCallbackGauge("process_cpu_seconds_total", "User and system CPU time.",
                             [] { return CpuSeconds(); });
}

void ServingMetrics::ObserveRequest(std::string_view method, std::string_view path, int status,
                                    double seconds) {
  std::string_view endpoint = EndpointLabel(path);
  char status_text[8];
  int n = std::snprintf(status_text, sizeof(status_text), "%d", status);
  requests_->Add({endpoint, method, std::string_view(status_text, static_cast<size_t>(n))});
  latency_->Observe({endpoint}, seconds);
}

void ServingMetrics::ObserveBatch(std::string_view endpoint, size_t items) {
  batch_sizes_->Observe({endpoint}, static_cast<double>(items));
}

void ServingMetrics::CountPrediction(std::string_view category, double count) {
  predictions_->Add({category}, count);
}

void ServingMetrics::CountInvalidInput(std::string_view endpoint, std::string_view code) {
  invalid_inputs_->Add({endpoint, code});
}

void ServingMetrics::SetModel(const ServedModel& model) {
  model_info_->Clear();
  model_info_->Set({model.name, model.version, model.family}, 1);
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  model_loaded_->Set({}, now);
}

void ServingMetrics::CountReload(const ReloadResult& result) {
  if (result.outcome == ReloadResult::Outcome::kReloaded) reloads_->Add({"success"});
  if (result.outcome == ReloadResult::Outcome::kFailed) reloads_->Add({"failure"});
}

void ServingMetrics::CountFallback(std::string_view reason) {
  fallbacks_->Add({reason});
}

void ServingMetrics::ObserveModelTime(std::string_view role, double seconds) {
  model_time_->Observe({role}, seconds);
}

}  // namespace prodcat::serving
