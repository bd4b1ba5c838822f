#include "prodcat/pipeline/prepare.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace prodcat {
namespace {

ProductRecord Row(const std::string& id, const std::string& title, const std::string& label,
                  std::optional<double> price = std::nullopt, const std::string& group = "") {
  ProductRecord r;
  r.product_id = id;
  r.title = title;
  r.category = label;
  r.price = price;
  r.group = group;
  return r;
}

std::vector<ProductRecord> Balanced(size_t per_class, int classes) {
  std::vector<ProductRecord> rows;
  for (int c = 0; c < classes; ++c) {
    for (size_t i = 0; i < per_class; ++i) {
      rows.push_back(Row("c" + std::to_string(c) + "-" + std::to_string(i),
                         "item " + std::to_string(i), "class" + std::to_string(c),
                         static_cast<double>(i)));
    }
  }
  return rows;
}

TEST(PrepareTest, StratifiedSplitKeepsClassProportions) {
  PrepareOptions o;
  PreparedSplits s;
  ASSERT_TRUE(PrepareRecords(Balanced(100, 3), o, {}, &s).ok());
  EXPECT_EQ(s.train.size(), 240u);
  EXPECT_EQ(s.val.size(), 30u);
  EXPECT_EQ(s.test.size(), 30u);
  std::map<std::string, int> val_counts;
  for (const auto& r : s.val) ++val_counts[r.category];
  for (const auto& [label, n] : val_counts) EXPECT_EQ(n, 10) << label;
}

TEST(PrepareTest, SplitIsDeterministicForASeed) {
  PrepareOptions o;
  PreparedSplits a, b, c;
  ASSERT_TRUE(PrepareRecords(Balanced(50, 2), o, {}, &a).ok());
  ASSERT_TRUE(PrepareRecords(Balanced(50, 2), o, {}, &b).ok());
  o.seed = 99;
  ASSERT_TRUE(PrepareRecords(Balanced(50, 2), o, {}, &c).ok());
  ASSERT_EQ(a.val.size(), b.val.size());
  bool same_as_other_seed = true;
  for (size_t i = 0; i < a.val.size(); ++i) {
    EXPECT_EQ(a.val[i].product_id, b.val[i].product_id);
    same_as_other_seed &= a.val[i].product_id == c.val[i].product_id;
  }
  EXPECT_FALSE(same_as_other_seed);
}

TEST(PrepareTest, DedupesByProductIdAndDropsEmptyTitles) {
  std::vector<ProductRecord> rows = Balanced(20, 2);
  rows.push_back(Row("c0-1", "duplicate id", "class0"));
  rows.push_back(Row("x", "   ", "class1"));
  PrepareOptions o;
  PreparedSplits s;
  ASSERT_TRUE(PrepareRecords(rows, o, {}, &s).ok());
  EXPECT_EQ(s.quality_report["duplicates_dropped"], 1);
  EXPECT_EQ(s.quality_report["empty_title_dropped"], 1);
  EXPECT_EQ(s.quality_report["rows_out"], 40);
}

TEST(PrepareTest, CleansWhitespaceButKeepsCase) {
  std::vector<ProductRecord> rows = Balanced(10, 2);
  rows[0].title = "  Sony   WH-1000XM4\tHeadphones ";
  PrepareOptions o;
  o.val_fraction = 0;
  o.test_fraction = 0;
  o.train_fraction = 1;
  PreparedSplits s;
  ASSERT_TRUE(PrepareRecords(rows, o, {}, &s).ok());
  bool found = false;
  for (const auto& r : s.train) found |= r.title == "Sony WH-1000XM4 Headphones";
  EXPECT_TRUE(found);
}

TEST(PrepareTest, GroupSplitNeverStraddles) {
  std::vector<ProductRecord> rows;
  for (int g = 0; g < 200; ++g) {
    for (int i = 0; i < 3; ++i) {
      rows.push_back(Row(std::to_string(g * 10 + i), "offer", g % 2 ? "a" : "b", 1.0,
                         "cluster" + std::to_string(g)));
    }
  }
  PrepareOptions o;
  o.group_col = "cluster_id";
  PreparedSplits s;
  ASSERT_TRUE(PrepareRecords(rows, o, {}, &s).ok());
  std::map<std::string, std::set<int>> where;
  for (const auto& r : s.train) where[r.group].insert(0);
  for (const auto& r : s.val) where[r.group].insert(1);
  for (const auto& r : s.test) where[r.group].insert(2);
  for (const auto& [g, splits] : where) EXPECT_EQ(splits.size(), 1u) << g;
  EXPECT_GT(s.val.size(), 0u);
  EXPECT_GT(s.test.size(), 0u);
  EXPECT_TRUE(s.quality_report.contains("group_split"));
}

TEST(PrepareTest, ReframingMergesRareClassesEverywhere) {
  std::vector<ProductRecord> rows = Balanced(100, 2);
  for (int i = 0; i < 10; ++i) rows.push_back(Row("r" + std::to_string(i), "rare", "rare"));
  PrepareOptions o;
  o.reframe_min_share = 0.05;
  PreparedSplits s;
  ASSERT_TRUE(PrepareRecords(rows, o, {}, &s).ok());
  EXPECT_EQ(s.reframing.Apply("rare"), "Other");
  for (const auto* part : {&s.train, &s.val, &s.test}) {
    for (const auto& r : *part) EXPECT_NE(r.category, "rare");
  }
}

TEST(PrepareTest, OversampleAndUndersampleBalanceTraining) {
  std::vector<ProductRecord> rows = Balanced(100, 1);
  for (int i = 0; i < 20; ++i) rows.push_back(Row("m" + std::to_string(i), "minor", "minor"));
  for (const std::string mode : {"oversample", "undersample"}) {
    PrepareOptions o;
    o.rebalance = mode;
    PreparedSplits s;
    ASSERT_TRUE(PrepareRecords(rows, o, {}, &s).ok());
    std::map<std::string, int> counts;
    for (const auto& r : s.train) ++counts[r.category];
    ASSERT_EQ(counts.size(), 2u);
    EXPECT_EQ(counts["class0"], counts["minor"]) << mode;
    EXPECT_EQ(s.val.size(), 12u) << "validation is never rebalanced";
  }
}

TEST(PrepareTest, QualityReportHasCompletenessImbalanceAndTrainOnlyImputation) {
  std::vector<ProductRecord> rows = Balanced(50, 2);
  rows[0].price.reset();
  PrepareOptions o;
  PreparedSplits s;
  ASSERT_TRUE(PrepareRecords(rows, o, {}, &s).ok());
  const auto& r = s.quality_report;
  EXPECT_NEAR(r["completeness"]["price"].get<double>(), 99.0 / 100.0, 1e-9);
  EXPECT_DOUBLE_EQ(r["completeness"]["brand"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(r["imbalance_ratio"].get<double>(), 1.0);
  EXPECT_EQ(r["imputation"]["fitted_on"], "train");
  std::vector<double> train_prices;
  for (const auto& row : s.train) {
    if (row.price) train_prices.push_back(*row.price);
  }
  std::sort(train_prices.begin(), train_prices.end());
  size_t n = train_prices.size();
  double median = n % 2 ? train_prices[n / 2] : (train_prices[n / 2 - 1] + train_prices[n / 2]) / 2;
  EXPECT_DOUBLE_EQ(r["imputation"]["price_median"].get<double>(), median);
  EXPECT_FALSE(RenderQualityTable(r).empty());
}

TEST(PrepareTest, NoUsableRowsIsAClearError) {
  PrepareOptions o;
  PreparedSplits s;
  Status st = PrepareRecords({Row("1", "", "a")}, o, {}, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no usable rows"), std::string::npos);
}

TEST(PrepareTest, OptionsFromConfigValidateFractions) {
  Config c = Config::Defaults();
  ASSERT_TRUE(c.Set("prepare.train_fraction=0.9").ok());
  PrepareOptions o;
  Status s = PrepareOptions::FromConfig(c, &o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("sum to 1"), std::string::npos);
  Config ok = Config::Defaults();
  ASSERT_TRUE(ok.Set("data.columns.title=name").ok());
  ASSERT_TRUE(PrepareOptions::FromConfig(ok, &o).ok());
  EXPECT_EQ(o.read.columns.SourceName(Field::kTitle), "name");
  EXPECT_TRUE(o.read.require_label);
}

}  // namespace
}  // namespace prodcat
