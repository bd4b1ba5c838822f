// FallbackRouter: decides which model answers one product, and answers it. The primary answers
// unless, in this order, it is unavailable, the product lies outside its reference support, its
// drift is in alert (when configured), it throws, or it overruns its time budget. Then the
// fallback model answers; without one (or when it fails too) the primary's training class prior
// does, whose confidence is the largest class share and so low by construction. Every answer
// says which path it took and why, so callers can tell a fallback from a real prediction.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prodcat/monitoring/drift_reference.h"
#include "prodcat/serving/model_manager.h"
#include "prodcat/serving/served_model.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace prodcat::serving {

enum class FallbackReason {
  kNone,                // the primary answered
  kPrimaryUnavailable,  // no primary model is loaded (failed to load or verify)
  kPrimaryError,        // the primary threw
  kPrimaryTimeout,      // the primary overran FallbackOptions::primary_budget
  kOutOfSupport,        // the product is outside the primary's reference support
  kDriftAlert,          // drift is in alert and fallback_on_drift is set
};
// "primary_unavailable", "primary_error", "primary_timeout", "out_of_support", "drift_alert".
const char* FallbackReasonName(FallbackReason reason);
inline constexpr FallbackReason kAllFallbackReasons[] = {
    FallbackReason::kPrimaryUnavailable, FallbackReason::kPrimaryError,
    FallbackReason::kPrimaryTimeout, FallbackReason::kOutOfSupport, FallbackReason::kDriftAlert};

struct FallbackOptions {
  bool out_of_support = true;   // route out-of-support products to the fallback
  bool on_drift_alert = false;  // route everything to the fallback while drift is in alert
  // 0: none, the primary runs inline. Otherwise it runs on a scoring pool and the request waits
  // at most this long for it (costs a thread hand-off per request).
  std::chrono::microseconds primary_budget{0};
  int budget_threads = 2;  // the scoring pool's size when a budget is set
};

// Failure injection for drills and tests (POST /admin/fault): the primary throws or stalls.
struct FaultInjection {
  enum Mode : int { kNone = 0, kError = 1, kDelay = 2 };
  std::atomic<int> mode{kNone};  // one of Mode
  std::atomic<int> delay_ms{0};  // the stall of kDelay
};

struct RoutedAnswer {
  std::vector<ScoredLabel> top;                   // never empty
  std::shared_ptr<const ServedModel> model;       // the model that answered; null: the prior
  FallbackReason reason = FallbackReason::kNone;  // kNone: the primary answered
  std::string detail;                             // why, for people ("price_out_of_range")
  bool fallback() const { return reason != FallbackReason::kNone; }
};

class FallbackRouter {
 public:
  // The out-of-support rule: a reason string when `record` is outside `model`'s support.
  // `observation`: the record as `model`'s drift reference extracted it, or null.
  using SupportCheck = std::function<std::optional<std::string>(
      const ServedModel&, const ProductRecord&, const monitoring::Observation* observation)>;
  // True while `model`'s drift is in alert.
  using DriftAlert = std::function<bool(const ServedModel&)>;

  // `fallback` may be null (the prior is then the only fallback); it must outlive the router.
  FallbackRouter(FallbackOptions options, ModelManager* fallback, SupportCheck support,
                 DriftAlert drift_alert);
  ~FallbackRouter();
  FallbackRouter(const FallbackRouter&) = delete;
  FallbackRouter& operator=(const FallbackRouter&) = delete;

  // Top k for one product. `primary` may be null (unavailable); `observation`: the record as the
  // primary's drift reference extracted it, or null; `last_known` supplies the prior when both
  // the primary and the fallback are missing (null: the answer is empty).
  RoutedAnswer Answer(const std::shared_ptr<const ServedModel>& primary,
                      const ProductRecord& record, size_t k,
                      const monitoring::Observation* observation = nullptr,
                      const std::shared_ptr<const ServedModel>& last_known = nullptr) const;

  FaultInjection& faults() { return faults_; }
  const FallbackOptions& options() const { return options_; }
  std::shared_ptr<const ServedModel> fallback_model() const {
    return fallback_ ? fallback_->current() : nullptr;
  }

 private:
  // The primary's prediction with the injected faults applied; throws on failure.
  std::vector<ScoredLabel> PrimaryTopK(const ServedModel& primary, const ProductRecord& record,
                                       size_t k) const;
  // The primary on the calling thread; false when it threw (reason set).
  bool PrimaryInline(const ServedModel& primary, const ProductRecord& record, size_t k,
                     RoutedAnswer* answer) const;
  // The primary under the time budget; false when it threw or overran (reason set).
  bool PrimaryWithinBudget(const std::shared_ptr<const ServedModel>& primary,
                           const ProductRecord& record, size_t k, RoutedAnswer* answer) const;
  void AnswerWithFallback(const ServedModel* prior_source, const ProductRecord& record, size_t k,
                          RoutedAnswer* answer) const;

  FallbackOptions options_;                         // fixed after construction
  ModelManager* fallback_;                          // not owned; may be null
  SupportCheck support_;                            // may be empty
  DriftAlert drift_alert_;                          // may be empty
  FaultInjection faults_;                           // changed by the admin endpoint
  std::unique_ptr<boost::asio::thread_pool> pool_;  // set when a budget is set
};

}  // namespace prodcat::serving
