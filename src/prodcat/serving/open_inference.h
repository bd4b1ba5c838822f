// A subset of the KServe v2 / Open Inference Protocol (REST): the infer request maps one input
// tensor per product field (BYTES for text, FP32 or another numeric type for price, rating and
// reviews_count; shape [N] or [N, 1]; data flat) to N products; the response carries `category`
// (BYTES [N]) and `confidence` (FP32 [N]) and, when asked for, `probabilities` (FP32 [N, k],
// best first) with their `labels` (BYTES [N, k]).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/data/record.h"
#include "prodcat/models/bundle.h"
#include "prodcat/serving/request_limits.h"
#include "prodcat/serving/served_model.h"

namespace prodcat::serving {

struct InferRequest {
  bool has_id = false;                 // the request carried an "id"
  std::string id;                      // echoed in the response
  std::vector<ProductRecord> records;  // one per row, all inputs applied
  size_t top_k = 0;                    // k of probabilities/labels (0 until resolved)
  bool want_category = true;           // outputs to return: all selected by "outputs" when given,
  bool want_confidence = true;         // else category and confidence, plus probabilities and
  bool want_probabilities = false;     // labels when parameters ask for them
  bool want_labels = false;
};

// Parses and validates an infer request (rows also pass CheckRecordRules). On failure *error is
// the protocol's message, for {"error": "..."} with status 400.
bool ParseInferRequest(std::string* body, const RequestLimits& limits, size_t default_top_k,
                       InferRequest* request, std::string* error);

// The tensors of the model metadata response.
nlohmann::json InferInputsMetadata();
nlohmann::json InferOutputsMetadata();

// Writes the infer response for `predictions` (one top-k list per row, k >= 1).
void WriteInferResponse(const InferRequest& request, const ServedModel& model,
                        const std::vector<std::vector<ScoredLabel>>& predictions, std::string* out);

}  // namespace prodcat::serving
