// Reference statistics of the training data, stored with a model so that live traffic can later
// be compared against them (drift detection). Everything is computed from the training split and
// the fitted FeatureSpec; nothing here changes the spec.
//
// JSON shape of BuildReferenceProfile (shares are fractions in [0, 1]):
// {
//   "profile_version": 1,
//   "row_count": 35311,
//   "numeric": {                       // one entry per feature below
//     "<name>": {
//       "count": 35000,                // rows with a value
//       "missing_rate": 0.009,         // rows without a value / row_count
//       "mean": 312.5, "std": 401.2,   // over present values (population std); 0 if none
//       "min": 0.99, "max": 9999.0,
//       "quantile_edges": [q0, q0.1, ..., q1.0]   // 11 edges = 10 decile bins; [] if none
//     }, ...
//   },
//     names: "price", "rating", "reviews_count" (raw values, missing when absent or not finite)
//     and every other engineered feature of the tabular view except the price/rating/reviews
//     derived ones ("title_length", "title_word_count", "title_digit_count",
//     "title_upper_ratio", "title_avg_word_length", "description_word_count", the 0/1 flags
//     such as "brand_missing" or "has_model_code" whose mean is their rate); never missing.
//   "categorical": {                   // "brand", "seller_id", "subcategory"
//     "<field>": {
//       "missing_rate": 0.1,           // rows whose NormalizeText(value) is empty
//       "distinct": 812,               // distinct non-missing values
//       "top": [{"value": "sony", "count": 120, "share": 0.0034}, ...],  // <= 50, by count desc
//       "other_share": 0.41            // present values outside "top" / present values
//     }                                // values are NormalizeText(raw); shares over present rows
//   },
//   "title_tokens": {
//     "total": 250000, "distinct": 30000,       // tokens of NormalizeText(title) (tokenizer.h)
//     "top": [{"token": "usb", "count": 900, "share": 0.0036}, ...],   // <= 1000, count desc
//     "top_share": 0.71,                        // share of all tokens covered by "top"
//     "oov_rate": 0.012,                        // see "oov_definition"
//     "oov_definition": "share of title tokens whose word unigram has no tfidf column"
//   },
//   "label_distribution": [{"class": "Books", "count": 800, "share": 0.1}, ...]  // training
//                                      // labels by name; absent in bundles before 2026-11-22
// }
// AddPredictionProfile adds:
//   "predictions": {
//     "count": 7000,                   // predictions profiled
//     "class_distribution": [{"class": "Mobile Phones", "count": 700, "share": 0.1}, ...],
//                                      // every class in class-id order
//     "invalid_class_count": 0,        // predicted ids outside [0, class_names.size())
//     "mean_confidence": 0.93,
//     "confidence_histogram": {"edges": [0, 0.1, ..., 1.0], "counts": [10 ints],
//                              "shares": [10 numbers]}   // bin i = [i/10, (i+1)/10), 1.0 in bin 9
//   }
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/data/record.h"
#include "prodcat/features/feature_spec.h"

namespace prodcat {

inline constexpr int kReferenceProfileVersion = 1;
inline constexpr size_t kProfileTopCategories = 50;
inline constexpr size_t kProfileTopTokens = 1000;
inline constexpr int kProfileQuantileBins = 10;

nlohmann::json BuildReferenceProfile(const std::vector<ProductRecord>& train,
                                     const FeatureSpec& spec);

// Adds "predictions" to *profile. `predicted` and `confidence` are parallel; if their sizes
// differ only the common prefix is used.
void AddPredictionProfile(const std::vector<int>& predicted, const std::vector<float>& confidence,
                          const std::vector<std::string>& class_names, nlohmann::json* profile);

// The numeric summary used above, exposed for the drift module: count, missing_rate (against
// `rows`), mean, std, min, max, quantile_edges.
nlohmann::json NumericSummary(std::vector<double> present_values, size_t rows);

}  // namespace prodcat
