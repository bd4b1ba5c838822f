// Prepare: raw products file -> clean, deduplicated, split data plus a data quality report.
//   clean text (Unicode NFKC, control characters, whitespace; case is kept so the upper-case
//   ratio feature survives — case folding happens in the FeatureSpec, the same at serving),
//   drop rows without a title, dedupe by product_id, split (stratified by label, or by group so
//   near-duplicates never straddle splits), reframe rare classes into Other (decided on the
//   training split, applied to all), optionally rebalance the training split.
// Imputation values are fitted on the training split only; the report shows them, and the
// FeatureSpec fits the same values from the same rows.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/data/record_reader.h"
#include "prodcat/data/reframing.h"
#include "prodcat/pipeline/config.h"

namespace prodcat {

struct PrepareOptions {
  ReadOptions read;  // column mapping, on_error, group column
  double train_fraction = 0.8;
  double val_fraction = 0.1;
  double test_fraction = 0.1;
  uint64_t seed = 42;
  std::string group_col;  // non-empty: group split on this source column
  bool dedupe = true;
  std::string rebalance = "none";  // none | oversample | undersample
  double reframe_min_share = 0.0;
  std::string other_label = "Other";

  // From the `data` and `prepare` sections of a Config.
  static Status FromConfig(const Config& config, PrepareOptions* out);
};

struct PreparedSplits {
  std::vector<ProductRecord> train, val, test;
  Reframing reframing;
  nlohmann::json quality_report;
};

// In-memory core (used by `prepare` and `run`).
Status PrepareRecords(std::vector<ProductRecord> records, const PrepareOptions& options,
                      const ReadStats& read_stats, PreparedSplits* out);

// Reads `input`, prepares, writes out_dir/{train,val,test}.csv, quality_report.json and
// reframing.json.
Status PrepareFile(const std::filesystem::path& input, const std::filesystem::path& out_dir,
                   const PrepareOptions& options, PreparedSplits* out);

// The table printed by `prodcat prepare`.
std::string RenderQualityTable(const nlohmann::json& report);

// Writes records as CSV with every canonical field.
Status WriteRecordsCsv(const std::filesystem::path& path, const std::vector<ProductRecord>& rows);

}  // namespace prodcat
