#include "prodcat/models/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace prodcat {
namespace {

TEST(SoftmaxWithTemperatureTest, KnownValues) {
  const float logits[2] = {0.0f, std::log(2.0f)};
  float probs[2];
  SoftmaxWithTemperature(logits, 2, 1.0, probs);
  EXPECT_NEAR(probs[0], 1.0 / 3, 1e-6);
  EXPECT_NEAR(probs[1], 2.0 / 3, 1e-6);

  // Dividing by T = 2 halves the log-odds: scores (0, 2 ln 2) give the same 1/3 vs 2/3.
  const float doubled[2] = {0.0f, 2 * std::log(2.0f)};
  SoftmaxWithTemperature(doubled, 2, 2.0, probs);
  EXPECT_NEAR(probs[0], 1.0 / 3, 1e-6);
  EXPECT_NEAR(probs[1], 2.0 / 3, 1e-6);
}

TEST(SoftmaxWithTemperatureTest, StableForHugeScoresAndInPlace) {
  float values[3] = {1000.0f, 1001.0f, -1e4f};
  SoftmaxWithTemperature(values, 3, 1.0, values);
  EXPECT_TRUE(std::isfinite(values[0]) && std::isfinite(values[1]));
  EXPECT_NEAR(values[0] + values[1] + values[2], 1.0, 1e-6);
  EXPECT_NEAR(values[1] / values[0], std::exp(1.0), 1e-3);
  EXPECT_EQ(values[2], 0.0f);
}

TEST(SoftmaxLogLossTest, KnownValue) {
  // Row 1: p(label 1) = 2/3. Row 2: uniform over 2, p = 1/2. Row 3 has no usable label.
  std::vector<float> logits = {0.0f, std::log(2.0f), 5.0f, 5.0f, 1.0f, 2.0f};
  std::vector<int> labels = {1, 0, 7};
  double expected = (-std::log(2.0 / 3) - std::log(0.5)) / 2;
  EXPECT_NEAR(SoftmaxLogLoss(logits, labels, 2, 1.0), expected, 1e-6);
}

TEST(FitTemperatureTest, RecoversTheTemperatureThatGeneratedTheLabels) {
  const double true_temperature = 2.5;
  const int k = 4;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> score(0.0f, 3.0f);
  std::vector<float> logits;
  std::vector<int> labels;
  for (int r = 0; r < 20000; ++r) {
    std::vector<float> row(k), probs(k);
    for (float& s : row) s = score(rng);
    SoftmaxWithTemperature(row.data(), k, true_temperature, probs.data());
    std::discrete_distribution<int> draw(probs.begin(), probs.end());
    labels.push_back(draw(rng));
    logits.insert(logits.end(), row.begin(), row.end());
  }
  double fitted = FitTemperature(logits, labels, k);
  EXPECT_NEAR(fitted, true_temperature, 0.15);
  EXPECT_LT(SoftmaxLogLoss(logits, labels, k, fitted), SoftmaxLogLoss(logits, labels, k, 1.0));
}

TEST(FitTemperatureTest, NoUsableRowsGivesOne) {
  EXPECT_EQ(FitTemperature({}, {}, 3), 1.0);
  EXPECT_EQ(FitTemperature({1, 2, 3}, {-1}, 3), 1.0);
}

TEST(ScoreProbabilitiesTest, KnownValues) {
  // Predictions (arg-max): 0, 0, 1, 2. Labels: 0, 1, 1, 1.
  std::vector<float> probs = {0.8f, 0.1f, 0.1f,   //
                              0.6f, 0.3f, 0.1f,   //
                              0.2f, 0.7f, 0.1f,   //
                              0.1f, 0.4f, 0.5f};  //
  std::vector<int> labels = {0, 1, 1, 1};
  ProbabilityScores s = ScoreProbabilities(probs, labels, 3);
  EXPECT_EQ(s.rows, 4u);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.5);
  // F1: class 0 = 2*1/(1+2) = 2/3; class 1 = 2*1/(3+1) = 1/2; class 2 = 0 (predicted, never true).
  EXPECT_NEAR(s.macro_f1, (2.0 / 3 + 0.5 + 0.0) / 3, 1e-9);
  double expected_loss = -(std::log(0.8) + std::log(0.3) + std::log(0.7) + std::log(0.4)) / 4;
  EXPECT_NEAR(s.log_loss, expected_loss, 1e-6);
}

}  // namespace
}  // namespace prodcat
