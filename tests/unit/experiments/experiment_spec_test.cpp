#include "prodcat/experiments/experiment_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "experiments_test_util.h"

namespace prodcat::experiments {
namespace {

using ::testing::HasSubstr;
using testing::TwoArmSpec;

TEST(ExperimentSpecTest, DefaultsAreTheDocumentedOnes) {
  ExperimentSpec spec;
  EXPECT_EQ(spec.key_fields, (std::vector<std::string>{"user_id", "session_id", "product_id"}));
  EXPECT_DOUBLE_EQ(spec.alpha, 0.05);
  EXPECT_EQ(spec.min_feedback_per_arm, 100);
  EXPECT_DOUBLE_EQ(spec.min_detectable_effect, 0.01);
  EXPECT_EQ(spec.status, ExperimentStatus::kRunning);
}

TEST(ExperimentSpecTest, ValidSpecPasses) {
  EXPECT_TRUE(ValidateExperimentSpec(TwoArmSpec("exp-1.a_b")).ok());
}

TEST(ExperimentSpecTest, RejectsBadIdsWithTheField) {
  for (const std::string& id : {std::string(""), std::string("has space"), std::string("a/b"),
                                std::string(65, 'x'), std::string("caf\xc3\xa9")}) {
    Status s = ValidateExperimentSpec(TwoArmSpec(id));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << id;
    EXPECT_THAT(s.message(), HasSubstr("id: expected 1 to 64 characters from [A-Za-z0-9_.-]"));
  }
  EXPECT_TRUE(ValidateExperimentSpec(TwoArmSpec(std::string(64, 'x'))).ok());
}

TEST(ExperimentSpecTest, RejectsFewerThanTwoArms) {
  ExperimentSpec spec = TwoArmSpec("e");
  spec.arms.pop_back();
  Status s = ValidateExperimentSpec(spec);
  EXPECT_THAT(s.message(),
              HasSubstr("experiment 'e': arms: expected between 2 and 100 arms, got 1"));
}

TEST(ExperimentSpecTest, RejectsDuplicateArmNames) {
  ExperimentSpec spec = TwoArmSpec("e");
  spec.arms[1].name = spec.arms[0].name;  // "A" twice
  EXPECT_THAT(ValidateExperimentSpec(spec).message(),
              HasSubstr("arms[1].name: arm names must be unique, 'A' appears more than once"));
}

TEST(ExperimentSpecTest, RejectsNonPositiveOrInfiniteWeights) {
  for (double w : {0.0, -1.0, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN()}) {
    ExperimentSpec spec = TwoArmSpec("e", 1, w);
    Status s = ValidateExperimentSpec(spec);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("arms[1].weight: expected a positive finite number"));
  }
}

TEST(ExperimentSpecTest, RejectsAnArmTooSmallForOneBucket) {
  ExperimentSpec spec = TwoArmSpec("e", 999999, 1);
  EXPECT_THAT(ValidateExperimentSpec(spec).message(),
              HasSubstr("arms[1].weight: share 1e-06 of the traffic is too small to own one of "
                        "the 10000 buckets"));
}

TEST(ExperimentSpecTest, RejectsBadStatisticalSettings) {
  ExperimentSpec spec = TwoArmSpec("e");
  spec.alpha = 0.6;
  EXPECT_THAT(ValidateExperimentSpec(spec).message(),
              HasSubstr("alpha: expected a number in (0, 0.5]"));
  spec = TwoArmSpec("e");
  spec.min_feedback_per_arm = 0;
  EXPECT_THAT(ValidateExperimentSpec(spec).message(), HasSubstr("min_feedback_per_arm"));
  spec = TwoArmSpec("e");
  spec.min_detectable_effect = 0;
  EXPECT_THAT(ValidateExperimentSpec(spec).message(), HasSubstr("min_detectable_effect"));
  spec = TwoArmSpec("e");
  spec.mixture_sd = -0.1;
  EXPECT_THAT(ValidateExperimentSpec(spec).message(), HasSubstr("mixture_sd"));
  spec = TwoArmSpec("e");
  spec.key_fields = {"user_id", "user_id"};
  EXPECT_THAT(ValidateExperimentSpec(spec).message(),
              HasSubstr("key_fields[1]: 'user_id' appears more than once"));
  spec = TwoArmSpec("e");
  spec.arms[0].model = "";
  EXPECT_THAT(ValidateExperimentSpec(spec).message(), HasSubstr("arms[0].model: expected a model"));
}

TEST(ExperimentSpecTest, JsonRoundTripKeepsEveryField) {
  ExperimentSpec spec = TwoArmSpec("round", 3, 1);
  spec.key_fields = {"session_id"};
  spec.alpha = 0.01;
  spec.min_feedback_per_arm = 250;
  spec.min_detectable_effect = 0.02;
  spec.mixture_sd = 0.05;
  spec.status = ExperimentStatus::kStopped;
  spec.created_at = "2026-01-02T03:04:05Z";
  ExperimentSpec parsed;
  ASSERT_TRUE(ExperimentSpecFromJson(ExperimentSpecToJson(spec), &parsed).ok());
  EXPECT_EQ(ExperimentSpecToJson(parsed), ExperimentSpecToJson(spec));
  EXPECT_EQ(parsed.status, ExperimentStatus::kStopped);
  EXPECT_EQ(parsed.arms[0].weight, 3);
  std::string difference;
  EXPECT_TRUE(SameDefinition(spec, parsed, &difference)) << difference;
}

TEST(ExperimentSpecTest, JsonUsesDefaultsForMissingOptionalFields) {
  auto json = nlohmann::json::parse(
      R"({"id":"min","arms":[{"name":"A","model":"models:/m/1"},{"name":"B","model":"/b"}]})");
  ExperimentSpec spec;
  ASSERT_TRUE(ExperimentSpecFromJson(json, &spec).ok());
  EXPECT_EQ(spec.arms[1].weight, 1);
  EXPECT_EQ(spec.key_fields, DefaultKeyFields());
  EXPECT_EQ(spec.status, ExperimentStatus::kRunning);
}

TEST(ExperimentSpecTest, JsonErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"([1])", "expected a JSON object, got array"},
      {R"({"arms":[]})", "id: required field is missing"},
      {R"({"id":"e","arms":{}})", "arms: expected an array of arms, got object"},
      {R"({"id":"e","arms":[{"name":"A","model":"m","wieght":2},{"name":"B","model":"m"}]})",
       "arms[0]: unknown field 'wieght'"},
      {R"({"id":"e","arms":[{"name":"A"},{"name":"B","model":"m"}]})",
       "arms[0].model: required field is missing"},
      {R"({"id":"e","arms":[{"name":"A","model":"m","weight":"2"},{"name":"B","model":"m"}]})",
       "arms[0].weight: expected a number, got string \"2\""},
      {R"({"id":"e","colour":1,"arms":[]})", "unknown field 'colour'"},
      {R"({"id":"e","status":"paused","arms":[{"name":"A","model":"m"},{"name":"B","model":"m"}]})",
       "status: expected 'running' or 'stopped', got 'paused'"},
      {R"({"id":"e","min_feedback_per_arm":1.5,"arms":[{"name":"A","model":"m"},{"name":"B","model":"m"}]})",
       "min_feedback_per_arm: expected an integer"},
      {R"({"id":"e","arms":[{"name":"A","model":"m"},{"name":"B","model":"m","weight":-2}]})",
       "experiment 'e': arms[1].weight: expected a positive finite number, got -2"},
  };
  for (const Case& c : cases) {
    ExperimentSpec spec;
    Status s = ExperimentSpecFromJson(nlohmann::json::parse(c.json), &spec);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.json;
  }
}

TEST(ExperimentSpecTest, SameDefinitionIgnoresDescriptionStatusAndTime) {
  ExperimentSpec a = TwoArmSpec("e");
  ExperimentSpec b = a;
  b.description = "other";
  b.status = ExperimentStatus::kStopped;
  b.created_at = "2020-01-01T00:00:00Z";
  EXPECT_TRUE(SameDefinition(a, b, nullptr));
  b.arms[1].weight = 2;
  std::string difference;
  EXPECT_FALSE(SameDefinition(a, b, &difference));
  EXPECT_EQ(difference, "arms");
  b = a;
  b.alpha = 0.1;
  EXPECT_FALSE(SameDefinition(a, b, &difference));
  EXPECT_EQ(difference, "alpha");
}

}  // namespace
}  // namespace prodcat::experiments
