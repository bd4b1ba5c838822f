// MLflow's search filter language: clauses joined by AND, each `<identifier> <comparator>
// <value>`. Identifiers are `metrics.KEY`, `params.KEY`, `tags.KEY`, `attributes.NAME` (or a bare
// NAME), `datasets.NAME`; a key with spaces or symbols is quoted with backticks or double quotes
// (tags.`my key`). Comparators: = != > >= < <= LIKE ILIKE IN, NOT IN, IS NULL, IS NOT NULL.
// Values: numbers, 'single' or "double" quoted strings, ('a', 'b') lists for IN.
//   metrics.f1 > 0.8 and params.model = 'x' and tags.`k` = 'v' and attributes.status = 'FINISHED'
// ParseFilter checks what does not depend on the searched entity (metrics compare numbers,
// params and tags compare strings); the SQL translation checks attribute names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat::tracking {

enum class FilterEntity { kMetric, kParam, kTag, kAttribute, kDataset };
const char* FilterEntityName(FilterEntity entity);  // "metrics", "params", ...

enum class Comparator {
  kEq,
  kNe,
  kGt,
  kGe,
  kLt,
  kLe,
  kLike,
  kILike,
  kIn,
  kNotIn,
  kIsNull,
  kIsNotNull
};
const char* ComparatorText(Comparator op);  // "=", "LIKE", "NOT IN", ...
bool IsNumericComparator(Comparator op);    // = != > >= < <=

struct FilterValue {
  bool is_number = false;
  double number = 0;  // when is_number
  std::string text;   // the string's contents, or the number as written
};

struct FilterClause {
  FilterEntity entity = FilterEntity::kAttribute;
  std::string key;
  Comparator op = Comparator::kEq;
  std::vector<FilterValue> values;  // one for binary comparators, 1+ for IN, none for IS NULL
};

// Parses a whole filter; an empty or blank filter gives no clauses. Errors name the position and
// what was expected, e.g. "Invalid filter 'metrics.f1 >': expected a value after '>' at ...".
Status ParseFilter(std::string_view filter, std::vector<FilterClause>* clauses);

struct OrderByClause {
  FilterEntity entity = FilterEntity::kAttribute;
  std::string key;
  bool ascending = true;
};

// "metrics.f1 DESC", "attributes.start_time", "tags.`release date` ASC".
Status ParseOrderBy(std::string_view text, OrderByClause* clause);

}  // namespace prodcat::tracking
