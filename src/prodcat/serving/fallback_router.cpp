#include "prodcat/serving/fallback_router.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <future>
#include <stdexcept>
#include <thread>
#include <utility>  // before Asio (g++ 12, C++20)

namespace prodcat::serving {

const char* FallbackReasonName(FallbackReason reason) {
  switch (reason) {
    case FallbackReason::kNone: return "none";
    case FallbackReason::kPrimaryUnavailable: return "primary_unavailable";
    case FallbackReason::kPrimaryError: return "primary_error";
    case FallbackReason::kPrimaryTimeout: return "primary_timeout";
    case FallbackReason::kOutOfSupport: return "out_of_support";
    case FallbackReason::kDriftAlert: return "drift_alert";
  }
  return "unknown";
}

FallbackRouter::FallbackRouter(FallbackOptions options, ModelManager* fallback,
                               SupportCheck support, DriftAlert drift_alert)
    : options_(options),
      fallback_(fallback),
      support_(std::move(support)),
      drift_alert_(std::move(drift_alert)) {
  if (options_.primary_budget.count() > 0) {
    pool_ = std::make_unique<boost::asio::thread_pool>(
        static_cast<size_t>(std::max(1, options_.budget_threads)));
  }
}

FallbackRouter::~FallbackRouter() {
  if (pool_) pool_->join();
}

std::vector<ScoredLabel> FallbackRouter::PrimaryTopK(const ServedModel& primary,
                                                     const ProductRecord& record, size_t k) const {
  switch (faults_.mode.load(std::memory_order_relaxed)) {
    case FaultInjection::kError: throw std::runtime_error("injected primary failure");
    case FaultInjection::kDelay:
      std::this_thread::sleep_for(std::chrono::milliseconds(faults_.delay_ms.load()));
      break;
    default: break;
  }
  std::vector<ScoredLabel> top = primary.bundle->PredictTopK(record, k);
  if (top.empty()) throw std::runtime_error("the primary returned no prediction");
  return top;
}

bool FallbackRouter::PrimaryInline(const ServedModel& primary, const ProductRecord& record,
                                   size_t k, RoutedAnswer* answer) const {
  try {
    answer->top = PrimaryTopK(primary, record, k);
    return true;
  } catch (const std::exception& e) {
    answer->reason = FallbackReason::kPrimaryError;
    answer->detail = e.what();
    return false;
  }
}

bool FallbackRouter::PrimaryWithinBudget(const std::shared_ptr<const ServedModel>& primary,
                                         const ProductRecord& record, size_t k,
                                         RoutedAnswer* answer) const {
  boost::asio::thread_pool* pool = pool_.get();
  if (pool == nullptr) return PrimaryInline(*primary, record, k, answer);  // no budget
  // The task owns copies of what it reads: after a timeout it finishes on its own and its
  // result is dropped.
  auto promise = std::make_shared<std::promise<std::vector<ScoredLabel>>>();
  std::future<std::vector<ScoredLabel>> result = promise->get_future();
  boost::asio::post(*pool, [this, promise, primary, record, k] {
    try {
      promise->set_value(PrimaryTopK(*primary, record, k));
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  if (result.wait_for(options_.primary_budget) != std::future_status::ready) {
    answer->reason = FallbackReason::kPrimaryTimeout;
    answer->detail =
        "the primary took longer than " + std::to_string(options_.primary_budget.count()) + " us";
    return false;
  }
  try {
    answer->top = result.get();
    return true;
  } catch (const std::exception& e) {
    answer->reason = FallbackReason::kPrimaryError;
    answer->detail = e.what();
    return false;
  }
}

void FallbackRouter::AnswerWithFallback(const ServedModel* prior_source,
                                        const ProductRecord& record, size_t k,
                                        RoutedAnswer* answer) const {
  answer->top.clear();
  if (std::shared_ptr<const ServedModel> fallback = fallback_model()) {
    try {
      size_t fk = std::min(k, fallback->bundle->class_names().size());
      answer->top = fallback->bundle->PredictTopK(record, std::max<size_t>(1, fk));
      if (!answer->top.empty()) {
        answer->model = std::move(fallback);
        return;
      }
    } catch (const std::exception& e) {
      answer->detail += std::string("; the fallback failed too: ") + e.what();
    }
  }
  answer->model = nullptr;
  if (prior_source != nullptr) answer->top = PriorTopK(*prior_source, k);
}

RoutedAnswer FallbackRouter::Answer(const std::shared_ptr<const ServedModel>& primary,
                                    const ProductRecord& record, size_t k,
                                    const monitoring::Observation* observation,
                                    const std::shared_ptr<const ServedModel>& last_known) const {
  RoutedAnswer answer;
  if (!primary) {
    answer.reason = FallbackReason::kPrimaryUnavailable;
    answer.detail = "no primary model is loaded";
    AnswerWithFallback(last_known.get(), record, k, &answer);
    return answer;
  }
  if (options_.out_of_support && support_) {
    if (std::optional<std::string> why = support_(*primary, record, observation)) {
      answer.reason = FallbackReason::kOutOfSupport;
      answer.detail = std::move(*why);
      AnswerWithFallback(primary.get(), record, k, &answer);
      return answer;
    }
  }
  if (options_.on_drift_alert && drift_alert_ && drift_alert_(*primary)) {
    answer.reason = FallbackReason::kDriftAlert;
    answer.detail = "drift is in alert";
    AnswerWithFallback(primary.get(), record, k, &answer);
    return answer;
  }
  if (PrimaryWithinBudget(primary, record, k, &answer)) {
    answer.model = primary;
    return answer;
  }
  AnswerWithFallback(primary.get(), record, k, &answer);
  return answer;
}

}  // namespace prodcat::serving
