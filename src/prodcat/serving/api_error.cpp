#include "prodcat/serving/api_error.h"

#include "prodcat/serving/json_writer.h"

namespace prodcat::serving {

void AppendErrorObject(const ApiError& error, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("code").String(error.code).Key("message").String(error.message);
  w.Key("field");
  if (error.field.empty()) {
    w.Null();
  } else {
    w.String(error.field);
  }
  if (!error.violations.empty()) {
    w.Key("violations").BeginArray();
    for (const RuleViolation& v : error.violations) {
      w.BeginObject().Key("field").String(v.field).Key("code").String(v.code);
      w.Key("message").String(v.message).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

void SetErrorResponse(const ApiError& error, http::Response* response) {
  response->status = error.status;
  response->content_type = "application/json";
  response->body.clear();
  response->body.append("{\"error\":");
  AppendErrorObject(error, &response->body);
  response->body.push_back('}');
}

void FormatTransportError(int status, const std::string& code, const std::string& message,
                          http::Response* response) {
  SetErrorResponse(ApiError::Make(status, code, message), response);
}

}  // namespace prodcat::serving
