#include "prodcat/experiments/assignment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "prodcat/experiments/statistics.h"

namespace prodcat::experiments {
namespace {

using ::testing::HasSubstr;

// Arm counts for keys "user-0" .. "user-(n-1)".
std::vector<int64_t> CountArms(const std::string& experiment_id,
                               const std::vector<BucketRange>& ranges, int n) {
  std::vector<int64_t> counts(ranges.size(), 0);
  for (int i = 0; i < n; ++i) {
    ++counts[ArmForBucket(ranges, Bucket(experiment_id, "user-" + std::to_string(i)))];
  }
  return counts;
}

TEST(BucketTest, IsTheDocumentedXxh3Formula) {
  // Recomputed here straight from libxxhash, independent of the project's hash wrapper.
  for (const auto& [id, key] : std::vector<std::pair<std::string, std::string>>{
           {"exp1", "user-42"}, {"homepage.v2", ""}, {"e", std::string(300, 'k')}}) {
    std::string bytes = id + std::string(1, '\0') + key;
    uint64_t expected = XXH3_64bits(bytes.data(), bytes.size()) % 10000;
    EXPECT_EQ(Bucket(id, key), expected) << id << "/" << key.size();
  }
}

TEST(BucketTest, ZeroByteSeparatesIdFromKey) {
  // Without the separator ("ab","c") and ("a","bc") would hash the same bytes.
  int same = 0;
  for (int i = 0; i < 100; ++i) {
    std::string k = std::to_string(i);
    same += Bucket("ab", "c" + k) == Bucket("a", "bc" + k) ? 1 : 0;
  }
  EXPECT_LT(same, 5);  // chance agreement is 1 in 10000 per key
}

TEST(BucketTest, IsDeterministicAndInRange) {
  for (int i = 0; i < 1000; ++i) {
    std::string key = "session-" + std::to_string(i);
    uint32_t b = Bucket("exp", key);
    EXPECT_LT(b, kBucketCount);
    EXPECT_EQ(b, Bucket("exp", key));
  }
}

TEST(BucketRangesTest, FiftyFiftySplitsAtTheMiddle) {
  std::vector<BucketRange> ranges;
  ASSERT_TRUE(ComputeBucketRanges(std::vector<double>{1, 1}, &ranges).ok());
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].begin, 0u);
  EXPECT_EQ(ranges[0].end, 5000u);
  EXPECT_EQ(ranges[1].begin, 5000u);
  EXPECT_EQ(ranges[1].end, 10000u);
  EXPECT_EQ(ArmForBucket(ranges, 0), 0u);
  EXPECT_EQ(ArmForBucket(ranges, 4999), 0u);
  EXPECT_EQ(ArmForBucket(ranges, 5000), 1u);
  EXPECT_EQ(ArmForBucket(ranges, 9999), 1u);
}

TEST(BucketRangesTest, CumulativeRoundingTilesAllBuckets) {
  // Thirds: 3333.33 -> 3333, 6666.67 -> 6667, 10000.
  std::vector<BucketRange> ranges;
  ASSERT_TRUE(ComputeBucketRanges(std::vector<double>{1, 1, 1}, &ranges).ok());
  EXPECT_EQ(ranges[0].end, 3333u);
  EXPECT_EQ(ranges[1].end, 6667u);
  EXPECT_EQ(ranges[2].end, 10000u);
  // Uneven weights: every arm within one bucket of its exact share, no gaps.
  std::vector<double> weights = {0.07, 0.3, 2.5, 0.13};
  ASSERT_TRUE(ComputeBucketRanges(weights, &ranges).ok());
  double total = 3.0;
  uint32_t next = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(ranges[i].begin, next);
    next = ranges[i].end;
    EXPECT_NEAR(ExpectedShare(ranges[i]), weights[i] / total, 1.0 / kBucketCount);
  }
  EXPECT_EQ(next, kBucketCount);
}

TEST(BucketRangesTest, RejectsBadWeights) {
  std::vector<BucketRange> ranges;
  EXPECT_THAT(ComputeBucketRanges(std::vector<double>{1}, &ranges).message(),
              HasSubstr("expected at least 2 arms"));
  EXPECT_THAT(ComputeBucketRanges(std::vector<double>{1, 0}, &ranges).message(),
              HasSubstr("arms[1].weight: expected a positive finite number"));
  EXPECT_THAT(ComputeBucketRanges(std::vector<double>{1, 1e-9}, &ranges).message(),
              HasSubstr("too small to own one of the 10000 buckets"));
  EXPECT_TRUE(ranges.empty());
}

// Arm shares over 100k keys must match the weights within sampling error: each share within 4
// standard deviations and the chi-square goodness of fit not rejected at p < 0.001.
void ExpectProportions(const std::vector<double>& weights) {
  std::vector<BucketRange> ranges;
  ASSERT_TRUE(ComputeBucketRanges(weights, &ranges).ok());
  const int n = 100000;
  std::vector<int64_t> counts = CountArms("proportions", ranges, n);
  std::vector<double> shares;
  for (size_t i = 0; i < ranges.size(); ++i) {
    double p = ExpectedShare(ranges[i]);
    shares.push_back(p);
    double sigma = std::sqrt(p * (1 - p) / n);
    EXPECT_NEAR(static_cast<double>(counts[i]) / n, p, 4 * sigma) << "arm " << i;
  }
  StatusOr<ChiSquareResult> chi = ChiSquareGoodnessOfFit(counts, shares);
  ASSERT_TRUE(chi.ok());
  EXPECT_GT(chi->p_value, 0.001) << "chi-square " << chi->statistic;
}

TEST(AssignmentProportionsTest, FiftyFiftyOver100kKeys) {
  ExpectProportions({1, 1});
}
TEST(AssignmentProportionsTest, NinetyTenOver100kKeys) {
  ExpectProportions({9, 1});
}
TEST(AssignmentProportionsTest, ThreeUnevenArmsOver100kKeys) {
  ExpectProportions({5, 3, 2});
}

TEST(AssignmentTest, ExperimentsSplitUsersIndependently) {
  // The experiment id is hashed with the key: the arm in one 50/50 experiment says nothing about
  // the arm in another, so about half the users switch.
  std::vector<BucketRange> ranges;
  ASSERT_TRUE(ComputeBucketRanges(std::vector<double>{1, 1}, &ranges).ok());
  int agree = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    std::string key = "user-" + std::to_string(i);
    agree +=
        ArmForBucket(ranges, Bucket("first", key)) == ArmForBucket(ranges, Bucket("second", key));
  }
  EXPECT_NEAR(static_cast<double>(agree) / n, 0.5, 4 * std::sqrt(0.25 / n));
}

TEST(SelectAssignmentKeyTest, TakesTheFirstPresentField) {
  std::map<std::string, std::string, std::less<>> request = {{"session_id", "s-1"},
                                                             {"product_id", "p-9"}};
  FieldLookup lookup = [&](std::string_view field) -> std::string_view {
    auto it = request.find(field);
    return it == request.end() ? std::string_view() : std::string_view(it->second);
  };
  EXPECT_EQ(SelectAssignmentKey({"user_id", "session_id", "product_id"}, lookup), "s-1");
  EXPECT_EQ(SelectAssignmentKey({"product_id", "session_id"}, lookup), "p-9");
  EXPECT_EQ(SelectAssignmentKey({"user_id"}, lookup), std::nullopt);
  request["user_id"] = "";  // present but empty counts as absent
  EXPECT_EQ(SelectAssignmentKey({"user_id", "product_id"}, lookup), "p-9");
}

}  // namespace
}  // namespace prodcat::experiments
