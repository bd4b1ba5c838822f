#include "prodcat/data/record.h"

namespace prodcat {

std::string_view FieldName(Field f) {
  switch (f) {
    case Field::kProductId: return "product_id";
    case Field::kTitle: return "title";
    case Field::kSellerId: return "seller_id";
    case Field::kBrand: return "brand";
    case Field::kSubcategory: return "subcategory";
    case Field::kPrice: return "price";
    case Field::kRating: return "rating";
    case Field::kReviewsCount: return "reviews_count";
    case Field::kCategory: return "category";
    case Field::kDescription: return "description";
  }
  return "";
}

bool ParseFieldName(std::string_view name, Field* f) {
  for (Field candidate : kAllFields) {
    if (FieldName(candidate) == name) {
      *f = candidate;
      return true;
    }
  }
  return false;
}

bool IsNumericField(Field f) {
  return f == Field::kPrice || f == Field::kRating || f == Field::kReviewsCount;
}

const std::string* ProductRecord::StringField(Field f) const {
  return const_cast<ProductRecord*>(this)->MutableStringField(f);
}

std::string* ProductRecord::MutableStringField(Field f) {
  switch (f) {
    case Field::kProductId: return &product_id;
    case Field::kTitle: return &title;
    case Field::kSellerId: return &seller_id;
    case Field::kBrand: return &brand;
    case Field::kSubcategory: return &subcategory;
    case Field::kCategory: return &category;
    case Field::kDescription: return &description;
    default: return nullptr;
  }
}

const std::optional<double>* ProductRecord::NumericField(Field f) const {
  return const_cast<ProductRecord*>(this)->MutableNumericField(f);
}

std::optional<double>* ProductRecord::MutableNumericField(Field f) {
  switch (f) {
    case Field::kPrice: return &price;
    case Field::kRating: return &rating;
    case Field::kReviewsCount: return &reviews_count;
    default: return nullptr;
  }
}

}  // namespace prodcat
