#include "prodcat/validation/suite_inference.h"

#include <gtest/gtest.h>

#include "prodcat/data/generator.h"
#include "prodcat/validation/validator.h"
#include "validation_test_util.h"

namespace prodcat {
namespace {

std::vector<ProductRecord> Generated(size_t rows, uint64_t seed) {
  GeneratorOptions options;
  options.rows = rows;
  options.seed = seed;
  std::vector<ProductRecord> records;
  Status s = GenerateProducts(options, [&](const ProductRecord& r) {
    records.push_back(r);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return records;
}

const Expectation* Find(const ExpectationSuite& suite, ExpectationType type, Field column) {
  for (const Expectation& e : suite.expectations) {
    if (e.type == type && e.column == column) return &e;
  }
  return nullptr;
}

TEST(SuiteInference, HandCheckableRangesMeanAndNullRates) {
  std::vector<ProductRecord> records;
  for (int i = 1; i <= 100; ++i) {
    ProductRecord r = testing::MakeRecord("title " + std::to_string(i), i % 2 ? "a" : "b",
                                          static_cast<double>(i));
    if (i <= 10) r.brand = "acme";  // 10% present: too sparse for a not-null expectation
    records.push_back(r);
  }
  ExpectationSuite suite;
  ASSERT_TRUE(InferSuite(records, {}, &suite).ok());
  using T = ExpectationType;

  // 0.1% / 99.9% quantiles of 1..100 are 1 and 100; widened by 10% of 99 each side, the lower
  // end clamps at 0 (no negative prices seen) and the upper rounds up to 3 digits: 110.
  const Expectation* range = Find(suite, T::kColumnValuesToBeBetween, Field::kPrice);
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->range.min, 0.0);
  EXPECT_EQ(range->range.max, 110.0);
  EXPECT_DOUBLE_EQ(range->mostly, 0.99);
  // Mean 50.5 +- 10% = [45.45, 55.55], rounded outward to 3 digits.
  const Expectation* mean = Find(suite, T::kColumnMeanToBeBetween, Field::kPrice);
  ASSERT_NE(mean, nullptr);
  EXPECT_DOUBLE_EQ(*mean->range.min, 45.4);
  EXPECT_DOUBLE_EQ(*mean->range.max, 55.6);
  // Present in every row: mostly = 1 - 0.02.
  const Expectation* not_null = Find(suite, T::kColumnValuesToNotBeNull, Field::kPrice);
  ASSERT_NE(not_null, nullptr);
  EXPECT_DOUBLE_EQ(not_null->mostly, 0.98);
  EXPECT_EQ(Find(suite, T::kColumnValuesToNotBeNull, Field::kBrand), nullptr);
  EXPECT_NE(Find(suite, T::kColumnToExist, Field::kBrand), nullptr);
  EXPECT_EQ(Find(suite, T::kColumnToExist, Field::kRating), nullptr) << "no rating column";
  const Expectation* title = Find(suite, T::kColumnValuesToNotBeNull, Field::kTitle);
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->severity, Severity::kError);
  // Labels: a set and a distribution.
  const Expectation* labels = Find(suite, T::kColumnValuesToBeInSet, Field::kCategory);
  ASSERT_NE(labels, nullptr);
  EXPECT_EQ(labels->text_set, (std::vector<std::string>{"a", "b"}));
  const Expectation* shares = Find(suite, T::kColumnDistributionToMatchReference, Field::kCategory);
  ASSERT_NE(shares, nullptr);
  EXPECT_EQ(shares->reference,
            (std::vector<std::pair<std::string, double>>{{"a", 0.5}, {"b", 0.5}}));
  EXPECT_DOUBLE_EQ(shares->threshold, 0.1);
  // Titles "title 1" .. "title 100" are 7..9 code points; widened by 10% of 2: [6.8, 9.2] ->
  // [6, 10].
  const Expectation* lengths = Find(suite, T::kColumnValueLengthsToBeBetween, Field::kTitle);
  ASSERT_NE(lengths, nullptr);
  EXPECT_EQ(lengths->range.min, 6.0);
  EXPECT_EQ(lengths->range.max, 10.0);
  EXPECT_EQ(Find(suite, T::kColumnValuesToBeUnique, Field::kProductId), nullptr)
      << "no product ids";
}

TEST(SuiteInference, InferredSuitePassesItsDataAndCatchesDrift) {
  std::vector<ProductRecord> reference = Generated(4000, 1);
  InferenceOptions options;
  options.data_label = "generated";
  ExpectationSuite suite;
  ASSERT_TRUE(InferSuite(reference, options, &suite).ok());
  EXPECT_NE(Find(suite, ExpectationType::kColumnValuesToBeUnique, Field::kProductId), nullptr);
  EXPECT_NE(Find(suite, ExpectationType::kColumnQuantileValuesToBeBetween, Field::kRating),
            nullptr);
  EXPECT_EQ(suite.meta["inferred_from"], "generated");
  EXPECT_EQ(suite.meta["rows"], 4000);

  // Through YAML, as a user would edit it.
  std::string yaml = ExpectationSuiteToYaml(suite);
  EXPECT_NE(yaml.find("# Expectation suite inferred by prodcat from generated"), std::string::npos);
  EXPECT_NE(yaml.find("# observed non-null rate"), std::string::npos);
  ExpectationSuite edited;
  Status parsed = ParseExpectationSuite(yaml, "inferred.yaml", "x", &edited);
  ASSERT_TRUE(parsed.ok()) << parsed.ToString() << "\n" << yaml;
  EXPECT_EQ(ExpectationSuiteToJson(edited), ExpectationSuiteToJson(suite));

  ValidationResult same;
  ASSERT_TRUE(ValidateRecords(reference, edited, &same).ok());
  EXPECT_TRUE(same.success) << same.RenderTable();

  // A fresh batch from the same process passes too (no blocking failures).
  ValidationResult fresh;
  ASSERT_TRUE(ValidateRecords(Generated(3000, 2), edited, &fresh).ok());
  EXPECT_FALSE(fresh.HasBlockingFailure()) << fresh.RenderTable();

  // Drift: prices x100, one category only, duplicated ids.
  std::vector<ProductRecord> drifted;
  for (const ProductRecord& r : Generated(3000, 3)) {
    if (r.category != reference[0].category) continue;
    ProductRecord d = r;
    if (d.price) *d.price *= 100;
    drifted.push_back(d);
  }
  drifted.push_back(drifted.front());
  ValidationResult drift;
  ASSERT_TRUE(ValidateRecords(drifted, edited, &drift).ok());
  auto failed = [&](ExpectationType type, Field f) {
    for (const ExpectationResult& r : drift.results) {
      if (r.expectation.type == type && r.expectation.column == f) return !r.success;
    }
    return false;
  };
  EXPECT_TRUE(failed(ExpectationType::kColumnValuesToBeBetween, Field::kPrice));
  EXPECT_TRUE(failed(ExpectationType::kColumnMeanToBeBetween, Field::kPrice));
  EXPECT_TRUE(failed(ExpectationType::kColumnDistributionToMatchReference, Field::kCategory));
  EXPECT_TRUE(failed(ExpectationType::kColumnValuesToBeUnique, Field::kProductId));
  EXPECT_TRUE(drift.HasBlockingFailure()) << "duplicate ids are an error";
}

TEST(SuiteInference, FromFileAndEmptyInput) {
  testing::ScratchDir dir;
  GeneratorOptions g;
  g.rows = 500;
  auto path = dir.Path("ref.csv");
  ASSERT_TRUE(GenerateProductsToFile(g, path).ok());
  ExpectationSuite suite;
  ASSERT_TRUE(InferSuiteFromFile(path, {}, {}, &suite).ok());
  EXPECT_EQ(suite.meta["inferred_from"], path.string());
  EXPECT_NE(Find(suite, ExpectationType::kColumnToExist, Field::kDescription), nullptr)
      << "the CSV has a description column (empty values)";

  ExpectationSuite none;
  Status empty = InferSuite(std::vector<ProductRecord>{}, {}, &none);
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace prodcat
