// Seeded randomness with results that do not depend on the standard library's implementation:
// std::mt19937_64's output is fixed by the C++ standard, but std::*_distribution's is not, so
// shuffles and draws are built directly on the engine.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace prodcat {

class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  // Uniform integer in [0, n) by rejection (no modulo bias). n > 0.
  uint64_t Below(uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = engine_();
    } while (x >= limit);
    return x % n;
  }
  double Uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  template <typename T>
  void Shuffle(std::vector<T>* v) {
    for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[Below(i)]);
  }

 private:
  std::mt19937_64 engine_;  // the only state; same seed, same sequence everywhere
};

}  // namespace prodcat
