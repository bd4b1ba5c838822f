// The field rules a product must pass before it is scored: title present, strings within their
// length limits, numbers finite and in range. One call, so the serving API can switch to the
// validation module's single-record rules (the schema shared with training data) without
// touching the parsers.
#pragma once

#include "prodcat/data/record.h"
#include "prodcat/serving/api_error.h"
#include "prodcat/serving/request_limits.h"

namespace prodcat::serving {

// Returns false and fills *error (status 422, field named) for the first rule the record breaks.
bool CheckRecordRules(const ProductRecord& record, const RequestLimits& limits, ApiError* error);

}  // namespace prodcat::serving
