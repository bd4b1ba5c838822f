// Suite inference: profile a reference dataset in one streaming pass and propose an expectation
// suite for future batches (the `prodcat suite infer` command). The proposal is a starting point
// to review: ExpectationSuiteToYaml writes it with a comment on every expectation saying what was
// observed.
//
// What is proposed (severity `error` only where a violation makes the data unusable):
//   - every present column exists (error for title and category, warning otherwise);
//   - title not null (error); other columns present in at least min_presence_for_not_null of
//     the rows: not null with mostly = observed non-null rate - null_margin (warning);
//   - product_id unique, when it is in the reference (error);
//   - numeric columns: values between the range_quantile and 1 - range_quantile quantiles,
//     widened by range_margin of that span on each side and not below 0 when no value was
//     negative, with mostly = range_mostly; the mean within mean_margin (relative); the
//     quartiles within a quarter of the interquartile range (all warnings);
//   - text columns other than product_id/title/description with at most max_categories distinct
//     values: values in the observed set (category: mostly 1, others: category_mostly);
//   - title length (code points) between its extreme quantiles, widened like numeric ranges;
//   - the category distribution matches the observed shares (Jensen-Shannon distance at most
//     distribution_threshold).
// Bounds are rounded outward to 3 significant digits so the file stays readable.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/validation/expectation_suite.h"

namespace prodcat {

struct InferenceOptions {
  std::string suite_name = "products";     // expectation_suite_name of the proposal
  std::string data_label;                  // recorded as meta.inferred_from
  double null_margin = 0.02;               // slack below the observed non-null rate
  double min_presence_for_not_null = 0.5;  // propose not-null only for mostly-present columns
  double range_quantile = 0.001;           // ranges span the q .. 1-q quantiles ...
  double range_margin = 0.1;               // ... widened by this share of the span, each side
  double range_mostly = 0.99;              // share of values that must fall in a range
  double mean_margin = 0.1;                // mean range: observed mean +- this share of |mean|
  size_t max_categories = 200;             // value sets only for columns this small
  double category_mostly = 0.95;           // for value sets other than the label's
  double distribution_threshold = 0.1;     // max JS distance of the label distribution
};

// Profiles every remaining record of `reader` (memory bounded except product_id uniqueness,
// 16-32 bytes per id) and fills *suite. An empty input is an error: there is nothing to infer from.
Status InferSuite(RecordReader* reader, const InferenceOptions& options, ExpectationSuite* suite);
Status InferSuite(const std::vector<ProductRecord>& records, const InferenceOptions& options,
                  ExpectationSuite* suite);
// Opens `path` by extension (including .avro); data_label defaults to the path.
Status InferSuiteFromFile(const std::filesystem::path& path, const ReadOptions& read_options,
                          const InferenceOptions& options, ExpectationSuite* suite);

}  // namespace prodcat
