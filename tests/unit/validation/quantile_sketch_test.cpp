#include "prodcat/validation/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "prodcat/validation/hashed_value_set.h"

namespace prodcat {
namespace {

TEST(QuantileSketch, ExactForSmallInputs) {
  QuantileSketch sketch;
  EXPECT_TRUE(std::isnan(sketch.Quantile(0.5)));
  for (double v : {4.0, 1.0, 3.0, 2.0, std::nan("")}) sketch.Add(v);
  EXPECT_EQ(sketch.count(), 4u) << "NaN is ignored";
  EXPECT_TRUE(sketch.exact());
  EXPECT_EQ(sketch.Quantile(0.5), 2.0) << "lower nearest rank: ceil(0.5 * 4) = 2nd value";
  EXPECT_EQ(sketch.Quantile(0.51), 3.0);
  EXPECT_EQ(sketch.Quantile(0.0), 1.0);
  EXPECT_EQ(sketch.Quantile(1.0), 4.0);
  EXPECT_EQ(sketch.Quantile(0.01), 1.0);
}

// The documented rank error (3.3/k of n at 99% confidence) measured on shuffled data, with bounded
// memory.
TEST(QuantileSketch, RankErrorAndMemoryStayBounded) {
  const size_t n = 500000;
  std::vector<double> values(n);
  for (size_t i = 0; i < n; ++i) values[i] = static_cast<double>(i);
  std::mt19937_64 rng(7);
  std::shuffle(values.begin(), values.end(), rng);
  QuantileSketch sketch;
  size_t max_retained = 0;
  for (double v : values) {
    sketch.Add(v);
    max_retained = std::max(max_retained, sketch.retained());
  }
  EXPECT_FALSE(sketch.exact());
  EXPECT_EQ(sketch.min(), 0.0);
  EXPECT_EQ(sketch.max(), static_cast<double>(n - 1));
  EXPECT_LT(max_retained, 4 * QuantileSketch::kDefaultK) << "memory independent of n";
  double worst = 0;
  for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
    // Value i has rank i + 1, so the returned value's rank error is |value + 1 - ceil(q n)|.
    double got = sketch.Quantile(q);
    double error = std::abs(got + 1 - std::ceil(q * n)) / n;
    worst = std::max(worst, error);
  }
  EXPECT_LT(worst, 3.3 / QuantileSketch::kDefaultK) << "worst normalized rank error " << worst;
  // Deterministic: the same input gives the same answer.
  QuantileSketch again;
  for (double v : values) again.Add(v);
  EXPECT_EQ(again.Quantile(0.5), sketch.Quantile(0.5));
}

TEST(HashedValueSet, CountsDistinctAndRepeats) {
  HashedValueSet set;
  // Enough values to force several table growths.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5000; ++i) {
      bool fresh = set.Insert(HashedValueSet::HashText(std::string("v").append(std::to_string(i))));
      EXPECT_EQ(fresh, round == 0);
    }
  }
  EXPECT_EQ(set.distinct(), 5000u);
  EXPECT_EQ(set.repeat_occurrences(), 10000u);
  EXPECT_EQ(set.repeated_values(), 5000u);
  EXPECT_TRUE(set.Insert(0)) << "hash 0 is usable";
  EXPECT_FALSE(set.Insert(0));
  EXPECT_EQ(HashedValueSet::HashNumber(-0.0), HashedValueSet::HashNumber(0.0));
  EXPECT_NE(HashedValueSet::HashNumber(1.0), HashedValueSet::HashNumber(2.0));
  EXPECT_LE(set.memory_bytes(), 5001u * 8 * 4) << "8-byte slots, at most half full";
}

}  // namespace
}  // namespace prodcat
