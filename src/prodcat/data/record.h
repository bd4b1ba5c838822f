// The product record: one row of input data, in the default schema of the original system.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace prodcat {

// Canonical fields of a product record. Only kTitle (and kCategory for training) is required.
enum class Field {
  kProductId,
  kTitle,
  kSellerId,
  kBrand,
  kSubcategory,
  kPrice,
  kRating,
  kReviewsCount,
  kCategory,
  kDescription,
};
inline constexpr int kNumFields = 10;

// Canonical column name of a field ("product_id", "title", ...).
std::string_view FieldName(Field f);
// Parses a canonical column name; false if `name` is not one.
bool ParseFieldName(std::string_view name, Field* f);
inline constexpr std::array<Field, kNumFields> kAllFields = {
    Field::kProductId, Field::kTitle,        Field::kSellerId, Field::kBrand,
    Field::kSubcategory, Field::kPrice,      Field::kRating,   Field::kReviewsCount,
    Field::kCategory,  Field::kDescription};
bool IsNumericField(Field f);

// Empty strings and unset optionals mean "missing".
struct ProductRecord {
  std::string product_id;
  std::string title;
  std::string seller_id;
  std::string brand;
  std::string subcategory;
  std::optional<double> price;
  std::optional<double> rating;
  std::optional<double> reviews_count;
  std::string category;     // the label; empty when unlabeled
  std::string description;
  std::string group;        // value of the --group-col column when one is requested, else empty
  size_t source_line = 0;   // 1-based line in the source file where the record starts

  // String field accessors for generic code (numeric fields are not accessible this way).
  const std::string* StringField(Field f) const;
  std::string* MutableStringField(Field f);
  const std::optional<double>* NumericField(Field f) const;
  std::optional<double>* MutableNumericField(Field f);
};

}  // namespace prodcat
