#include "prodcat/serving/record_rules.h"

#include "prodcat/validation/record_rules.h"

namespace prodcat::serving {

bool CheckRecordRules(const ProductRecord& record, const RequestLimits& limits, ApiError* error) {
  std::vector<RuleViolation> violations = RecordRules(limits.rules).Check(record);
  if (violations.empty()) return true;
  *error = ApiError::Make(422, violations.front().code, violations.front().message,
                          violations.front().field);
  error->violations = std::move(violations);
  return false;
}

}  // namespace prodcat::serving
