#include "prodcat/serving/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "prodcat/common/thread_shard.h"

namespace prodcat::serving {

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, result.ptr);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

MetricFamily::MetricFamily(std::string name, std::string help, std::string type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(std::move(type)),
      label_names_(std::move(label_names)) {}

void MetricFamily::Render(std::string* out) const {
  *out += "# HELP " + name_ + " " + help_ + "\n";
  *out += "# TYPE " + name_ + " " + type_ + "\n";
  RenderSeries(out);
}

std::string_view MetricFamily::Key(LabelValues values) {
  thread_local std::string key;
  key.clear();
  for (std::string_view v : values) {
    key.append(v);
    key.push_back('\xff');  // cannot occur in UTF-8 text
  }
  return key;
}

std::string MetricFamily::LabelText(const std::vector<std::string>& values,
                                    std::string_view extra) const {
  if (values.empty() && extra.empty()) return "";
  std::string text = "{";
  for (size_t i = 0; i < values.size() && i < label_names_.size(); ++i) {
    if (i > 0) text += ',';
    text += label_names_[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra.empty()) {
    if (!values.empty()) text += ',';
    text.append(extra);
  }
  text += '}';
  return text;
}

ValueFamily::ValueFamily(std::string name, std::string help, std::string type,
                         std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), std::move(type), std::move(label_names)),
      sharded_(type_ == "counter") {}

ValueFamily::Shard<ValueFamily::Series>& ValueFamily::Mine() {
  return shards_[sharded_ ? ThreadShard(kShards) : 0];
}

void ValueFamily::Add(LabelValues labels, double amount) {
  std::string_view key = Key(labels);
  Shard<Series>& shard = Mine();
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.series.find(key);
  if (it == shard.series.end()) {
    it = shard.series.emplace(std::string(key), Series{{labels.begin(), labels.end()}, 0}).first;
  }
  it->second.value += amount;
}

void ValueFamily::Set(LabelValues labels, double value) {
  std::string_view key = Key(labels);
  // The value lives in shards_[0]; a counter's other shards forget theirs.
  for (size_t i = 1; sharded_ && i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mutex);
    auto it = shards_[i].series.find(key);
    if (it != shards_[i].series.end()) shards_[i].series.erase(it);
  }
  std::lock_guard<std::mutex> lock(shards_[0].mutex);
  auto it = shards_[0].series.find(key);
  if (it == shards_[0].series.end()) {
    it = shards_[0]
             .series.emplace(std::string(key), Series{{labels.begin(), labels.end()}, 0})
             .first;
  }
  it->second.value = value;
}

double ValueFamily::Value(LabelValues labels) const {
  return SumOverShards<Series, double>(shards_, Key(labels),
                                       [](const Series& s) { return s.value; });
}

void ValueFamily::Clear() {
  for (Shard<Series>& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    shard.series.clear();
  }
}

void ValueFamily::RenderSeries(std::string* out) const {
  std::map<std::string, Series, std::less<>> merged;
  for (const Shard<Series>& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    for (const auto& [key, s] : shard.series) {
      auto [it, added] = merged.try_emplace(key, s);
      if (!added) it->second.value += s.value;
    }
  }
  for (const auto& [key, s] : merged) {
    *out += name_ + LabelText(s.labels) + " " + FormatMetricValue(s.value) + "\n";
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), "histogram", std::move(label_names)),
      bounds_(std::move(bounds)) {}

void HistogramFamily::Observe(LabelValues labels, double value) {
  std::string_view key = Key(labels);
  size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                      bounds_.begin());
  Shard<Series>& shard = shards_[ThreadShard(kShards)];
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.series.find(key);
  if (it == shard.series.end()) {
    Series s;
    s.labels.assign(labels.begin(), labels.end());
    s.buckets.assign(bounds_.size() + 1, 0);
    it = shard.series.emplace(std::string(key), std::move(s)).first;
  }
  ++it->second.buckets[bucket];
  it->second.sum += value;
  ++it->second.count;
}

uint64_t HistogramFamily::Count(LabelValues labels) const {
  return SumOverShards<Series, uint64_t>(shards_, Key(labels),
                                         [](const Series& s) { return s.count; });
}

void HistogramFamily::RenderSeries(std::string* out) const {
  std::map<std::string, Series, std::less<>> merged;
  for (const Shard<Series>& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    for (const auto& [key, s] : shard.series) {
      auto [it, added] = merged.try_emplace(key, s);
      if (added) continue;
      for (size_t i = 0; i < s.buckets.size(); ++i) it->second.buckets[i] += s.buckets[i];
      it->second.sum += s.sum;
      it->second.count += s.count;
    }
  }
  for (const auto& [key, s] : merged) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      std::string le = i < bounds_.size() ? FormatMetricValue(bounds_[i]) : "+Inf";
      *out += name_ + "_bucket" + LabelText(s.labels, "le=\"" + le + "\"") + " " +
              std::to_string(cumulative) + "\n";
    }
    *out += name_ + "_sum" + LabelText(s.labels) + " " + FormatMetricValue(s.sum) + "\n";
    *out += name_ + "_count" + LabelText(s.labels) + " " + std::to_string(s.count) + "\n";
  }
}

CallbackGauge::CallbackGauge(std::string name, std::string help, std::function<double()> value)
    : MetricFamily(std::move(name), std::move(help), "gauge", {}), value_(std::move(value)) {}

void CallbackGauge::RenderSeries(std::string* out) const {
  *out += name_ + " " + FormatMetricValue(value_()) + "\n";
}

ValueFamily* MetricsRegistry::AddCounter(std::string name, std::string help,
                                         std::vector<std::string> label_names) {
  auto family = std::make_unique<ValueFamily>(std::move(name), std::move(help), "counter",
                                              std::move(label_names));
  ValueFamily* raw = family.get();
  families_.push_back(std::move(family));
  return raw;
}

ValueFamily* MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  auto family = std::make_unique<ValueFamily>(std::move(name), std::move(help), "gauge",
                                              std::move(label_names));
  ValueFamily* raw = family.get();
  families_.push_back(std::move(family));
  return raw;
}

HistogramFamily* MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> bounds) {
  auto family = std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                  std::move(label_names), std::move(bounds));
  HistogramFamily* raw = family.get();
  families_.push_back(std::move(family));
  return raw;
}

void MetricsRegistry::AddCallbackGauge(std::string name, std::string help,
                                       std::function<double()> value) {
  families_.push_back(
      std::make_unique<CallbackGauge>(std::move(name), std::move(help), std::move(value)));
}

std::string MetricsRegistry::Render() const {
  std::string out;
  for (const auto& family : families_) family->Render(&out);
  return out;
}

}  // namespace prodcat::serving
