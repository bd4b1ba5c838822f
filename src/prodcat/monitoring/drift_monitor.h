// DriftMonitor: the server's live drift state for one served model. Every scored request is
// observed (cheap: the record is binned outside any shared lock and staged in the calling
// thread's shard; a full shard is folded into the windows in one batch); GET /drift, /metrics
// and the fallback decision read reports from it, and a report folds every staged observation
// first, so it always covers everything observed before it.
//
// Why shards: the window counters are scattered over many cache lines; with every I/O thread
// adding to them per request, the lines bounced between cores on each request (about 9 us of
// CPU per request at 64 connections on 2 cores). Staged, a thread touches them once per batch.
//
// Two windows:
//   count  the last `count_window` observations, kept raw in a ring (the raw numeric values feed
//          KS while the window is small); running counters are updated by adding the new
//          observation and subtracting the evicted one
//   time   the last `time_window`, never stored raw: `time_slices` slices of T / time_slices
//          each hold aggregated counters; slices are aligned to the epoch and a report merges
//          the live ones, so the window covers between T - T/time_slices and T
// Reports are computed by ComputeWindowReport (drift_report.h), the same code as the offline
// `prodcat drift`.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prodcat/common/status.h"
#include "prodcat/data/record.h"
#include "prodcat/monitoring/drift_options.h"
#include "prodcat/monitoring/drift_reference.h"
#include "prodcat/monitoring/drift_report.h"

namespace prodcat::monitoring {

class DriftMonitor {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  static Status Create(std::shared_ptr<const DriftReference> reference, const DriftOptions& options,
                       std::unique_ptr<DriftMonitor>* out);

  // Records one request and the model's answer. predicted_class: class id (index of the
  // bundle's class_names), or -1 when no prediction was made; confidence: its probability.
  // Thread-safe; a few microseconds (see docs/drift.md for the measured cost).
  void Observe(const ProductRecord& record, int predicted_class, float confidence, TimePoint now);
  // The same for an observation already extracted with reference().Extract (and its prediction
  // fields set), for callers that also need it elsewhere.
  void Observe(const Observation& observation, TimePoint now);

  // {"status", "dataset_drift", "windows": {"count": {...}, "time": {...}}, "reference": {...},
  //  "options": {...}}; each window as ComputeWindowReport plus a "window" description.
  // Also refreshes the cached level(). Thread-safe.
  nlohmann::json Report(TimePoint now) const;
  // The overall level (worst window) from the last report, recomputed when older than
  // options().level_refresh; only one caller recomputes, the others get the cached value.
  DriftLevel level() const { return level(std::chrono::system_clock::now()); }
  DriftLevel level(TimePoint now) const;
  // Report(now) flattened for Prometheus.
  std::vector<DriftGauge> Gauges(TimePoint now) const { return DriftGauges(Report(now)); }

  // The request is outside the reference support under options().support (fallback rule).
  std::optional<std::string> OutOfSupport(const ProductRecord& record) const {
    return reference_->OutOfSupport(record, options_.support);
  }
  std::optional<std::string> OutOfSupport(const Observation& observation) const {
    return reference_->OutOfSupport(observation, options_.support);
  }

  const DriftReference& reference() const { return *reference_; }
  const DriftOptions& options() const { return options_; }

  DriftMonitor(const DriftMonitor&) = delete;
  DriftMonitor& operator=(const DriftMonitor&) = delete;

 private:
  struct Slice {
    int64_t id = INT64_MIN;  // epoch-aligned slice number; INT64_MIN = never used
    DriftCounts counts;      // observations of that slice
  };
  // Observations staged by the threads that map to this shard, not yet in the windows.
  struct alignas(64) Shard {
    std::mutex mutex;                 // guards the members below; taken before mutex_
    std::vector<Observation> staged;  // slots reused; the first `size` are live
    std::vector<int64_t> slice_ids;   // time slice of each staged observation
    size_t size = 0;                  // live staged observations, < kStageBatch after Observe
  };
  static constexpr size_t kShards = 8;       // threads map to shards by ThreadShard
  static constexpr size_t kStageBatch = 32;  // a shard is folded when it holds this many

  DriftMonitor(std::shared_ptr<const DriftReference> reference, const DriftOptions& options);
  int64_t SliceId(TimePoint t) const;
  // Adds a shard's staged observations to the windows and empties it. Needs shard.mutex held;
  // takes mutex_.
  void Fold(Shard& shard) const;
  // Adds one observation to the windows. Needs mutex_ held.
  void AddLocked(const Observation& observation, int64_t slice_id) const;

  std::shared_ptr<const DriftReference> reference_;  // never null
  DriftOptions options_;                             // validated
  int64_t slice_ns_;                                 // duration of one time slice, > 0

  mutable std::array<Shard, kShards> shards_;  // staged observations per thread group

  // The windows are mutable: a const Report folds the staged observations into them.
  mutable std::mutex mutex_;               // guards everything below up to the level cache
  mutable std::vector<Observation> ring_;  // count window; size count_window, oldest at ring_next_
  mutable size_t ring_next_ = 0;           // slot the next observation overwrites
  mutable size_t ring_size_ = 0;           // live observations in ring_ (<= ring_.size())
  mutable DriftCounts count_counts_;       // sum of the live ring_ observations
  mutable std::vector<Slice> slices_;      // time window; slice id s lives at slices_[s mod size]

  mutable std::mutex level_mutex_;                     // held by the one thread recomputing
  mutable std::atomic<int> cached_level_;              // DriftLevel of the last report
  mutable std::atomic<int64_t> level_computed_at_ns_;  // `now` of that report; INT64_MIN never
};

}  // namespace prodcat::monitoring
