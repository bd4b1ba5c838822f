// The outcome of validating a dataset against an expectation suite, shaped like Great
// Expectations' validation result so GE-aware tooling and people can read it:
//
//   {"success": false,
//    "statistics": {"evaluated_expectations": 12, "successful_expectations": 11,
//                   "unsuccessful_expectations": 1, "success_percent": 91.67},
//    "results": [{"expectation_config": {"expectation_type": "expect_...", "kwargs": {...},
//                                        "meta": {"severity": "error"}},
//                 "success": true,
//                 "result": {"element_count": 1000, "missing_count": 3, "missing_percent": 0.3,
//                            "unexpected_count": 2, "unexpected_percent": 0.2006,
//                            "unexpected_percent_total": 0.2,
//                            "unexpected_percent_nonmissing": 0.2006,
//                            "partial_unexpected_list": [-4.0, 1e9],
//                            "partial_unexpected_index_list": [17, 803]},
//                 "exception_info": {"raised_exception": false, ...}}, ...],
//    "meta": {"data_path": "...", "suite_name": "...", "run_time": "2024-05-01T12:00:00Z",
//             "rows": 1000, "rows_skipped": 0, "elapsed_seconds": 0.21}}
//
// Percentages follow GE: unexpected_percent is relative to non-missing values (the base of
// `mostly`), unexpected_percent_total to all rows. Per-value expectations report counts and
// samples; aggregate ones report observed_value (plus "details" where useful: quantile values,
// the observed distribution). For column_values_to_not_be_null the missing values are the
// unexpected ones, so its missing_count is 0. Index lists hold ProductRecord::source_line (the
// file line for CSV/JSONL, the record number for Avro).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/validation/expectation_suite.h"

namespace prodcat {

// At most this many unexpected values (with their rows) are kept per expectation.
inline constexpr size_t kMaxUnexpectedSamples = 20;

struct ExpectationResult {
  Expectation expectation;        // the configuration that was evaluated
  bool success = false;           // the expectation holds
  nlohmann::json observed_value;  // aggregate result; null for per-value expectations
  nlohmann::json details;         // extra facts for aggregates (null when none)
  bool per_value = false;         // the counts below apply
  uint64_t element_count = 0;     // rows seen
  uint64_t missing_count = 0;     // rows where the column is missing (empty or null)
  uint64_t unexpected_count = 0;  // non-missing values that fail
  std::vector<nlohmann::json> partial_unexpected_list;  // first failing values (<= 20)
  std::vector<uint64_t> partial_unexpected_index_list;  // their source rows, same order
  std::string exception_message;  // non-empty when it could not be evaluated (column absent)

  // unexpected / non-missing * 100, or null-equivalent NaN when there are no non-missing values.
  double UnexpectedPercent() const;
  nlohmann::json ToJson() const;
};

struct ValidationResult {
  bool success = true;                     // every expectation holds
  std::vector<ExpectationResult> results;  // in suite order
  std::string data_path;                   // what was validated (for the report)
  std::string suite_name;                  // ExpectationSuite::name
  std::string run_time;                    // ISO 8601 UTC start time
  uint64_t rows = 0;                       // records validated
  uint64_t rows_skipped = 0;               // bad rows the reader skipped (OnError::kSkip)
  double elapsed_seconds = 0;              // wall time of the validation pass

  size_t evaluated() const { return results.size(); }
  size_t successful() const;
  // True when an expectation of severity `error` failed: the data must not be used.
  bool HasBlockingFailure() const;
  // GE-shaped JSON (see the file comment).
  nlohmann::json ToJson() const;
  // Human-readable report: one line per expectation (status, severity, type, column, observed,
  // unexpected %) and a summary line.
  std::string RenderTable() const;
};

}  // namespace prodcat
