#include "prodcat/validation/record_rules.h"

#include <fmt/format.h>

#include <cmath>

#include "prodcat/data/field_values.h"

namespace prodcat {
namespace {

size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

size_t RecordRules::MaxChars(Field field) const {
  switch (field) {
    case Field::kTitle: return options_.max_title_chars;
    case Field::kDescription: return options_.max_description_chars;
    default: return options_.max_other_chars;
  }
}

std::vector<RuleViolation> RecordRules::Check(const ProductRecord& record) const {
  std::vector<RuleViolation> out;
  auto add = [&out](Field f, const char* code, std::string message) {
    out.push_back({std::string(FieldName(f)), code, std::move(message)});
  };
  for (Field f : kAllFields) {
    const std::string name(FieldName(f));
    if (const std::string* text = record.StringField(f)) {
      if (f == Field::kTitle && options_.require_title && text->empty()) {
        add(f, "required", "title is required and must not be empty");
        continue;
      }
      size_t bad = FindInvalidUtf8(*text);
      if (bad != std::string::npos) {
        add(f, "invalid_utf8",
            fmt::format("{} must be UTF-8 text; invalid byte sequence at byte {}", name, bad));
        continue;  // its length in code points is meaningless
      }
      size_t chars = CodePoints(*text);
      if (chars > MaxChars(f)) {
        add(f, "too_long",
            fmt::format("{} must be at most {} characters, got {}", name, MaxChars(f), chars));
      }
      continue;
    }
    const std::optional<double>& value = *record.NumericField(f);
    if (!value) continue;
    if (!std::isfinite(*value)) {
      add(f, "not_finite", fmt::format("{} must be a finite number, got {}", name, *value));
    } else if (f == Field::kRating) {
      if (*value < options_.min_rating || *value > options_.max_rating) {
        add(f, "out_of_range",
            fmt::format("rating must be between {:g} and {:g}, got {:g}", options_.min_rating,
                        options_.max_rating, *value));
      }
    } else if (*value < 0) {
      add(f, "negative", fmt::format("{} must be >= 0, got {:g}", name, *value));
    }
  }
  return out;
}

nlohmann::json ViolationsToJson(const std::vector<RuleViolation>& violations) {
  nlohmann::json out = nlohmann::json::array();
  for (const RuleViolation& v : violations) {
    out.push_back({{"field", v.field}, {"code", v.code}, {"message", v.message}});
  }
  return out;
}

}  // namespace prodcat
