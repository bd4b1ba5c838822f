// DriftReference: bins and reference shares rebuilt from a profile (continuous, lattice, binary),
// exact bins from AddDriftBins, record extraction, counting, profile errors and the
// out-of-support rules.
#include "prodcat/monitoring/drift_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "monitoring_test_util.h"
#include "prodcat/monitoring/drift_report.h"

namespace prodcat::monitoring {
namespace {

using testing::FitSpec;
using testing::MakeReference;
using testing::Numeric;
using testing::NumericIndex;
using testing::Profile;
using testing::Rows;

// A hand-written profile whose reference shares can be worked out on paper.
nlohmann::json HandProfile() {
  std::vector<double> price_edges;
  // 0.3333 + k is on no 0.01 lattice, so price is treated as continuous.
  for (int k = 0; k <= 10; ++k) price_edges.push_back(0.3333 + k);
  nlohmann::json profile = {{"profile_version", 1},
                            {"row_count", 1000},
                            {"numeric",
                             {{"price",
                               {{"count", 900},
                                {"missing_rate", 0.1},
                                {"mean", 5.3333},
                                {"std", 2.9},
                                {"min", 0.3333},
                                {"max", 10.3333},
                                {"quantile_edges", price_edges}}},
                              {"title_word_count",
                               {{"count", 1000},
                                {"missing_rate", 0.0},
                                {"mean", 6.5},
                                {"std", 2},
                                {"min", 2},
                                {"max", 14},
                                {"quantile_edges", {2, 4, 5, 5, 6, 6, 7, 7, 8, 9, 14}}}},
                              {"brand_missing",
                               {{"count", 1000},
                                {"missing_rate", 0.0},
                                {"mean", 0.03},
                                {"std", 0.17},
                                {"min", 0},
                                {"max", 1},
                                {"quantile_edges", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}}}}},
                            {"categorical",
                             {{"brand",
                               {{"missing_rate", 0.2},
                                {"distinct", 3},
                                {"top",
                                 {{{"value", "sony"}, {"count", 400}, {"share", 0.5}},
                                  {{"value", "acme"}, {"count", 240}, {"share", 0.3}},
                                  {{"value", "zeta"}, {"count", 160}, {"share", 0.2}}}},
                                {"other_share", 0.0}}},
                              {"seller_id",
                               {{"missing_rate", 1.0},
                                {"distinct", 0},
                                {"top", nlohmann::json::array()},
                                {"other_share", 0.0}}},
                              {"subcategory",
                               {{"missing_rate", 0.0},
                                {"distinct", 1},
                                {"top", {{{"value", "home"}, {"count", 1000}, {"share", 1.0}}}},
                                {"other_share", 0.0}}}}},
                            {"title_tokens",
                             {{"total", 3000},
                              {"distinct", 20},
                              {"top",
                               {{{"token", "usb"}, {"count", 1200}, {"share", 0.4}},
                                {{"token", "cable"}, {"count", 300}, {"share", 0.1}},
                                {{"token", "black"}, {"count", 150}, {"share", 0.05}}}},
                              {"top_share", 0.55},
                              {"oov_rate", 0.05}}}};
  return profile;
}

DriftOptions TwoTopValues() {
  DriftOptions o;
  o.categorical_top_k = 2;
  o.title_token_top_k = 2;
  return o;
}

void ExpectShares(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], 1e-12) << "bin " << i;
  }
}

class HandProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = FitSpec(Rows(40));
    reference_ = MakeReference(HandProfile(), *spec_, TwoTopValues());
    ASSERT_NE(reference_, nullptr);
  }
  std::unique_ptr<FeatureSpec> spec_;
  std::shared_ptr<const DriftReference> reference_;
};

TEST_F(HandProfileTest, ContinuousFeatureBinsAtTheDeciles) {
  const NumericFeatureReference& price = Numeric(*reference_, "price");
  EXPECT_EQ(price.lattice_step, 0.0);
  EXPECT_FALSE(price.exact_bins);
  ASSERT_EQ(price.cuts.size(), 11u);
  // Below the minimum: 0; ten deciles of 0.1 * (1 - 0.1 missing) = 0.09; above the max: 0;
  // missing: 0.1.
  std::vector<double> expected = {0.0};
  for (int k = 0; k < 10; ++k) expected.push_back(0.09);
  expected.push_back(0.0);
  expected.push_back(0.1);
  ExpectShares(price.reference_shares, expected);
  EXPECT_EQ(price.BinOf(0.2), 0);                 // below the reference minimum
  EXPECT_EQ(price.BinOf(price.cuts.front()), 1);  // the minimum is in the first decile
  EXPECT_EQ(price.BinOf(1.0), 1);
  EXPECT_EQ(price.BinOf(5.9), 6);                 // [5.3333, 6.3333)
  EXPECT_EQ(price.BinOf(price.cuts.back()), 10);  // the maximum is in the last decile
  EXPECT_EQ(price.BinOf(10.5), 11);               // above the reference maximum
  // A value exactly on an inner cut (1.3333) is shared by bins 1 and 2.
  EXPECT_EQ(price.BinOf(price.cuts[1]), 2 | kSplitBin);
}

TEST_F(HandProfileTest, LatticeFeatureUsesContinuityCorrection) {
  // Edges {2,4,5,5,6,6,7,7,8,9,14} are integers: cuts at d + 1/2 for each distinct d, plus
  // 2 - 1/2. The piecewise-linear CDF G through (q_k, k/10) is read at the half steps:
  //   G(1.5) = 0, G(2.5) = 0.1 * 0.5/2 = 0.025, G(4.5) = 0.1 + 0.1 * 0.5/1 = 0.15,
  //   G(5.5) = 0.3 + 0.05 = 0.35, G(6.5) = 0.55, G(7.5) = 0.75, G(8.5) = 0.85,
  //   G(9.5) = 0.9 + 0.1 * 0.5/5 = 0.91, G(14.5) = 1
  // Shares are the differences (word counts <= 2, 3-4, 5, 6, 7, 8, 9, 10-14, above 14).
  const NumericFeatureReference& words = Numeric(*reference_, "title_word_count");
  EXPECT_EQ(words.lattice_step, 1.0);
  ExpectShares(words.cuts, {1.5, 2.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 14.5});
  ExpectShares(words.reference_shares,
               {0, 0.025, 0.125, 0.2, 0.2, 0.2, 0.1, 0.06, 0.09, 0, /*missing*/ 0});
  EXPECT_EQ(words.BinOf(5), 3);
  EXPECT_EQ(words.BinOf(3), 2);
}

TEST_F(HandProfileTest, BinaryFlagUsesItsMean) {
  // Deciles of a 3% flag are all 0, which alone would put 90-100% on 0; the mean is exact.
  const NumericFeatureReference& flag = Numeric(*reference_, "brand_missing");
  EXPECT_TRUE(flag.binary);
  ExpectShares(flag.cuts, {-0.5, 0.5, 1.5});
  ExpectShares(flag.reference_shares, {0, 0.97, 0.03, 0, 0});
}

TEST_F(HandProfileTest, CategoricalAndTokenBuckets) {
  // brand, top 2: sony 0.5 * 0.8 = 0.4, acme 0.3 * 0.8 = 0.24, other (1 - 0.8) * 0.8 = 0.16,
  // missing 0.2.
  const CategoricalFeatureReference& brand = reference_->categorical()[0];
  EXPECT_EQ(brand.name, "brand");
  ExpectShares(brand.reference_shares, {0.4, 0.24, 0.16, 0.2});
  // seller_id: always missing.
  ExpectShares(reference_->categorical()[1].reference_shares, {0.0, 1.0});
  // tokens, top 2: usb 0.4, cable 0.1, other 0.5.
  ExpectShares(reference_->title_tokens().reference_shares, {0.4, 0.1, 0.5});
  EXPECT_DOUBLE_EQ(reference_->title_tokens().reference_oov_rate, 0.05);
  EXPECT_FALSE(reference_->predictions().has_value());
}

TEST_F(HandProfileTest, ExtractBinsARawRecordLikeTheProfile) {
  ProductRecord r;
  r.title = "USB  Cable qqqword";  // normalized and tokenized: usb, cable, qqqword
  r.brand = " SONY ";              // normalized to "sony"
  r.subcategory = "Garden";        // not among the top values
  r.price = 5.9;
  Observation obs;
  reference_->Extract(r, &obs);
  EXPECT_EQ(obs.numeric_bins[NumericIndex(*reference_, "price")], 6);
  EXPECT_FLOAT_EQ(obs.numeric_values[NumericIndex(*reference_, "price")], 5.9f);
  EXPECT_EQ(obs.numeric_bins[NumericIndex(*reference_, "title_word_count")], 2);  // 3 words
  EXPECT_EQ(obs.numeric_bins[NumericIndex(*reference_, "brand_missing")], 1);     // 0
  EXPECT_EQ(obs.categorical_buckets[0], 0);                                       // sony
  EXPECT_EQ(obs.categorical_buckets[1], 1);  // seller: missing (no top values)
  EXPECT_EQ(obs.categorical_buckets[2], 1);  // subcategory "garden": other
  EXPECT_EQ(obs.token_buckets, (std::vector<uint16_t>{0, 1, 2}));
  EXPECT_EQ(obs.oov_tokens, 1u);  // "usb" and "cable" have tfidf columns, "qqqword" not

  r.price.reset();
  r.brand.clear();
  reference_->Extract(r, &obs);
  const size_t price = NumericIndex(*reference_, "price");
  EXPECT_EQ(obs.numeric_bins[price], Numeric(*reference_, "price").missing_bin());
  EXPECT_TRUE(std::isnan(obs.numeric_values[price]));
  EXPECT_EQ(obs.categorical_buckets[0], 3);                                    // missing
  EXPECT_EQ(obs.numeric_bins[NumericIndex(*reference_, "brand_missing")], 2);  // 1
}

TEST_F(HandProfileTest, CountAddsAndRemoves) {
  ProductRecord r;
  r.title = "usb cable";
  r.price = Numeric(*reference_, "price").cuts[1];  // on an inner cut: half in bins 1 and 2
  Observation obs;
  reference_->Extract(r, &obs);
  obs.predicted_class = 0;
  obs.confidence = 0.9f;
  DriftCounts counts = reference_->EmptyCounts();
  reference_->Count(obs, +1, &counts);
  reference_->Count(obs, +1, &counts);
  const NumericFeatureReference& price = Numeric(*reference_, "price");
  EXPECT_EQ(counts.observations, 2u);
  EXPECT_EQ(counts.counts[price.offset + 1], 2u);  // half-observation units
  EXPECT_EQ(counts.counts[price.offset + 2], 2u);
  EXPECT_EQ(counts.title_tokens, 4u);
  EXPECT_EQ(counts.predictions, 2u);
  EXPECT_NEAR(counts.confidence_sum, 1.8, 1e-6);
  reference_->Count(obs, -1, &counts);
  EXPECT_EQ(counts.observations, 1u);
  EXPECT_EQ(counts.counts[price.offset + 1], 1u);
  EXPECT_EQ(counts.title_tokens, 2u);
  EXPECT_NEAR(counts.numeric_sums[NumericIndex(*reference_, "price")], 1.3333, 1e-5);
}

TEST(DriftReferenceTest, ExactBinsMatchTheReferenceRows) {
  const auto rows = Rows(400);
  auto spec = FitSpec(rows);
  const nlohmann::json profile = Profile(rows, *spec, /*exact=*/true);
  ASSERT_TRUE(profile.contains("drift_bins"));
  EXPECT_EQ(profile["drift_bins"]["rows"], 400);
  const auto reference = MakeReference(profile, *spec, DriftOptions());
  DriftCounts counts = reference->EmptyCounts();
  Observation obs;
  for (const ProductRecord& r : rows) {
    reference->Extract(r, &obs);
    reference->Count(obs, +1, &counts);
  }
  // Counting the reference rows again reproduces every exact share: PSI 0 for all features.
  const nlohmann::json report = ComputeWindowReport(*reference, counts, nullptr, DriftOptions());
  for (const NumericFeatureReference& f : reference->numeric()) {
    EXPECT_TRUE(f.exact_bins) << f.name;
    EXPECT_NEAR(std::accumulate(f.reference_shares.begin(), f.reference_shares.end(), 0.0), 1.0,
                1e-9)
        << f.name;
    EXPECT_NEAR(report["numeric"][f.name]["psi"].get<double>(), 0.0, 1e-12) << f.name;
    EXPECT_EQ(report["numeric"][f.name]["reference_bins"], "exact");
  }
  EXPECT_EQ(report["status"], "ok");
}

TEST(DriftReferenceTest, ProfileErrorsNameTheKey) {
  const auto rows = Rows(40);
  auto spec = FitSpec(rows);
  const nlohmann::json good = Profile(rows, *spec, /*exact=*/false);
  auto error_of = [&](const nlohmann::json& profile) {
    std::unique_ptr<DriftReference> r;
    return DriftReference::Create(profile, *spec, DriftOptions(), &r).message();
  };
  EXPECT_EQ(error_of(good), "");
  EXPECT_NE(error_of(nlohmann::json::object()).find("non-empty JSON object"), std::string::npos);
  nlohmann::json p = good;
  p["profile_version"] = 7;
  EXPECT_NE(error_of(p).find("profile_version: expected 1, got 7"), std::string::npos);
  p = good;
  p["numeric"].erase("price");
  p["numeric"]["weight_kg"] = good["numeric"]["price"];
  EXPECT_NE(error_of(p).find("numeric feature 'weight_kg'"), std::string::npos);
  p = good;
  p["numeric"]["price"].erase("quantile_edges");
  EXPECT_NE(error_of(p).find("numeric.price.quantile_edges: expected an array"), std::string::npos);
  p = good;
  p["categorical"].erase("brand");
  EXPECT_NE(error_of(p).find("categorical.brand: expected an object"), std::string::npos);
  p = good;
  p["title_tokens"]["oov_rate"] = 3;
  EXPECT_NE(error_of(p).find("title_tokens.oov_rate: expected a share in [0, 1]"),
            std::string::npos);
  // Exact bins computed for other cuts are refused rather than misread.
  p = Profile(rows, *spec, /*exact=*/true);
  p["drift_bins"]["numeric"]["price"]["cuts"][0] = -1;
  EXPECT_NE(error_of(p).find("drift_bins.numeric.price.cuts"), std::string::npos);
}

TEST_F(HandProfileTest, OutOfSupport) {
  SupportLimits limits;  // price within [0.3333 / 10, 10.3333 * 10]; OOV share <= 0.9
  ProductRecord r;
  r.title = "usb cable black";
  r.price = 50;
  EXPECT_EQ(reference_->OutOfSupport(r, limits), std::nullopt);
  r.price = 200;
  EXPECT_EQ(reference_->OutOfSupport(r, limits), "price_out_of_range");
  r.price = 0.01;
  EXPECT_EQ(reference_->OutOfSupport(r, limits), "price_out_of_range");
  r.price.reset();  // missing is not out of range
  EXPECT_EQ(reference_->OutOfSupport(r, limits), std::nullopt);
  limits.range_fields = {"rating"};  // not profiled here: nothing to compare with
  r.price = 200;
  EXPECT_EQ(reference_->OutOfSupport(r, limits), std::nullopt);

  r.price = 5;
  r.title = "qqq www eee";  // 3 tokens, none in the vocabulary
  EXPECT_EQ(reference_->OutOfSupport(r, limits), "title_out_of_vocabulary");
  r.title = "qqq www";  // only 2 tokens: too short to judge
  EXPECT_EQ(reference_->OutOfSupport(r, limits), std::nullopt);
  r.title = "usb qqq www";  // 2 of 3 out of vocabulary: below 0.9
  EXPECT_EQ(reference_->OutOfSupport(r, limits), std::nullopt);
  limits.max_title_oov_share = 0.5;
  EXPECT_EQ(reference_->OutOfSupport(r, limits), "title_out_of_vocabulary");
}

}  // namespace
}  // namespace prodcat::monitoring
