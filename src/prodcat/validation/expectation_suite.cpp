// Expectation types, kwarg validation and suite files (YAML/JSON in, YAML/JSON out).
#include "prodcat/validation/expectation_suite.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "prodcat/common/file_util.h"
#include "prodcat/validation/yaml_json.h"

namespace prodcat {
namespace {

struct TypeInfo {
  ExpectationType type;   // the enum value
  std::string_view name;  // GE spelling
  bool per_value;         // counts unexpected values and honours `mostly`
};

constexpr TypeInfo kTypes[] = {
    {ExpectationType::kColumnToExist, "expect_column_to_exist", false},
    {ExpectationType::kTableColumnsToMatchSet, "expect_table_columns_to_match_set", false},
    {ExpectationType::kTableRowCountToBeBetween, "expect_table_row_count_to_be_between", false},
    {ExpectationType::kColumnValuesToNotBeNull, "expect_column_values_to_not_be_null", true},
    {ExpectationType::kColumnValuesToBeUnique, "expect_column_values_to_be_unique", true},
    {ExpectationType::kColumnValuesToBeBetween, "expect_column_values_to_be_between", true},
    {ExpectationType::kColumnValuesToBeInSet, "expect_column_values_to_be_in_set", true},
    {ExpectationType::kColumnValuesToMatchRegex, "expect_column_values_to_match_regex", true},
    {ExpectationType::kColumnValueLengthsToBeBetween, "expect_column_value_lengths_to_be_between",
     true},
    {ExpectationType::kColumnMeanToBeBetween, "expect_column_mean_to_be_between", false},
    {ExpectationType::kColumnQuantileValuesToBeBetween,
     "expect_column_quantile_values_to_be_between", false},
    {ExpectationType::kColumnProportionOfUniqueValuesToBeBetween,
     "expect_column_proportion_of_unique_values_to_be_between", false},
    {ExpectationType::kColumnDistributionToMatchReference,
     "expect_column_distribution_to_match_reference", false},
};

const TypeInfo& Info(ExpectationType type) {
  for (const TypeInfo& info : kTypes) {
    if (info.type == type) return info;
  }
  return kTypes[0];
}

// What a kwarg must hold.
enum class KwargKind {
  kColumn,          // a canonical field name
  kBound,           // a number or null
  kFlag,            // a boolean
  kFraction,        // a number in [0, 1]
  kValueSet,        // an array of scalars
  kRegex,           // a string that compiles
  kQuantileRanges,  // {quantiles, value_ranges}
  kColumnSet,       // an array of canonical field names
  kReference,       // {value: share}
  kIgnored,         // GE bookkeeping, accepted and ignored
};

struct KwargSpec {
  std::string_view name;  // GE kwarg name
  KwargKind kind;         // what its value must be
  bool required;          // missing is an error
};

// Which column types an expectation accepts.
enum class ColumnKind { kAny, kNumeric, kText };

struct TypeKwargs {
  std::vector<KwargSpec> kwargs;              // every kwarg the type accepts
  ColumnKind column_kind = ColumnKind::kAny;  // the column types it accepts
  bool needs_a_bound = false;                 // min_value or max_value must be non-null
};

TypeKwargs KwargsOf(ExpectationType type) {
  const KwargSpec column{"column", KwargKind::kColumn, true};
  const KwargSpec min{"min_value", KwargKind::kBound, false};
  const KwargSpec max{"max_value", KwargKind::kBound, false};
  const KwargSpec strict_min{"strict_min", KwargKind::kFlag, false};
  const KwargSpec strict_max{"strict_max", KwargKind::kFlag, false};
  const KwargSpec mostly{"mostly", KwargKind::kFraction, false};
  using T = ExpectationType;
  switch (type) {
    case T::kColumnToExist: return {{column}};
    case T::kTableColumnsToMatchSet:
      return {
          {{"column_set", KwargKind::kColumnSet, true}, {"exact_match", KwargKind::kFlag, false}}};
    case T::kTableRowCountToBeBetween: return {{min, max, strict_min, strict_max}, {}, true};
    case T::kColumnValuesToNotBeNull:
    case T::kColumnValuesToBeUnique: return {{column, mostly}};
    case T::kColumnValuesToBeBetween:
      return {{column, min, max, strict_min, strict_max, mostly}, ColumnKind::kNumeric, true};
    case T::kColumnValuesToBeInSet:
      return {{column, {"value_set", KwargKind::kValueSet, true}, mostly}};
    case T::kColumnValuesToMatchRegex:
      return {{column, {"regex", KwargKind::kRegex, true}, mostly}, ColumnKind::kText};
    case T::kColumnValueLengthsToBeBetween:
      return {{column, min, max, mostly}, ColumnKind::kText, true};
    case T::kColumnMeanToBeBetween:
      return {{column, min, max, strict_min, strict_max}, ColumnKind::kNumeric, true};
    case T::kColumnQuantileValuesToBeBetween:
      return {{column,
               {"quantile_ranges", KwargKind::kQuantileRanges, true},
               {"allow_relative_error", KwargKind::kIgnored, false}},
              ColumnKind::kNumeric};
    case T::kColumnProportionOfUniqueValuesToBeBetween:
      return {{column, min, max, strict_min, strict_max}, ColumnKind::kAny, true};
    case T::kColumnDistributionToMatchReference:
      return {{column,
               {"reference", KwargKind::kReference, true},
               {"threshold", KwargKind::kFraction, true}}};
  }
  return {};
}

constexpr std::string_view kBookkeepingKwargs[] = {"result_format", "include_config",
                                                   "catch_exceptions"};

std::string Show(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string CanonicalColumns() {
  std::string out;
  for (Field f : kAllFields) {
    if (!out.empty()) out += ", ";
    out += FieldName(f);
  }
  return out;
}

Status KwargError(std::string_view name, const std::string& expected, const nlohmann::json& got) {
  return Status::InvalidArgument("kwarg '" + std::string(name) + "': expected " + expected +
                                 ", got " + Show(got));
}

Status ParseColumn(std::string_view kwarg, const nlohmann::json& value, Field* field) {
  if (!value.is_string()) return KwargError(kwarg, "a column name", value);
  if (!ParseFieldName(value.get_ref<const std::string&>(), field)) {
    return KwargError(kwarg, "a canonical column (" + CanonicalColumns() + ")", value);
  }
  return Status::Ok();
}

// The text a JSON scalar stands for in a text column (numbers in their shortest form, as the
// JSON Lines reader stores them).
bool ScalarText(const nlohmann::json& value, std::string* text) {
  if (value.is_string()) {
    *text = value.get<std::string>();
  } else if (value.is_number_integer()) {
    *text = std::to_string(value.get<int64_t>());
  } else if (value.is_number()) {
    *text = NumberText(value.get<double>());
  } else {
    return false;
  }
  return true;
}

bool ScalarNumber(const nlohmann::json& value, double* number) {
  if (value.is_number()) {
    *number = value.get<double>();
    return std::isfinite(*number);
  }
  if (value.is_string()) {
    nlohmann::json resolved = ResolvePlainScalar(value.get_ref<const std::string&>());
    if (resolved.is_number()) {
      *number = resolved.get<double>();
      return true;
    }
  }
  return false;
}

Status ParseRangePair(const nlohmann::json& pair, size_t index, ValueRange* range) {
  const std::string where = "quantile_ranges.value_ranges[" + std::to_string(index) + "]";
  if (!pair.is_array() || pair.size() != 2) {
    return KwargError(where, "a pair [min, max] (null for unbounded)", pair);
  }
  for (int side = 0; side < 2; ++side) {
    if (pair[side].is_null()) continue;
    double v;
    if (!ScalarNumber(pair[side], &v)) return KwargError(where, "numbers or null", pair);
    (side == 0 ? range->min : range->max) = v;
  }
  if (range->min && range->max && *range->min > *range->max) {
    return KwargError(where, "min <= max", pair);
  }
  return Status::Ok();
}

Status ParseKwarg(const KwargSpec& spec, const nlohmann::json& value, Expectation* e) {
  const std::string_view name = spec.name;
  switch (spec.kind) {
    case KwargKind::kColumn: {
      Field f;
      PRODCAT_RETURN_IF_ERROR(ParseColumn(name, value, &f));
      e->column = f;
      return Status::Ok();
    }
    case KwargKind::kBound: {
      if (value.is_null()) return Status::Ok();
      double v;
      if (!ScalarNumber(value, &v)) return KwargError(name, "a number or null", value);
      (name == "min_value" ? e->range.min : e->range.max) = v;
      return Status::Ok();
    }
    case KwargKind::kFlag: {
      if (!value.is_boolean()) return KwargError(name, "true or false", value);
      bool flag = value.get<bool>();
      if (name == "strict_min") e->range.strict_min = flag;
      if (name == "strict_max") e->range.strict_max = flag;
      if (name == "exact_match") e->exact_match = flag;
      return Status::Ok();
    }
    case KwargKind::kFraction: {
      double v;
      if (!ScalarNumber(value, &v) || v < 0 || v > 1) {
        return KwargError(name, "a number in [0, 1]", value);
      }
      (name == "mostly" ? e->mostly : e->threshold) = v;
      return Status::Ok();
    }
    case KwargKind::kValueSet: {
      if (!value.is_array()) return KwargError(name, "a list of values", value);
      // Kept in both forms; the evaluator uses the one matching the column's type.
      for (const auto& item : value) {
        std::string text;
        if (!ScalarText(item, &text)) return KwargError(name, "a list of strings or numbers", item);
        e->text_set.push_back(text);
        double number;
        if (ScalarNumber(item, &number)) e->number_set.push_back(number);
      }
      return Status::Ok();
    }
    case KwargKind::kRegex: {
      if (!value.is_string()) return KwargError(name, "a regular expression string", value);
      try {
        std::regex compiled(value.get<std::string>(), std::regex::ECMAScript);
      } catch (const std::regex_error& error) {
        return KwargError(
            name, std::string("a valid ECMAScript regular expression (") + error.what() + ")",
            value);
      }
      e->regex = value.get<std::string>();
      return Status::Ok();
    }
    case KwargKind::kQuantileRanges: {
      if (!value.is_object() || !value.contains("quantiles") || !value.contains("value_ranges")) {
        return KwargError(name, "{quantiles: [...], value_ranges: [[min, max], ...]}", value);
      }
      for (const auto& [key, item] : value.items()) {
        if (key != "quantiles" && key != "value_ranges") {
          return KwargError(name, "only the keys quantiles and value_ranges", value);
        }
      }
      const auto& qs = value["quantiles"];
      const auto& ranges = value["value_ranges"];
      if (!qs.is_array() || qs.empty()) {
        return KwargError("quantile_ranges.quantiles", "a non-empty list of numbers in [0, 1]", qs);
      }
      if (!ranges.is_array() || ranges.size() != qs.size()) {
        return KwargError(
            "quantile_ranges.value_ranges",
            "a list of " + std::to_string(qs.size()) + " [min, max] pairs (one per quantile)",
            ranges);
      }
      for (size_t i = 0; i < qs.size(); ++i) {
        double q;
        if (!ScalarNumber(qs[i], &q) || q < 0 || q > 1) {
          return KwargError("quantile_ranges.quantiles", "numbers in [0, 1]", qs[i]);
        }
        ValueRange range;
        PRODCAT_RETURN_IF_ERROR(ParseRangePair(ranges[i], i, &range));
        e->quantiles.push_back(q);
        e->quantile_ranges.push_back(range);
      }
      return Status::Ok();
    }
    case KwargKind::kColumnSet: {
      if (!value.is_array()) return KwargError(name, "a list of column names", value);
      for (const auto& item : value) {
        Field f;
        PRODCAT_RETURN_IF_ERROR(ParseColumn(name, item, &f));
        if (std::find(e->column_set.begin(), e->column_set.end(), f) == e->column_set.end()) {
          e->column_set.push_back(f);
        }
      }
      return Status::Ok();
    }
    case KwargKind::kReference: {
      if (!value.is_object() || value.empty()) {
        return KwargError(name, "a non-empty map {value: share}", value);
      }
      double total = 0;
      for (const auto& [key, share] : value.items()) {
        double v;
        if (!ScalarNumber(share, &v) || v < 0) {
          return KwargError(std::string(name) + "." + key, "a share >= 0", share);
        }
        e->reference.emplace_back(key, v);
        total += v;
      }
      if (!(total > 0)) return KwargError(name, "shares with a positive sum", value);
      return Status::Ok();
    }
    case KwargKind::kIgnored: return Status::Ok();
  }
  return Status::Ok();
}

std::string Location(const std::string& source, int line) {
  return line > 0 ? source + ":" + std::to_string(line) : source;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Status ParseSeverity(const nlohmann::json& value, Severity* severity) {
  std::string text = value.is_string() ? Lower(value.get<std::string>()) : "";
  if (text == "error") {
    *severity = Severity::kError;
  } else if (text == "warning") {
    *severity = Severity::kWarning;
  } else {
    return Status::InvalidArgument("severity: expected \"error\" or \"warning\", got " +
                                   Show(value));
  }
  return Status::Ok();
}

// One entry of `expectations`, with its location for messages.
Status ParseEntry(const nlohmann::json& entry, Expectation* out) {
  if (!entry.is_object()) {
    return Status::InvalidArgument("expected a mapping with expectation_type and kwargs, got " +
                                   Show(entry));
  }
  static const std::set<std::string> kKnown = {"expectation_type", "type", "kwargs",      "meta",
                                               "severity",         "id",   "ge_cloud_id", "notes",
                                               "rendered_content"};
  for (const auto& [key, value] : entry.items()) {
    if (!kKnown.count(key)) {
      return Status::InvalidArgument("unknown key '" + key +
                                     "': expected expectation_type, kwargs, meta or severity");
    }
  }
  const nlohmann::json* type_value = entry.contains("expectation_type") ? &entry["expectation_type"]
                                     : entry.contains("type")           ? &entry["type"]
                                                                        : nullptr;
  if (!type_value) return Status::InvalidArgument("missing expectation_type");
  ExpectationType type;
  if (!type_value->is_string() || !ParseExpectationType(type_value->get<std::string>(), &type)) {
    std::string known;
    for (const TypeInfo& info : kTypes)
      known += (known.empty() ? "" : ", ") + std::string(info.name);
    return Status::InvalidArgument("unknown expectation_type " + Show(*type_value) +
                                   ": expected one of " + known);
  }
  nlohmann::json kwargs = entry.contains("kwargs") ? entry["kwargs"] : nlohmann::json::object();
  if (kwargs.is_null()) kwargs = nlohmann::json::object();
  nlohmann::json meta = entry.contains("meta") ? entry["meta"] : nlohmann::json::object();
  if (meta.is_null()) meta = nlohmann::json::object();
  if (!meta.is_object())
    return Status::InvalidArgument("meta: expected a mapping, got " + Show(meta));
  Severity severity = Severity::kError;
  if (meta.contains("severity")) {
    PRODCAT_RETURN_IF_ERROR(ParseSeverity(meta["severity"], &severity));
    meta.erase("severity");
  }
  if (entry.contains("severity"))
    PRODCAT_RETURN_IF_ERROR(ParseSeverity(entry["severity"], &severity));
  StatusOr<Expectation> e = MakeExpectation(type, std::move(kwargs), severity, std::move(meta));
  if (!e.ok()) return e.status();
  *out = std::move(*e);
  return Status::Ok();
}

}  // namespace

std::string_view ExpectationTypeName(ExpectationType type) {
  return Info(type).name;
}

bool ParseExpectationType(std::string_view name, ExpectationType* type) {
  constexpr std::string_view kPrefix = "expect_";
  for (const TypeInfo& info : kTypes) {
    if (name == info.name || name == info.name.substr(kPrefix.size())) {
      *type = info.type;
      return true;
    }
  }
  return false;
}

std::vector<ExpectationType> AllExpectationTypes() {
  std::vector<ExpectationType> out;
  for (const TypeInfo& info : kTypes) out.push_back(info.type);
  return out;
}

bool IsPerValueExpectation(ExpectationType type) {
  return Info(type).per_value;
}

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

bool ValueRange::Contains(double value) const {
  if (min && (strict_min ? !(value > *min) : !(value >= *min))) return false;
  if (max && (strict_max ? !(value < *max) : !(value <= *max))) return false;
  return true;
}

std::string Expectation::ColumnName() const {
  return column ? std::string(FieldName(*column)) : std::string();
}

StatusOr<Expectation> MakeExpectation(ExpectationType type, nlohmann::json kwargs,
                                      Severity severity, nlohmann::json meta) {
  Expectation e;
  e.type = type;
  e.severity = severity;
  e.meta = meta.is_object() ? std::move(meta) : nlohmann::json::object();
  if (!kwargs.is_object()) {
    return Status::InvalidArgument("kwargs: expected a mapping, got " + Show(kwargs));
  }
  const TypeKwargs spec = KwargsOf(type);
  for (const auto& [name, value] : kwargs.items()) {
    bool known = std::any_of(spec.kwargs.begin(), spec.kwargs.end(),
                             [&](const KwargSpec& s) { return s.name == name; }) ||
                 std::find(std::begin(kBookkeepingKwargs), std::end(kBookkeepingKwargs), name) !=
                     std::end(kBookkeepingKwargs);
    if (!known) {
      std::string expected;
      for (const KwargSpec& s : spec.kwargs) {
        expected += (expected.empty() ? "" : ", ") + std::string(s.name);
      }
      return Status::InvalidArgument("unknown kwarg '" + name + "': expected " + expected);
    }
  }
  for (const KwargSpec& s : spec.kwargs) {
    auto it = kwargs.find(std::string(s.name));
    if (it == kwargs.end()) {
      if (s.required) return Status::InvalidArgument("missing kwarg '" + std::string(s.name) + "'");
      continue;
    }
    PRODCAT_RETURN_IF_ERROR(ParseKwarg(s, *it, &e));
  }
  if (spec.needs_a_bound && !e.range.min && !e.range.max) {
    return Status::InvalidArgument("expected min_value or max_value (or both), got neither");
  }
  if (e.range.min && e.range.max && *e.range.min > *e.range.max) {
    return Status::InvalidArgument("min_value " + NumberText(*e.range.min) +
                                   " is greater than max_value " + NumberText(*e.range.max));
  }
  if (e.column) {
    bool numeric = IsNumericField(*e.column);
    if (spec.column_kind == ColumnKind::kNumeric && !numeric) {
      return Status::InvalidArgument("column '" + e.ColumnName() +
                                     "' is text: expected a numeric column (price, rating, "
                                     "reviews_count)");
    }
    if (spec.column_kind == ColumnKind::kText && numeric) {
      return Status::InvalidArgument("column '" + e.ColumnName() +
                                     "' is numeric: expected a text column");
    }
    if (type == ExpectationType::kColumnValuesToBeInSet && numeric &&
        e.number_set.size() != e.text_set.size()) {
      return KwargError("value_set", "numbers for numeric column '" + e.ColumnName() + "'",
                        kwargs["value_set"]);
    }
  }
  e.kwargs = std::move(kwargs);
  return e;
}

Status ParseExpectationSuite(std::string_view text, const std::string& source,
                             const std::string& default_name, ExpectationSuite* suite) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(Location(source, error.mark.line + 1) +
                                   ": invalid YAML/JSON: " + error.msg);
  }
  if (!root.IsMap()) {
    return Status::InvalidArgument(source +
                                   ": expected a mapping with an 'expectations' list at the top");
  }
  ExpectationSuite parsed;
  parsed.name = default_name;
  static const std::set<std::string> kKnown = {
      "expectation_suite_name", "name",        "expectations", "meta",
      "data_asset_type",        "ge_cloud_id", "notes"};
  const YAML::Node* expectations = nullptr;
  YAML::Node expectations_node;
  for (const auto& entry : root) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    const int line = entry.first.Mark().line + 1;
    if (!kKnown.count(key)) {
      return Status::InvalidArgument(Location(source, line) + ": unknown top-level key '" + key +
                                     "': expected expectation_suite_name, expectations or meta");
    }
    nlohmann::json value;
    Status converted = YamlToJson(entry.second, &value);
    if (!converted.ok()) return converted.WithContext(source);
    if (key == "expectation_suite_name" || key == "name") {
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        return Status::InvalidArgument(Location(source, line) + ": " + key +
                                       ": expected a non-empty string, got " + Show(value));
      }
      parsed.name = value.get<std::string>();
    } else if (key == "meta") {
      if (!value.is_null() && !value.is_object()) {
        return Status::InvalidArgument(Location(source, line) + ": meta: expected a mapping, got " +
                                       Show(value));
      }
      if (value.is_object()) parsed.meta = value;
    } else if (key == "expectations") {
      expectations_node = entry.second;
      expectations = &expectations_node;
      if (!expectations_node.IsSequence() && !expectations_node.IsNull()) {
        return Status::InvalidArgument(Location(source, line) + ": expectations: expected a list");
      }
    }
  }
  if (!expectations) return Status::InvalidArgument(source + ": missing 'expectations' list");
  size_t index = 0;
  for (const YAML::Node& node : *expectations) {
    const int line = node.Mark().line + 1;
    nlohmann::json entry;
    Status s = YamlToJson(node, &entry);
    std::string type_name = "?";
    if (s.ok() && entry.is_object()) {
      for (const char* key : {"expectation_type", "type"}) {
        ExpectationType type;
        if (entry.contains(key) && entry[key].is_string() &&
            ParseExpectationType(entry[key].get<std::string>(), &type)) {
          type_name = ExpectationTypeName(type);
        }
      }
    }
    Expectation e;
    if (s.ok()) s = ParseEntry(entry, &e);
    if (!s.ok()) {
      return Status::InvalidArgument(Location(source, line) + ": expectations[" +
                                     std::to_string(index) + "] (" + type_name +
                                     "): " + s.message());
    }
    parsed.expectations.push_back(std::move(e));
    ++index;
  }
  *suite = std::move(parsed);
  return Status::Ok();
}

Status LoadExpectationSuite(const std::filesystem::path& path, ExpectationSuite* suite) {
  std::string text;
  Status read = ReadFile(path, &text);
  if (!read.ok()) return read.WithContext("expectation suite");
  return ParseExpectationSuite(text, path.string(), path.stem().string(), suite);
}

nlohmann::json ExpectationSuiteToJson(const ExpectationSuite& suite) {
  nlohmann::json out;
  out["expectation_suite_name"] = suite.name;
  out["meta"] = suite.meta;
  out["expectations"] = nlohmann::json::array();
  for (const Expectation& e : suite.expectations) {
    nlohmann::json meta = e.meta;
    meta["severity"] = SeverityName(e.severity);
    out["expectations"].push_back(
        {{"expectation_type", ExpectationTypeName(e.type)}, {"kwargs", e.kwargs}, {"meta", meta}});
  }
  return out;
}

std::string ExpectationSuiteToYaml(const ExpectationSuite& suite) {
  YAML::Emitter out;
  out.SetOutputCharset(YAML::EmitNonAscii);
  if (!suite.comment.empty()) out << YAML::Comment(suite.comment);
  out << YAML::BeginMap;
  out << YAML::Key << "expectation_suite_name" << YAML::Value;
  EmitJson(suite.name, &out);
  if (!suite.meta.empty()) {
    out << YAML::Key << "meta" << YAML::Value;
    EmitJson(suite.meta, &out);
  }
  out << YAML::Key << "expectations" << YAML::Value << YAML::BeginSeq;
  for (const Expectation& e : suite.expectations) {
    out << YAML::BeginMap;
    out << YAML::Key << "expectation_type" << YAML::Value
        << std::string(ExpectationTypeName(e.type));
    if (!e.comment.empty()) out << YAML::Comment(e.comment);
    // The order people write them in, not alphabetical (max_value before min_value).
    static const std::vector<std::string> kKwargOrder = {
        "column",     "column_set",  "min_value", "max_value",       "strict_min",
        "strict_max", "value_set",   "regex",     "quantile_ranges", "reference",
        "threshold",  "exact_match", "mostly"};
    out << YAML::Key << "kwargs" << YAML::Value;
    EmitJson(e.kwargs, &out, kKwargOrder);
    nlohmann::json meta = e.meta;
    meta["severity"] = SeverityName(e.severity);
    out << YAML::Key << "meta" << YAML::Value;
    EmitJson(meta, &out);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Status WriteExpectationSuite(const std::filesystem::path& path, const ExpectationSuite& suite) {
  std::string ext = Lower(path.extension().string());
  std::string text =
      ext == ".json" ? ExpectationSuiteToJson(suite).dump(2) + "\n" : ExpectationSuiteToYaml(suite);
  return WriteFileAtomic(path, text);
}

}  // namespace prodcat
