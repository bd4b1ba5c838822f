#include "prodcat/tracking/mlflow_error.h"

#include <nlohmann/json.hpp>

namespace prodcat::tracking {

MlflowError ToMlflowError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound: return {404, "RESOURCE_DOES_NOT_EXIST"};
    case StatusCode::kAlreadyExists: return {400, "RESOURCE_ALREADY_EXISTS"};
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition: return {400, "INVALID_PARAMETER_VALUE"};
    case StatusCode::kUnimplemented: return {404, "ENDPOINT_NOT_FOUND"};
    default: return {500, "INTERNAL_ERROR"};
  }
}

std::string MlflowErrorBody(const char* error_code, const std::string& message) {
  return nlohmann::json{{"error_code", error_code}, {"message", message}}.dump();
}

Status StatusFromMlflowReply(int http_status, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  std::string code, message;
  if (j.is_object()) {
    if (j.contains("error_code") && j["error_code"].is_string()) code = j["error_code"];
    if (j.contains("message") && j["message"].is_string()) message = j["message"];
  }
  if (message.empty()) {
    message = body.size() > 300 ? body.substr(0, 300) + "..." : body;
    if (message.empty()) message = "(empty body)";
  }
  std::string text = code;
  if (text.empty()) {
    text = "HTTP ";
    text += std::to_string(http_status);
  }
  text += ": ";
  text += message;
  if (code == "RESOURCE_DOES_NOT_EXIST" || (code.empty() && http_status == 404)) {
    return Status::NotFound(text);
  }
  if (code == "RESOURCE_ALREADY_EXISTS") return Status::AlreadyExists(text);
  if (code == "INVALID_PARAMETER_VALUE" || code == "BAD_REQUEST" || code == "MALFORMED_REQUEST" ||
      code == "INVALID_STATE") {
    return Status::InvalidArgument(text);
  }
  if (code == "UNAUTHENTICATED" || code == "PERMISSION_DENIED" || http_status == 401 ||
      http_status == 403) {
    return Status::FailedPrecondition(text +
                                      " (set PRODCAT_TRACKING_TOKEN or MLFLOW_TRACKING_TOKEN)");
  }
  if (code == "ENDPOINT_NOT_FOUND") return Status::Unimplemented(text);
  if (http_status >= 400 && http_status < 500) return Status::InvalidArgument(text);
  return Status::Internal(text);
}

}  // namespace prodcat::tracking
