#include "prodcat/experiments/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "prodcat/experiments/verdict.h"

namespace prodcat::experiments {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Known values, each from a closed form of the chi-square upper tail that does not go through
// the incomplete gamma function:
//   df = 1: X = Z^2, so P(X >= x) = P(|Z| >= sqrt(x)) = erfc(sqrt(x / 2)).
//   df = 2: the chi-square(2) is the exponential with mean 2, so P(X >= x) = exp(-x / 2).
//   df = 3: integrating by parts once from df = 1: erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2).
//   df = 4: Q(2, x/2) = exp(-x/2) (1 + x/2) (Poisson tail identity for integer shape).
TEST(ChiSquareTest, UpperTailMatchesClosedForms) {
  for (double x : {0.1, 1.0, 3.841458820694124, 10.0, 30.0}) {
    EXPECT_NEAR(ChiSquareUpperTail(x, 1), std::erfc(std::sqrt(x / 2)), 1e-12) << x;
    EXPECT_NEAR(ChiSquareUpperTail(x, 2), std::exp(-x / 2), 1e-12) << x;
    EXPECT_NEAR(ChiSquareUpperTail(x, 3),
                std::erfc(std::sqrt(x / 2)) + std::sqrt(2 * x / kPi) * std::exp(-x / 2), 1e-12)
        << x;
    EXPECT_NEAR(ChiSquareUpperTail(x, 4), std::exp(-x / 2) * (1 + x / 2), 1e-12) << x;
  }
}

TEST(ChiSquareTest, TextbookCriticalValues) {
  // 1.959963984540054^2 = 3.841458820694124 is the 95% quantile of chi-square(1);
  // 2 ln(1000) = 13.815510557964274 the 99.9% quantile of chi-square(2) (exp(-x/2) = 0.001).
  EXPECT_NEAR(ChiSquareUpperTail(3.841458820694124, 1), 0.05, 1e-12);
  EXPECT_NEAR(ChiSquareUpperTail(13.815510557964274, 2), 0.001, 1e-12);
  EXPECT_NEAR(ChiSquareUpperTail(10.827566170662733, 1), 0.001, 1e-10);  // 3.2905267^2
  EXPECT_EQ(ChiSquareUpperTail(0, 3), 1);
  EXPECT_EQ(ChiSquareUpperTail(1e6, 1), 0);
}

TEST(ChiSquareTest, GoodnessOfFitStatistic) {
  // 60 vs 40 against 50/50: X^2 = 10^2/50 + 10^2/50 = 4, p = erfc(sqrt(2)) = 0.0455003.
  std::vector<int64_t> observed = {60, 40};
  std::vector<double> shares = {0.5, 0.5};
  StatusOr<ChiSquareResult> r = ChiSquareGoodnessOfFit(observed, shares);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->statistic, 4);
  EXPECT_EQ(r->degrees_of_freedom, 1);
  EXPECT_NEAR(r->p_value, std::erfc(std::sqrt(2.0)), 1e-12);
  // Three arms 20/30/50 observed exactly: X^2 = 0, p = 1.
  observed = {200, 300, 500};
  shares = {0.2, 0.3, 0.5};
  r = ChiSquareGoodnessOfFit(observed, shares);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->statistic, 0);
  EXPECT_EQ(r->p_value, 1);
  EXPECT_EQ(r->degrees_of_freedom, 2);
}

TEST(ChiSquareTest, RejectsMalformedInput) {
  std::vector<int64_t> two = {1, 2};
  std::vector<double> one = {1.0};
  EXPECT_FALSE(ChiSquareGoodnessOfFit(two, one).ok());
  std::vector<double> bad_sum = {0.5, 0.6};
  EXPECT_FALSE(ChiSquareGoodnessOfFit(two, bad_sum).ok());
  std::vector<int64_t> negative = {-1, 2};
  std::vector<double> halves = {0.5, 0.5};
  EXPECT_FALSE(ChiSquareGoodnessOfFit(negative, halves).ok());
}

TEST(SampleRatioMismatchTest, FiresOn52To48AndNotOnFairCounts) {
  std::vector<double> halves = {0.5, 0.5};
  // 52,000 vs 48,000 against 50/50: X^2 = 2 * 2000^2 / 50000 = 160, p ~ 1e-36.
  std::vector<int64_t> biased = {52000, 48000};
  StatusOr<ChiSquareResult> r = ChiSquareGoodnessOfFit(biased, halves);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->statistic, 160);
  EXPECT_LT(r->p_value, 1e-30);
  // 50,150 vs 49,850 is ordinary noise (X^2 = 2 * 150^2 / 50000 = 0.9, p = 0.34).
  std::vector<int64_t> fair = {50150, 49850};
  r = ChiSquareGoodnessOfFit(fair, halves);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->statistic, 0.9);
  EXPECT_NEAR(r->p_value, std::erfc(std::sqrt(0.9 / 2)), 1e-12);
  EXPECT_GT(r->p_value, 0.001);
}

TEST(MixtureSprtTest, StepMatchesTheFormula) {
  // 80/100 vs 90/100: theta_hat = 0.1; V from the smoothed proportions.
  MixtureStep step = EvaluateMixture(100, 80, 100, 90, 0.05, 0.02);
  double pa = 80.5 / 101, pb = 90.5 / 101;
  double v = pa * (1 - pa) / 100 + pb * (1 - pb) / 100;
  double t2 = 0.0004;
  EXPECT_NEAR(step.difference, 0.1, 1e-15);
  EXPECT_NEAR(step.variance, v, 1e-15);
  EXPECT_NEAR(step.log_likelihood_ratio,
              0.5 * std::log(v / (v + t2)) + t2 * 0.01 / (2 * v * (v + t2)), 1e-12);
  // At theta0 = theta_hat +/- h the likelihood ratio is exactly 1/alpha.
  double at_edge =
      0.5 * std::log(v / (v + t2)) + t2 * step.half_width * step.half_width / (2 * v * (v + t2));
  EXPECT_NEAR(at_edge, std::log(1 / 0.05), 1e-9);
}

TEST(MixtureSprtTest, WaitsForTheMinimumPerArmThenTracksRunningState) {
  SequentialTestOptions options;
  options.min_per_arm = 50;
  options.mixture_sd = 0.2;  // a wide mixture: large effects are decided at small n
  MixtureSprt test(options);
  // A is right 4 times in 5, B once in 5: from the start each has >= 10 of both outcomes.
  for (int i = 0; i < 49; ++i) {
    test.Add(false, i % 5 != 0);
    test.Add(true, i % 5 == 0);
  }
  EXPECT_FALSE(test.result().started);
  EXPECT_EQ(test.result().p_value, 1);
  EXPECT_EQ(test.result().lower, -1);
  EXPECT_EQ(test.result().upper, 1);
  EXPECT_NEAR(test.result().difference, 10.0 / 49 - 39.0 / 49, 1e-12);
  test.Add(false, true);
  test.Add(true, false);
  EXPECT_TRUE(test.result().started);
  EXPECT_LT(test.result().p_value, 1e-6);  // 80% vs 20% is overwhelming
  EXPECT_LT(test.result().upper, 0);
  // The p-value never increases and the sequence never widens, whatever comes next (here B
  // turns from always wrong to mostly right: a drift that must not reverse the decision).
  double p = test.result().p_value, lo = test.result().lower, hi = test.result().upper;
  for (int i = 0; i < 400; ++i) {
    test.Add(i % 3 != 0, i % 4 != 0);
    EXPECT_LE(test.result().p_value, p);
    EXPECT_GE(test.result().lower, lo);
    EXPECT_LE(test.result().upper, hi);
    p = test.result().p_value, lo = test.result().lower, hi = test.result().upper;
  }
  EXPECT_LT(test.result().upper, 0);
}

TEST(MixtureSprtTest, WaitsForTenRightAndTenWrongAnswersPerArm) {
  SequentialTestOptions options;
  options.min_per_arm = 20;
  MixtureSprt test(options);
  for (int i = 0; i < 500; ++i) {
    test.Add(false, true);       // A never wrong: no variance estimate to trust yet
    test.Add(true, i % 2 == 0);  // B right half the time
  }
  EXPECT_FALSE(test.result().started);
  for (int i = 0; i < 10; ++i) test.Add(false, false);
  EXPECT_TRUE(test.result().started);
  EXPECT_LT(test.result().upper, 0);
}

// Fixed-horizon two-proportion z-test, for the "naive peeking" control of the simulation.
bool NaiveZTestRejects(int64_t na, int64_t ca, int64_t nb, int64_t cb) {
  double pa = static_cast<double>(ca) / na, pb = static_cast<double>(cb) / nb;
  double pooled = static_cast<double>(ca + cb) / (na + nb);
  double se = std::sqrt(pooled * (1 - pooled) * (1.0 / na + 1.0 / nb));
  return se > 0 && std::fabs(pb - pa) / se > 1.959963984540054;
}

struct SimulationOutcome {
  double msprt_rejection_rate = 0;  // share of experiments whose verdict was ever b_better/b_worse
  double naive_rejection_rate = 0;  // share where a z-test at some look rejected
  double coverage = 0;              // share whose sequence always contained the true difference
};

// `experiments` simulated A/B tests, feedback split at random (treatment_share to B), accuracies
// pa and pb, a look after every 100 feedbacks up to `horizon`.
SimulationOutcome Simulate(int experiments, int horizon, double pa, double pb, uint64_t seed,
                           double treatment_share = 0.5) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  SequentialTestOptions options;
  options.alpha = 0.05;
  options.mixture_sd = 0.02;
  options.min_per_arm = 100;
  int msprt = 0, naive = 0, covered = 0;
  for (int e = 0; e < experiments; ++e) {
    MixtureSprt test(options);
    bool msprt_rejected = false, naive_rejected = false, always_covered = true;
    for (int n = 1; n <= horizon; ++n) {
      bool treatment = unit(rng) < treatment_share;
      bool correct = unit(rng) < (treatment ? pb : pa);
      test.Add(treatment, correct);
      if (n % 100 != 0) continue;  // a look
      const SequentialResult& r = test.result();
      Verdict verdict = DecideComparison(r, 0.01);
      msprt_rejected |= verdict == Verdict::kBBetter || verdict == Verdict::kBWorse;
      always_covered &= r.lower <= pb - pa && pb - pa <= r.upper;
      if (r.control_n >= 100 && r.treatment_n >= 100) {
        naive_rejected |= NaiveZTestRejects(r.control_n, r.control_successes, r.treatment_n,
                                            r.treatment_successes);
      }
    }
    msprt += msprt_rejected;
    naive += naive_rejected;
    covered += always_covered;
  }
  return {static_cast<double>(msprt) / experiments, static_cast<double>(naive) / experiments,
          static_cast<double>(covered) / experiments};
}

TEST(SequentialSimulationTest, FalsePositiveRateUnderRepeatedLooksStaysAtAlpha) {
  // 2,000 A/A experiments (both arms 80% accurate), a look every 100 feedbacks up to 10,000.
  const int experiments = 2000;
  SimulationOutcome out = Simulate(experiments, 10000, 0.8, 0.8, 20240611);
  const double alpha = 0.05;
  const double tolerance = 3 * std::sqrt(alpha * (1 - alpha) / experiments);  // Monte-Carlo 3 sd
  std::printf(
      "[ measured ] A/A false-positive rate over 100 looks: mSPRT %.4f, naive z-test %.4f "
      "(alpha %.2f)\n",
      out.msprt_rejection_rate, out.naive_rejection_rate, alpha);
  EXPECT_LE(out.msprt_rejection_rate, alpha + tolerance);
  // The same looks with a fixed-horizon test inflate the error several-fold: the simulation is
  // sensitive enough to catch a test that is not valid under peeking.
  EXPECT_GT(out.naive_rejection_rate, 2 * alpha);
}

TEST(SequentialSimulationTest, FalsePositiveRateStaysAtAlphaWithASmallAccurateArm) {
  // The hard case for a normal approximation: a 90/10 split and 97%-accurate models, so the
  // small arm sees few errors. 1,000 A/A experiments, a look every 100 feedbacks up to 10,000.
  const int experiments = 1000;
  SimulationOutcome out = Simulate(experiments, 10000, 0.97, 0.97, 99, /*treatment_share=*/0.1);
  const double alpha = 0.05;
  std::printf("[ measured ] A/A 90/10 split, 97%% accuracy: mSPRT false-positive rate %.4f\n",
              out.msprt_rejection_rate);
  EXPECT_LE(out.msprt_rejection_rate, alpha + 3 * std::sqrt(alpha * (1 - alpha) / experiments));
}

TEST(SequentialSimulationTest, DetectsARealDifferenceAndCoversIt) {
  // 80% vs 85% accuracy: detected (b_better) well within 10,000 feedbacks, never b_worse, and
  // the confidence sequence holds the true +0.05 at every look in >= 1 - alpha of the runs.
  const int experiments = 200;
  SimulationOutcome out = Simulate(experiments, 10000, 0.80, 0.85, 7);
  std::printf("[ measured ] 0.80 vs 0.85: detected in %.3f of runs, coverage %.3f\n",
              out.msprt_rejection_rate, out.coverage);
  EXPECT_GE(out.msprt_rejection_rate, 0.95);
  EXPECT_GE(out.coverage, 1 - 0.05 - 3 * std::sqrt(0.05 * 0.95 / experiments));
}

TEST(VerdictTest, RulesInOrder) {
  SequentialResult r;
  EXPECT_EQ(DecideComparison(r, 0.01), Verdict::kKeepRunning);  // not started
  r.started = true;
  r.lower = 0.001, r.upper = 0.004;  // significant even though inside +/- mde
  EXPECT_EQ(DecideComparison(r, 0.01), Verdict::kBBetter);
  r.lower = -0.03, r.upper = -0.02;
  EXPECT_EQ(DecideComparison(r, 0.01), Verdict::kBWorse);
  r.lower = -0.008, r.upper = 0.009;
  EXPECT_EQ(DecideComparison(r, 0.01), Verdict::kNoDifference);
  r.lower = -0.02, r.upper = 0.009;
  EXPECT_EQ(DecideComparison(r, 0.01), Verdict::kKeepRunning);
  EXPECT_STREQ(VerdictName(Verdict::kNoDifference), "no_difference");
}

TEST(VerdictTest, CombinesSeveralTreatments) {
  using V = Verdict;
  EXPECT_EQ(CombineVerdicts(std::vector<V>{V::kBWorse, V::kBBetter}), V::kBBetter);
  EXPECT_EQ(CombineVerdicts(std::vector<V>{V::kBWorse, V::kKeepRunning}), V::kKeepRunning);
  EXPECT_EQ(CombineVerdicts(std::vector<V>{V::kBWorse, V::kBWorse}), V::kBWorse);
  EXPECT_EQ(CombineVerdicts(std::vector<V>{V::kBWorse, V::kNoDifference}), V::kNoDifference);
}

}  // namespace
}  // namespace prodcat::experiments
