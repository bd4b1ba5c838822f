#include "prodcat/validation/expectation_suite.h"

#include <gtest/gtest.h>

#include <set>

#include "validation_test_util.h"

namespace prodcat {
namespace {

Status ParseError(const std::string& text) {
  ExpectationSuite suite;
  return ParseExpectationSuite(text, "suite.yaml", "s", &suite);
}

TEST(ExpectationSuite, ParsesYamlWithShortAndGeNamesAndSeverities) {
  const std::string text = R"(
expectation_suite_name: products
meta: {owner: data-team}
expectations:
  - expectation_type: expect_column_values_to_not_be_null
    kwargs: {column: title}
  - expectation_type: column_values_to_be_between
    kwargs: {column: price, min_value: 0, max_value: null, strict_min: true, mostly: 0.95}
    severity: warning
  - type: column_values_to_be_in_set
    kwargs:
      column: category
      value_set: [shoes, "true", 42]
    meta: {severity: WARNING, note: labels}
  - expectation_type: expect_column_quantile_values_to_be_between
    kwargs:
      column: rating
      quantile_ranges:
        quantiles: [0.5, 0.9]
        value_ranges: [[3, 4.5], [null, 5]]
  - expectation_type: table_row_count_to_be_between
    kwargs: {min_value: 1}
)";
  ExpectationSuite suite;
  Status s = ParseExpectationSuite(text, "suite.yaml", "fallback", &suite);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(suite.name, "products");
  EXPECT_EQ(suite.meta["owner"], "data-team");
  ASSERT_EQ(suite.expectations.size(), 5u);

  const Expectation& not_null = suite.expectations[0];
  EXPECT_EQ(not_null.type, ExpectationType::kColumnValuesToNotBeNull);
  EXPECT_EQ(not_null.severity, Severity::kError) << "error is the default severity";
  EXPECT_EQ(not_null.column, Field::kTitle);
  EXPECT_EQ(not_null.mostly, 1.0);

  const Expectation& between = suite.expectations[1];
  EXPECT_EQ(between.severity, Severity::kWarning);
  EXPECT_EQ(between.range.min, 0.0);
  EXPECT_FALSE(between.range.max.has_value()) << "null means unbounded";
  EXPECT_TRUE(between.range.strict_min);
  EXPECT_DOUBLE_EQ(between.mostly, 0.95);
  EXPECT_FALSE(between.range.Contains(0)) << "strict_min excludes the bound";
  EXPECT_TRUE(between.range.Contains(1e12));

  const Expectation& in_set = suite.expectations[2];
  EXPECT_EQ(in_set.severity, Severity::kWarning) << "meta.severity, case-insensitive";
  EXPECT_EQ(in_set.text_set, (std::vector<std::string>{"shoes", "true", "42"}))
      << "a quoted \"true\" stays text; a number in a text column becomes its text";
  EXPECT_EQ(in_set.meta["note"], "labels");
  EXPECT_FALSE(in_set.meta.contains("severity")) << "severity is kept in the typed field";

  const Expectation& quantiles = suite.expectations[3];
  ASSERT_EQ(quantiles.quantiles.size(), 2u);
  EXPECT_EQ(quantiles.quantile_ranges[0].max, 4.5);
  EXPECT_FALSE(quantiles.quantile_ranges[1].min.has_value());
}

TEST(ExpectationSuite, JsonSuitesReadTheSameWay) {
  const std::string text = R"({"expectation_suite_name": "j", "expectations": [
      {"expectation_type": "expect_column_mean_to_be_between",
       "kwargs": {"column": "price", "min_value": 1.5, "max_value": 9},
       "meta": {"severity": "warning"}}]})";
  ExpectationSuite suite;
  ASSERT_TRUE(ParseExpectationSuite(text, "s.json", "x", &suite).ok());
  ASSERT_EQ(suite.expectations.size(), 1u);
  EXPECT_EQ(suite.expectations[0].range.min, 1.5);
  EXPECT_EQ(suite.expectations[0].severity, Severity::kWarning);

  // A suite as Great Expectations exports it, bookkeeping keys and tab indentation included.
  const std::string ge =
      "{\n\t\"data_asset_type\": null,\n\t\"expectation_suite_name\": \"ge\",\n"
      "\t\"expectations\": [{\"expectation_type\": \"expect_column_values_to_not_be_null\",\n"
      "\t\t\"kwargs\": {\"column\": \"title\", \"result_format\": \"BASIC\"},\n"
      "\t\t\"meta\": {}, \"ge_cloud_id\": null}],\n"
      "\t\"ge_cloud_id\": null,\n\t\"meta\": {\"great_expectations_version\": \"0.15.50\"}\n}\n";
  ExpectationSuite exported;
  Status s = ParseExpectationSuite(ge, "ge.json", "x", &exported);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(exported.name, "ge");
  ASSERT_EQ(exported.expectations.size(), 1u);
  EXPECT_EQ(exported.expectations[0].column, Field::kTitle);
}

TEST(ExpectationSuite, ErrorsNameFileLineIndexAndType) {
  Status unknown = ParseError(
      "expectations:\n"
      "  - {expectation_type: column_to_exist, kwargs: {column: title}}\n"
      "  - {expectation_type: expect_column_to_be_pretty, kwargs: {column: title}}\n");
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("suite.yaml:3"), std::string::npos) << unknown.message();
  EXPECT_NE(unknown.message().find("expectations[1]"), std::string::npos) << unknown.message();
  EXPECT_NE(unknown.message().find("expect_column_to_be_pretty"), std::string::npos);

  Status missing = ParseError(
      "expectations:\n"
      "  - expectation_type: column_values_to_be_between\n"
      "    kwargs: {min_value: 0}\n");
  EXPECT_NE(missing.message().find("expectations[0] (expect_column_values_to_be_between)"),
            std::string::npos)
      << missing.message();
  EXPECT_NE(missing.message().find("missing kwarg 'column'"), std::string::npos)
      << missing.message();

  Status wrong_type = ParseError(
      "expectations:\n"
      "  - {expectation_type: column_values_to_not_be_null, kwargs: {column: title, mostly: "
      "lots}}\n");
  EXPECT_NE(wrong_type.message().find("kwarg 'mostly': expected a number in [0, 1]"),
            std::string::npos)
      << wrong_type.message();

  Status typo = ParseError(
      "expectations:\n  - {expectation_type: column_to_exist, kwargs: {colum: title}}\n");
  EXPECT_NE(typo.message().find("unknown kwarg 'colum'"), std::string::npos) << typo.message();

  Status column = ParseError(
      "expectations:\n  - {expectation_type: column_to_exist, kwargs: {column: colour}}\n");
  EXPECT_NE(column.message().find("canonical column"), std::string::npos) << column.message();

  Status text_column = ParseError(
      "expectations:\n  - {expectation_type: column_mean_to_be_between, kwargs: {column: title, "
      "min_value: 1}}\n");
  EXPECT_NE(text_column.message().find("numeric column"), std::string::npos)
      << text_column.message();

  Status no_bound = ParseError(
      "expectations:\n  - {expectation_type: column_values_to_be_between, kwargs: {column: "
      "price}}\n");
  EXPECT_NE(no_bound.message().find("min_value or max_value"), std::string::npos);

  Status bad_regex = ParseError(
      "expectations:\n  - {expectation_type: column_values_to_match_regex, kwargs: {column: "
      "title, regex: '(unclosed'}}\n");
  EXPECT_NE(bad_regex.message().find("kwarg 'regex'"), std::string::npos) << bad_regex.message();

  Status severity = ParseError(
      "expectations:\n  - {expectation_type: column_to_exist, kwargs: {column: title}, "
      "severity: fatal}\n");
  EXPECT_NE(severity.message().find("severity"), std::string::npos) << severity.message();

  Status ranges = ParseError(
      "expectations:\n  - {expectation_type: column_quantile_values_to_be_between, kwargs: "
      "{column: price, quantile_ranges: {quantiles: [0.5], value_ranges: [[1, 2], [3, 4]]}}}\n");
  EXPECT_NE(ranges.message().find("value_ranges"), std::string::npos) << ranges.message();

  Status syntax = ParseError("expectations: [\n");
  EXPECT_NE(syntax.message().find("suite.yaml:"), std::string::npos) << syntax.message();
  EXPECT_EQ(ParseError("name: x\n").code(), StatusCode::kInvalidArgument)
      << "the expectations list is required";
}

TEST(ExpectationSuite, YamlAndJsonRoundTrip) {
  ExpectationSuite suite;
  suite.name = "round";
  suite.comment = "header line 1\nheader line 2";
  suite.meta = {{"rows", 10}};
  auto add = [&](ExpectationType type, nlohmann::json kwargs, Severity severity) {
    StatusOr<Expectation> e = MakeExpectation(type, std::move(kwargs), severity);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    e->comment = "why: it matters";
    suite.expectations.push_back(*e);
  };
  add(ExpectationType::kColumnValuesToBeInSet,
      {{"column", "category"}, {"value_set", {"null", "yes", "123", "a: b", "Ünïcode"}}},
      Severity::kWarning);
  add(ExpectationType::kColumnValuesToBeBetween,
      {{"column", "price"}, {"min_value", 1e-05}, {"max_value", 0.1}, {"mostly", 0.5}},
      Severity::kError);
  add(ExpectationType::kColumnDistributionToMatchReference,
      {{"column", "category"}, {"reference", {{"true", 0.25}, {"b", 0.75}}}, {"threshold", 0.1}},
      Severity::kWarning);
  ASSERT_EQ(suite.expectations.size(), 3u);
  EXPECT_FALSE(MakeExpectation(ExpectationType::kColumnValuesToBeBetween,
                               {{"column", "price"}, {"min_value", 2}, {"max_value", 1}})
                   .ok())
      << "min_value > max_value is rejected";

  std::string yaml = ExpectationSuiteToYaml(suite);
  EXPECT_NE(yaml.find("# header line 2"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("# why: it matters"), std::string::npos) << yaml;
  ExpectationSuite back;
  Status s = ParseExpectationSuite(yaml, "round.yaml", "x", &back);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << yaml;
  EXPECT_EQ(ExpectationSuiteToJson(back), ExpectationSuiteToJson(suite)) << yaml;
  EXPECT_EQ(back.expectations[0].text_set, suite.expectations[0].text_set)
      << "strings that look like null or numbers stay strings";

  testing::ScratchDir dir;
  ASSERT_TRUE(WriteExpectationSuite(dir.Path("s.json"), suite).ok());
  ExpectationSuite from_json;
  ASSERT_TRUE(LoadExpectationSuite(dir.Path("s.json"), &from_json).ok());
  EXPECT_EQ(ExpectationSuiteToJson(from_json), ExpectationSuiteToJson(suite));
  EXPECT_EQ(LoadExpectationSuite(dir.Path("absent.yaml"), &from_json).code(),
            StatusCode::kNotFound);
}

TEST(ExpectationSuite, ExampleFixtureUsesEveryType) {
  ExpectationSuite suite;
  Status s = LoadExpectationSuite(
      std::filesystem::path(PRODCAT_TEST_DATA_DIR) / "validation/example_suite.yaml", &suite);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(suite.name, "example_products");
  std::set<ExpectationType> types;
  for (const Expectation& e : suite.expectations) types.insert(e.type);
  EXPECT_EQ(types.size(), AllExpectationTypes().size());
}

TEST(ExpectationSuite, DefaultNameIsTheFileStem) {
  testing::ScratchDir dir;
  auto path = dir.Write("nightly.yaml", "expectations: []\n");
  ExpectationSuite suite;
  ASSERT_TRUE(LoadExpectationSuite(path, &suite).ok());
  EXPECT_EQ(suite.name, "nightly");
  EXPECT_TRUE(suite.expectations.empty());
}

}  // namespace
}  // namespace prodcat
