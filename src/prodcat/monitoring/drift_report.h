// The drift report of one window, computed from aggregated counts. This is the single
// implementation behind DriftMonitor::Report (the server's GET /drift and /metrics) and the
// offline `prodcat drift` command. JSON shape: see docs/drift.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prodcat/monitoring/drift_options.h"
#include "prodcat/monitoring/drift_reference.h"

namespace prodcat::monitoring {

// Ordered by severity; insufficient data ranks lowest so it never outweighs a real status.
enum class DriftLevel { kInsufficientData = 0, kOk = 1, kWarning = 2, kAlert = 3 };

// "insufficient_data", "ok", "warning", "alert".
std::string_view DriftLevelName(DriftLevel level);
// Parses a name above; kInsufficientData for anything else.
DriftLevel ParseDriftLevel(std::string_view name);
// The value exported to Prometheus: -1 insufficient data, 0 ok, 1 warning, 2 alert.
double DriftLevelGaugeValue(DriftLevel level);

// Present values of each numeric feature in a small window (index = DriftReference::numeric()),
// used for KS. Empty when the caller keeps no raw values (KS then uses the bin counts).
using NumericSamples = std::vector<std::vector<double>>;

// The report of one window: observations, per-feature metrics and statuses, predictions and
// confidence (when the reference has predictions), drifted_feature_share, dataset_drift and
// the window's "status". `counts` must be laid out by `reference` (EmptyCounts + Count);
// `samples` may be null.
nlohmann::json ComputeWindowReport(const DriftReference& reference, const DriftCounts& counts,
                                   const NumericSamples* samples, const DriftOptions& options);

// One Prometheus gauge: prodcat_drift{window=..., feature=..., metric=...} value. Window-level
// values have an empty feature.
struct DriftGauge {
  std::string window;   // "count", "time", ...
  std::string feature;  // "price", "brand", "title_tokens", "predictions", "confidence" or ""
  std::string metric;   // "psi", "js_distance", "ks_p_value", "status", ...
  double value = 0;     // NaN-free: metrics that are not available are left out
};

// Flattens a report of the shape {"windows": {"<name>": <window report>, ...}} (what
// DriftMonitor::Report returns).
std::vector<DriftGauge> DriftGauges(const nlohmann::json& report);

}  // namespace prodcat::monitoring
