// The inference server's metrics: requests by endpoint and status, latency and batch-size
// histograms, predictions by class, invalid inputs, the model being served, reloads, memory.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "prodcat/serving/metrics.h"
#include "prodcat/serving/model_manager.h"
#include "prodcat/serving/served_model.h"

namespace prodcat::serving {

// The route template for a request path, so metric labels stay few: "/v2/models/{name}/infer".
// Unknown paths share "other".
std::string_view EndpointLabel(std::string_view path);

class ServingMetrics {
 public:
  // `in_flight`: current in-flight requests (from the HTTP server), read at scrape time.
  explicit ServingMetrics(std::function<double()> in_flight = nullptr);

  void ObserveRequest(std::string_view method, std::string_view path, int status, double seconds);
  void ObserveBatch(std::string_view endpoint, size_t items);
  void CountPrediction(std::string_view category, double count = 1);
  void CountInvalidInput(std::string_view endpoint, std::string_view code);
  void SetModel(const ServedModel& model);
  void CountReload(const ReloadResult& result);

  // Fallback answers by reason ("primary_error", "out_of_support", ...; see FallbackReason).
  void CountFallback(std::string_view reason);
  // Model time of one prediction by role: "primary", "fallback", "shadow".
  void ObserveModelTime(std::string_view role, double seconds);

  // Runs `refresh` at every scrape before rendering (gauges computed from live state: drift).
  void SetRefresh(std::function<void()> refresh) { refresh_ = std::move(refresh); }
  std::string Render() const {
    if (refresh_) refresh_();
    return registry_.Render();
  }
  MetricsRegistry& mutable_registry() { return registry_; }
  const MetricsRegistry& registry() const { return registry_; }

  ValueFamily* requests() const { return requests_; }
  ValueFamily* predictions() const { return predictions_; }
  ValueFamily* reloads() const { return reloads_; }
  HistogramFamily* latency() const { return latency_; }
  HistogramFamily* batch_sizes() const { return batch_sizes_; }

 private:
  MetricsRegistry registry_;       // owns the families below
  ValueFamily* requests_;          // {endpoint, method, status}
  HistogramFamily* latency_;       // seconds {endpoint}
  HistogramFamily* batch_sizes_;   // items {endpoint}
  ValueFamily* predictions_;       // {category}
  ValueFamily* invalid_inputs_;    // {endpoint, code}
  ValueFamily* model_info_;        // 1 for the served {name, version, family}
  ValueFamily* model_loaded_;      // unix time the served model was swapped in
  ValueFamily* reloads_;           // {result="success"|"failure"}
  ValueFamily* fallbacks_;         // {reason}
  HistogramFamily* model_time_;    // seconds {role}
  std::function<void()> refresh_;  // may be empty; set before serving starts
};

}  // namespace prodcat::serving
