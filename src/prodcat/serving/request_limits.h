// RequestLimits: the size limits of the prediction API, one place for the parser, the rules,
// the routes' body limits and the OpenAPI document.
#pragma once

#include <cstddef>

#include "prodcat/validation/record_rules.h"

namespace prodcat::serving {

struct RequestLimits {
  RecordRulesOptions rules;       // field rules shared with the validation module (text lengths)
  size_t max_batch_items = 1000;  // items per /predict/batch or infer request
  size_t max_single_body_bytes = size_t{1} << 20;  // POST /predict
  size_t max_batch_body_bytes = size_t{16} << 20;  // POST /predict/batch and infer
  size_t max_top_k = 100;                          // also capped by the number of classes
};

}  // namespace prodcat::serving
