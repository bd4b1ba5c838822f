#include "prodcat/data/deterministic_random.h"

#include <algorithm>
#include <cmath>

namespace prodcat {

uint64_t DeterministicRandom::Below(uint64_t n) {
  // Values below `threshold` would make some residues more likely than others.
  uint64_t threshold = (0 - n) % n;
  for (;;) {
    uint64_t r = engine_();
    if (r >= threshold) return r % n;
  }
}

double DeterministicRandom::Normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2 * Uniform() - 1;
    v = 2 * Uniform() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  double scale = std::sqrt(-2 * std::log(s) / s);
  spare_normal_ = v * scale;
  has_spare_normal_ = true;
  return u * scale;
}

DiscreteSampler::DiscreteSampler(const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  double running = 0;
  cumulative_.reserve(weights.size());
  for (double w : weights) {
    running += w;
    cumulative_.push_back(running / total);
  }
  if (!cumulative_.empty()) cumulative_.back() = 1.0;
}

DiscreteSampler DiscreteSampler::Zipf(size_t n, double exponent) {
  std::vector<double> weights(n);
  for (size_t k = 0; k < n; ++k) weights[k] = 1.0 / std::pow(static_cast<double>(k + 1), exponent);
  return DiscreteSampler(weights);
}

size_t DiscreteSampler::Sample(DeterministicRandom* random) const {
  double u = random->Uniform();
  size_t i = static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) -
                                 cumulative_.begin());
  return std::min(i, cumulative_.size() - 1);
}

}  // namespace prodcat
