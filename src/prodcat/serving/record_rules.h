// The field rules a product must pass before it is scored, from the validation module's
// RecordRules (the schema and range rules every reader shares: title present, text within its
// length in code points, numbers finite and in range), mapped to the API's error shape.
#pragma once

#include "prodcat/data/record.h"
#include "prodcat/serving/api_error.h"
#include "prodcat/serving/request_limits.h"

namespace prodcat::serving {

// Returns false and fills *error (status 422; code, message and field of the first violation,
// every violation in error->violations) when the record breaks a rule.
bool CheckRecordRules(const ProductRecord& record, const RequestLimits& limits, ApiError* error);

}  // namespace prodcat::serving
