#include "prodcat/validation/validator.h"

#include <gtest/gtest.h>

#include "prodcat/data/avro_record_io.h"
#include "validation_test_util.h"

namespace prodcat {
namespace {

const char* kSuite = R"(
expectation_suite_name: shop
expectations:
  - expectation_type: expect_column_to_exist
    kwargs: {column: title}
  - expectation_type: expect_column_values_to_be_between
    kwargs: {column: price, min_value: 0, max_value: 100}
    meta: {severity: warning}
  - expectation_type: expect_column_values_to_be_in_set
    kwargs: {column: category, value_set: [shoes, toys]}
  - expectation_type: expect_column_mean_to_be_between
    kwargs: {column: price, min_value: 0, max_value: 1000}
  - expectation_type: expect_table_row_count_to_be_between
    kwargs: {min_value: 1, max_value: 10}
)";

const char* kCsv =
    "product_id,title,price,category\n"
    "1,Red shoe,10,shoes\n"
    "2,Blue car,250,toys\n"
    "3,Green ball,,toys\n"
    "4,Odd thing,5,gadgets\n";

ExpectationSuite Suite() {
  ExpectationSuite suite;
  Status s = ParseExpectationSuite(kSuite, "shop.yaml", "shop", &suite);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return suite;
}

TEST(Validator, StreamsACsvFileAndReportsLikeGreatExpectations) {
  testing::ScratchDir dir;
  auto path = dir.Write("shop.csv", kCsv);
  ValidationResult result;
  Status s = ValidateFile(path, {}, Suite(), &result);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(result.rows, 4u);
  EXPECT_FALSE(result.success);
  EXPECT_TRUE(result.HasBlockingFailure()) << "the in_set check has severity error";

  nlohmann::json json = result.ToJson();
  EXPECT_EQ(json["success"], false);
  EXPECT_EQ(json["statistics"]["evaluated_expectations"], 5);
  EXPECT_EQ(json["statistics"]["successful_expectations"], 3);
  EXPECT_EQ(json["statistics"]["unsuccessful_expectations"], 2);
  EXPECT_DOUBLE_EQ(json["statistics"]["success_percent"].get<double>(), 60.0);
  EXPECT_EQ(json["meta"]["data_path"], path.string());
  EXPECT_EQ(json["meta"]["suite_name"], "shop");
  EXPECT_EQ(json["meta"]["rows"], 4);
  EXPECT_EQ(json["meta"]["run_time"].get<std::string>().size(), 20u) << "YYYY-MM-DDTHH:MM:SSZ";
  ASSERT_EQ(json["results"].size(), 5u);

  const nlohmann::json& between = json["results"][1];
  EXPECT_EQ(between["expectation_config"]["expectation_type"],
            "expect_column_values_to_be_between");
  EXPECT_EQ(between["expectation_config"]["kwargs"]["max_value"], 100);
  EXPECT_EQ(between["expectation_config"]["meta"]["severity"], "warning");
  EXPECT_EQ(between["success"], false);
  const nlohmann::json& r = between["result"];
  EXPECT_EQ(r["element_count"], 4);
  EXPECT_EQ(r["missing_count"], 1);
  EXPECT_DOUBLE_EQ(r["missing_percent"].get<double>(), 25.0);
  EXPECT_EQ(r["unexpected_count"], 1);
  EXPECT_NEAR(r["unexpected_percent"].get<double>(), 100.0 / 3, 1e-9);
  EXPECT_NEAR(r["unexpected_percent_nonmissing"].get<double>(), 100.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(r["unexpected_percent_total"].get<double>(), 25.0);
  EXPECT_EQ(r["partial_unexpected_list"], nlohmann::json({250.0}));
  EXPECT_EQ(r["partial_unexpected_index_list"], nlohmann::json({3})) << "CSV line of the row";
  EXPECT_EQ(between["exception_info"]["raised_exception"], false);

  const nlohmann::json& mean = json["results"][3]["result"];
  EXPECT_NEAR(mean["observed_value"].get<double>(), 265.0 / 3, 1e-9);
  EXPECT_FALSE(mean.contains("unexpected_count")) << "aggregates report observed_value";
  EXPECT_EQ(json["results"][4]["result"]["observed_value"], 4);

  std::string table = result.RenderTable();
  EXPECT_NE(table.find("STATUS"), std::string::npos) << table;
  EXPECT_NE(table.find("warn   warning  column_values_to_be_between"), std::string::npos) << table;
  EXPECT_NE(table.find("FAIL   error    column_values_to_be_in_set"), std::string::npos) << table;
  EXPECT_NE(table.find("33.33% (1)"), std::string::npos) << table;
  EXPECT_NE(table.find("3 of 5 expectations passed"), std::string::npos) << table;
  EXPECT_NE(table.find("1 blocking"), std::string::npos) << table;
}

TEST(Validator, WarningsAloneDoNotBlock) {
  ExpectationSuite suite = Suite();
  suite.expectations.erase(suite.expectations.begin() + 2);  // drop the in_set error
  testing::ScratchDir dir;
  ValidationResult result;
  ASSERT_TRUE(ValidateFile(dir.Write("shop.csv", kCsv), {}, suite, &result).ok());
  EXPECT_FALSE(result.success) << "the price range warning failed";
  EXPECT_FALSE(result.HasBlockingFailure());
}

TEST(Validator, SameResultsFromCsvJsonlAndAvro) {
  testing::ScratchDir dir;
  auto csv = dir.Write("shop.csv", kCsv);
  std::vector<ProductRecord> records;
  ASSERT_TRUE(ReadAllRecords(csv, {}, &records).ok());
  auto jsonl = dir.Path("shop.jsonl");
  auto avro = dir.Path("shop.avro");
  for (const auto& path : {jsonl, avro}) {
    std::unique_ptr<RecordWriter> writer;
    ASSERT_TRUE((path == avro ? OpenAvroRecordWriter(path, {}, "deflate", &writer)
                              : OpenRecordWriter(path, {}, &writer))
                    .ok());
    for (const ProductRecord& r : records) ASSERT_TRUE(writer->Write(r).ok());
    ASSERT_TRUE(writer->Close().ok());
  }
  ValidationResult from_csv, from_jsonl, from_avro;
  ASSERT_TRUE(ValidateFile(csv, {}, Suite(), &from_csv).ok());
  ASSERT_TRUE(ValidateFile(jsonl, {}, Suite(), &from_jsonl).ok());
  Status s = ValidateFile(avro, {}, Suite(), &from_avro);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const ValidationResult* other : {&from_jsonl, &from_avro}) {
    ASSERT_EQ(other->results.size(), from_csv.results.size());
    for (size_t i = 0; i < from_csv.results.size(); ++i) {
      EXPECT_EQ(other->results[i].success, from_csv.results[i].success) << i;
      EXPECT_EQ(other->results[i].unexpected_count, from_csv.results[i].unexpected_count) << i;
      EXPECT_EQ(other->results[i].observed_value, from_csv.results[i].observed_value) << i;
    }
  }
}

TEST(Validator, ReadErrorsAreStatusErrorsNotResults) {
  testing::ScratchDir dir;
  auto bad = dir.Write("bad.csv", "title,price\nok,1\nbad,abc\n");
  ValidationResult result;
  Status s = ValidateFile(bad, {}, Suite(), &result);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("bad.csv:3"), std::string::npos) << s.message();

  ReadOptions skip;
  skip.on_error = OnError::kSkip;
  ASSERT_TRUE(ValidateFile(bad, skip, Suite(), &result).ok());
  EXPECT_EQ(result.rows, 1u);
  EXPECT_EQ(result.rows_skipped, 1u);
  EXPECT_EQ(result.ToJson()["meta"]["rows_skipped"], 1);
}

}  // namespace
}  // namespace prodcat
