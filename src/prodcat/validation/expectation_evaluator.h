// Incremental evaluation of one expectation over a stream of records (internal to validation;
// the public entry points are in validator.h). Each evaluator sees every record once through
// Observe() and keeps only what its expectation needs: counters, at most kMaxUnexpectedSamples
// samples, a bounded quantile sketch, a capped category count, or (for uniqueness only) a set of
// 64-bit value hashes, the one structure that must grow with the number of distinct values.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "prodcat/data/record.h"
#include "prodcat/validation/expectation_suite.h"
#include "prodcat/validation/validation_result.h"

namespace prodcat {

// What is known about the data set once the stream has ended.
struct DataFacts {
  uint64_t rows = 0;                       // records read
  std::array<bool, kNumFields> present{};  // per Field: the source has this column
};

// One column of one record: missing, a number, or text.
struct ColumnValue {
  bool missing = true;    // empty string or unset number
  bool numeric = false;   // `number` is meaningful, else `text`
  double number = 0;      // the value of a numeric field
  std::string_view text;  // the value of a text field (points into the record)
};

inline ColumnValue ValueOf(const ProductRecord& record, Field field) {
  ColumnValue v;
  if (const std::string* s = record.StringField(field)) {
    v.missing = s->empty();
    v.text = *s;
  } else if (const std::optional<double>& n = *record.NumericField(field)) {
    v.missing = false;
    v.numeric = true;
    v.number = *n;
  } else {
    v.numeric = true;
  }
  return v;
}

class ExpectationEvaluator {
 public:
  explicit ExpectationEvaluator(const Expectation& expectation) : expectation_(expectation) {}
  virtual ~ExpectationEvaluator() = default;
  ExpectationEvaluator(const ExpectationEvaluator&) = delete;
  ExpectationEvaluator& operator=(const ExpectationEvaluator&) = delete;

  // False for table-level expectations that need no per-record work.
  virtual bool needs_records() const { return true; }
  virtual void Observe(const ProductRecord& record) = 0;
  // The result after the last record. A column expectation on a column the source does not have
  // fails with an exception message, like GE's "column not found".
  ExpectationResult Finish(const DataFacts& facts);

 protected:
  virtual void Evaluate(const DataFacts& facts, ExpectationResult* result) = 0;

  const Expectation& expectation_;  // owned by the suite, which outlives the evaluator
};

std::unique_ptr<ExpectationEvaluator> MakeEvaluator(const Expectation& expectation);

}  // namespace prodcat
