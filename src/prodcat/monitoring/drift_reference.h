// DriftReference: what live traffic is compared with, built once from a model bundle's
// reference_profile.json (see features/reference_profile.h for its shape) and the bundle's
// FeatureSpec. It turns a raw record into an Observation (the bin / bucket of every monitored
// feature) with the features module's own code: AnalyzeRecord, ComputeEngineeredFeatures,
// NormalizeText and the tokenizer, and TfidfVocabulary for out-of-vocabulary tokens, so a
// request is measured exactly as the training rows were profiled.
//
// Numeric features. The profile keeps deciles (11 quantile edges q_0..q_10), mean, min, max and
// the missing rate. Bins come from the edges:
//   continuous feature  cuts c_0 < ... < c_m at the distinct edges; bins (-inf, c_0),
//                       [c_0, c_1), ..., [c_m-1, c_m] (the maximum closed in), (c_m, +inf): the
//                       outer two hold no reference mass (below min, above max); a value
//                       exactly on an inner cut counts half in each neighbouring bin
//   lattice feature     every edge a multiple of a step h in {1, 0.1, 0.01} (counts, lengths,
//                       ratings, prices in cents): cuts at d + h/2 for each distinct edge d, plus
//                       q_0 - h/2, so an atom (a repeated value) falls wholly into one bin
// plus a "missing" bin. Reference shares of the bins:
//   exact          when the profile has "drift_bins" (AddDriftBins: the reference rows counted
//                  into these very bins): counts / rows
//   reconstructed  otherwise, from the piecewise-linear CDF through the knots (q_k, k/10)
//                  (PiecewiseLinearCdf), read at the cuts (for a lattice feature at the
//                  half-steps: a continuity correction); a 0/1 flag (edges in {0, 1}) uses the
//                  exact two-point CDF from its mean. Deciles cannot say how much of a repeated
//                  value lies on either side of a decile, so for discrete features these shares
//                  are estimates (measured bias in docs/drift.md).
// Shares of present bins are scaled by (1 - missing rate); the missing bin holds the rate.
//
// Categorical fields (brand, seller_id, subcategory): buckets for the top `categorical_top_k`
// reference values, "other" and "missing". Title tokens: buckets for the top `title_token_top_k`
// tokens and "other"; the out-of-vocabulary count uses the FeatureSpec's tfidf vocabulary like
// the profile's "oov_rate". Predictions: class ids and a 10-bin confidence histogram, compared
// with the profile's "predictions" section when it has one.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/features/feature_spec.h"
#include "prodcat/features/tfidf_vocabulary.h"
#include "prodcat/monitoring/drift_options.h"
#include "prodcat/monitoring/drift_statistics.h"

namespace prodcat::monitoring {

inline constexpr int kConfidenceBins = 10;  // [i/10, (i+1)/10), 1.0 in the last bin
// Numeric bin counters count half observations, so that a value lying exactly on an inner cut
// of a continuous feature can count half in each neighbouring bin: the profile's deciles do not
// say on which side of a decile a repeated value lies.
inline constexpr uint64_t kNumericCountScale = 2;
// Set in Observation::numeric_bins when the value lies on the cut below bin (b & ~kSplitBin).
inline constexpr uint8_t kSplitBin = 0x80;
inline constexpr size_t kCategoricalFields = 3;
inline constexpr std::array<Field, kCategoricalFields> kMonitoredCategoricalFields = {
    Field::kBrand, Field::kSellerId, Field::kSubcategory};

// What one request contributes to a window. Buffers are reused between calls.
struct Observation {
  std::vector<uint8_t>
      numeric_bins;  // per numeric feature: bin index (| kSplitBin); last = missing
  std::vector<float> numeric_values;  // per numeric feature: the value, NaN when missing
  std::array<uint16_t, kCategoricalFields> categorical_buckets{};  // top index, other, missing
  std::vector<uint16_t> token_buckets;  // per title token: top-token index or "other"
  uint32_t oov_tokens = 0;              // title tokens without a tfidf column
  int predicted_class = -1;             // -1: no prediction observed
  float confidence = 0;                 // top probability; meaningful when predicted_class >= 0
};

struct NumericFeatureReference {
  enum class Source { kRawField, kEngineered };
  std::string name;                      // profile name ("price", "title_word_count", ...)
  Source source = Source::kRawField;     // raw field (may be missing) or engineered (never)
  Field field = Field::kPrice;           // the raw field when source == kRawField
  int engineered_index = -1;             // EngineeredFeature index when source == kEngineered
  PiecewiseLinearCdf cdf;                // reference CDF of present values; empty if none present
  double lattice_step = 0;               // > 0: values on this lattice (continuity correction)
  bool binary = false;                   // a 0/1 flag: cdf is the exact two-point CDF
  std::vector<double> cuts;              // ascending; bin boundaries (rules above)
  std::vector<double> reference_shares;  // per bin: the present bins, then missing (rows)
  bool exact_bins = false;               // shares counted from the reference rows
  double reference_mean = 0;             // over present values
  double reference_missing_rate = 0;     // missing rows / rows
  double reference_min = 0;              // smallest present value (0 if none)
  double reference_max = 0;              // largest present value (0 if none)
  size_t offset = 0;                     // first counter of this feature in DriftCounts::counts

  size_t bins() const { return reference_shares.size(); }  // including the missing bin
  size_t missing_bin() const { return reference_shares.size() - 1; }
  // Continuous features: bins between the lowest and the highest cut (at least 1).
  size_t interior_bins() const { return cuts.size() > 1 ? cuts.size() - 1 : 1; }
  // Bin of a present value, with kSplitBin set when it lies exactly on an inner cut (then it
  // belongs half to that bin and half to the one below). Less than 128 bins.
  uint8_t BinOf(double value) const;
  // Reference P(bin <= b | present): the CDF at the upper boundary of bin b.
  double ReferencePresentShareThrough(size_t bin) const;
};

struct CategoricalFeatureReference {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::string name;                 // FieldName(field)
  Field field = Field::kBrand;      // the record field
  std::vector<std::string> values;  // bucket -> top value (normalized), top first
  std::unordered_map<std::string, uint16_t, Hash, std::equal_to<>> index;  // value -> bucket
  std::vector<double> reference_shares;  // values.size() tops, then other, then missing (rows)
  size_t offset = 0;                     // first counter in DriftCounts::counts

  size_t other_bucket() const { return values.size(); }
  size_t missing_bucket() const { return values.size() + 1; }
};

struct TitleTokenReference {
  std::vector<std::string> tokens;  // bucket -> top token, top first
  std::unordered_map<std::string, uint16_t, CategoricalFeatureReference::Hash, std::equal_to<>>
      index;                             // token -> bucket
  std::vector<double> reference_shares;  // tokens.size() tops, then other (shares of tokens)
  double reference_oov_rate = 0;         // the profile's oov_rate
  size_t offset = 0;                     // first counter in DriftCounts::counts

  size_t other_bucket() const { return tokens.size(); }
};

struct PredictionReference {
  std::vector<std::string> class_names;                     // class id -> name
  std::vector<double> class_shares;                         // class id -> reference share
  std::array<double, kConfidenceBins> confidence_shares{};  // reference histogram shares
  double mean_confidence = 0;                               // reference mean top probability
  size_t count = 0;              // predictions profiled (the reference n)
  size_t class_offset = 0;       // first class counter in DriftCounts::counts (+1: invalid)
  size_t confidence_offset = 0;  // first confidence-bin counter in DriftCounts::counts
};

// Counters of one window, laid out by a DriftReference. Windows are merged by adding and the
// count window evicts by subtracting, so everything is a plain sum.
struct DriftCounts {
  uint64_t observations = 0;         // requests observed
  uint64_t predictions = 0;          // requests with a prediction
  uint64_t title_tokens = 0;         // title tokens observed
  uint64_t oov_tokens = 0;           // of which out of vocabulary
  double confidence_sum = 0;         // sum of confidences of the predictions
  double confidence_squares = 0;     // sum of squared confidences
  std::vector<uint64_t> counts;      // bins / buckets of every feature (offsets in the reference)
  std::vector<double> numeric_sums;  // per numeric feature: sum of present values

  void Merge(const DriftCounts& other);
  void Clear();
};

class DriftReference {
 public:
  // `profile`: a reference_profile.json object (profile_version 1); `spec`: the FeatureSpec of
  // the same bundle (its tfidf vocabulary defines out-of-vocabulary tokens). Errors name the
  // profile key that is missing or malformed.
  static Status Create(const nlohmann::json& profile, const FeatureSpec& spec,
                       const DriftOptions& options, std::unique_ptr<DriftReference>* out);

  // Fills *obs from a raw record (prediction fields untouched). Thread-safe; allocation-free
  // once obs's buffers have grown.
  void Extract(const ProductRecord& record, Observation* obs) const;
  // Adds (sign = +1) or removes (sign = -1) an observation's contribution. `obs` must come from
  // this reference's Extract and `counts` from its EmptyCounts; anything else is ignored.
  void Count(const Observation& obs, int sign, DriftCounts* counts) const;
  // Counters sized for this reference, all zero.
  DriftCounts EmptyCounts() const;

  // The first reason `record` is out of the reference support under `limits`, or nullopt:
  // "<field>_out_of_range" or "title_out_of_vocabulary". Thread-safe.
  std::optional<std::string> OutOfSupport(const ProductRecord& record,
                                          const SupportLimits& limits) const;
  // The same for an observation from this reference's Extract (the serving path extracts once
  // for the support check and the drift windows).
  std::optional<std::string> OutOfSupport(const Observation& obs,
                                          const SupportLimits& limits) const;

  const std::vector<NumericFeatureReference>& numeric() const { return numeric_; }
  const std::array<CategoricalFeatureReference, kCategoricalFields>& categorical() const {
    return categorical_;
  }
  const TitleTokenReference& title_tokens() const { return title_tokens_; }
  const std::optional<PredictionReference>& predictions() const { return predictions_; }
  size_t row_count() const { return row_count_; }
  size_t counter_count() const { return counter_count_; }

  DriftReference(const DriftReference&) = delete;
  DriftReference& operator=(const DriftReference&) = delete;

 private:
  explicit DriftReference(const FeatureSpec& spec) : vocabulary_(spec) {}

  std::vector<NumericFeatureReference> numeric_;                             // in profile key order
  std::array<CategoricalFeatureReference, kCategoricalFields> categorical_;  // brand, seller, sub
  TitleTokenReference title_tokens_;                // top tokens and OOV rate
  std::optional<PredictionReference> predictions_;  // absent when the profile has none
  TfidfVocabulary vocabulary_;                      // title words with a tfidf column
  size_t row_count_ = 0;                            // profile row_count (reference n)
  size_t counter_count_ = 0;                        // size of DriftCounts::counts
};

// Counts `rows` (the rows `profile` was built from, e.g. the training split) into the numeric
// bins and stores the counts as (*profile)["drift_bins"] = {"version": 1, "rows": n,
// "numeric": {"<name>": {"cuts": [...], "counts": [... one per bin, missing last]}}}, which
// DriftReference::Create then uses instead of reconstructed shares. `spec` must be the
// FeatureSpec the profile was built with. Runs on all cores; about 2 us per row and core.
Status AddDriftBins(const std::vector<ProductRecord>& rows, const FeatureSpec& spec,
                    nlohmann::json* profile);

}  // namespace prodcat::monitoring
