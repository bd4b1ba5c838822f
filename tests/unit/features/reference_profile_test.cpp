#include "prodcat/features/reference_profile.h"

#include <gtest/gtest.h>

#include <cmath>

#include "prodcat/features/tfidf_vocabulary.h"
#include "test_records.h"

namespace prodcat {
namespace {

using testing::MakeRecord;

// 120 rows: each title is "common" plus one token used by no other row; 60 distinct brands
// (two rows each); prices 1..120 with every fourth missing.
std::vector<ProductRecord> Rows() {
  std::vector<ProductRecord> rows;
  for (int i = 0; i < 120; ++i) {
    std::string title = "common u";
    title += std::to_string(i);
    title += 'x';
    std::string brand = "Brand";
    brand += std::to_string(i / 2);
    ProductRecord r =
        MakeRecord(title, brand, i % 4 == 3 ? std::nullopt : std::optional<double>(i + 1));
    if (i >= 30) r.seller_id = std::string(1, 's') + std::to_string(i % 3);
    rows.push_back(r);
  }
  return rows;
}

std::unique_ptr<FeatureSpec> Fit(const std::vector<ProductRecord>& rows) {
  FeatureSpecOptions o;
  o.hash_bits = 22;  // makes a chance collision of a singleton with a kept bucket negligible
  o.tfidf_min_df = 2;
  std::unique_ptr<FeatureSpec> spec;
  EXPECT_TRUE(FeatureSpec::Fit(rows, o, &spec).ok());
  return spec;
}

TEST(ReferenceProfileTest, LabelDistributionIsTheTrainingPrior) {
  auto rows = Rows();
  for (size_t i = 0; i < rows.size(); ++i) rows[i].category = i < 90 ? "Books" : "Toys";
  rows[5].category.clear();  // unlabeled rows do not count
  auto spec = Fit(rows);
  const nlohmann::json p = BuildReferenceProfile(rows, *spec);
  const auto& labels = p["label_distribution"];
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0]["class"], "Books");
  EXPECT_EQ(labels[0]["count"], 89);
  EXPECT_DOUBLE_EQ(labels[0]["share"].get<double>(), 89.0 / 119.0);
  EXPECT_EQ(labels[1]["class"], "Toys");
  EXPECT_DOUBLE_EQ(labels[1]["share"].get<double>(), 30.0 / 119.0);
}

TEST(ReferenceProfileTest, NumericSummaries) {
  auto rows = Rows();
  auto spec = Fit(rows);
  const nlohmann::json p = BuildReferenceProfile(rows, *spec);
  EXPECT_EQ(p["row_count"], 120);
  EXPECT_EQ(p["profile_version"], kReferenceProfileVersion);
  for (const char* name : {"price", "rating", "reviews_count", "title_length", "title_word_count",
                           "title_upper_ratio", "has_model_code"}) {
    ASSERT_TRUE(p["numeric"].contains(name)) << name;
  }
  const auto& price = p["numeric"]["price"];
  EXPECT_EQ(price["count"], 90);
  EXPECT_DOUBLE_EQ(price["missing_rate"].get<double>(), 0.25);
  std::vector<double> values;
  for (int i = 0; i < 120; ++i) {
    if (i % 4 != 3) values.push_back(i + 1);
  }
  double mean = 0, var = 0;
  for (double v : values) mean += v / values.size();
  for (double v : values) var += (v - mean) * (v - mean) / values.size();
  EXPECT_NEAR(price["mean"].get<double>(), mean, 1e-9);
  EXPECT_NEAR(price["std"].get<double>(), std::sqrt(var), 1e-9);
  const auto edges = price["quantile_edges"].get<std::vector<double>>();
  ASSERT_EQ(edges.size(), 11u);
  EXPECT_DOUBLE_EQ(edges.front(), 1.0);
  EXPECT_DOUBLE_EQ(edges.back(), 119.0);
  EXPECT_TRUE(std::is_sorted(edges.begin(), edges.end()));

  EXPECT_DOUBLE_EQ(p["numeric"]["rating"]["missing_rate"].get<double>(), 1.0);
  EXPECT_TRUE(p["numeric"]["rating"]["quantile_edges"].empty());
  EXPECT_DOUBLE_EQ(p["numeric"]["title_word_count"]["mean"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(p["numeric"]["title_word_count"]["missing_rate"].get<double>(), 0.0);
}

TEST(ReferenceProfileTest, CategoricalTopValues) {
  auto rows = Rows();
  auto spec = Fit(rows);
  const nlohmann::json p = BuildReferenceProfile(rows, *spec);
  const auto& brand = p["categorical"]["brand"];
  EXPECT_EQ(brand["distinct"], 60);
  ASSERT_EQ(brand["top"].size(), kProfileTopCategories);
  EXPECT_EQ(brand["top"][0]["value"], "brand0");  // normalized; ties ordered by value
  EXPECT_EQ(brand["top"][0]["count"], 2);
  EXPECT_NEAR(brand["top"][0]["share"].get<double>(), 2.0 / 120, 1e-12);
  EXPECT_NEAR(brand["other_share"].get<double>(), 20.0 / 120, 1e-12);

  const auto& seller = p["categorical"]["seller_id"];
  EXPECT_DOUBLE_EQ(seller["missing_rate"].get<double>(), 0.25);
  ASSERT_EQ(seller["top"].size(), 3u);
  EXPECT_NEAR(seller["top"][0]["share"].get<double>(), 1.0 / 3, 1e-12);
  EXPECT_NEAR(seller["other_share"].get<double>(), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(p["categorical"]["subcategory"]["missing_rate"].get<double>(), 1.0);
}

TEST(ReferenceProfileTest, TitleTokensAndOutOfVocabularyRate) {
  auto rows = Rows();
  auto spec = Fit(rows);
  const nlohmann::json p = BuildReferenceProfile(rows, *spec);
  const auto& tokens = p["title_tokens"];
  EXPECT_EQ(tokens["total"], 240);
  EXPECT_EQ(tokens["distinct"], 121);
  EXPECT_EQ(tokens["top"][0]["token"], "common");
  EXPECT_NEAR(tokens["top"][0]["share"].get<double>(), 0.5, 1e-12);
  EXPECT_LE(tokens["top"].size(), kProfileTopTokens);
  // Every singleton "u<i>x" is pruned by min_df 2, "common" is kept: half the tokens are OOV.
  EXPECT_NEAR(tokens["oov_rate"].get<double>(), 0.5, 1e-12);

  TfidfVocabulary vocabulary(*spec);
  EXPECT_TRUE(vocabulary.ContainsTitleWord("common"));
  EXPECT_FALSE(vocabulary.ContainsTitleWord("u7x"));
  EXPECT_FALSE(vocabulary.ContainsTitleWord("neverseen"));
}

TEST(ReferenceProfileTest, PredictionProfile) {
  nlohmann::json p = nlohmann::json::object();
  AddPredictionProfile({0, 1, 1, 2, 5}, {0.05f, 0.95f, 1.0f, 0.5f, 0.31f}, {"a", "b", "c"}, &p);
  const auto& pred = p["predictions"];
  EXPECT_EQ(pred["count"], 5);
  EXPECT_EQ(pred["invalid_class_count"], 1);
  ASSERT_EQ(pred["class_distribution"].size(), 3u);
  EXPECT_EQ(pred["class_distribution"][1]["class"], "b");
  EXPECT_EQ(pred["class_distribution"][1]["count"], 2);
  EXPECT_NEAR(pred["class_distribution"][1]["share"].get<double>(), 0.4, 1e-12);
  const auto counts = pred["confidence_histogram"]["counts"].get<std::vector<int>>();
  EXPECT_EQ(counts, (std::vector<int>{1, 0, 0, 1, 0, 1, 0, 0, 0, 2}));
  EXPECT_EQ(pred["confidence_histogram"]["edges"].size(), 11u);
  EXPECT_NEAR(pred["mean_confidence"].get<double>(), (0.05 + 0.95 + 1.0 + 0.5 + 0.31) / 5, 1e-6);
}

}  // namespace
}  // namespace prodcat
