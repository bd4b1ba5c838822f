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
