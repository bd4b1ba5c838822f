// ShadowRunner: a candidate model scores a copy of live traffic off the response path. A request
// thread only copies the product into a bounded queue (when the queue is full the copy is dropped
// and counted, so a slow shadow can never slow the primary); one worker thread scores it,
// compares the top category with the primary's and records agreement and both latencies.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "prodcat/serving/model_manager.h"
#include "prodcat/serving/serving_metrics.h"

namespace prodcat::serving {

class ShadowRunner {
 public:
  // `shadow` and `metrics` must outlive the runner. `capacity`: queued copies at most.
  ShadowRunner(ModelManager* shadow, ServingMetrics* metrics, size_t capacity = 4096);
  ~ShadowRunner();
  ShadowRunner(const ShadowRunner&) = delete;
  ShadowRunner& operator=(const ShadowRunner&) = delete;

  // Queues a copy of `record` with the primary's answer and model time. Never blocks.
  void Submit(const ProductRecord& record, const std::string& primary_category,
              double primary_seconds);
  // Waits until the queue is empty (tests and benchmarks).
  void WaitIdle();
  // Stops the worker after the queued copies are scored. Idempotent.
  void Stop();

  // {model, submitted, dropped, scored, errors, agreed, agreement_rate,
  //  shadow_mean_ms, primary_mean_ms}
  nlohmann::json Summary() const;

 private:
  struct Item {
    ProductRecord record;
    std::string primary_category;
    double primary_seconds = 0;
  };
  void Work();

  ModelManager* shadow_;          // not owned; never null
  ServingMetrics* metrics_;       // not owned; never null
  const size_t capacity_;         // queue bound, > 0
  mutable std::mutex mutex_;      // guards everything below
  std::condition_variable wake_;  // an item arrived, or stop
  std::condition_variable idle_;  // the queue drained
  std::deque<Item> queue_;        // <= capacity_
  bool busy_ = false;             // the worker is scoring an item outside the lock
  bool sleeping_ = false;         // the worker waits on wake_ (Submit must notify)
  bool stop_ = false;             // Stop was called
  uint64_t submitted_ = 0, dropped_ = 0, scored_ = 0, errors_ = 0, agreed_ = 0;
  double shadow_seconds_ = 0, primary_seconds_ = 0;  // sums over scored items
  std::thread worker_;                               // joinable until Stop
};

}  // namespace prodcat::serving
