#include "prodcat/evaluation/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace prodcat {
namespace {

nlohmann::json EvaluateOrDie(const EvaluationInput& input) {
  nlohmann::json report;
  const Status status = Evaluate(input, &report);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return report;
}

double PerClass(const nlohmann::json& report, const std::string& label, const char* metric) {
  return report.at("per_class").at(label).at(metric).get<double>();
}

// Three classes, seven rows (probabilities per row are A, B, C):
//   row  true  probs            predicted
//   0    A     .70 .20 .10      A
//   1    A     .30 .60 .10      B
//   2    B     .20 .70 .10      B
//   3    B     .10 .80 .10      B
//   4    C     .50 .10 .40      A
//   5    C     .20 .20 .60      C
//   6    A     .90 .05 .05      A
// Confusion (rows true, cols predicted): A [2 1 0], B [0 2 0], C [1 0 1].
// tp = A2 B2 C1; predicted = A3 B3 C1; support = A3 B2 C2.
// precision: A 2/3, B 2/3, C 1/1.   recall: A 2/3, B 2/2, C 1/2.
// f1: A 2/3; B 2(2/3)(1)/(2/3 + 1) = 0.8; C 2(1)(1/2)/(3/2) = 2/3.
// macro = (2/3 + 0.8 + 2/3) / 3 = 0.711111...
// weighted = (3(2/3) + 2(0.8) + 2(2/3)) / 7 = (2 + 1.6 + 1.333333) / 7 = 0.704762...
// accuracy = 5/7 (rows 0, 2, 3, 5, 6).
// log loss = -(ln .7 + ln .3 + ln .7 + ln .8 + ln .4 + ln .6 + ln .9) / 7
//          = (0.356675 + 1.203973 + 0.356675 + 0.223144 + 0.916291 + 0.510826 + 0.105361) / 7
//          = 3.672944 / 7 = 0.524706.
EvaluationInput ThreeClassExample() {
  EvaluationInput input;
  input.class_names = {"A", "B", "C"};
  input.y_true = {0, 0, 1, 1, 2, 2, 0};
  input.probs = {.70f, .20f, .10f, .30f, .60f, .10f, .20f, .70f, .10f, .10f, .80f,
                 .10f, .50f, .10f, .40f, .20f, .20f, .60f, .90f, .05f, .05f};
  return input;
}

TEST(EvaluateTest, HandComputedThreeClassMetrics) {
  const nlohmann::json report = EvaluateOrDie(ThreeClassExample());
  EXPECT_EQ(report["num_samples"], 7);
  EXPECT_EQ(report["unknown_label_count"], 0);
  EXPECT_NEAR(report["accuracy"].get<double>(), 5.0 / 7.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "A", "precision"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "B", "precision"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "C", "precision"), 1.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "A", "recall"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "B", "recall"), 1.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "C", "recall"), 0.5, 1e-12);
  EXPECT_NEAR(PerClass(report, "A", "f1"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "B", "f1"), 0.8, 1e-12);
  EXPECT_NEAR(PerClass(report, "C", "f1"), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(report["per_class"]["A"]["support"], 3);
  EXPECT_EQ(report["per_class"]["B"]["support"], 2);
  EXPECT_EQ(report["per_class"]["C"]["support"], 2);
  EXPECT_NEAR(report["macro_f1"].get<double>(), 0.7111111111, 1e-9);
  EXPECT_NEAR(report["weighted_f1"].get<double>(), 0.7047619048, 1e-9);
  EXPECT_NEAR(report["log_loss"].get<double>(), 0.524706, 1e-5);
  EXPECT_DOUBLE_EQ(report["top3_accuracy"].get<double>(), 1.0);  // only 3 classes

  const nlohmann::json expected_matrix = {{2, 1, 0}, {0, 2, 0}, {1, 0, 1}};
  EXPECT_EQ(report["confusion_matrix"]["matrix"], expected_matrix);
  EXPECT_EQ(report["confusion_matrix"]["labels"], nlohmann::json({"A", "B", "C"}));
}

TEST(EvaluateTest, ReportHasAllTopLevelKeys) {
  const nlohmann::json report = EvaluateOrDie(ThreeClassExample());
  for (const char* key : {"accuracy", "macro_f1", "weighted_f1", "top3_accuracy", "log_loss",
                          "expected_calibration_error", "num_samples", "unknown_label_count",
                          "per_class", "confusion_matrix", "calibration"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  ASSERT_EQ(report["calibration"]["bins"].size(), 15u);
  int64_t binned = 0;
  for (const auto& bin : report["calibration"]["bins"]) binned += bin["count"].get<int64_t>();
  EXPECT_EQ(binned, 7);
}

TEST(EvaluateTest, TiesGoToTheLowestClassIndex) {
  EvaluationInput input;
  input.class_names = {"x", "y", "z"};
  input.y_true = {1, 0};
  input.probs = {.4f, .4f,  .2f,    // tie x/y -> x, wrong for true y
                 .3f, .35f, .35f};  // tie y/z -> y, wrong for true x
  const nlohmann::json report = EvaluateOrDie(input);
  // Row 0 (true y) lands in column x; row 1 (true x) in column y.
  EXPECT_EQ(report["confusion_matrix"]["matrix"],
            nlohmann::json({{0, 1, 0}, {1, 0, 0}, {0, 0, 0}}));
  EXPECT_DOUBLE_EQ(report["accuracy"].get<double>(), 0.0);
}

// sklearn conventions: a class that is never predicted has precision 0 (zero division), a class
// that is predicted but absent from y_true has recall 0, and both count in the macro average;
// a class that is neither true nor predicted is left out of it.
//   classes a b c d; true = a a b b; predicted = a a a c.
//   a: tp 2, predicted 3, support 2 -> p 2/3, r 1, f1 = 4/5 = 0.8
//   b: tp 0, predicted 0, support 2 -> p 0, r 0, f1 0
//   c: tp 0, predicted 1, support 0 -> p 0, r 0, f1 0
//   d: absent everywhere -> excluded
//   macro = (0.8 + 0 + 0) / 3 = 0.266667; weighted = (2(0.8) + 2(0)) / 4 = 0.4
TEST(EvaluateTest, FollowsSklearnZeroDivisionAndMacroLabelSet) {
  EvaluationInput input;
  input.class_names = {"a", "b", "c", "d"};
  input.y_true = {0, 0, 1, 1};
  input.probs = {.7f, .1f, .1f, .1f, .6f, .2f, .1f, .1f, .5f, .3f, .1f, .1f, .2f, .3f, .4f, .1f};
  const nlohmann::json report = EvaluateOrDie(input);
  EXPECT_NEAR(PerClass(report, "a", "precision"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(PerClass(report, "a", "f1"), 0.8, 1e-12);
  EXPECT_EQ(PerClass(report, "b", "precision"), 0.0);
  EXPECT_EQ(PerClass(report, "b", "f1"), 0.0);
  EXPECT_EQ(PerClass(report, "c", "recall"), 0.0);
  EXPECT_EQ(PerClass(report, "c", "precision"), 0.0);
  EXPECT_EQ(report["per_class"]["c"]["support"], 0);
  EXPECT_EQ(PerClass(report, "d", "f1"), 0.0);
  EXPECT_NEAR(report["macro_f1"].get<double>(), 0.8 / 3.0, 1e-12);
  EXPECT_NEAR(report["weighted_f1"].get<double>(), 0.4, 1e-12);
}

// Five classes; the true class is 2 in every row.
//   row 0: .10 .20 .30 .25 .15 -> rank 0 (hit)
//   row 1: .30 .25 .20 .15 .10 -> rank 2 (hit)
//   row 2: .30 .25 .10 .20 .15 -> rank 4 (miss)
//   row 3: .25 .25 .25 .25 .00 -> ties: classes 0 and 1 rank above, 2 is third (hit)
//   row 4: .00 .25 .25 .25 .25 -> tie: only class 1 ranks above, 2 is second (hit)
//   row 5: .20 .20 .20 .20 .20 -> all tied: classes 0, 1 above -> third (hit)
//   row 6: .30 .30 .10 .10 .20 -> classes 0, 1, 4 above, 2 is fourth (miss)
// top-3 = 5/7.
TEST(EvaluateTest, TopThreeAccuracyRanksTiesLikeArgmax) {
  EvaluationInput input;
  input.class_names = {"c0", "c1", "c2", "c3", "c4"};
  input.y_true = {2, 2, 2, 2, 2, 2, 2};
  input.probs = {.10f, .20f, .30f, .25f, .15f, .30f, .25f, .20f, .15f, .10f, .30f, .25f,
                 .10f, .20f, .15f, .25f, .25f, .25f, .25f, .00f, .00f, .25f, .25f, .25f,
                 .25f, .20f, .20f, .20f, .20f, .20f, .30f, .30f, .10f, .10f, .20f};
  const nlohmann::json report = EvaluateOrDie(input);
  EXPECT_NEAR(report["top3_accuracy"].get<double>(), 5.0 / 7.0, 1e-12);
  EXPECT_NEAR(report["accuracy"].get<double>(), 1.0 / 7.0, 1e-12);  // only row 0
}

// Log loss clamps p_true at 1e-15: rows p_true = 0.5 and 0 ->
// (ln 2 + (-ln 1e-15)) / 2 = (0.693147 + 34.538776) / 2 = 17.615962.
TEST(EvaluateTest, LogLossClampsZeroProbability) {
  EvaluationInput input;
  input.class_names = {"p", "q"};
  input.y_true = {0, 1};
  input.probs = {.5f, .5f, 1.f, 0.f};
  const nlohmann::json report = EvaluateOrDie(input);
  EXPECT_NEAR(report["log_loss"].get<double>(), 17.615962, 1e-5);
}

// Four rows, two classes; confidence = max prob.
//   .95 predicted p, true p  -> bin 14 (14/15, 1], correct
//   .95 predicted p, true q  -> bin 14, wrong
//   .65 predicted q, true q  -> bin 9 (9/15, 10/15] = (.6, .667], correct
//   .65 predicted q, true q  -> bin 9, correct
// bin 14: acc .5, conf .95, gap .45; bin 9: acc 1, conf .65, gap .35.
// ECE = (2/4)(.45) + (2/4)(.35) = 0.4.
TEST(EvaluateTest, ExpectedCalibrationErrorOnTinyExample) {
  EvaluationInput input;
  input.class_names = {"p", "q"};
  input.y_true = {0, 1, 1, 1};
  input.probs = {.95f, .05f, .95f, .05f, .35f, .65f, .35f, .65f};
  const nlohmann::json report = EvaluateOrDie(input);
  EXPECT_NEAR(report["expected_calibration_error"].get<double>(), 0.4, 1e-6);
  const auto& bins = report["calibration"]["bins"];
  EXPECT_EQ(bins[14]["count"], 2);
  EXPECT_NEAR(bins[14]["accuracy"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(bins[14]["mean_confidence"].get<double>(), 0.95, 1e-6);
  EXPECT_NEAR(bins[14]["upper"].get<double>(), 1.0, 1e-12);
  EXPECT_EQ(bins[9]["count"], 2);
  EXPECT_NEAR(bins[9]["lower"].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(bins[9]["accuracy"].get<double>(), 1.0, 1e-12);
  EXPECT_EQ(bins[0]["count"], 0);
}

// Unknown labels (-1): rows 2 and 3 below have no class. Both count as errors and in
// num_samples; their predictions (A and B) are false positives; log loss skips them.
//   true = A B ? ?; predicted = A B A B
//   accuracy = 2/4; A: tp 1, predicted 2, support 1 -> p .5, r 1, f1 2/3; B likewise.
//   log loss = -(ln .8 + ln .6) / 2 = (0.223144 + 0.510826) / 2 = 0.366985.
TEST(EvaluateTest, UnknownLabelsAreErrorsButNotClasses) {
  EvaluationInput input;
  input.class_names = {"A", "B"};
  input.y_true = {0, 1, -1, -1};
  input.probs = {.8f, .2f, .4f, .6f, .9f, .1f, .3f, .7f};
  const nlohmann::json report = EvaluateOrDie(input);
  EXPECT_EQ(report["num_samples"], 4);
  EXPECT_EQ(report["unknown_label_count"], 2);
  EXPECT_DOUBLE_EQ(report["accuracy"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(report["top3_accuracy"].get<double>(), 0.5);
  EXPECT_NEAR(PerClass(report, "A", "precision"), 0.5, 1e-12);
  EXPECT_NEAR(PerClass(report, "A", "recall"), 1.0, 1e-12);
  EXPECT_NEAR(report["macro_f1"].get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(report["per_class"]["A"]["support"], 1);
  EXPECT_NEAR(report["log_loss"].get<double>(), 0.366985, 1e-5);
  EXPECT_EQ(report["confusion_matrix"]["matrix"], nlohmann::json({{1, 0}, {0, 1}}));
  EXPECT_EQ(report["confusion_matrix"]["unknown_label_predictions"], nlohmann::json({1, 1}));
}

TEST(EvaluateTest, AllUnknownLabelsGiveNullLogLoss) {
  EvaluationInput input;
  input.class_names = {"A"};
  input.y_true = {-1};
  input.probs = {1.f};
  const nlohmann::json report = EvaluateOrDie(input);
  EXPECT_TRUE(report["log_loss"].is_null());
  EXPECT_DOUBLE_EQ(report["accuracy"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(report["weighted_f1"].get<double>(), 0.0);
}

void ExpectInvalid(const EvaluationInput& input, const std::string& fragment) {
  nlohmann::json report = {{"untouched", true}};
  const Status status = Evaluate(input, &report);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
  EXPECT_EQ(report, nlohmann::json({{"untouched", true}}));
}

TEST(EvaluateTest, RejectsMalformedInputWithSpecificMessages) {
  EvaluationInput input = ThreeClassExample();
  input.probs.pop_back();
  ExpectInvalid(input, "probs has 20 values, expected y_true.size() x class_names.size() = 7 x 3");

  input = ThreeClassExample();
  input.y_true[4] = 3;
  ExpectInvalid(input, "y_true[4] = 3 is outside [-1, 3)");

  input = ThreeClassExample();
  input.y_true[1] = -2;
  ExpectInvalid(input, "y_true[1] = -2");

  input = ThreeClassExample();
  input.class_names.clear();
  ExpectInvalid(input, "class_names is empty");

  input = ThreeClassExample();
  input.class_names[2] = "A";
  ExpectInvalid(input, "class_names[2] 'A' duplicates class_names[0]");

  input = ThreeClassExample();
  input.probs[4] = std::nanf("");
  ExpectInvalid(input, "probs[row 1, class 1] = nan");

  input = EvaluationInput{{"A"}, {}, {}};
  ExpectInvalid(input, "y_true is empty");

  EXPECT_EQ(Evaluate(ThreeClassExample(), nullptr).code(), StatusCode::kInvalidArgument);
}

TEST(MacroF1Test, MatchesHandComputedAndEvaluate) {
  // Predictions of ThreeClassExample(): macro = 0.711111 (see the derivation above).
  const std::vector<int> y_true = {0, 0, 1, 1, 2, 2, 0};
  const std::vector<int> y_pred = {0, 1, 1, 1, 0, 2, 0};
  EXPECT_NEAR(MacroF1(y_true, y_pred, 3), 0.7111111111, 1e-9);
  // Labels absent from both sides (3, 4) do not dilute the average.
  EXPECT_NEAR(MacroF1(y_true, y_pred, 5), 0.7111111111, 1e-9);
  EXPECT_DOUBLE_EQ(MacroF1({0, 1}, {0, 1}, 2), 1.0);
  // Unknown true label predicted as 0: class 0 p = 1/2, r = 1, f1 = 2/3; class 1 f1 = 1.
  EXPECT_NEAR(MacroF1({0, 1, -1}, {0, 1, 0}, 2), (2.0 / 3.0 + 1.0) / 2.0, 1e-12);
}

TEST(MacroF1Test, MalformedInputIsNaN) {
  EXPECT_TRUE(std::isnan(MacroF1({0, 1}, {0}, 2)));
  EXPECT_TRUE(std::isnan(MacroF1({0, 2}, {0, 1}, 2)));
  EXPECT_TRUE(std::isnan(MacroF1({0, 1}, {0, -1}, 2)));
  EXPECT_TRUE(std::isnan(MacroF1({0}, {0}, 0)));
}

// A larger random case cross-checks Evaluate's macro-F1 and accuracy against MacroF1 and a
// direct count over argmax predictions.
TEST(EvaluateTest, AgreesWithHardLabelHelpersOnRandomData) {
  constexpr int kClasses = 12;
  constexpr int kRows = 5000;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  std::uniform_int_distribution<int> label(-1, kClasses - 1);
  EvaluationInput input;
  for (int c = 0; c < kClasses; ++c) input.class_names.push_back("class" + std::to_string(c));
  std::vector<int> y_pred;
  int correct = 0;
  for (int i = 0; i < kRows; ++i) {
    const int truth = label(rng);
    int best = 0;
    for (int c = 0; c < kClasses; ++c) {
      input.probs.push_back(uniform(rng) + (c == truth ? 0.3f : 0.f));
      if (input.probs.back() > input.probs[i * kClasses + best]) best = c;
    }
    input.y_true.push_back(truth);
    y_pred.push_back(best);
    correct += best == truth;
  }
  const nlohmann::json report = EvaluateOrDie(input);
  EXPECT_NEAR(report["macro_f1"].get<double>(), MacroF1(input.y_true, y_pred, kClasses), 1e-12);
  EXPECT_NEAR(report["accuracy"].get<double>(), static_cast<double>(correct) / kRows, 1e-12);
  int64_t matrix_total = 0;
  for (const auto& row : report["confusion_matrix"]["matrix"]) {
    for (const auto& count : row) matrix_total += count.get<int64_t>();
  }
  EXPECT_EQ(matrix_total + report["unknown_label_count"].get<int64_t>(), kRows);
}

}  // namespace
}  // namespace prodcat
