#include "prodcat/validation/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace prodcat {

QuantileSketch::QuantileSketch(uint32_t k)
    : k_(std::max<uint32_t>(k, 8)), levels_(1), random_state_(0x9E3779B97F4A7C15ULL) {
  UpdateCapacities();
}

void QuantileSketch::UpdateCapacities() {
  // Lower levels get geometrically smaller buffers (factor 2/3), which is what keeps the total
  // size O(k) while the error stays dominated by the top levels.
  capacities_.resize(levels_.size());
  for (size_t level = 0; level < levels_.size(); ++level) {
    size_t depth = levels_.size() - 1 - level;
    double capacity = std::ceil(k_ * std::pow(2.0 / 3.0, static_cast<double>(depth)));
    capacities_[level] = std::max<size_t>(2, static_cast<size_t>(capacity));
  }
}

size_t QuantileSketch::retained() const {
  size_t total = 0;
  for (const auto& level : levels_) total += level.size();
  return total;
}

bool QuantileSketch::NextBit() {
  random_state_ ^= random_state_ << 13;
  random_state_ ^= random_state_ >> 7;
  random_state_ ^= random_state_ << 17;
  return (random_state_ >> 32) & 1;
}

void QuantileSketch::Add(double value) {
  if (std::isnan(value)) return;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  levels_[0].push_back(value);
  if (levels_[0].size() >= Capacity(0)) Compact();
}

void QuantileSketch::Compact() {
  // Compacts the lowest full level: sort it, promote every other item (random offset) to the next
  // level with twice the weight. One odd item stays behind so total weight is conserved exactly.
  for (size_t h = 0; h < levels_.size(); ++h) {
    if (levels_[h].size() < Capacity(h)) continue;
    if (h + 1 == levels_.size()) {
      levels_.emplace_back();
      UpdateCapacities();
    }
    std::vector<double>& items = levels_[h];
    std::sort(items.begin(), items.end());
    std::vector<double> kept;
    size_t begin = 0;
    if (items.size() % 2 == 1) {
      // Hold back an end item, alternating sides, so neither tail is systematically favoured.
      if (NextBit()) {
        kept.push_back(items.back());
        items.pop_back();
      } else {
        kept.push_back(items.front());
        begin = 1;
      }
    }
    size_t offset = NextBit() ? 1 : 0;
    std::vector<double>& up = levels_[h + 1];
    for (size_t i = begin + offset; i < items.size(); i += 2) up.push_back(items[i]);
    items = std::move(kept);
    // Promotion may overfill the next level; the loop continues upwards.
  }
}

std::vector<double> QuantileSketch::Quantiles(const std::vector<double>& qs) const {
  std::vector<double> out(qs.size(), std::numeric_limits<double>::quiet_NaN());
  if (count_ == 0) return out;
  std::vector<std::pair<double, uint64_t>> weighted;
  weighted.reserve(retained());
  for (size_t h = 0; h < levels_.size(); ++h) {
    for (double v : levels_[h]) weighted.emplace_back(v, uint64_t{1} << h);
  }
  std::sort(weighted.begin(), weighted.end());
  for (size_t i = 0; i < qs.size(); ++i) {
    double q = qs[i];
    if (q <= 0) {
      out[i] = min_;
      continue;
    }
    if (q >= 1) {
      out[i] = max_;
      continue;
    }
    uint64_t target = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
    target = std::max<uint64_t>(target, 1);
    uint64_t cumulative = 0;
    out[i] = weighted.back().first;
    for (const auto& [value, weight] : weighted) {
      cumulative += weight;
      if (cumulative >= target) {
        out[i] = value;
        break;
      }
    }
  }
  return out;
}

double QuantileSketch::Quantile(double q) const {
  return Quantiles({q})[0];
}

}  // namespace prodcat
