// A small Prometheus metrics registry: counter, gauge and histogram families with labels, and
// gauges computed at scrape time, rendered in the text exposition format (version 0.0.4).
// Counters and histograms are sharded by thread (ThreadShard): an update takes its shard's mutex,
// which only threads of the same shard share, and builds its series key in a reused per-thread
// buffer, so a request's updates neither allocate nor bounce cache lines between cores. A
// render or a read merges the shards. Gauges keep one copy (Set must see the last value).
#pragma once

#include <array>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prodcat::serving {

using LabelValues = std::initializer_list<std::string_view>;

class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::string type,
               std::vector<std::string> label_names);
  virtual ~MetricFamily() = default;
  // Appends "# HELP", "# TYPE" and every series.
  void Render(std::string* out) const;
  const std::string& name() const { return name_; }

 protected:
  static constexpr size_t kShards = 8;  // counter and histogram copies, by ThreadShard
  template <typename Series>
  struct alignas(64) Shard {
    mutable std::mutex mutex;                           // guards series
    std::map<std::string, Series, std::less<>> series;  // by Key(); rendered in key order
  };

  // The series map key for these label values (they must match the label names in number),
  // built in a per-thread buffer that the next call reuses.
  static std::string_view Key(LabelValues values);
  // Sum over the shards of field(series) for the series `key` (0 where a shard lacks it).
  template <typename Series, typename Total, typename Field>
  static Total SumOverShards(const std::array<Shard<Series>, kShards>& shards, std::string_view key,
                             Field field) {
    Total total{};
    for (const Shard<Series>& shard : shards) {
      std::lock_guard<std::mutex> lock(shard.mutex);
      auto it = shard.series.find(key);
      if (it != shard.series.end()) total += field(it->second);
    }
    return total;
  }
  // `{a="x",b="y"}` plus `extra` (e.g. le="0.5") as a last label; "" when there are none.
  std::string LabelText(const std::vector<std::string>& values, std::string_view extra = {}) const;
  virtual void RenderSeries(std::string* out) const = 0;

  const std::string name_;                      // metric name, [a-zA-Z_:][a-zA-Z0-9_:]*
  const std::string help_;                      // one line
  const std::string type_;                      // counter | gauge | histogram
  const std::vector<std::string> label_names_;  // fixed for the family
};

// A counter or a gauge: one double per label combination.
class ValueFamily : public MetricFamily {
 public:
  // type: "counter" or "gauge".
  ValueFamily(std::string name, std::string help, std::string type,
              std::vector<std::string> label_names);
  void Add(LabelValues labels, double amount = 1);
  void Set(LabelValues labels, double value);
  // 0 when the series does not exist.
  double Value(LabelValues labels) const;
  void Clear();

 private:
  struct Series {
    std::vector<std::string> labels;  // one value per label name
    double value = 0;                 // counters only grow
  };
  void RenderSeries(std::string* out) const override;
  // The shard this thread updates: its own for counters, the first for gauges.
  Shard<Series>& Mine();

  const bool sharded_;                         // a counter: Add only, so shards can be summed
  std::array<Shard<Series>, kShards> shards_;  // gauges use shards_[0] only
};

class HistogramFamily : public MetricFamily {
 public:
  // `bounds`: increasing upper bounds; +Inf is implicit.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  void Observe(LabelValues labels, double value);
  // Observations so far in this series (0 when none).
  uint64_t Count(LabelValues labels) const;

 private:
  struct Series {
    std::vector<std::string> labels;  // one value per label name
    std::vector<uint64_t> buckets;    // per bound, not cumulative; last entry is +Inf
    double sum = 0;                   // of all observed values
    uint64_t count = 0;               // == sum of buckets
  };
  void RenderSeries(std::string* out) const override;
  const std::vector<double> bounds_;           // increasing
  std::array<Shard<Series>, kShards> shards_;  // one per thread group; merged when read
};

// A gauge without labels whose value is computed when scraped (memory, in-flight requests).
class CallbackGauge : public MetricFamily {
 public:
  CallbackGauge(std::string name, std::string help, std::function<double()> value);

 private:
  void RenderSeries(std::string* out) const override;
  std::function<double()> value_;  // never empty
};

class MetricsRegistry {
 public:
  ValueFamily* AddCounter(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  ValueFamily* AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily* AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> bounds);
  void AddCallbackGauge(std::string name, std::string help, std::function<double()> value);
  // The whole exposition, families in registration order.
  std::string Render() const;

 private:
  std::vector<std::unique_ptr<MetricFamily>> families_;  // registered before serving starts
};

// Formats a sample value the way Prometheus reads it (shortest round-trip; +Inf, -Inf, NaN).
std::string FormatMetricValue(double value);
// Escapes a label value (backslash, double quote, newline).
std::string EscapeLabelValue(std::string_view value);

}  // namespace prodcat::serving
