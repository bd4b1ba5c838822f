#include "prodcat/validation/expectation_evaluator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "prodcat/validation/hashed_value_set.h"
#include "prodcat/validation/js_distance.h"
#include "prodcat/validation/quantile_sketch.h"
#include "prodcat/validation/yaml_json.h"

namespace prodcat {
namespace {

// Distinct categories counted exactly by the distribution check; rarer ones beyond this many are
// pooled, which keeps memory bounded on a column that is not categorical after all.
constexpr size_t kMaxDistributionCategories = 10000;
constexpr std::string_view kOtherCategory = "(other)";

nlohmann::json ValueJson(const ColumnValue& v) {
  if (v.missing) return nullptr;
  if (v.numeric) return v.number;
  return std::string(v.text);
}

// Unicode code points in UTF-8 text (the readers guarantee valid UTF-8): every byte that is not a
// continuation byte starts one.
size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// Text heterogeneous lookup, so string_views from records need no copy.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// ---------------------------------------------------------------------------------------------
// Per-value expectations: count, sample, apply `mostly`.

class PerValueEvaluator : public ExpectationEvaluator {
 public:
  explicit PerValueEvaluator(const Expectation& e) : ExpectationEvaluator(e), field_(*e.column) {}

  void Observe(const ProductRecord& record) final {
    ++rows_;
    ColumnValue v = ValueOf(record, field_);
    if (v.missing) {
      ++missing_;
      if (nulls_are_unexpected_) Unexpected(v, record.source_line);
      return;
    }
    if (!Passes(v)) Unexpected(v, record.source_line);
  }

 protected:
  virtual bool Passes(const ColumnValue& v) = 0;
  // Lets a subclass count differently at the end (uniqueness counts first occurrences too).
  virtual uint64_t UnexpectedCount() const { return unexpected_; }

  void Evaluate(const DataFacts&, ExpectationResult* r) override {
    r->per_value = true;
    r->element_count = rows_;
    r->missing_count = nulls_are_unexpected_ ? 0 : missing_;
    r->unexpected_count = UnexpectedCount();
    r->partial_unexpected_list = std::move(samples_);
    r->partial_unexpected_index_list = std::move(sample_rows_);
    uint64_t base = r->element_count - r->missing_count;
    if (base == 0) {
      r->success = true;  // nothing to check: vacuously true, as in GE
    } else {
      double passing = static_cast<double>(base - std::min(base, r->unexpected_count));
      r->success = passing >= expectation_.mostly * static_cast<double>(base) - 1e-9;
    }
  }

  void Unexpected(const ColumnValue& v, size_t row) {
    ++unexpected_;
    if (samples_.size() < kMaxUnexpectedSamples) {
      samples_.push_back(ValueJson(v));
      sample_rows_.push_back(row);
    }
  }

  const Field field_;                    // the column checked
  bool nulls_are_unexpected_ = false;    // column_values_to_not_be_null
  uint64_t rows_ = 0;                    // records observed
  uint64_t missing_ = 0;                 // of which the column was missing
  uint64_t unexpected_ = 0;              // values that failed Passes (or nulls, see above)
  std::vector<nlohmann::json> samples_;  // first unexpected values
  std::vector<uint64_t> sample_rows_;    // their source rows
};

class NotNullEvaluator : public PerValueEvaluator {
 public:
  explicit NotNullEvaluator(const Expectation& e) : PerValueEvaluator(e) {
    nulls_are_unexpected_ = true;
  }

 protected:
  bool Passes(const ColumnValue&) override { return true; }
};

class UniqueEvaluator : public PerValueEvaluator {
 public:
  using PerValueEvaluator::PerValueEvaluator;

 protected:
  bool Passes(const ColumnValue& v) override {
    return seen_.Insert(v.numeric ? HashedValueSet::HashNumber(v.number)
                                  : HashedValueSet::HashText(v.text));
  }
  // GE counts every member of a duplicated group; the stream only flags the repeats, so the
  // first occurrence of each repeated value is added here (samples show repeats only).
  uint64_t UnexpectedCount() const override {
    return seen_.repeat_occurrences() + seen_.repeated_values();
  }

 private:
  HashedValueSet seen_;  // hashes of the values seen so far
};

class BetweenEvaluator : public PerValueEvaluator {
 public:
  using PerValueEvaluator::PerValueEvaluator;

 protected:
  bool Passes(const ColumnValue& v) override { return expectation_.range.Contains(v.number); }
};

class InSetEvaluator : public PerValueEvaluator {
 public:
  explicit InSetEvaluator(const Expectation& e) : PerValueEvaluator(e) {
    for (const std::string& s : e.text_set) text_set_.insert(s);
    for (double d : e.number_set) number_set_.insert(d == 0 ? 0.0 : d);
  }

 protected:
  bool Passes(const ColumnValue& v) override {
    if (v.numeric) return number_set_.count(v.number == 0 ? 0.0 : v.number) > 0;
    return text_set_.find(v.text) != text_set_.end();
  }

 private:
  std::unordered_set<std::string, TextHash, std::equal_to<>> text_set_;  // for text columns
  std::set<double> number_set_;                                          // for numeric columns
};

class RegexEvaluator : public PerValueEvaluator {
 public:
  explicit RegexEvaluator(const Expectation& e)
      : PerValueEvaluator(e), regex_(e.regex, std::regex::ECMAScript | std::regex::optimize) {}

 protected:
  bool Passes(const ColumnValue& v) override {
    try {
      return std::regex_search(v.text.begin(), v.text.end(), regex_);
    } catch (const std::regex_error&) {
      // std::regex gives up on pathological backtracking (error_complexity/error_stack): the
      // value cannot be shown to match, so it counts as unexpected and is reported.
      ++regex_errors_;
      return false;
    }
  }
  void Evaluate(const DataFacts& facts, ExpectationResult* r) override {
    PerValueEvaluator::Evaluate(facts, r);
    if (regex_errors_ > 0) r->details = {{"values_too_complex_to_match", regex_errors_}};
  }

 private:
  std::regex regex_;           // compiled once; MakeExpectation checked that it compiles
  uint64_t regex_errors_ = 0;  // values std::regex could not decide
};

class LengthEvaluator : public PerValueEvaluator {
 public:
  using PerValueEvaluator::PerValueEvaluator;

 protected:
  bool Passes(const ColumnValue& v) override {
    return expectation_.range.Contains(static_cast<double>(CodePoints(v.text)));
  }
};

// ---------------------------------------------------------------------------------------------
// Aggregate column expectations.

class ColumnAggregateEvaluator : public ExpectationEvaluator {
 public:
  explicit ColumnAggregateEvaluator(const Expectation& e)
      : ExpectationEvaluator(e), field_(*e.column) {}

  void Observe(const ProductRecord& record) final {
    ++rows_;
    ColumnValue v = ValueOf(record, field_);
    if (v.missing) {
      ++missing_;
      return;
    }
    Add(v);
  }

 protected:
  virtual void Add(const ColumnValue& v) = 0;

  void Evaluate(const DataFacts&, ExpectationResult* r) override {
    r->element_count = rows_;
    r->missing_count = missing_;
    Aggregate(r);
  }
  virtual void Aggregate(ExpectationResult* r) = 0;
  uint64_t present() const { return rows_ - missing_; }

  const Field field_;     // the column aggregated
  uint64_t rows_ = 0;     // records observed
  uint64_t missing_ = 0;  // of which the column was missing
};

class MeanEvaluator : public ColumnAggregateEvaluator {
 public:
  using ColumnAggregateEvaluator::ColumnAggregateEvaluator;

 protected:
  void Add(const ColumnValue& v) override {
    // Neumaier summation: a million prices sum without visible rounding drift.
    double t = sum_ + v.number;
    compensation_ +=
        std::abs(sum_) >= std::abs(v.number) ? (sum_ - t) + v.number : (v.number - t) + sum_;
    sum_ = t;
  }
  void Aggregate(ExpectationResult* r) override {
    if (present() == 0) {
      r->success = false;  // no mean to compare
      return;
    }
    double mean = (sum_ + compensation_) / static_cast<double>(present());
    r->observed_value = mean;
    r->success = expectation_.range.Contains(mean);
  }

 private:
  double sum_ = 0;           // running sum
  double compensation_ = 0;  // lost low-order bits of sum_
};

class QuantileEvaluator : public ColumnAggregateEvaluator {
 public:
  using ColumnAggregateEvaluator::ColumnAggregateEvaluator;

 protected:
  void Add(const ColumnValue& v) override { sketch_.Add(v.number); }
  void Aggregate(ExpectationResult* r) override {
    if (sketch_.empty()) {
      r->success = false;
      return;
    }
    std::vector<double> values = sketch_.Quantiles(expectation_.quantiles);
    r->success = true;
    for (size_t i = 0; i < values.size(); ++i) {
      r->success &= expectation_.quantile_ranges[i].Contains(values[i]);
    }
    r->observed_value = {{"quantiles", expectation_.quantiles}, {"values", values}};
    r->details = {{"exact", sketch_.exact()}, {"sketch_k", QuantileSketch::kDefaultK}};
  }

 private:
  QuantileSketch sketch_;  // bounded memory; exact for small columns
};

class ProportionUniqueEvaluator : public ColumnAggregateEvaluator {
 public:
  using ColumnAggregateEvaluator::ColumnAggregateEvaluator;

 protected:
  void Add(const ColumnValue& v) override {
    seen_.Insert(v.numeric ? HashedValueSet::HashNumber(v.number)
                           : HashedValueSet::HashText(v.text));
  }
  void Aggregate(ExpectationResult* r) override {
    if (present() == 0) {
      r->success = false;
      return;
    }
    double proportion = static_cast<double>(seen_.distinct()) / static_cast<double>(present());
    r->observed_value = proportion;
    r->details = {{"distinct_values", seen_.distinct()}};
    r->success = expectation_.range.Contains(proportion);
  }

 private:
  HashedValueSet seen_;  // hashes of the distinct values
};

class DistributionEvaluator : public ColumnAggregateEvaluator {
 public:
  using ColumnAggregateEvaluator::ColumnAggregateEvaluator;

 protected:
  void Add(const ColumnValue& v) override {
    std::string_view key = v.text;
    std::string number;
    if (v.numeric) {
      number = NumberText(v.number);
      key = number;
    }
    auto it = counts_.find(key);
    if (it != counts_.end()) {
      ++it->second;
    } else if (counts_.size() < kMaxDistributionCategories) {
      counts_.emplace(std::string(key), 1);
    } else {
      ++pooled_;
    }
  }

  void Aggregate(ExpectationResult* r) override {
    if (present() == 0) {
      r->success = false;
      return;
    }
    std::map<std::string, double> observed, reference;
    for (const auto& [value, count] : counts_) observed[value] = static_cast<double>(count);
    if (pooled_ > 0) observed[std::string(kOtherCategory)] += static_cast<double>(pooled_);
    double reference_total = 0;
    for (const auto& [value, share] : expectation_.reference) reference_total += share;
    for (const auto& [value, share] : expectation_.reference) {
      reference[value] += share / reference_total;
    }
    double distance = CategoricalJensenShannonDistance(observed, reference);
    r->observed_value = distance;
    r->success = distance <= expectation_.threshold;
    // The observed shares of the reference's values and of the most common other values.
    std::vector<std::pair<double, std::string>> others;
    nlohmann::json shares = nlohmann::json::object();
    const double total = static_cast<double>(present());
    for (const auto& [value, count] : observed) {
      if (reference.count(value)) {
        shares[value] = count / total;
      } else {
        others.emplace_back(count, value);
      }
    }
    std::sort(others.rbegin(), others.rend());
    for (size_t i = 0; i < others.size() && i < 20; ++i) {
      shares[others[i].second] = others[i].first / total;
    }
    r->details = {{"observed_shares", shares},
                  {"reference_shares", reference},
                  {"values_not_in_reference", others.size()}};
  }

 private:
  std::unordered_map<std::string, uint64_t, TextHash, std::equal_to<>> counts_;  // per value
  uint64_t pooled_ = 0;  // values beyond kMaxDistributionCategories distinct ones
};

// ---------------------------------------------------------------------------------------------
// Table-level expectations, decided from DataFacts alone.

class TableEvaluator : public ExpectationEvaluator {
 public:
  using ExpectationEvaluator::ExpectationEvaluator;
  bool needs_records() const override { return false; }
  void Observe(const ProductRecord&) override {}
};

class ColumnExistsEvaluator : public TableEvaluator {
 public:
  using TableEvaluator::TableEvaluator;

 protected:
  void Evaluate(const DataFacts& facts, ExpectationResult* r) override {
    r->success = facts.present[static_cast<size_t>(*expectation_.column)];
    r->observed_value = r->success;
  }
};

class ColumnSetEvaluator : public TableEvaluator {
 public:
  using TableEvaluator::TableEvaluator;

 protected:
  void Evaluate(const DataFacts& facts, ExpectationResult* r) override {
    std::vector<std::string> observed, missing, unexpected;
    for (Field f : kAllFields) {
      bool expected = std::find(expectation_.column_set.begin(), expectation_.column_set.end(),
                                f) != expectation_.column_set.end();
      bool present = facts.present[static_cast<size_t>(f)];
      if (present) observed.emplace_back(FieldName(f));
      if (expected && !present) missing.emplace_back(FieldName(f));
      if (!expected && present) unexpected.emplace_back(FieldName(f));
    }
    r->observed_value = observed;
    r->details = {{"mismatched", {{"missing", missing}, {"unexpected", unexpected}}}};
    r->success = missing.empty() && (!expectation_.exact_match || unexpected.empty());
  }
};

class RowCountEvaluator : public TableEvaluator {
 public:
  using TableEvaluator::TableEvaluator;

 protected:
  void Evaluate(const DataFacts& facts, ExpectationResult* r) override {
    r->observed_value = facts.rows;
    r->success = expectation_.range.Contains(static_cast<double>(facts.rows));
  }
};

}  // namespace

ExpectationResult ExpectationEvaluator::Finish(const DataFacts& facts) {
  ExpectationResult r;
  r.expectation = expectation_;
  r.per_value = IsPerValueExpectation(expectation_.type);
  bool column_check = expectation_.column && expectation_.type != ExpectationType::kColumnToExist;
  if (column_check && !facts.present[static_cast<size_t>(*expectation_.column)]) {
    r.success = false;
    r.element_count = facts.rows;
    r.exception_message = "column '" + expectation_.ColumnName() + "' is not in the data";
    return r;
  }
  Evaluate(facts, &r);
  return r;
}

std::unique_ptr<ExpectationEvaluator> MakeEvaluator(const Expectation& e) {
  using T = ExpectationType;
  switch (e.type) {
    case T::kColumnToExist: return std::make_unique<ColumnExistsEvaluator>(e);
    case T::kTableColumnsToMatchSet: return std::make_unique<ColumnSetEvaluator>(e);
    case T::kTableRowCountToBeBetween: return std::make_unique<RowCountEvaluator>(e);
    case T::kColumnValuesToNotBeNull: return std::make_unique<NotNullEvaluator>(e);
    case T::kColumnValuesToBeUnique: return std::make_unique<UniqueEvaluator>(e);
    case T::kColumnValuesToBeBetween: return std::make_unique<BetweenEvaluator>(e);
    case T::kColumnValuesToBeInSet: return std::make_unique<InSetEvaluator>(e);
    case T::kColumnValuesToMatchRegex: return std::make_unique<RegexEvaluator>(e);
    case T::kColumnValueLengthsToBeBetween: return std::make_unique<LengthEvaluator>(e);
    case T::kColumnMeanToBeBetween: return std::make_unique<MeanEvaluator>(e);
    case T::kColumnQuantileValuesToBeBetween: return std::make_unique<QuantileEvaluator>(e);
    case T::kColumnProportionOfUniqueValuesToBeBetween:
      return std::make_unique<ProportionUniqueEvaluator>(e);
    case T::kColumnDistributionToMatchReference: return std::make_unique<DistributionEvaluator>(e);
  }
  return nullptr;
}

}  // namespace prodcat
