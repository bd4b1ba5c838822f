// The A/B-experiment part of the HTTP API (InferenceService): assignment of /predict requests to
// arms, and /experiments, /experiments/{id}, /experiments/{id}/stop, /feedback.
#include <spdlog/spdlog.h>

#include <string_view>

#include "prodcat/serving/inference_service.h"

namespace prodcat::serving {
namespace {

// A store or manager error as an HTTP status.
int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return 422;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    default: return 500;
  }
}

const char* ErrorCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return "invalid_request";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kFailedPrecondition: return "conflict";
    default: return "internal_error";
  }
}

void SetStatusError(const Status& status, http::Response* response) {
  SetErrorResponse(ApiError::Make(HttpStatusFor(status), ErrorCodeFor(status), status.message()),
                   response);
}

bool ParseJsonObject(const std::string& body, nlohmann::json* out, http::Response* response) {
  *out = nlohmann::json::parse(body, nullptr, false);
  if (out->is_discarded() || !out->is_object()) {
    SetErrorResponse(ApiError::Make(400, "invalid_json", "the body must be a JSON object"),
                     response);
    return false;
  }
  return true;
}

}  // namespace

bool InferenceService::ExperimentsOr404(http::Response* response) const {
  if (experiments_ != nullptr) return true;
  SetErrorResponse(ApiError::Make(404, "experiments_off", "this server runs no experiments"),
                   response);
  return false;
}

std::optional<experiments::Assignment> InferenceService::AssignArm(
    const http::Request& request, const ProductRecord& record, const RoutingKeys& keys,
    std::string* key, std::shared_ptr<const ServedModel>* model) {
  if (experiments_ == nullptr) return std::nullopt;
  // Body fields first, then the X-User-Id / X-Session-Id headers.
  auto lookup = [&](std::string_view field) -> std::string_view {
    const std::string* header = nullptr;
    if (field == "user_id") {
      if (!keys.user_id.empty()) return keys.user_id;
      header = request.Header("x-user-id");
    } else if (field == "session_id") {
      if (!keys.session_id.empty()) return keys.session_id;
      header = request.Header("x-session-id");
    } else if (field == "product_id") {
      return record.product_id;
    }
    return header != nullptr ? std::string_view(*header) : std::string_view();
  };
  std::optional<experiments::Assignment> assignment = experiments_->AssignRequest(lookup);
  if (!assignment) return std::nullopt;
  std::shared_ptr<const ServedModel> arm_model = arms_->Current(assignment->model);
  if (!arm_model) return std::nullopt;  // not loaded: served outside the experiment
  *key = assignment->key;
  *model = std::move(arm_model);
  return assignment;
}

void InferenceService::RecordArm(const experiments::Assignment& assignment, const std::string& key,
                                 const std::string& request_id, const ProductRecord& record,
                                 const RoutedAnswer& answer, double latency_ms) {
  experiments_->RecordServed(assignment.experiment_id, assignment.arm, request_id, key,
                             record.product_id, answer.top.empty() ? "" : answer.top[0].label,
                             answer.top.empty() ? 0.0 : answer.top[0].probability, latency_ms);
}

void InferenceService::CreateExperiment(http::Request& request, http::Response& response) {
  if (!AuthorizeAdmin(request, &response) || !ExperimentsOr404(&response)) return;
  nlohmann::json body;
  if (!ParseJsonObject(request.body, &body, &response)) return;
  experiments::ExperimentSpec spec;
  Status s = experiments::ExperimentSpecFromJson(body, &spec);
  // Every arm's model must load before any traffic is assigned to it.
  for (size_t i = 0; s.ok() && i < spec.arms.size(); ++i) {
    s = arms_->Ensure(spec.arms[i].model);
    if (!s.ok()) {
      s = Status::InvalidArgument("arm '" + spec.arms[i].name + "': " + s.message());
    }
  }
  if (s.ok()) s = experiments_->Create(spec);
  if (!s.ok()) return SetStatusError(s, &response);
  spdlog::info("experiment {} created ({} arms)", spec.id, spec.arms.size());
  StatusOr<nlohmann::json> summary = experiments_->Summary(spec.id);
  if (!summary.ok()) return SetStatusError(summary.status(), &response);
  response.SetJson(201, summary.value());
}

void InferenceService::ListExperiments(http::Request&, http::Response& response) {
  if (!ExperimentsOr404(&response)) return;
  nlohmann::json list = nlohmann::json::array();
  for (const experiments::ExperimentSpec& spec : experiments_->List()) {
    list.push_back(experiments::ExperimentSpecToJson(spec));
  }
  std::optional<std::string> active = experiments_->Active();
  response.SetJson(200, {{"experiments", std::move(list)},
                         {"active", active ? nlohmann::json(*active) : nlohmann::json(nullptr)}});
}

void InferenceService::GetExperiment(http::Request& request, http::Response& response) {
  if (!ExperimentsOr404(&response)) return;
  StatusOr<nlohmann::json> summary = experiments_->Summary(request.path_params.at("id"));
  if (!summary.ok()) return SetStatusError(summary.status(), &response);
  response.SetJson(200, summary.value());
}

void InferenceService::StopExperiment(http::Request& request, http::Response& response) {
  if (!AuthorizeAdmin(request, &response) || !ExperimentsOr404(&response)) return;
  const std::string& id = request.path_params.at("id");
  Status s = experiments_->Stop(id);
  if (!s.ok()) return SetStatusError(s, &response);
  spdlog::info("experiment {} stopped", id);
  StatusOr<nlohmann::json> summary = experiments_->Summary(id);
  if (!summary.ok()) return SetStatusError(summary.status(), &response);
  response.SetJson(200, summary.value());
}

void InferenceService::Feedback(http::Request& request, http::Response& response) {
  if (!ExperimentsOr404(&response)) return;
  nlohmann::json body;
  if (!ParseJsonObject(request.body, &body, &response)) return;
  experiments::FeedbackRequest feedback;
  for (auto [field, target] : {std::pair{"request_id", &feedback.request_id},
                               std::pair{"product_id", &feedback.product_id},
                               std::pair{"true_category", &feedback.true_category}}) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_string()) {
      SetErrorResponse(
          ApiError::Make(422, "wrong_type", std::string(field) + " must be a string", field),
          &response);
      return;
    }
    *target = it->get<std::string>();
  }
  experiments::FeedbackResult result;
  Status s = experiments_->RecordFeedback(feedback, &result);
  if (!s.ok()) return SetStatusError(s, &response);
  response.SetJson(200, {{"experiment_id", result.experiment_id},
                         {"arm", result.arm},
                         {"request_id", result.request_id},
                         {"product_id", result.product_id},
                         {"predicted_category", result.predicted_category},
                         {"true_category", result.true_category},
                         {"correct", result.correct}});
}

}  // namespace prodcat::serving
