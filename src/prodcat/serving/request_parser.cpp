#include "prodcat/serving/request_parser.h"

#include <simdjson.h>

#include "prodcat/data/field_values.h"
#include "prodcat/serving/json_input.h"
#include "prodcat/serving/record_rules.h"

namespace prodcat::serving {
namespace {

namespace od = simdjson::ondemand;

ApiError Malformed(simdjson::error_code code) {
  return ApiError::Make(
      400, "invalid_json",
      std::string("request body is not valid JSON: ") + simdjson::error_message(code));
}

// One parser per thread: it keeps its buffers between requests (no allocation per request).
od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

enum class ItemResult { kOk, kInvalid, kMalformed };

std::string TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "an unknown value";
}

ApiError WrongType(Field field, const char* expected, const std::string& got) {
  const std::string name(FieldName(field));
  return ApiError::Make(422, "wrong_type", name + " must be " + expected + ", got " + got, name);
}

// Reads one field value into the record; kInvalid with *error for a value of the wrong kind.
ItemResult ReadField(Field field, od::value value, ProductRecord* record, ApiError* error,
                     simdjson::error_code* malformed) {
  od::json_type type{};
  if ((*malformed = value.type().get(type))) return ItemResult::kMalformed;
  if (type == od::json_type::null) return ItemResult::kOk;  // explicit null: missing
  if (IsNumericField(field)) {
    if (type == od::json_type::string) {
      std::string_view text;
      if ((*malformed = value.get_string().get(text))) return ItemResult::kMalformed;
      // JSON has no NaN or infinity; clients that send them as strings get a precise message.
      *error = WrongType(field, "a finite JSON number", "the string " + QuoteForMessage(text));
      return ItemResult::kInvalid;
    }
    if (type != od::json_type::number) {
      *error = WrongType(field, "a number", TypeName(type));
      return ItemResult::kInvalid;
    }
    double number = 0;
    if (value.get_double().get(number)) {
      const std::string name(FieldName(field));
      *error = ApiError::Make(422, "not_finite", name + " is not a finite double", name);
      return ItemResult::kInvalid;
    }
    *record->MutableNumericField(field) = number;
    return ItemResult::kOk;
  }
  std::string* target = record->MutableStringField(field);
  if (type == od::json_type::string) {
    std::string_view text;
    if ((*malformed = value.get_string().get(text))) return ItemResult::kMalformed;
    target->assign(text);
    return ItemResult::kOk;
  }
  // Identifiers are often numeric in client systems: keep their JSON spelling.
  if (type == od::json_type::number && (field == Field::kProductId || field == Field::kSellerId)) {
    std::string_view token = value.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\t' ||
                              token.back() == '\r')) {
      token.remove_suffix(1);
    }
    target->assign(token);
    return ItemResult::kOk;
  }
  *error = WrongType(field, "a string", TypeName(type));
  return ItemResult::kInvalid;
}

// Parses a product object. After the first invalid field the rest is still read (so a malformed
// document is still noticed) but ignored.
// A routing key: strings as they are, numbers in their JSON spelling; other types are ignored.
void ReadRoutingKey(od::value value, std::string* out) {
  od::json_type type{};
  if (value.type().get(type)) return;
  std::string_view text;
  if (type == od::json_type::string && !value.get_string().get(text)) {
    out->assign(text.substr(0, 256));
  } else if (type == od::json_type::number) {
    text = value.raw_json_token();
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                             text.back() == '\r')) {
      text.remove_suffix(1);
    }
    out->assign(text);
  }
}

ItemResult ParseProduct(od::object object, const RequestLimits& limits, ProductRecord* record,
                        ApiError* error, simdjson::error_code* malformed,
                        RoutingKeys* keys = nullptr) {
  bool invalid = false;
  for (auto member : object) {
    od::field field;
    if ((*malformed = std::move(member).get(field))) return ItemResult::kMalformed;
    std::string_view key;
    if ((*malformed = field.unescaped_key().get(key))) return ItemResult::kMalformed;
    if (keys != nullptr && (key == "user_id" || key == "session_id")) {
      ReadRoutingKey(field.value(), key == "user_id" ? &keys->user_id : &keys->session_id);
      continue;
    }
    Field f;
    // Unknown keys (and the label) are not inputs; On Demand skips their values.
    if (invalid || !ParseFieldName(key, &f) || f == Field::kCategory) continue;
    ItemResult r = ReadField(f, field.value(), record, error, malformed);
    if (r == ItemResult::kMalformed) return r;
    if (r == ItemResult::kInvalid) invalid = true;
  }
  if (invalid) return ItemResult::kInvalid;
  // Surrounding whitespace carries nothing (the features normalize it away); trimming it makes a
  // blank title an empty one, which the rules reject.
  const size_t first = record->title.find_first_not_of(" \t\r\n");
  record->title.erase(0, first == std::string::npos ? record->title.size() : first);
  const size_t last = record->title.find_last_not_of(" \t\r\n");
  record->title.erase(last == std::string::npos ? 0 : last + 1);
  return CheckRecordRules(*record, limits, error) ? ItemResult::kOk : ItemResult::kInvalid;
}

bool EmptyBody(const std::string& body, ApiError* error) {
  for (char c : body) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  *error = ApiError::Make(400, "invalid_json", "request body is empty: expected a JSON object");
  return true;
}

}  // namespace

bool ParsePredictRequest(std::string* body, const RequestLimits& limits, ProductRecord* record,
                         ApiError* error, RoutingKeys* keys) {
  if (EmptyBody(*body, error)) return false;
  od::document doc;
  simdjson::error_code code = ThreadParser().iterate(PaddedView(body)).get(doc);
  if (code) return *error = Malformed(code), false;
  od::json_type type{};
  if ((code = doc.type().get(type))) return *error = Malformed(code), false;
  if (type != od::json_type::object) {
    *error = ApiError::Make(
        422, "invalid_request",
        "request body must be a JSON object with at least a title, got " + TypeName(type));
    return false;
  }
  od::object object;
  if ((code = doc.get_object().get(object))) return *error = Malformed(code), false;
  *record = ProductRecord();
  if (keys != nullptr) *keys = RoutingKeys();
  ItemResult r = ParseProduct(object, limits, record, error, &code, keys);
  if (r == ItemResult::kMalformed) return *error = Malformed(code), false;
  if (HasTrailingContent(doc)) return *error = Malformed(simdjson::TRAILING_CONTENT), false;
  return r == ItemResult::kOk;
}

namespace {

// Parses the elements of the batch array into *items.
bool ParseBatchItems(od::array array, const RequestLimits& limits, std::vector<BatchItem>* items,
                     ApiError* error) {
  simdjson::error_code code;
  for (auto element : array) {
    od::value value;
    if ((code = std::move(element).get(value))) return *error = Malformed(code), false;
    if (items->size() == limits.max_batch_items) {
      *error = ApiError::Make(
          413, "batch_too_large",
          "a batch holds at most " + std::to_string(limits.max_batch_items) + " items", "items");
      return false;
    }
    BatchItem& item = items->emplace_back();
    od::json_type item_type{};
    if ((code = value.type().get(item_type))) return *error = Malformed(code), false;
    if (item_type != od::json_type::object) {
      item.ok = false;
      item.error = ApiError::Make(422, "invalid_item",
                                  "each item must be a product object, got " + TypeName(item_type));
      continue;
    }
    od::object object;
    if ((code = value.get_object().get(object))) return *error = Malformed(code), false;
    ItemResult r = ParseProduct(object, limits, &item.record, &item.error, &code, &item.keys);
    if (r == ItemResult::kMalformed) return *error = Malformed(code), false;
    item.ok = r == ItemResult::kOk;
  }
  return true;
}

}  // namespace

bool ParseBatchRequest(std::string* body, const RequestLimits& limits,
                       std::vector<BatchItem>* items, ApiError* error) {
  items->clear();
  if (EmptyBody(*body, error)) return false;
  od::document doc;
  simdjson::error_code code = ThreadParser().iterate(PaddedView(body)).get(doc);
  if (code) return *error = Malformed(code), false;
  od::json_type type{};
  if ((code = doc.type().get(type))) return *error = Malformed(code), false;
  if (type == od::json_type::array) {
    od::array array;
    if ((code = doc.get_array().get(array))) return *error = Malformed(code), false;
    if (!ParseBatchItems(array, limits, items, error)) return false;
  } else if (type == od::json_type::object) {
    od::object object;
    if ((code = doc.get_object().get(object))) return *error = Malformed(code), false;
    bool found = false;
    // Every member is visited (not find_field) so malformed JSON after "items" is still seen.
    for (auto member : object) {
      od::field field;
      if ((code = std::move(member).get(field))) return *error = Malformed(code), false;
      std::string_view key;
      if ((code = field.unescaped_key().get(key))) return *error = Malformed(code), false;
      if (key != "items" || found) continue;
      found = true;
      od::value items_value = field.value();
      od::json_type items_type{};
      if ((code = items_value.type().get(items_type))) return *error = Malformed(code), false;
      if (items_type != od::json_type::array) {
        *error = ApiError::Make(422, "wrong_type",
                                "items must be an array, got " + TypeName(items_type), "items");
        return false;
      }
      od::array array;
      if ((code = items_value.get_array().get(array))) return *error = Malformed(code), false;
      if (!ParseBatchItems(array, limits, items, error)) return false;
    }
    if (!found) {
      *error = ApiError::Make(422, "missing_field", "expected a JSON array or {\"items\": [...]}",
                              "items");
      return false;
    }
  } else {
    *error = ApiError::Make(422, "invalid_request",
                            "request body must be a JSON array of products or {\"items\": "
                            "[...]}, got " +
                                TypeName(type));
    return false;
  }
  if (HasTrailingContent(doc)) return *error = Malformed(simdjson::TRAILING_CONTENT), false;
  if (items->empty()) {
    *error = ApiError::Make(422, "empty_batch", "the batch has no items", "items");
    return false;
  }
  return true;
}

}  // namespace prodcat::serving
