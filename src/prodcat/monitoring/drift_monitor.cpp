#include "prodcat/monitoring/drift_monitor.h"

#include <cmath>

#include "prodcat/common/thread_shard.h"

namespace prodcat::monitoring {
namespace {

int64_t Nanos(DriftMonitor::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

Status DriftMonitor::Create(std::shared_ptr<const DriftReference> reference,
                            const DriftOptions& options, std::unique_ptr<DriftMonitor>* out) {
  if (reference == nullptr) return Status::InvalidArgument("drift monitor: no reference");
  PRODCAT_RETURN_IF_ERROR(options.Validate());
  out->reset(new DriftMonitor(std::move(reference), options));
  return Status::Ok();
}

DriftMonitor::DriftMonitor(std::shared_ptr<const DriftReference> reference,
                           const DriftOptions& options)
    : reference_(std::move(reference)),
      options_(options),
      slice_ns_(std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::nanoseconds>(options.time_window).count() /
                 options.time_slices)),
      ring_(options.count_window),
      count_counts_(reference_->EmptyCounts()),
      slices_(static_cast<size_t>(options.time_slices)),
      cached_level_(static_cast<int>(DriftLevel::kInsufficientData)),
      level_computed_at_ns_(INT64_MIN) {
  for (Slice& s : slices_) s.counts = reference_->EmptyCounts();
}

int64_t DriftMonitor::SliceId(TimePoint t) const {
  return FloorDiv(Nanos(t), slice_ns_);
}

void DriftMonitor::Observe(const ProductRecord& record, int predicted_class, float confidence,
                           TimePoint now) {
  thread_local Observation observation;
  reference_->Extract(record, &observation);
  observation.predicted_class = predicted_class;
  observation.confidence = confidence;
  Observe(observation, now);
}

void DriftMonitor::Observe(const Observation& observation, TimePoint now) {
  Shard& shard = shards_[ThreadShard(kShards)];
  std::lock_guard<std::mutex> lock(shard.mutex);
  if (shard.staged.size() < kStageBatch) {
    shard.staged.resize(kStageBatch);
    shard.slice_ids.resize(kStageBatch);
  }
  shard.staged[shard.size] = observation;  // copy-assignment reuses the slot's buffers
  shard.slice_ids[shard.size] = SliceId(now);
  if (++shard.size == kStageBatch) Fold(shard);
}

void DriftMonitor::Fold(Shard& shard) const {
  if (shard.size == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < shard.size; ++i) AddLocked(shard.staged[i], shard.slice_ids[i]);
  shard.size = 0;
}

void DriftMonitor::AddLocked(const Observation& observation, int64_t id) const {
  const auto size = static_cast<int64_t>(slices_.size());
  Slice& slice = slices_[static_cast<size_t>(((id % size) + size) % size)];
  if (slice.id < id) {  // the slot held an expired slice: start the new one
    slice.counts.Clear();
    slice.id = id;
  }
  // slice.id > id: the observation is older than the whole time window (a late clock, or staged
  // for that long); it only counts in the count window.
  if (slice.id == id) reference_->Count(observation, +1, &slice.counts);

  Observation& oldest = ring_[ring_next_];
  if (ring_size_ == ring_.size()) {
    reference_->Count(oldest, -1, &count_counts_);
  } else {
    ++ring_size_;
  }
  oldest = observation;  // copy-assignment reuses the slot's buffers
  reference_->Count(observation, +1, &count_counts_);
  ring_next_ = (ring_next_ + 1) % ring_.size();
}

nlohmann::json DriftMonitor::Report(TimePoint now) const {
  DriftCounts count_window = reference_->EmptyCounts();
  DriftCounts time_window = reference_->EmptyCounts();
  NumericSamples samples;
  const int64_t newest = SliceId(now);
  const auto slices = static_cast<int64_t>(slices_.size());
  size_t live_slices = 0;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    Fold(shard);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    count_window = count_counts_;
    if (ring_size_ < options_.ks_max_window) {
      samples.resize(reference_->numeric().size());
      for (size_t i = 0; i < ring_size_; ++i) {
        // Before the ring is full slots 0..ring_size_-1 are the live ones; once full (a ring
        // smaller than ks_max_window) every slot is.
        const Observation& o = ring_[i];
        for (size_t f = 0; f < o.numeric_values.size() && f < samples.size(); ++f) {
          if (!std::isnan(o.numeric_values[f])) samples[f].push_back(o.numeric_values[f]);
        }
      }
    }
    for (const Slice& s : slices_) {
      if (s.id > newest - slices && s.id <= newest) {
        time_window.Merge(s.counts);
        ++live_slices;
      }
    }
  }
  nlohmann::json count_report = ComputeWindowReport(*reference_, count_window,
                                                    samples.empty() ? nullptr : &samples, options_);
  count_report["window"] = {{"kind", "count"}, {"size", options_.count_window}};
  nlohmann::json time_report = ComputeWindowReport(*reference_, time_window, nullptr, options_);
  time_report["window"] = {{"kind", "time"},
                           {"seconds", options_.time_window.count()},
                           {"slices", options_.time_slices},
                           {"live_slices", live_slices}};

  DriftLevel overall = std::max(ParseDriftLevel(count_report["status"].get<std::string>()),
                                ParseDriftLevel(time_report["status"].get<std::string>()));
  const bool dataset_drift =
      count_report["dataset_drift"].get<bool>() || time_report["dataset_drift"].get<bool>();
  const auto& predictions = reference_->predictions();
  nlohmann::json report = {
      {"status", DriftLevelName(overall)},
      {"dataset_drift", dataset_drift},
      {"windows", {{"count", std::move(count_report)}, {"time", std::move(time_report)}}},
      {"reference",
       {{"row_count", reference_->row_count()},
        {"numeric_features", reference_->numeric().size()},
        {"categorical_features", kCategoricalFields},
        {"predictions", predictions ? predictions->count : 0}}},
      {"options", options_.ToJson()}};
  cached_level_.store(static_cast<int>(overall), std::memory_order_relaxed);
  level_computed_at_ns_.store(Nanos(now), std::memory_order_release);
  return report;
}

DriftLevel DriftMonitor::level(TimePoint now) const {
  const int64_t t = Nanos(now);
  const int64_t last = level_computed_at_ns_.load(std::memory_order_acquire);
  const int64_t refresh =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.level_refresh).count();
  const auto cached = [&] {
    return static_cast<DriftLevel>(cached_level_.load(std::memory_order_relaxed));
  };
  if (last != INT64_MIN && t >= last && t - last < refresh) return cached();
  std::unique_lock<std::mutex> lock(level_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return cached();  // another thread is recomputing right now
  (void)Report(now);
  return cached();
}

}  // namespace prodcat::monitoring
