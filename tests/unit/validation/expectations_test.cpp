// Known-value tests of every expectation type: passing, failing, `mostly`, nulls, empty data.
#include <gtest/gtest.h>

#include <cmath>

#include "prodcat/validation/js_distance.h"
#include "prodcat/validation/validator.h"
#include "validation_test_util.h"

namespace prodcat {
namespace {

ExpectationResult Evaluate(const std::string& type, nlohmann::json kwargs,
                           const std::vector<ProductRecord>& records) {
  ExpectationType t;
  EXPECT_TRUE(ParseExpectationType(type, &t)) << type;
  StatusOr<Expectation> e = MakeExpectation(t, std::move(kwargs));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  ExpectationSuite suite;
  suite.expectations.push_back(*e);
  ValidationResult result;
  Status s = ValidateRecords(records, suite, &result);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return result.results.at(0);
}

// One record per value, title "t<i>"; source_line i + 1.
std::vector<ProductRecord> WithPrices(const std::vector<std::optional<double>>& prices) {
  std::vector<ProductRecord> records;
  for (size_t i = 0; i < prices.size(); ++i) {
    records.push_back(
        testing::MakeRecord(std::string("t").append(std::to_string(i)), "", prices[i]));
  }
  return records;
}

std::vector<ProductRecord> WithText(Field field, const std::vector<std::string>& values) {
  std::vector<ProductRecord> records;
  for (size_t i = 0; i < values.size(); ++i) {
    ProductRecord r = testing::MakeRecord(std::string("t").append(std::to_string(i)));
    *r.MutableStringField(field) = values[i];
    records.push_back(r);
  }
  return records;
}

TEST(Expectations, ColumnToExistAndColumnSet) {
  auto records = WithPrices({1.0, std::nullopt});
  EXPECT_TRUE(Evaluate("column_to_exist", {{"column", "price"}}, records).success);
  ExpectationResult brand = Evaluate("column_to_exist", {{"column", "brand"}}, records);
  EXPECT_FALSE(brand.success);
  EXPECT_EQ(brand.observed_value, false);

  EXPECT_TRUE(Evaluate("table_columns_to_match_set", {{"column_set", {"title", "price"}}}, records)
                  .success);
  ExpectationResult exact =
      Evaluate("table_columns_to_match_set", {{"column_set", {"title"}}}, records);
  EXPECT_FALSE(exact.success) << "price is present but not listed";
  EXPECT_EQ(exact.details["mismatched"]["unexpected"], nlohmann::json({"price"}));
  EXPECT_TRUE(Evaluate("table_columns_to_match_set",
                       {{"column_set", {"title"}}, {"exact_match", false}}, records)
                  .success);
  ExpectationResult missing =
      Evaluate("table_columns_to_match_set",
               {{"column_set", {"title", "brand"}}, {"exact_match", false}}, records);
  EXPECT_FALSE(missing.success);
  EXPECT_EQ(missing.details["mismatched"]["missing"], nlohmann::json({"brand"}));
}

TEST(Expectations, RowCount) {
  auto three = WithPrices({1.0, 2.0, 3.0});
  EXPECT_TRUE(Evaluate("table_row_count_to_be_between", {{"min_value", 3}, {"max_value", 5}}, three)
                  .success);
  EXPECT_FALSE(
      Evaluate("table_row_count_to_be_between", {{"min_value", 3}, {"strict_min", true}}, three)
          .success);
  ExpectationResult empty = Evaluate("table_row_count_to_be_between", {{"min_value", 1}}, {});
  EXPECT_FALSE(empty.success);
  EXPECT_EQ(empty.observed_value, 0);
}

TEST(Expectations, NotNullCountsNullsAsUnexpectedAndHonoursMostly) {
  auto records = WithPrices({1.0, std::nullopt, 3.0, 4.0, std::nullopt, 6.0, 7.0, 8.0, 9.0, 10.0});
  ExpectationResult strict =
      Evaluate("column_values_to_not_be_null", {{"column", "price"}}, records);
  EXPECT_FALSE(strict.success);
  EXPECT_EQ(strict.element_count, 10u);
  EXPECT_EQ(strict.missing_count, 0u);
  EXPECT_EQ(strict.unexpected_count, 2u);
  EXPECT_DOUBLE_EQ(strict.UnexpectedPercent(), 20.0);
  EXPECT_EQ(strict.partial_unexpected_index_list, (std::vector<uint64_t>{2, 5}));
  EXPECT_TRUE(strict.partial_unexpected_list[0].is_null());
  EXPECT_TRUE(
      Evaluate("column_values_to_not_be_null", {{"column", "price"}, {"mostly", 0.8}}, records)
          .success);
  EXPECT_FALSE(
      Evaluate("column_values_to_not_be_null", {{"column", "price"}, {"mostly", 0.81}}, records)
          .success);
}

TEST(Expectations, UniqueCountsEveryMemberOfADuplicatedGroup) {
  auto records = WithText(Field::kProductId, {"a", "b", "a", "", "c", "a"});
  ExpectationResult r = Evaluate("column_values_to_be_unique", {{"column", "product_id"}}, records);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.missing_count, 1u) << "nulls are not duplicates";
  EXPECT_EQ(r.unexpected_count, 3u) << "all three 'a', as in Great Expectations";
  EXPECT_EQ(r.partial_unexpected_list, (std::vector<nlohmann::json>{"a", "a"}))
      << "samples are the repeats the stream could see";
  EXPECT_EQ(r.partial_unexpected_index_list, (std::vector<uint64_t>{3, 6}));
  // 5 non-missing values, 2 pass: mostly 0.4 holds, 0.41 does not.
  EXPECT_TRUE(
      Evaluate("column_values_to_be_unique", {{"column", "product_id"}, {"mostly", 0.4}}, records)
          .success);
  EXPECT_FALSE(
      Evaluate("column_values_to_be_unique", {{"column", "product_id"}, {"mostly", 0.41}}, records)
          .success);
  EXPECT_TRUE(
      Evaluate("column_values_to_be_unique", {{"column", "price"}}, WithPrices({1.0, -0.0, 2.0}))
          .success);
  EXPECT_FALSE(
      Evaluate("column_values_to_be_unique", {{"column", "price"}}, WithPrices({1.0, -0.0, 0.0}))
          .success)
      << "-0 and 0 are the same number";
}

TEST(Expectations, BetweenWithStrictBoundsMissingAndMostly) {
  auto records = WithPrices({1.0, 2.0, 3.0, std::nullopt, 10.0});
  ExpectationResult r =
      Evaluate("column_values_to_be_between",
               {{"column", "price"}, {"min_value", 1}, {"max_value", 3}}, records);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.element_count, 5u);
  EXPECT_EQ(r.missing_count, 1u);
  EXPECT_EQ(r.unexpected_count, 1u);
  EXPECT_DOUBLE_EQ(r.UnexpectedPercent(), 25.0) << "relative to the 4 non-missing values";
  EXPECT_EQ(r.partial_unexpected_list, (std::vector<nlohmann::json>{10.0}));
  EXPECT_EQ(r.partial_unexpected_index_list, (std::vector<uint64_t>{5}));
  EXPECT_TRUE(Evaluate("column_values_to_be_between",
                       {{"column", "price"}, {"min_value", 1}, {"max_value", 3}, {"mostly", 0.75}},
                       records)
                  .success);
  ExpectationResult strict = Evaluate(
      "column_values_to_be_between",
      {{"column", "price"}, {"min_value", 1}, {"strict_min", true}, {"max_value", 100}}, records);
  EXPECT_EQ(strict.unexpected_count, 1u) << "1 is excluded by strict_min";
  EXPECT_TRUE(
      Evaluate("column_values_to_be_between", {{"column", "price"}, {"max_value", 10}}, records)
          .success)
      << "no min_value: unbounded below";
}

TEST(Expectations, InSetForTextAndNumbers) {
  auto records = WithText(Field::kCategory, {"shoes", "toys", "", "food", "shoes"});
  ExpectationResult r =
      Evaluate("column_values_to_be_in_set",
               {{"column", "category"}, {"value_set", {"shoes", "toys"}}}, records);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.unexpected_count, 1u);
  EXPECT_EQ(r.partial_unexpected_list, (std::vector<nlohmann::json>{"food"}));
  EXPECT_TRUE(Evaluate("column_values_to_be_in_set",
                       {{"column", "category"}, {"value_set", {"shoes", "toys"}}, {"mostly", 0.75}},
                       records)
                  .success);
  auto ratings = WithPrices({});
  for (double v : {1.0, 5.0, 4.5}) {
    ProductRecord p = testing::MakeRecord("x");
    p.rating = v;
    ratings.push_back(p);
  }
  ExpectationResult numeric = Evaluate("column_values_to_be_in_set",
                                       {{"column", "rating"}, {"value_set", {1, 5}}}, ratings);
  EXPECT_EQ(numeric.unexpected_count, 1u);
  EXPECT_EQ(numeric.partial_unexpected_list, (std::vector<nlohmann::json>{4.5}));
}

TEST(Expectations, RegexSearchesAnywhere) {
  auto records = WithText(Field::kProductId, {"SKU-123", "sku-9", "123", "x SKU-1 y"});
  ExpectationResult anchored =
      Evaluate("column_values_to_match_regex",
               {{"column", "product_id"}, {"regex", "^SKU-[0-9]+$"}}, records);
  EXPECT_EQ(anchored.unexpected_count, 3u);
  ExpectationResult search = Evaluate("column_values_to_match_regex",
                                      {{"column", "product_id"}, {"regex", "SKU-[0-9]"}}, records);
  EXPECT_EQ(search.unexpected_count, 2u) << "like re.search: 'x SKU-1 y' matches";
}

TEST(Expectations, LengthsCountCodePoints) {
  // "ñandú" is 5 code points in 7 bytes.
  auto records = WithText(Field::kBrand, {"ñandú", "ab", ""});
  EXPECT_TRUE(Evaluate("column_value_lengths_to_be_between",
                       {{"column", "brand"}, {"min_value", 2}, {"max_value", 5}}, records)
                  .success);
  ExpectationResult r = Evaluate("column_value_lengths_to_be_between",
                                 {{"column", "brand"}, {"max_value", 4}}, records);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.partial_unexpected_list, (std::vector<nlohmann::json>{"ñandú"}));
}

TEST(Expectations, Mean) {
  auto records = WithPrices({1.0, 2.0, std::nullopt, 6.0});
  ExpectationResult r =
      Evaluate("column_mean_to_be_between",
               {{"column", "price"}, {"min_value", 3}, {"max_value", 3}}, records);
  EXPECT_TRUE(r.success);
  EXPECT_DOUBLE_EQ(r.observed_value.get<double>(), 3.0);
  EXPECT_EQ(r.missing_count, 1u);
  EXPECT_FALSE(Evaluate("column_mean_to_be_between",
                        {{"column", "price"}, {"min_value", 3}, {"strict_min", true}}, records)
                   .success);
  ExpectationResult none =
      Evaluate("column_mean_to_be_between", {{"column", "price"}, {"min_value", 0}},
               WithPrices({std::nullopt}));
  EXPECT_FALSE(none.success) << "no values, no mean";
  EXPECT_TRUE(none.observed_value.is_null());
}

TEST(Expectations, QuantilesUseLowerNearestRank) {
  std::vector<std::optional<double>> values;
  for (int i = 100; i >= 1; --i) values.push_back(i);  // order must not matter
  auto records = WithPrices(values);
  nlohmann::json ranges = {{"quantiles", {0.5, 0.9}}, {"value_ranges", {{50, 50}, {90, 90}}}};
  ExpectationResult r = Evaluate("column_quantile_values_to_be_between",
                                 {{"column", "price"}, {"quantile_ranges", ranges}}, records);
  EXPECT_TRUE(r.success) << r.ToJson().dump();
  EXPECT_EQ(r.observed_value["values"], nlohmann::json({50.0, 90.0}));
  EXPECT_EQ(r.details["exact"], true);
  nlohmann::json tight = {{"quantiles", {0.5}}, {"value_ranges", {{50.5, nullptr}}}};
  EXPECT_FALSE(Evaluate("column_quantile_values_to_be_between",
                        {{"column", "price"}, {"quantile_ranges", tight}}, records)
                   .success);
}

TEST(Expectations, ProportionOfUniqueValues) {
  auto records = WithText(Field::kBrand, {"a", "a", "b", ""});
  ExpectationResult r =
      Evaluate("column_proportion_of_unique_values_to_be_between",
               {{"column", "brand"}, {"min_value", 0.6}, {"max_value", 0.7}}, records);
  EXPECT_TRUE(r.success);
  EXPECT_DOUBLE_EQ(r.observed_value.get<double>(), 2.0 / 3.0) << "2 distinct of 3 non-null";
  EXPECT_FALSE(Evaluate("column_proportion_of_unique_values_to_be_between",
                        {{"column", "brand"}, {"min_value", 0.9}}, records)
                   .success);
}

// Jensen-Shannon distance with base-2 logs, by hand for P = (1/2, 1/2) over {a, b} and the
// reference Q = (1, 0):
//   M = (P + Q) / 2 = (3/4, 1/4)
//   KL(P || M) = 1/2 log2((1/2)/(3/4)) + 1/2 log2((1/2)/(1/4)) = 1/2 (-0.5849625) + 1/2 (1)
//              = 0.2075187496
//   KL(Q || M) = 1 log2(1/(3/4)) = 0.4150374993
//   JSD = (0.2075187496 + 0.4150374993) / 2 = 0.3112781245
//   distance = sqrt(0.3112781245) = 0.5579230453
TEST(Expectations, DistributionUsesJensenShannonDistance) {
  EXPECT_NEAR(JensenShannonDistance({0.5, 0.5}, {1.0, 0.0}), 0.5579230453, 1e-9);
  // Second hand-computed case: P = (.2, .3, .5), Q = (.5, .3, .2): M = (.35, .3, .35),
  // JSD = .2 log2(.2/.35) + .5 log2(.5/.35) (the .3 terms vanish) = 0.0958156020,
  // distance 0.3095409537. Weights need not be normalized.
  EXPECT_NEAR(JensenShannonDistance({2, 3, 5}, {0.5, 0.3, 0.2}), 0.3095409537, 1e-9);
  EXPECT_DOUBLE_EQ(JensenShannonDistance({1, 0}, {0, 1}), 1.0) << "disjoint: the maximum";
  EXPECT_DOUBLE_EQ(JensenShannonDistance({1, 1}, {3, 3}), 0.0);
  EXPECT_TRUE(std::isnan(JensenShannonDistance({0, 0}, {1, 1})));

  auto records = WithText(Field::kCategory, {"a", "b", "", "a", "b"});
  ExpectationResult r =
      Evaluate("column_distribution_to_match_reference",
               {{"column", "category"}, {"reference", {{"a", 1.0}}}, {"threshold", 0.55}}, records);
  EXPECT_NEAR(r.observed_value.get<double>(), 0.5579230453, 1e-9);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.details["observed_shares"]["b"], 0.5);
  EXPECT_TRUE(Evaluate("column_distribution_to_match_reference",
                       {{"column", "category"}, {"reference", {{"a", 1.0}}}, {"threshold", 0.56}},
                       records)
                  .success);
  EXPECT_TRUE(
      Evaluate("column_distribution_to_match_reference",
               {{"column", "category"}, {"reference", {{"a", 7}, {"b", 7}}}, {"threshold", 0}},
               records)
          .success)
      << "identical shares: distance 0 (the reference is normalized)";
}

TEST(Expectations, EmptyDataAndAbsentColumns) {
  std::vector<ProductRecord> none;
  // Per-value checks hold vacuously on no values, as in GE.
  ExpectationResult not_null =
      Evaluate("column_values_to_not_be_null", {{"column", "title"}}, none);
  EXPECT_TRUE(not_null.success);
  EXPECT_TRUE(std::isnan(not_null.UnexpectedPercent()));
  EXPECT_TRUE(not_null.ToJson()["result"]["unexpected_percent"].is_null());
  EXPECT_TRUE(Evaluate("column_values_to_match_regex", {{"column", "title"}, {"regex", "x"}}, none)
                  .success);
  // Aggregates have nothing to aggregate and fail.
  EXPECT_FALSE(Evaluate("column_proportion_of_unique_values_to_be_between",
                        {{"column", "title"}, {"min_value", 0}}, none)
                   .success);
  // A column the data does not have fails with an explanation instead of passing vacuously.
  ExpectationResult absent = Evaluate("column_values_to_not_be_null",
                                      {{"column", "brand"}, {"mostly", 0}}, WithPrices({1.0}));
  EXPECT_FALSE(absent.success);
  EXPECT_NE(absent.exception_message.find("brand"), std::string::npos);
  EXPECT_EQ(absent.ToJson()["exception_info"]["raised_exception"], true);
}

}  // namespace
}  // namespace prodcat
