// ApiError: one client-facing error of the serving API, rendered as
// {"error": {"code": ..., "message": ..., "field": ... | null}} (the http module's error shape),
// plus "violations": [{"field", "code", "message"}, ...] when a product broke several rules.
#pragma once

#include <string>
#include <vector>

#include "prodcat/http/message.h"
#include "prodcat/validation/record_rules.h"

namespace prodcat::serving {

struct ApiError {
  int status = 422;     // HTTP status when this error fails the whole request
  std::string code;     // stable machine-readable code ("missing_field", "invalid_json", ...)
  std::string message;  // what was wrong and what was expected, for humans
  std::string field;    // the offending field ("title", "price"); empty: none
  std::vector<RuleViolation> violations;  // every rule the product broke (rule errors only)

  static ApiError Make(int status, std::string code, std::string message, std::string field = "") {
    return ApiError{status, std::move(code), std::move(message), std::move(field), {}};
  }
};

// Appends the {"code","message","field"} object (not wrapped in "error").
void AppendErrorObject(const ApiError& error, std::string* out);
// Sets the response to `error.status` with {"error": {...}}.
void SetErrorResponse(const ApiError& error, http::Response* response);
// The error formatter for HttpServer: the same shape for errors the transport produces itself.
void FormatTransportError(int status, const std::string& code, const std::string& message,
                          http::Response* response);

}  // namespace prodcat::serving
