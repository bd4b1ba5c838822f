// Known-value tests of the drift statistics; every expected number is derived by hand in the
// comment above its assertion.
#include "prodcat/monitoring/drift_statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "prodcat/validation/js_distance.h"

namespace prodcat::monitoring {
namespace {

TEST(PsiTest, KnownValue) {
  // e = (0.25, 0.25, 0.5), a = (0.5, 0.25, 0.25):
  //   (0.5 - 0.25) ln(0.5 / 0.25) + 0 + (0.25 - 0.5) ln(0.25 / 0.5)
  // = 0.25 ln 2 + 0.25 ln 2 = 0.5 ln 2 = 0.34657359...
  const std::vector<double> e = {0.25, 0.25, 0.5}, a = {0.5, 0.25, 0.25};
  EXPECT_NEAR(PopulationStabilityIndex(e, a), 0.5 * std::log(2.0), 1e-12);
  // Counts are normalized first: the same shares as weights 1:1:2 and 2:1:1.
  const std::vector<double> e_counts = {10, 10, 20}, a_counts = {200, 100, 100};
  EXPECT_NEAR(PopulationStabilityIndex(e_counts, a_counts), 0.5 * std::log(2.0), 1e-12);
  // Identical distributions: 0.
  EXPECT_DOUBLE_EQ(PopulationStabilityIndex(e, e), 0.0);
}

TEST(PsiTest, EmptyBinUsesEpsilon) {
  // e = (0.5, 0.5, 0), a = (0.5, 0.4, 0.1); the empty reference bin becomes eps = 1e-4:
  //   0 + (0.4 - 0.5) ln(0.4 / 0.5) + (0.1 - 1e-4) ln(0.1 / 1e-4)
  // = 0.1 ln 1.25 + 0.0999 ln 1000 = 0.0223144 + 0.6900847 = 0.7123991
  const std::vector<double> e = {0.5, 0.5, 0.0}, a = {0.5, 0.4, 0.1};
  EXPECT_NEAR(PopulationStabilityIndex(e, a), 0.7123991075, 1e-9);
  // A bin empty on both sides contributes (eps - eps) ln 1 = 0.
  const std::vector<double> e4 = {0.5, 0.5, 0.0, 0.0}, a4 = {0.5, 0.4, 0.1, 0.0};
  EXPECT_NEAR(PopulationStabilityIndex(e4, a4), 0.7123991075, 1e-9);
  // A larger epsilon shrinks the empty-bin term: (0.1 - 0.01) ln 10 + 0.1 ln 1.25.
  EXPECT_NEAR(PopulationStabilityIndex(e, a, 0.01), 0.09 * std::log(10.0) + 0.1 * std::log(1.25),
              1e-12);
}

TEST(PsiTest, UndefinedInputsAreNaN) {
  const std::vector<double> two = {1, 1}, three = {1, 1, 1}, zero = {0, 0};
  EXPECT_TRUE(std::isnan(PopulationStabilityIndex(two, three)));
  EXPECT_TRUE(std::isnan(PopulationStabilityIndex(two, zero)));
}

TEST(JsDistanceTest, KnownValues) {
  // p = (0.5, 0.5), q = (1, 0), m = (0.75, 0.25):
  //   KL(p || m) = 0.5 log2(0.5/0.75) + 0.5 log2(0.5/0.25) = 0.5 (-0.5849625) + 0.5 = 0.2075187
  //   KL(q || m) = log2(1/0.75) = 0.4150375
  //   JSD = (0.2075187 + 0.4150375) / 2 = 0.3112781;  distance = sqrt(JSD) = 0.5579230
  EXPECT_NEAR(JensenShannonDistance({0.5, 0.5}, {1, 0}), 0.5579230453, 1e-9);
  // Disjoint supports: m = (0.5, 0.5), KL = log2(2) = 1 on both sides, JSD = 1, distance 1.
  EXPECT_NEAR(JensenShannonDistance({1, 0}, {0, 1}), 1.0, 1e-12);
  // Identical (after normalizing counts): 0.
  EXPECT_NEAR(JensenShannonDistance({1, 3}, {10, 30}), 0.0, 1e-12);
}

TEST(KolmogorovTest, SurvivalKnownValues) {
  // Q(1) = 2 (e^-2 - e^-8 + e^-18 - ...) = 2 (0.1353352832 - 0.0003354626 + 0.0000000152)
  //      = 0.2699996717
  EXPECT_NEAR(KolmogorovSurvival(1.0), 0.2699996717, 1e-9);
  // Q(0.5) through the theta form: 1 - sqrt(2 pi)/0.5 (e^(-pi^2/2) + e^(-9 pi^2/2) + ...)
  //      = 1 - 5.0132565 (0.0071918833 + 5.3e-20) = 0.9639452437
  EXPECT_NEAR(KolmogorovSurvival(0.5), 0.9639452437, 1e-9);
  // Q(2) = 2 (e^-8 - e^-32 + ...) = 2 (0.00033546263 - 1.3e-14) = 0.00067092525
  EXPECT_NEAR(KolmogorovSurvival(2.0), 2 * std::exp(-8.0) - 2 * std::exp(-32.0), 1e-15);
  // The two series meet at lambda = 1.18 without a jump.
  EXPECT_NEAR(KolmogorovSurvival(1.18 - 1e-9), KolmogorovSurvival(1.18 + 1e-9), 1e-8);
  EXPECT_DOUBLE_EQ(KolmogorovSurvival(0.0), 1.0);
  EXPECT_NEAR(KolmogorovSurvival(0.1), 1.0, 1e-12);
}

TEST(KolmogorovTest, PValueUsesStephensCorrection) {
  // n_e = 100, D = 0.1: lambda = (10 + 0.12 + 0.11/10) * 0.1 = 1.0131;
  // Q(1.0131) = 2 (e^-2.05274 - e^-8.21097 + ...) = 2 (0.1283834 - 0.0002720) = 0.2562212
  EXPECT_NEAR(KsPValue(0.1, 100), 0.2562211851, 1e-8);
  EXPECT_DOUBLE_EQ(KsPValue(0.1, 0), 1.0);
  EXPECT_DOUBLE_EQ(KsPValue(0.0, 100), 1.0);
}

TEST(KsTest, TwoSampleKnownValue) {
  // a = {1,2,3,4}, b = {2.5,3.5,5,6}. Empirical CDFs at the merged values:
  //   x:    1    2    2.5  3    3.5  4    5    6
  //   Fa: .25  .50  .50  .75  .75  1    1    1
  //   Fb:   0    0  .25  .25  .50  .50  .75  1
  //   |d|: .25  .50  .25  .50  .25  .50  .25  0    -> D = 0.5
  // n_e = 4*4/8 = 2; lambda = (sqrt 2 + 0.12 + 0.11/sqrt 2) * 0.5 = 0.8059977;
  // Q(0.8059977) = 0.5344157 (theta form: 1 - sqrt(2 pi)/lambda * sum exp(-(2j-1)^2 pi^2 /
  // (8 lambda^2)) = 1 - 3.1100 * 0.14972 = 0.53442).
  const KsResult r = TwoSampleKs({1, 2, 3, 4}, {2.5, 3.5, 5, 6});
  EXPECT_DOUBLE_EQ(r.statistic, 0.5);
  EXPECT_DOUBLE_EQ(r.effective_n, 2.0);
  EXPECT_NEAR(r.p_value, 0.5344157192, 1e-8);
}

TEST(KsTest, TwoSampleTiesAndEdgeCases) {
  // a = {1,1,2}, b = {1,2,2}: at 1, Fa = 2/3 and Fb = 1/3; at 2 both are 1. D = 1/3. A tie
  // between the samples is crossed by both CDFs at once, never counted as a gap.
  EXPECT_NEAR(TwoSampleKs({1, 1, 2}, {1, 2, 2}).statistic, 1.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(TwoSampleKs({1, 2, 3}, {3, 2, 1}).statistic, 0.0);
  // Disjoint samples: D = 1. Unsorted input and NaN are handled.
  EXPECT_DOUBLE_EQ(TwoSampleKs({3, 1, 2, NAN}, {10, 12, 11}).statistic, 1.0);
  const KsResult empty = TwoSampleKs({}, {1.0});
  EXPECT_DOUBLE_EQ(empty.statistic, 0.0);
  EXPECT_DOUBLE_EQ(empty.p_value, 1.0);
}

TEST(PiecewiseLinearCdfTest, InterpolatesAndJumpsAtTies) {
  // Edges {0, 10, 10, 20}: knots (0, 0), (10, 1/3), (10, 2/3), (20, 1). At 10 the CDF jumps from
  // 1/3 (left limit) to 2/3.
  const auto cdf = PiecewiseLinearCdf::FromQuantileEdges(std::vector<double>{0, 10, 10, 20});
  EXPECT_DOUBLE_EQ(cdf.At(-1), 0.0);
  EXPECT_DOUBLE_EQ(cdf.At(5), 1.0 / 6);  // halfway between (0, 0) and (10, 1/3)
  EXPECT_DOUBLE_EQ(cdf.Before(10), 1.0 / 3);
  EXPECT_DOUBLE_EQ(cdf.At(10), 2.0 / 3);
  EXPECT_DOUBLE_EQ(cdf.At(15), 5.0 / 6);  // halfway between (10, 2/3) and (20, 1)
  EXPECT_DOUBLE_EQ(cdf.At(20), 1.0);
  EXPECT_DOUBLE_EQ(cdf.Before(20), 1.0);
  EXPECT_DOUBLE_EQ(cdf.At(25), 1.0);
  EXPECT_TRUE(PiecewiseLinearCdf::FromQuantileEdges(std::vector<double>{1.0}).empty());
  EXPECT_TRUE(PiecewiseLinearCdf({1, 0}, {0, 1}).empty());  // descending x: rejected
}

TEST(KsTest, OneSampleAgainstCdfKnownValue) {
  // Uniform(0, 1) reference, sample {0.1, 0.4, 0.8}:
  //   D+ = max(i/n - x_i) = max(1/3 - 0.1, 2/3 - 0.4, 1 - 0.8) = 0.2666667
  //   D- = max(x_i - (i-1)/n) = max(0.1, 0.4 - 1/3, 0.8 - 2/3) = 0.1333333
  const PiecewiseLinearCdf uniform({0, 1}, {0, 1});
  EXPECT_NEAR(KsStatisticAgainstCdf(std::vector<double>{0.1, 0.4, 0.8}, uniform, 0), 0.8 / 3,
              1e-12);
  // A lattice reference: P(0) = 0.7, P(1) = 0.3 (knots (-0.5, 0), (0.5, 0.7), (1.5, 1)).
  // Sample {0, 1, 1, 1}: empirical P(X <= 0) = 0.25 vs 0.7 -> D = 0.45 (at 1 both are 1).
  const PiecewiseLinearCdf binary({-0.5, 0.5, 1.5}, {0, 0.7, 1});
  EXPECT_NEAR(KsStatisticAgainstCdf(std::vector<double>{0, 1, 1, 1}, binary, 1.0), 0.45, 1e-12);
  // Matching sample (7 zeros, 3 ones): D = 0.
  EXPECT_NEAR(KsStatisticAgainstCdf(std::vector<double>{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, binary, 1.0),
              0.0, 1e-12);
}

TEST(ChiSquaredTest, KnownValues) {
  // With 2 degrees of freedom the survival function is exp(-x/2): exp(-1) at x = 2.
  EXPECT_NEAR(ChiSquaredSurvival(2.0, 2), std::exp(-1.0), 1e-12);
  // The 95% quantile of chi-squared(1) is 1.959964^2 = 3.841459.
  EXPECT_NEAR(ChiSquaredSurvival(3.841458821, 1), 0.05, 1e-8);
  EXPECT_DOUBLE_EQ(ChiSquaredSurvival(0.0, 3), 1.0);
  // P(Z > 1.959964) = 0.025.
  EXPECT_NEAR(NormalSurvival(1.959963985), 0.025, 1e-9);
  EXPECT_DOUBLE_EQ(EffectiveSampleSize(100, 100), 50.0);
  EXPECT_DOUBLE_EQ(EffectiveSampleSize(100, 0), 100.0);
}

}  // namespace
}  // namespace prodcat::monitoring
