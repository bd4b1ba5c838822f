// InferenceService: the HTTP API of `prodcat serve` as routes for the http module's server.
//   GET  /  /health  /ready  /metrics  /openapi.json  /docs  /redoc
//   POST /predict  /predict/batch  /admin/reload
//   KServe v2: GET /v2  /v2/health/live  /v2/health/ready  /v2/models/{name}[/ready]
//              POST /v2/models/{name}/infer   (also under /versions/{version})
// Every handler takes the current model once (a shared_ptr), so a concurrent swap never changes
// the model in the middle of a request.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>

#include "prodcat/experiments/experiment_manager.h"
#include "prodcat/http/router.h"
#include "prodcat/serving/api_error.h"
#include "prodcat/serving/arm_models.h"
#include "prodcat/serving/fallback_router.h"
#include "prodcat/serving/model_manager.h"
#include "prodcat/serving/request_limits.h"
#include "prodcat/serving/request_parser.h"
#include "prodcat/serving/serving_metrics.h"
#include "prodcat/serving/shadow_runner.h"
#include "prodcat/serving/web_assets.h"

namespace prodcat::serving {

struct ServiceOptions {
  RequestLimits limits;
  size_t default_top_k = 3;            // probabilities returned when ?top_k= is absent
  std::string admin_token;             // empty: the admin endpoints are disabled (403)
  std::filesystem::path web_root;      // node_modules with swagger-ui-dist/ and redoc/
  size_t parallel_batch_rows = 256;    // batches at least this big are scored on two threads
  bool allow_fault_injection = false;  // POST /admin/fault may make the primary fail (drills)
};

// The optional parts of live operation. Null router: no fallback model (the class prior is the
// last resort); null shadow: no shadow model; null experiments: no A/B tests (then `arms` is
// unused).
struct LiveOps {
  FallbackRouter* router = nullptr;
  ShadowRunner* shadow = nullptr;
  experiments::ExperimentManager* experiments = nullptr;
  ArmModels* arms = nullptr;  // required with experiments
};

class InferenceService {
 public:
  // `models` and `metrics` must outlive the service and the server using its router.
  // `live` parts are optional; when given they must outlive the service too.
  InferenceService(ServiceOptions options, ModelManager* models, ServingMetrics* metrics,
                   const LiveOps& live = {});

  http::Router BuildRouter();
  // ServerOptions::before_handler: keeps a valid X-Request-Id or makes one, and puts it on the
  // request (for handlers) and the response header.
  bool BeforeRequest(http::Request& request, http::Response& response);
  // From now on /ready and /v2/health/ready answer 503 (shutdown has begun).
  void SetDraining() { draining_.store(true); }

  const ServiceOptions& options() const { return options_; }

 private:
  void Root(http::Request& request, http::Response& response);
  void Ready(http::Request& request, http::Response& response);
  void Predict(http::Request& request, http::Response& response);
  void PredictBatch(http::Request& request, http::Response& response);
  void AdminReload(http::Request& request, http::Response& response);
  void AdminFault(http::Request& request, http::Response& response);
  void Shadow(http::Request& request, http::Response& response);
  void Drift(http::Request& request, http::Response& response);
  void CreateExperiment(http::Request& request, http::Response& response);
  void ListExperiments(http::Request& request, http::Response& response);
  void GetExperiment(http::Request& request, http::Response& response);
  void StopExperiment(http::Request& request, http::Response& response);
  void Feedback(http::Request& request, http::Response& response);
  // False with a 404 when the server runs without experiments.
  bool ExperimentsOr404(http::Response* response) const;
  // The arm for this request (nullopt: outside any experiment) and the model it names; the
  // served model stays `*model` when the arm's model is not loaded.
  std::optional<experiments::Assignment> AssignArm(const http::Request& request,
                                                   const ProductRecord& record,
                                                   const RoutingKeys& keys, std::string* key,
                                                   std::shared_ptr<const ServedModel>* model);
  // Counts an experiment-served request (request_id may be empty for batch items).
  void RecordArm(const experiments::Assignment& assignment, const std::string& key,
                 const std::string& request_id, const ProductRecord& record,
                 const RoutedAnswer& answer, double latency_ms);
  // Refills the drift gauges from the current model's windows (at every /metrics scrape).
  void RefreshDriftMetrics();
  void V2Ready(http::Request& request, http::Response& response);
  void V2ModelMetadata(http::Request& request, http::Response& response);
  void V2ModelReady(http::Request& request, http::Response& response);
  void V2Infer(http::Request& request, http::Response& response);

  // The current model, or a 503 response (with the protocol's error shape when `v2`) and null.
  std::shared_ptr<const ServedModel> ModelOr503(http::Response* response, bool v2) const;
  // For /predict and /predict/batch: the primary (may be null when a fallback can answer) and
  // the model that sizes top_k; false with a 503 when neither exists.
  bool PredictionModels(http::Response* response, std::shared_ptr<const ServedModel>* primary,
                        std::shared_ptr<const ServedModel>* sizing) const;
  // Routes one product through the fallback policy and records metrics and the shadow copy.
  RoutedAnswer Route(const std::shared_ptr<const ServedModel>& primary, const ProductRecord& record,
                     size_t k);
  // False (with 401/403 set) unless the request carries the admin bearer token.
  bool AuthorizeAdmin(const http::Request& request, http::Response* response) const;
  // Checks {name} (and {version} when present) against the model; 404 when they do not match.
  bool MatchesV2Model(const http::Request& request, const ServedModel& model,
                      http::Response* response) const;
  // ?top_k= (default options_.default_top_k), capped by the model's classes.
  bool ParseTopK(const http::Request& request, const ServedModel& model, size_t* k,
                 ApiError* error) const;
  void Reject(std::string_view endpoint, const ApiError& error, http::Response* response);
  // Counts the top category of every scored row (rows of `items` that failed are skipped; empty
  // `items`: all rows were scored).
  void CountPredictions(const std::vector<std::vector<ScoredLabel>>& scores,
                        const std::vector<BatchItem>& items);

  ServiceOptions options_;                       // fixed after construction
  ModelManager* models_;                         // not owned; never null
  ServingMetrics* metrics_;                      // not owned; never null
  std::unique_ptr<FallbackRouter> own_router_;   // the default router when none was given
  FallbackRouter* router_;                       // never null
  ShadowRunner* shadow_;                         // not owned; may be null
  experiments::ExperimentManager* experiments_;  // not owned; may be null
  ArmModels* arms_;                              // not owned; set when experiments_ is
  ValueFamily* drift_gauges_;                    // owned by metrics_; {window, feature, metric}
  WebAssets assets_;                             // /docs and /redoc files
  std::string openapi_json_;                     // the document, serialized once
  std::atomic<bool> draining_{false};            // set once shutdown begins
};

}  // namespace prodcat::serving
