// The promotion gate. Moving a version to Production compares it with the version currently in
// Production on the same evaluation data:
//   - both versions' runs must have logged the metric (default macro_f1);
//   - both must carry the same evaluation data fingerprint (`eval_data_fingerprint`, looked up
//     in the version's tags, then the run's tags, then the run's params);
//   - the candidate must not be worse (higher is better, except for metrics named like losses
//     and errors, or when told otherwise).
// A refusal says why, with both values, the metric and both versions; `force` overrides it and
// the transition history records that it was forced. Other stages are not gated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "prodcat/common/status.h"
#include "prodcat/tracking/registry_entities.h"
#include "prodcat/tracking/store.h"

namespace prodcat::registry {

inline constexpr const char* kEvalFingerprintKey = "eval_data_fingerprint";

struct PromotionRequest {
  std::string name;
  int64_t version = 0;
  std::string stage = "Production";
  std::string metric = "macro_f1";
  std::optional<bool> higher_is_better;  // unset: inferred from the metric's name
  bool force = false;
  bool archive_existing = true;  // the previous Production version becomes Archived
  std::string user;
};

struct PromotionDecision {
  bool gated = false;    // the gate applied (target is Production and an incumbent exists)
  bool allowed = false;  // the gate passed, or nothing to gate
  bool forced = false;   // refused but overridden by force
  std::string reason;    // one sentence for people: why allowed or refused
  int64_t incumbent_version = 0;
  std::optional<double> candidate_value;
  std::optional<double> incumbent_value;
};

// True for metrics where smaller is better (log_loss, rmse, error rates, ...).
bool LowerIsBetter(const std::string& metric);

// Decides without changing anything.
Status EvaluatePromotion(tracking::TrackingStore& store, const PromotionRequest& request,
                         PromotionDecision* decision);

// Decides, then transitions (recording user and the decision's reason) when allowed or forced.
// A refusal is kFailedPrecondition carrying the reason.
Status PromoteModelVersion(tracking::TrackingStore& store, const PromotionRequest& request,
                           PromotionDecision* decision, tracking::ModelVersion* result);

}  // namespace prodcat::registry
