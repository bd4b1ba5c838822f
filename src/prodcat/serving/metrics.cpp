#include "prodcat/serving/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

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

std::string MetricFamily::Key(LabelValues values) const {
  std::string key;
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

void ValueFamily::Add(LabelValues labels, double amount) {
  std::string key = Key(labels);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    it = series_.emplace(std::move(key), Series{{labels.begin(), labels.end()}, 0}).first;
  }
  it->second.value += amount;
}

void ValueFamily::Set(LabelValues labels, double value) {
  std::string key = Key(labels);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    it = series_.emplace(std::move(key), Series{{labels.begin(), labels.end()}, 0}).first;
  }
  it->second.value = value;
}

double ValueFamily::Value(LabelValues labels) const {
  std::string key = Key(labels);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = series_.find(key);
  return it == series_.end() ? 0 : it->second.value;
}

void ValueFamily::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  series_.clear();
}

void ValueFamily::RenderSeries(std::string* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, s] : series_) {
    *out += name_ + LabelText(s.labels) + " " + FormatMetricValue(s.value) + "\n";
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), "histogram", std::move(label_names)),
      bounds_(std::move(bounds)) {}

void HistogramFamily::Observe(LabelValues labels, double value) {
  std::string key = Key(labels);
  size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                      bounds_.begin());
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    Series s;
    s.labels.assign(labels.begin(), labels.end());
    s.buckets.assign(bounds_.size() + 1, 0);
    it = series_.emplace(std::move(key), std::move(s)).first;
  }
  ++it->second.buckets[bucket];
  it->second.sum += value;
  ++it->second.count;
}

uint64_t HistogramFamily::Count(LabelValues labels) const {
  std::string key = Key(labels);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = series_.find(key);
  return it == series_.end() ? 0 : it->second.count;
}

void HistogramFamily::RenderSeries(std::string* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, s] : series_) {
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
