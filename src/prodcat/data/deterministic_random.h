// DeterministicRandom: random draws that are identical on every platform for a given seed.
// std::mt19937_64's output sequence is fixed by the standard, but std::*_distribution algorithms
// are implementation-defined, so the distributions here are written out explicitly.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace prodcat {

class DeterministicRandom {
 public:
  explicit DeterministicRandom(uint64_t seed) : engine_(seed) {}

  uint64_t NextU64() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n); n > 0. Rejection sampling keeps it exactly uniform.
  uint64_t Below(uint64_t n);
  bool Bernoulli(double p) { return Uniform() < p; }
  // Standard normal (Marsaglia polar method).
  double Normal();

 private:
  std::mt19937_64 engine_;         // the only source of randomness
  double spare_normal_ = 0;        // second value of the last polar pair
  bool has_spare_normal_ = false;  // spare_normal_ is unused
};

// Samples index i with probability weights[i] / sum(weights) by inverting the cumulative sum.
class DiscreteSampler {
 public:
  DiscreteSampler() = default;
  explicit DiscreteSampler(const std::vector<double>& weights);
  // Zipf over ranks 1..n: weight of rank k is 1 / k^exponent.
  static DiscreteSampler Zipf(size_t n, double exponent);

  size_t Sample(DeterministicRandom* random) const;
  size_t size() const { return cumulative_.size(); }

 private:
  std::vector<double> cumulative_;  // normalized running sums, last element 1.0
};

}  // namespace prodcat
