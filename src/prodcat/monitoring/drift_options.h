// Every threshold and window size of drift detection, with the defaults from the drift issue.
// One DriftOptions configures both the server's DriftMonitor and the offline `prodcat drift`.
//
// Statuses: each metric has a warning and an alert threshold on its effect size (PSI, JS
// distance, OOV increase, confidence drop). A threshold only counts when the deviation is also
// statistically significant (its p-value below `significance_p_value`), so sampling noise in a
// small window never raises a status. Numeric features in windows with fewer than
// `ks_max_window` observations are judged by the KS p-value instead of PSI.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/common/status.h"

namespace prodcat::monitoring {

// When a single request is "out of the reference support" (the server then answers with its
// fallback model). Each rule can be switched off.
struct SupportLimits {
  // Raw numeric fields outside [min / k, max * k] of the reference (for a negative bound the
  // factor widens it the other way). 0 disables the range rule.
  double range_factor = 10.0;
  // Raw numeric fields the range rule checks ("price", "rating", "reviews_count").
  std::vector<std::string> range_fields = {"price", "rating", "reviews_count"};
  // Share of title tokens without a tfidf column above which the title is out of vocabulary;
  // > 1 disables the rule.
  double max_title_oov_share = 0.9;
  // The OOV rule only applies to titles with at least this many tokens.
  int min_title_tokens = 3;

  nlohmann::json ToJson() const;
};

struct DriftOptions {
  // Windows.
  size_t count_window = 1000;                     // last N observations
  std::chrono::seconds time_window{15 * 60};      // last T
  int time_slices = 30;                           // T is aggregated in this many slices
  size_t min_observations = 100;                  // fewer: "insufficient_data", never an alert
  size_t ks_max_window = 500;                     // fewer observations: numeric status by KS
  std::chrono::milliseconds level_refresh{1000};  // level() recomputes at most this often

  // Numeric features: PSI on reference-quantile bins.
  double psi_warning = 0.1;
  double psi_alert = 0.2;
  double psi_epsilon = 1e-4;  // replaces an empty bin's share (both sides) so PSI stays finite
  // Numeric features in small windows: KS p-values. Strict, because ~25 features are tested at
  // once.
  double ks_warning_p_value = 1e-3;
  double ks_alert_p_value = 1e-4;

  // Categorical features and title tokens: Jensen-Shannon distance (base 2, in [0, 1]).
  double js_warning = 0.05;
  double js_alert = 0.1;
  size_t categorical_top_k = 10;   // top reference values kept as buckets (+ other + missing)
  size_t title_token_top_k = 100;  // top reference tokens kept as buckets (+ other)
  // Title out-of-vocabulary rate: absolute increase over the reference rate.
  double oov_increase_warning = 0.1;
  double oov_increase_alert = 0.2;

  // Predictions (class distribution PSI uses psi_warning / psi_alert) and confidence.
  double confidence_drop_warning = 0.05;  // reference mean confidence - current mean
  double confidence_drop_alert = 0.1;

  // A threshold only counts when the deviation's p-value is below this.
  double significance_p_value = 1e-3;
  // Dataset drift: at least this share of the input features is at "alert".
  double dataset_drift_share = 0.5;
  // When true, feature alerts alone make the overall status "warning"; "alert" then needs
  // dataset drift or a prediction / confidence alert.
  bool alert_requires_dataset_drift = false;

  SupportLimits support;

  // Checks ranges and orderings (warning <= alert, windows > 0, ...).
  Status Validate() const;
  nlohmann::json ToJson() const;
  // Reads the ToJson() shape; absent keys keep their current value, unknown keys are errors
  // (so a typo in a config section is never ignored). Validates the result.
  Status MergeJson(const nlohmann::json& j);
  // Applies "key=value" overrides; keys are the ToJson() names ("psi_alert=0.25",
  // "time_window_seconds=300", "support.range_factor=5", "support.range_fields=price,rating").
  // All are applied before the result is validated, so their order does not matter; on error
  // nothing changes.
  Status SetAll(const std::vector<std::string>& assignments);
  Status Set(std::string_view assignment) { return SetAll({std::string(assignment)}); }
};

}  // namespace prodcat::monitoring
