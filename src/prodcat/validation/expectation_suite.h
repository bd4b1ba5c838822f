// Expectation suites: declarative data checks in the spirit of Great Expectations (GE).
//
// A suite file is YAML (or JSON, which is read the same way), shaped like a GE suite:
//
//   expectation_suite_name: products
//   expectations:
//     - expectation_type: expect_column_values_to_not_be_null   # "expect_" may be omitted
//       kwargs: {column: title}
//       meta: {severity: error}                                 # or `severity: error` here
//     - expectation_type: column_values_to_be_between
//       kwargs: {column: price, min_value: 0, max_value: 10000, mostly: 0.99}
//       severity: warning
//
// Columns are the canonical ProductRecord fields (product_id, title, seller_id, brand,
// subcategory, price, rating, reviews_count, category, description); a reader's column mapping
// decides which source column feeds each. Kwargs use GE's names:
//
//   type (expect_...)                              kwargs (* = required)
//   column_to_exist                                column*
//   table_columns_to_match_set                     column_set*, exact_match (default true)
//   table_row_count_to_be_between                  min_value, max_value (at least one)
//   column_values_to_not_be_null                   column*, mostly
//   column_values_to_be_unique                     column*, mostly
//   column_values_to_be_between                    column* (numeric), min_value, max_value,
//                                                  strict_min, strict_max, mostly
//   column_values_to_be_in_set                     column*, value_set*, mostly
//   column_values_to_match_regex                   column* (text), regex* (ECMAScript, searched
//                                                  anywhere in the value like Python re.search)
//   column_value_lengths_to_be_between             column* (text), min_value, max_value, mostly
//                                                  (lengths in Unicode code points)
//   column_mean_to_be_between                      column* (numeric), min_value, max_value,
//                                                  strict_min, strict_max
//   column_quantile_values_to_be_between           column* (numeric), quantile_ranges*
//                                                  {quantiles: [q...], value_ranges: [[lo, hi]...]}
//   column_proportion_of_unique_values_to_be_between  column*, min_value, max_value, strict_*
//   column_distribution_to_match_reference         column*, reference* {value: share},
//                                                  threshold* (Jensen-Shannon distance, base 2)
//
// A null bound is unbounded; at least one bound is required. `mostly` (default 1) is the fraction
// of non-missing values that must pass. GE's bookkeeping kwargs (result_format, include_config,
// catch_exceptions, allow_relative_error) are accepted and ignored; any other unknown kwarg is an
// error, so typos do not silently disable a check. Severity `error` (the default) makes a failed
// expectation blocking; `warning` reports it only.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"

namespace prodcat {

enum class ExpectationType {
  kColumnToExist,
  kTableColumnsToMatchSet,
  kTableRowCountToBeBetween,
  kColumnValuesToNotBeNull,
  kColumnValuesToBeUnique,
  kColumnValuesToBeBetween,
  kColumnValuesToBeInSet,
  kColumnValuesToMatchRegex,
  kColumnValueLengthsToBeBetween,
  kColumnMeanToBeBetween,
  kColumnQuantileValuesToBeBetween,
  kColumnProportionOfUniqueValuesToBeBetween,
  kColumnDistributionToMatchReference,
};

// GE spelling: "expect_column_values_to_be_between".
std::string_view ExpectationTypeName(ExpectationType type);
// Accepts the GE spelling and the short one without "expect_". False for anything else.
bool ParseExpectationType(std::string_view name, ExpectationType* type);
// Every type, in declaration order (for help texts).
std::vector<ExpectationType> AllExpectationTypes();

// Per-value expectations count unexpected values and honour `mostly`; the others compute one
// aggregate (observed_value).
bool IsPerValueExpectation(ExpectationType type);

enum class Severity { kError, kWarning };
std::string_view SeverityName(Severity severity);  // "error", "warning"

// An interval with optional ends; an absent end is unbounded.
struct ValueRange {
  std::optional<double> min;  // lower bound, inclusive unless strict_min
  std::optional<double> max;  // upper bound, inclusive unless strict_max
  bool strict_min = false;    // exclude min itself
  bool strict_max = false;    // exclude max itself

  bool Contains(double value) const;
};

// One validated expectation: the kwargs as written plus their typed reading.
struct Expectation {
  ExpectationType type = ExpectationType::kColumnToExist;
  Severity severity = Severity::kError;              // kError: a failure blocks
  nlohmann::json kwargs = nlohmann::json::object();  // GE kwargs as written; echoed in results
  nlohmann::json meta = nlohmann::json::object();    // free-form meta (severity is added on output)
  std::string comment;  // why it exists; written as a YAML comment, not read back

  // Typed kwargs, filled by MakeExpectation; only the ones of `type` are meaningful.
  std::optional<Field> column;              // `column`; set for every column_* type
  ValueRange range;                         // min_value/max_value/strict_min/strict_max
  double mostly = 1.0;                      // in [0, 1]
  std::vector<std::string> text_set;        // value_set for text columns (numbers as text)
  std::vector<double> number_set;           // value_set for numeric columns
  std::string regex;                        // ECMAScript pattern, known to compile
  std::vector<double> quantiles;            // quantile_ranges.quantiles, each in [0, 1]
  std::vector<ValueRange> quantile_ranges;  // quantile_ranges.value_ranges, same length
  std::vector<Field> column_set;            // table_columns_to_match_set
  bool exact_match = true;                  // table_columns_to_match_set
  std::vector<std::pair<std::string, double>> reference;  // shares (as written, not normalized)
  double threshold = 0;                                   // maximum allowed Jensen-Shannon distance

  // The column's name, or "" for table expectations.
  std::string ColumnName() const;
};

// Validates `kwargs` for `type` and returns the typed expectation. Errors name the offending
// kwarg and what was expected, e.g. "kwarg 'mostly': expected a number in [0, 1], got \"most\"".
StatusOr<Expectation> MakeExpectation(ExpectationType type, nlohmann::json kwargs,
                                      Severity severity = Severity::kError,
                                      nlohmann::json meta = nlohmann::json::object());

struct ExpectationSuite {
  std::string name;                                // expectation_suite_name
  nlohmann::json meta = nlohmann::json::object();  // free-form (inference records its source)
  std::vector<Expectation> expectations;           // evaluated in this order
  std::string comment;                             // header comment of the YAML file; not read back
};

// Parses suite text (YAML or JSON). `source` names the file in messages, which look like
// "suite.yaml:14: expectations[2] (expect_column_values_to_be_between): missing kwarg 'column'".
// When the text has no name, `default_name` is used.
Status ParseExpectationSuite(std::string_view text, const std::string& source,
                             const std::string& default_name, ExpectationSuite* suite);
// Reads and parses a suite file; the default name is the file's stem.
Status LoadExpectationSuite(const std::filesystem::path& path, ExpectationSuite* suite);

// YAML with comments (the suite's and each expectation's `comment`), loadable by
// ParseExpectationSuite to an equivalent suite.
std::string ExpectationSuiteToYaml(const ExpectationSuite& suite);
// GE-style suite JSON: {expectation_suite_name, expectations: [{expectation_type, kwargs,
// meta}], meta}.
nlohmann::json ExpectationSuiteToJson(const ExpectationSuite& suite);
// Writes YAML, or JSON when the extension is .json, atomically.
Status WriteExpectationSuite(const std::filesystem::path& path, const ExpectationSuite& suite);

}  // namespace prodcat
