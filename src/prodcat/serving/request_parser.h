// Parsing of the prediction API's JSON bodies with simdjson On Demand (the hot path): POST
// /predict takes one product object; POST /predict/batch takes an array of them or
// {"items": [...]}. Known fields are type-checked, unknown ones ignored, and every parsed record
// then goes through CheckRecordRules. Malformed JSON fails the whole request (400); an invalid
// product fails only itself (422 for a single prediction, an error entry in a batch).
#pragma once

#include <string>
#include <vector>

#include "prodcat/data/record.h"
#include "prodcat/serving/api_error.h"
#include "prodcat/serving/request_limits.h"

namespace prodcat::serving {

// Request fields that are not product inputs but route the request (A/B assignment keys).
struct RoutingKeys {
  std::string user_id;     // "user_id" (string or number), "" when absent
  std::string session_id;  // "session_id" (string or number), "" when absent
};

struct BatchItem {
  ProductRecord record;  // meaningful when ok
  RoutingKeys keys;      // the item's routing keys
  bool ok = true;        // false: `error` says why this item cannot be scored
  ApiError error;        // set when !ok; `field` names the product field
};

// `body` gets simdjson's padding added to its capacity (its contents are unchanged).
bool ParsePredictRequest(std::string* body, const RequestLimits& limits, ProductRecord* record,
                         ApiError* error, RoutingKeys* keys = nullptr);
// Fails as a whole only for malformed JSON, a wrong top-level shape or too many items.
bool ParseBatchRequest(std::string* body, const RequestLimits& limits,
                       std::vector<BatchItem>* items, ApiError* error);

}  // namespace prodcat::serving
