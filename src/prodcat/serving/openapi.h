// The OpenAPI 3 description of the inference API, served at /openapi.json and rendered by
// /docs and /redoc. An integration test checks real responses against it, so it stays true.
#pragma once

#include <nlohmann/json.hpp>

#include "prodcat/serving/request_limits.h"

namespace prodcat::serving {

// `default_top_k`: the number of probabilities returned when ?top_k= is absent.
nlohmann::json OpenApiDocument(const RequestLimits& limits, size_t default_top_k);

}  // namespace prodcat::serving
