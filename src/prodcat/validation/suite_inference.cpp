#include "prodcat/validation/suite_inference.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <unordered_map>

#include "prodcat/common/version.h"
#include "prodcat/validation/hashed_value_set.h"
#include "prodcat/validation/quantile_sketch.h"
#include "prodcat/validation/record_stream.h"
#include "prodcat/validation/validator.h"

namespace prodcat {
namespace {

// Everything inference needs to know about one column, in bounded memory.
struct ColumnProfile {
  uint64_t present = 0;    // rows with a value
  QuantileSketch values;   // numeric columns: the values
  double mean = 0;         // numeric columns: running mean (Welford)
  double m2 = 0;           // numeric columns: sum of squared deviations (Welford)
  QuantileSketch lengths;  // text columns: lengths in code points
  std::unordered_map<std::string, uint64_t> categories;  // text: counts, <= max_categories + 1
  bool too_many_categories = false;                      // more distinct values than max_categories
};

bool TracksCategories(Field f) {
  return !IsNumericField(f) && f != Field::kProductId && f != Field::kTitle &&
         f != Field::kDescription;
}

size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// Rounds away from the inside of a range to `digits` significant digits: down for a lower
// bound, up for an upper one. Division by a power of ten keeps results like 0.989 exact in text.
double RoundOutward(double x, bool up, int digits = 3) {
  if (x == 0 || !std::isfinite(x)) return x;
  int exponent = static_cast<int>(std::floor(std::log10(std::abs(x)))) - (digits - 1);
  double r;
  if (exponent < 0) {
    double scale = std::pow(10.0, -exponent);
    r = (up ? std::ceil(x * scale - 1e-9) : std::floor(x * scale + 1e-9)) / scale;
  } else {
    double scale = std::pow(10.0, exponent);
    r = (up ? std::ceil(x / scale - 1e-9) : std::floor(x / scale + 1e-9)) * scale;
  }
  return r;
}

// Floors to `decimals` decimals; dividing by a power of ten keeps 0.95 from printing as
// 0.9500000000000001.
double FloorTo(double x, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::floor(x * scale + 1e-9) / scale;
}

std::string Percent(double fraction) {
  return fmt::format("{:.1f}%", 100 * fraction);
}

std::string UtcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

class SuiteBuilder {
 public:
  explicit SuiteBuilder(ExpectationSuite* suite) : suite_(suite) {}

  // Adds an expectation built from inferred values; they are valid by construction, so a failure
  // is a bug worth surfacing.
  Status Add(ExpectationType type, nlohmann::json kwargs, Severity severity, std::string comment) {
    StatusOr<Expectation> e = MakeExpectation(type, std::move(kwargs), severity);
    if (!e.ok()) {
      return Status::Internal("inferred an invalid " + std::string(ExpectationTypeName(type)) +
                              ": " + e.status().message());
    }
    e->comment = std::move(comment);
    suite_->expectations.push_back(std::move(*e));
    return Status::Ok();
  }

 private:
  ExpectationSuite* suite_;  // the suite being filled
};

struct Range {
  double lo;  // lower bound, <= hi
  double hi;  // upper bound
};

// The q .. 1-q span widened by `margin` of itself on each side, rounded outward; never below 0
// when nothing observed was negative.
Range WidenedRange(const QuantileSketch& sketch, const InferenceOptions& options) {
  std::vector<double> q = sketch.Quantiles({options.range_quantile, 1 - options.range_quantile});
  double span = q[1] - q[0];
  double pad = span > 0 ? options.range_margin * span
                        : std::max(options.range_margin * std::abs(q[0]), 1e-6);
  Range r{q[0] - pad, q[1] + pad};
  if (sketch.min() >= 0) r.lo = std::max(r.lo, 0.0);
  return {RoundOutward(r.lo, false), RoundOutward(r.hi, true)};
}

}  // namespace

Status InferSuite(RecordReader* reader, const InferenceOptions& options, ExpectationSuite* suite) {
  std::array<ColumnProfile, kNumFields> profiles;
  HashedValueSet product_ids;
  uint64_t rows = 0;
  auto profile = [&](const ProductRecord& record) {
    for (Field f : kAllFields) {
      ColumnProfile& p = profiles[static_cast<size_t>(f)];
      if (const std::string* s = record.StringField(f)) {
        if (s->empty()) continue;
        ++p.present;
        if (f == Field::kTitle) p.lengths.Add(static_cast<double>(CodePoints(*s)));
        if (f == Field::kProductId) product_ids.Insert(HashedValueSet::HashText(*s));
        if (TracksCategories(f) && !p.too_many_categories) {
          auto it = p.categories.find(*s);
          if (it != p.categories.end()) {
            ++it->second;
          } else if (p.categories.size() < options.max_categories) {
            p.categories.emplace(*s, 1);
          } else {
            p.too_many_categories = true;
            p.categories.clear();
          }
        }
      } else if (const std::optional<double>& v = *record.NumericField(f)) {
        ++p.present;
        p.values.Add(*v);
        double delta = *v - p.mean;
        p.mean += delta / static_cast<double>(p.present);
        p.m2 += delta * (*v - p.mean);
      }
    }
  };
  const bool background = dynamic_cast<MemoryRecordReader*>(reader) == nullptr;
  PRODCAT_RETURN_IF_ERROR(ForEachRecord(reader, background, profile, &rows));
  if (rows == 0) {
    return Status::InvalidArgument("suite inference: the reference data has no rows");
  }

  ExpectationSuite out;
  out.name = options.suite_name;
  out.meta = {{"inferred_from", options.data_label},
              {"rows", rows},
              {"created_by", std::string("prodcat ") + kVersion},
              {"created_at", UtcNow()}};
  out.comment = fmt::format(
      "Expectation suite inferred by prodcat from {} ({} rows).\n"
      "A proposal to review: each comment says what was observed. Severity error blocks the\n"
      "data; warning only reports. Validate with: prodcat validate --suite <this file> DATA",
      options.data_label.empty() ? "records" : options.data_label, rows);
  SuiteBuilder add(&out);
  const double n = static_cast<double>(rows);
  auto present = [&](Field f) { return reader->HasField(f); };
  using T = ExpectationType;

  for (Field f : kAllFields) {
    if (!present(f)) continue;
    const ColumnProfile& p = profiles[static_cast<size_t>(f)];
    const std::string column(FieldName(f));
    const bool key = f == Field::kTitle || f == Field::kCategory;
    PRODCAT_RETURN_IF_ERROR(add.Add(T::kColumnToExist, {{"column", column}},
                                    key ? Severity::kError : Severity::kWarning,
                                    "present in the reference data"));
    const double rate = static_cast<double>(p.present) / n;
    const std::string observed_rate =
        fmt::format("observed non-null rate {} of {} rows", Percent(rate), rows);
    if (f == Field::kTitle) {
      PRODCAT_RETURN_IF_ERROR(add.Add(T::kColumnValuesToNotBeNull, {{"column", column}},
                                      Severity::kError, "required; " + observed_rate));
    } else if (rate >= options.min_presence_for_not_null) {
      double mostly = std::clamp(FloorTo(rate - options.null_margin, 3), 0.0, 1.0);
      PRODCAT_RETURN_IF_ERROR(add.Add(T::kColumnValuesToNotBeNull,
                                      {{"column", column}, {"mostly", mostly}}, Severity::kWarning,
                                      observed_rate));
    }
  }

  if (present(Field::kProductId) && profiles[0].present > 0 &&
      product_ids.repeat_occurrences() == 0) {
    PRODCAT_RETURN_IF_ERROR(
        add.Add(T::kColumnValuesToBeUnique, {{"column", "product_id"}}, Severity::kError,
                fmt::format("all {} product ids are distinct", profiles[0].present)));
  }

  for (Field f : {Field::kPrice, Field::kRating, Field::kReviewsCount}) {
    const ColumnProfile& p = profiles[static_cast<size_t>(f)];
    if (!present(f) || p.present == 0) continue;
    const std::string column(FieldName(f));
    Range r = WidenedRange(p.values, options);
    std::vector<double> q =
        p.values.Quantiles({options.range_quantile, 0.25, 0.5, 0.75, 1 - options.range_quantile});
    PRODCAT_RETURN_IF_ERROR(add.Add(
        T::kColumnValuesToBeBetween,
        {{"column", column},
         {"min_value", r.lo},
         {"max_value", r.hi},
         {"mostly", options.range_mostly}},
        Severity::kWarning,
        fmt::format("observed min {:.6g}, {:g}% quantile {:.6g}, {:g}% quantile {:.6g}, max "
                    "{:.6g}",
                    p.values.min(), 100 * options.range_quantile, q[0],
                    100 * (1 - options.range_quantile), q[4], p.values.max())));

    double stddev = p.present > 1 ? std::sqrt(p.m2 / static_cast<double>(p.present - 1)) : 0;
    double half = std::abs(p.mean) > 1e-12 ? options.mean_margin * std::abs(p.mean)
                                           : std::max(options.mean_margin * stddev, 1e-6);
    PRODCAT_RETURN_IF_ERROR(
        add.Add(T::kColumnMeanToBeBetween,
                {{"column", column},
                 {"min_value", RoundOutward(p.mean - half, false)},
                 {"max_value", RoundOutward(p.mean + half, true)}},
                Severity::kWarning,
                fmt::format("observed mean {:.6g} (standard deviation {:.6g})", p.mean, stddev)));

    double iqr = q[3] - q[1];
    double pad = iqr > 0 ? 0.25 * iqr : std::max(0.05 * (r.hi - r.lo), 1e-6);
    nlohmann::json ranges = nlohmann::json::array();
    for (int i = 1; i <= 3; ++i) {
      double lo = q[i] - pad;
      if (p.values.min() >= 0) lo = std::max(lo, 0.0);
      ranges.push_back({RoundOutward(lo, false), RoundOutward(q[i] + pad, true)});
    }
    PRODCAT_RETURN_IF_ERROR(
        add.Add(T::kColumnQuantileValuesToBeBetween,
                {{"column", column},
                 {"quantile_ranges", {{"quantiles", {0.25, 0.5, 0.75}}, {"value_ranges", ranges}}}},
                Severity::kWarning,
                fmt::format("observed quartiles {:.6g}, {:.6g}, {:.6g}", q[1], q[2], q[3])));
  }

  for (Field f : kAllFields) {
    const ColumnProfile& p = profiles[static_cast<size_t>(f)];
    if (!TracksCategories(f) || !present(f) || p.present == 0 || p.too_many_categories) continue;
    std::vector<std::string> values;
    for (const auto& [value, count] : p.categories) values.push_back(value);
    std::sort(values.begin(), values.end());
    const bool label = f == Field::kCategory;
    nlohmann::json kwargs = {{"column", std::string(FieldName(f))}, {"value_set", values}};
    if (!label) kwargs["mostly"] = options.category_mostly;
    PRODCAT_RETURN_IF_ERROR(add.Add(T::kColumnValuesToBeInSet, std::move(kwargs),
                                    Severity::kWarning,
                                    fmt::format("{} distinct values observed", values.size())));
  }

  const ColumnProfile& title = profiles[static_cast<size_t>(Field::kTitle)];
  if (title.present > 0) {
    Range r = WidenedRange(title.lengths, options);
    PRODCAT_RETURN_IF_ERROR(add.Add(T::kColumnValueLengthsToBeBetween,
                                    {{"column", "title"},
                                     {"min_value", std::max(1.0, std::floor(r.lo))},
                                     {"max_value", std::ceil(r.hi)},
                                     {"mostly", options.range_mostly}},
                                    Severity::kWarning,
                                    fmt::format("observed title lengths {:g} to {:g} code points",
                                                title.lengths.min(), title.lengths.max())));
  }

  const ColumnProfile& label = profiles[static_cast<size_t>(Field::kCategory)];
  if (present(Field::kCategory) && label.present > 0 && !label.too_many_categories) {
    // Shares rounded to 5 decimals; the check normalizes the reference, so they need not sum
    // to exactly 1.
    std::map<std::string, double> shares;
    for (const auto& [value, count] : label.categories) {
      shares[value] =
          std::round(1e5 * static_cast<double>(count) / static_cast<double>(label.present)) / 1e5;
    }
    PRODCAT_RETURN_IF_ERROR(add.Add(
        T::kColumnDistributionToMatchReference,
        {{"column", "category"},
         {"reference", shares},
         {"threshold", options.distribution_threshold}},
        Severity::kWarning, fmt::format("label shares over {} labelled rows", label.present)));
  }
  *suite = std::move(out);
  return Status::Ok();
}

Status InferSuite(const std::vector<ProductRecord>& records, const InferenceOptions& options,
                  ExpectationSuite* suite) {
  MemoryRecordReader reader(records);
  return InferSuite(&reader, options, suite);
}

Status InferSuiteFromFile(const std::filesystem::path& path, const ReadOptions& read_options,
                          const InferenceOptions& options, ExpectationSuite* suite) {
  std::unique_ptr<RecordReader> reader;
  PRODCAT_RETURN_IF_ERROR(OpenAnyRecordReader(path, read_options, &reader));
  InferenceOptions labelled = options;
  if (labelled.data_label.empty()) labelled.data_label = path.string();
  return InferSuite(reader.get(), labelled, suite);
}

}  // namespace prodcat
