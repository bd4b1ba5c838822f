#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "data_test_util.h"
#include "prodcat/common/file_util.h"
#include "prodcat/data/fingerprint.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {
namespace {

using ::testing::HasSubstr;
using testing::ReadOk;
using testing::ScratchDir;

std::vector<ProductRecord> TrickyRecords() {
  std::vector<ProductRecord> records(5);
  records[0].product_id = "P1";
  records[0].title = "Pan, 28cm \"non-stick\"";
  records[0].brand = "Kitch\"ora";
  records[0].seller_id = "S,1";
  records[0].subcategory = "Cookware";
  records[0].price = 0.1;
  records[0].rating = 4.5;
  records[0].reviews_count = 1234567;
  records[0].category = "Home & Kitchen";
  records[0].description = "line one\nline two\r\nline three";
  records[1].product_id = "P2";
  records[1].title = "Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 tab\there";
  records[1].price = 1e-7;
  records[1].category = "Books";
  records[2].title = "  leading and trailing spaces  ";
  records[2].price = 12345678.901234567;
  records[2].rating = -0.0;
  records[2].description = "back\\slash and control \x01 char";
  records[3].title = "\"";  // a lone quote
  records[3].reviews_count = 0;
  records[4].title = "";  // everything missing
  return records;
}

void ExpectSameRecords(const std::vector<ProductRecord>& got,
                       const std::vector<ProductRecord>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    for (Field f : kAllFields) {
      if (const std::string* s = want[i].StringField(f)) {
        EXPECT_EQ(*got[i].StringField(f), *s) << "record " << i << " " << FieldName(f);
      } else {
        EXPECT_EQ(*got[i].NumericField(f), *want[i].NumericField(f))
            << "record " << i << " " << FieldName(f);
      }
    }
  }
}

Status WriteAll(const std::filesystem::path& path, const std::vector<ProductRecord>& records,
                const std::vector<Field>& fields = {}) {
  std::unique_ptr<RecordWriter> writer;
  PRODCAT_RETURN_IF_ERROR(OpenRecordWriter(path, fields, &writer));
  for (const auto& r : records) PRODCAT_RETURN_IF_ERROR(writer->Write(r));
  return writer->Close();
}

class RecordWriterRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(RecordWriterRoundTrip, WriteThenReadGivesTheSameRecords) {
  ScratchDir dir;
  auto path = dir.Path(std::string("out.") + GetParam());
  std::vector<ProductRecord> records = TrickyRecords();
  ASSERT_TRUE(WriteAll(path, records).ok());
  std::vector<ProductRecord> back = ReadOk(path);
  ExpectSameRecords(back, records);
  EXPECT_EQ(FingerprintRecords(back), FingerprintRecords(records));
}

INSTANTIATE_TEST_SUITE_P(Formats, RecordWriterRoundTrip,
                         ::testing::Values("csv", "tsv", "jsonl", "ndjson", "json"));

TEST(RecordWriterTest, CsvQuotesOnlyWhenNeededAndHeaderIsCanonical) {
  ScratchDir dir;
  auto path = dir.Path("q.csv");
  std::vector<ProductRecord> records(2);
  records[0].title = "plain title";
  records[0].price = 2.5;
  records[1].title = "a,b";
  ASSERT_TRUE(WriteAll(path, records, {Field::kTitle, Field::kPrice, Field::kCategory}).ok());
  std::string text;
  ASSERT_TRUE(ReadFile(path, &text).ok());
  EXPECT_EQ(text, "title,price,category\nplain title,2.5,\n\"a,b\",,\n");
}

TEST(RecordWriterTest, JsonlOmitsMissingValuesButKeepsTitle) {
  ScratchDir dir;
  auto path = dir.Path("o.jsonl");
  std::vector<ProductRecord> records(2);
  records[0].title = "A";
  records[0].reviews_count = 3;
  records[1].brand = "B";
  ASSERT_TRUE(WriteAll(path, records).ok());
  std::string text;
  ASSERT_TRUE(ReadFile(path, &text).ok());
  EXPECT_EQ(text, "{\"title\":\"A\",\"reviews_count\":3}\n{\"title\":\"\",\"brand\":\"B\"}\n");
}

TEST(RecordWriterTest, SingleEmptyColumnSurvivesRoundTrip) {
  ScratchDir dir;
  auto path = dir.Path("one.csv");
  std::vector<ProductRecord> records(3);
  records[0].title = "A";
  records[2].title = "C";
  ASSERT_TRUE(WriteAll(path, records, {Field::kTitle}).ok());
  std::vector<ProductRecord> back = ReadOk(path);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[1].title, "");
  EXPECT_EQ(back[2].title, "C");
}

TEST(RecordWriterTest, FileAppearsOnlyOnCloseAndNoTempFilesRemain) {
  ScratchDir dir;
  auto path = dir.Path("atomic.csv");
  std::unique_ptr<RecordWriter> writer;
  ASSERT_TRUE(OpenRecordWriter(path, {}, &writer).ok());
  ProductRecord r;
  r.title = "A";
  ASSERT_TRUE(writer->Write(r).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(writer->Close().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(writer->Write(r).code(), StatusCode::kFailedPrecondition);
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "atomic.csv");
  }
  EXPECT_EQ(files, 1u);
}

TEST(RecordWriterTest, AbandonedWriterLeavesNothing) {
  ScratchDir dir;
  {
    std::unique_ptr<RecordWriter> writer;
    ASSERT_TRUE(OpenRecordWriter(dir.Path("gone.jsonl"), {}, &writer).ok());
    ProductRecord r;
    r.title = "A";
    ASSERT_TRUE(writer->Write(r).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(RecordWriterTest, RefusesValuesThatCannotBeReadBack) {
  ScratchDir dir;
  std::unique_ptr<RecordWriter> writer;
  ASSERT_TRUE(OpenRecordWriter(dir.Path("bad.csv"), {}, &writer).ok());
  ProductRecord r;
  r.product_id = "P9";
  r.title = "A";
  r.price = std::numeric_limits<double>::infinity();
  Status s = writer->Write(r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              ::testing::AllOf(HasSubstr("bad.csv"), HasSubstr("record 1"), HasSubstr("P9"),
                               HasSubstr("field 'price'"), HasSubstr("finite number")));
  r.price.reset();
  r.brand = "bad \xFF";
  s = writer->Write(r);
  EXPECT_THAT(s.message(), ::testing::AllOf(HasSubstr("record 2"), HasSubstr("field 'brand'"),
                                            HasSubstr("UTF-8")));
}

TEST(RecordWriterTest, RejectsUnknownExtensionAndDuplicateFields) {
  ScratchDir dir;
  std::unique_ptr<RecordWriter> writer;
  EXPECT_EQ(OpenRecordWriter(dir.Path("x.parquet"), {}, &writer).code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(
      OpenRecordWriter(dir.Path("x.csv"), {Field::kTitle, Field::kTitle}, &writer).message(),
      HasSubstr("twice"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(RecordWriterTest, ShortestRoundTripNumbers) {
  ScratchDir dir;
  auto path = dir.Path("n.csv");
  std::vector<ProductRecord> records(1);
  records[0].title = "A";
  records[0].price = 0.1 + 0.2;
  records[0].rating = 4.0;
  records[0].reviews_count = 1e21;
  ASSERT_TRUE(
      WriteAll(path, records, {Field::kPrice, Field::kRating, Field::kReviewsCount, Field::kTitle})
          .ok());
  std::string text;
  ASSERT_TRUE(ReadFile(path, &text).ok());
  EXPECT_EQ(text, "price,rating,reviews_count,title\n0.30000000000000004,4,1e+21,A\n");
}

}  // namespace
}  // namespace prodcat
