// The dense block of named engineered features at the start of the tabular view, and the
// training statistics (imputation values, price bin edges) they depend on. The statistics are
// fitted on the training split only and stored; transforming never recomputes them.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "prodcat/data/record.h"
#include "prodcat/features/record_analysis.h"

namespace prodcat {

// Column order of the dense block. Append only: reordering changes every stored model.
enum EngineeredFeature : int {
  kFeatPrice,                 // price, training median when missing
  kFeatLogPrice,              // log(1 + max(price, 0)) of the imputed price
  kFeatPriceMissing,          // 1 when price is missing (or not finite)
  kFeatPriceRange,            // quantile bin 0..price_bins-1 of the imputed price
  kFeatRating,                // rating, training median when missing
  kFeatRatingMissing,         // 1 when rating is missing
  kFeatReviewsCount,          // reviews count, training median when missing
  kFeatLogReviewsCount,       // log(1 + max(reviews, 0)) of the imputed count
  kFeatReviewsMissing,        // 1 when reviews count is missing
  kFeatTitleLength,           // code points of the normalized title
  kFeatTitleWordCount,        // tokens of the title
  kFeatTitleDigitCount,       // digits of the normalized title
  kFeatTitleUpperRatio,       // upper-case letters / letters of the RAW title (0 if no letters)
  kFeatTitleAvgWordLength,    // mean token length in code points (0 if no tokens)
  kFeatBrandMissing,          // 1 when brand is empty after normalization
  kFeatSellerMissing,         // 1 when seller_id is empty after normalization
  kFeatSubcategoryMissing,    // 1 when subcategory is empty after normalization
  kFeatHasDescription,        // 1 when the description has at least one token
  kFeatDescriptionWordCount,  // tokens of the description
  kFeatBrandInTitle,          // 1 when the brand's tokens appear consecutively in the title
  kFeatHasNumberWithUnit,     // "64gb", "500 ml", "10cm", "2.5kg" ...
  kFeatHasPackOrSet,          // "pack", "set", "3-pack", "2x", "12pcs", "bundle" ...
  kFeatHasSizeToken,          // "xl", "xxl", "small", "medium", "large", "size" ...
  kFeatHasModelCode,          // a token of >= 3 characters mixing letters and digits that is
                              // not a number with unit ("mq8n2b/a", "wh1000xm4")
  kNumEngineeredFeatures,
};

inline constexpr std::array<std::string_view, kNumEngineeredFeatures> kEngineeredFeatureNames = {
    "price",
    "log_price",
    "price_missing",
    "price_range",
    "rating",
    "rating_missing",
    "reviews_count",
    "log_reviews_count",
    "reviews_missing",
    "title_length",
    "title_word_count",
    "title_digit_count",
    "title_upper_ratio",
    "title_avg_word_length",
    "brand_missing",
    "seller_missing",
    "subcategory_missing",
    "has_description",
    "description_word_count",
    "brand_in_title",
    "has_number_with_unit",
    "has_pack_or_set",
    "has_size_token",
    "has_model_code",
};

// Statistics of the training split the dense block depends on.
struct NumericStats {
  double price_median = 0;              // imputation value; 0 when no training price was present
  double rating_median = 0;             // imputation value; 0 when no training rating was present
  double reviews_count_median = 0;      // imputation value; 0 when no training count was present
  std::vector<double> price_bin_edges;  // price_bins - 1 ascending inner edges
};

// Fits the statistics on `train` (non-finite values count as missing).
NumericStats FitNumericStats(const std::vector<ProductRecord>& train, int price_bins);

// Quantile q in [0, 1] of ascending `sorted` with linear interpolation (numpy's default);
// 0 for an empty vector.
double Quantile(const std::vector<double>& sorted, double q);

// The value if present and finite.
std::optional<double> FiniteValue(const std::optional<double>& v);

// Bin index in [0, edges.size()]: the number of edges <= value.
int PriceBin(double price, const std::vector<double>& edges);

// Writes the kNumEngineeredFeatures values of `record` (analyzed as `a`) into out[].
void ComputeEngineeredFeatures(const ProductRecord& record, const AnalyzedRecord& a,
                               const NumericStats& stats, float* out);

// Upper-case letters / letters of raw UTF-8 text (0 when it has no letters).
double UpperCaseRatio(std::string_view raw);

// Keyword predicates on single normalized tokens (exposed for tests and the reference profile).
bool IsNumberWithUnit(std::string_view token);
bool IsUnitWord(std::string_view token);
bool IsNumber(std::string_view token);
bool IsPackOrSetToken(std::string_view token);
bool IsSizeToken(std::string_view token);
bool IsModelCode(std::string_view token);

}  // namespace prodcat
