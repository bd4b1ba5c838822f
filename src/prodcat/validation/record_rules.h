// RecordRules: schema and range rules for one ProductRecord, for requests to the HTTP API and
// for batch readers that want to reject bad rows early. Every rule is checked (not just the first
// failing one), so a client sees all its mistakes at once:
//
//   field        code            when
//   title        required        empty (when require_title)
//   any text     too_long        more code points than its limit
//   any text     invalid_utf8    not valid UTF-8
//   price        not_finite      NaN or infinite (likewise rating, reviews_count)
//   price        negative        < 0 (likewise reviews_count)
//   rating       out_of_range    outside [min_rating, max_rating]
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/data/record.h"

namespace prodcat {

struct RecordRulesOptions {
  bool require_title = true;      // title must be non-empty
  size_t max_title_chars = 1000;  // limits count Unicode code points
  size_t max_description_chars = 10000;
  size_t max_other_chars = 256;  // product_id, seller_id, brand, subcategory, category
  double min_rating = 0;         // inclusive
  double max_rating = 5;         // inclusive
};

struct RuleViolation {
  std::string field;    // canonical field name ("price")
  std::string code;     // stable machine-readable code ("negative")
  std::string message;  // for people: "price must be >= 0, got -3"
};

class RecordRules {
 public:
  explicit RecordRules(RecordRulesOptions options = {}) : options_(options) {}

  // Every violation of `record`, in field order; empty when the record is acceptable.
  std::vector<RuleViolation> Check(const ProductRecord& record) const;

  // The limit for a text field's length in code points.
  size_t MaxChars(Field field) const;
  const RecordRulesOptions& options() const { return options_; }

 private:
  RecordRulesOptions options_;  // limits, fixed at construction
};

// [{"field": ..., "code": ..., "message": ...}, ...] for API error bodies.
nlohmann::json ViolationsToJson(const std::vector<RuleViolation>& violations);

}  // namespace prodcat
