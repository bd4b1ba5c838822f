// FeatureSpec: the single feature transform shared by training and inference. It is fitted once
// on the training split (IDF, pruned hash columns, imputation values, price bins), stored in the
// model bundle, and applied unchanged to every later row: no statistic is recomputed per batch.
//
// It offers three views of a record, each consumed by some model family:
//   Text    - normalized "title brand [description]" text (fastText)
//   Tfidf   - L2-normalized sublinear TF-IDF over hashed word 1-2-grams and char n-grams of
//             title and brand (linear models)
//   Tabular - the named engineered features (dense block, always first) followed by hashed
//             one-hot columns: brand, seller, subcategory, brand x price-range, title words
//             (gradient-boosted trees)
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/features/sparse.h"

namespace prodcat {

enum FeatureView : unsigned {
  kViewText = 1u << 0,
  kViewTfidf = 1u << 1,
  kViewTabular = 1u << 2,
};

struct FeatureSpecOptions {
  int hash_bits = 20;      // hashed n-grams land in 2^hash_bits buckets before pruning
  int word_ngram_max = 2;  // word n-grams 1..word_ngram_max
  int char_ngram_min = 2;  // char n-grams within word boundaries (like char_wb)
  int char_ngram_max = 5;
  int tfidf_min_df = 2;             // buckets seen in fewer training rows are dropped
  bool sublinear_tf = true;         // tf -> 1 + log(tf)
  bool use_description = true;      // add description tokens to Text/Tfidf when present
  int tabular_min_count = 5;        // hashed one-hot columns seen in fewer rows are dropped
  int price_bins = 5;               // quantile bins for price range (fitted on training data)
  bool tabular_title_words = true;  // add hashed title word columns to the tabular view

  nlohmann::json ToJson() const;
  static Status FromJson(const nlohmann::json& j, FeatureSpecOptions* out);
};

// One transformed record. Only the views that were asked for are filled.
struct FeatureVector {
  std::string text;
  SparseVector tfidf;
  SparseVector tabular;
};

class FeatureSpec {
 public:
  static constexpr int kFormatVersion = 1;

  // Fits on training records (labels are not used).
  static Status Fit(const std::vector<ProductRecord>& train, const FeatureSpecOptions& options,
                    std::unique_ptr<FeatureSpec>* out);
  // Loads from a bundle directory; checks kFormatVersion.
  static Status Load(const std::filesystem::path& dir, std::unique_ptr<FeatureSpec>* out);
  // Writes its files into `dir` atomically; appends their names (relative to dir) to *files.
  Status Save(const std::filesystem::path& dir, std::vector<std::string>* files) const;

  // Thread-safe and allocation-light: reuse `out` across calls.
  void Transform(const ProductRecord& record, unsigned views, FeatureVector* out) const;

  // Whole-matrix helpers for training (parallel where it pays).
  void TransformTfidf(const std::vector<ProductRecord>& records, CsrMatrix* out) const;
  void TransformTabular(const std::vector<ProductRecord>& records, CsrMatrix* out) const;
  void TransformText(const std::vector<ProductRecord>& records,
                     std::vector<std::string>* out) const;

  size_t tfidf_dim() const;
  size_t tabular_dim() const;
  size_t num_engineered() const;  // the dense block at the start of the tabular view
  // Readable names: "title:word:usb c", "title:char:usb", "brand=sony", "log_price", ...
  std::string TfidfFeatureName(uint32_t column) const;
  std::string TabularFeatureName(uint32_t column) const;

  const FeatureSpecOptions& options() const;
  // Summary for the manifest: version, options, dimensions, imputation values, price bin edges.
  nlohmann::json Summary() const;

  ~FeatureSpec();
  FeatureSpec(const FeatureSpec&) = delete;
  FeatureSpec& operator=(const FeatureSpec&) = delete;

  struct Impl;

 private:
  explicit FeatureSpec(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // never null
};

}  // namespace prodcat
