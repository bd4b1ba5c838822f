// MLflow's error protocol: a failed call answers {"error_code": "...", "message": "..."} with an
// HTTP status chosen by the code. These map prodcat Status codes onto it and back.
#pragma once

#include <string>

#include "prodcat/common/status.h"

namespace prodcat::tracking {

struct MlflowError {
  int http_status = 500;
  const char* error_code = "INTERNAL_ERROR";
};

//   kNotFound -> RESOURCE_DOES_NOT_EXIST 404, kAlreadyExists -> RESOURCE_ALREADY_EXISTS 400,
//   kInvalidArgument / kFailedPrecondition -> INVALID_PARAMETER_VALUE 400,
//   kUnimplemented -> ENDPOINT_NOT_FOUND 404, anything else -> INTERNAL_ERROR 500.
MlflowError ToMlflowError(const Status& status);

// The error body for a status.
std::string MlflowErrorBody(const char* error_code, const std::string& message);

// Turns a non-2xx reply into a Status carrying the server's error code and message.
Status StatusFromMlflowReply(int http_status, const std::string& body);

}  // namespace prodcat::tracking
