#include "prodcat/serving/record_rules.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace prodcat::serving {
namespace {

bool IsBlank(const std::string& s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

bool CheckLength(const std::string& value, Field field, size_t max_bytes, ApiError* error) {
  if (value.size() <= max_bytes) return true;
  *error = ApiError::Make(422, "too_long",
                          std::string(FieldName(field)) + " is " + std::to_string(value.size()) +
                              " bytes; the limit is " + std::to_string(max_bytes) + " bytes",
                          std::string(FieldName(field)));
  return false;
}

// Ranges of the default schema: prices and review counts are non-negative, ratings are 0..5.
bool CheckNumber(const std::optional<double>& value, Field field, double min, double max,
                 ApiError* error) {
  if (!value) return true;
  const std::string name(FieldName(field));
  if (!std::isfinite(*value)) {
    *error = ApiError::Make(422, "invalid_value", name + " must be a finite number", name);
    return false;
  }
  if (*value < min || *value > max) {
    std::string range = std::isinf(max) ? ">= " + std::to_string(static_cast<int64_t>(min))
                                        : "between " + std::to_string(static_cast<int64_t>(min)) +
                                              " and " + std::to_string(static_cast<int64_t>(max));
    *error = ApiError::Make(422, "out_of_range", name + " must be " + range, name);
    return false;
  }
  return true;
}

}  // namespace

bool CheckRecordRules(const ProductRecord& record, const RequestLimits& limits, ApiError* error) {
  if (record.title.empty() || IsBlank(record.title)) {
    *error =
        ApiError::Make(422, "missing_field", "title is required and must not be blank", "title");
    return false;
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  return CheckLength(record.title, Field::kTitle, limits.max_title_bytes, error) &&
         CheckLength(record.description, Field::kDescription, limits.max_description_bytes,
                     error) &&
         CheckLength(record.product_id, Field::kProductId, limits.max_field_bytes, error) &&
         CheckLength(record.seller_id, Field::kSellerId, limits.max_field_bytes, error) &&
         CheckLength(record.brand, Field::kBrand, limits.max_field_bytes, error) &&
         CheckLength(record.subcategory, Field::kSubcategory, limits.max_field_bytes, error) &&
         CheckNumber(record.price, Field::kPrice, 0, kInf, error) &&
         CheckNumber(record.rating, Field::kRating, 0, 5, error) &&
         CheckNumber(record.reviews_count, Field::kReviewsCount, 0, kInf, error);
}

}  // namespace prodcat::serving
