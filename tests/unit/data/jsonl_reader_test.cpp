#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data_test_util.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::ReadError;
using testing::ReadOk;
using testing::ScratchDir;

TEST(JsonlReaderTest, ReadsStringsNumbersNullsAndNumericStrings) {
  ScratchDir dir;
  auto path = dir.Write(
      "p.jsonl",
      R"({"product_id":"P1","title":"Earbuds","price":19.99,"rating":"4.5","reviews_count":120,"category":"Electronics","extra":{"nested":[1,2]}})"
      "\n"
      "\n"
      "   \n"
      R"({"title":"Mug","price":null,"rating":"","brand":null,"category":"Home"})"
      "\r\n"
      R"({"title":"Pen","product_id":12345,"seller_id":7.5})");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].product_id, "P1");
  EXPECT_EQ(r[0].title, "Earbuds");
  EXPECT_DOUBLE_EQ(r[0].price.value(), 19.99);
  EXPECT_DOUBLE_EQ(r[0].rating.value(), 4.5);
  EXPECT_DOUBLE_EQ(r[0].reviews_count.value(), 120);
  EXPECT_EQ(r[0].category, "Electronics");
  EXPECT_EQ(r[0].source_line, 1u);
  EXPECT_EQ(r[1].title, "Mug");
  EXPECT_FALSE(r[1].price.has_value());
  EXPECT_FALSE(r[1].rating.has_value());
  EXPECT_TRUE(r[1].brand.empty());
  EXPECT_EQ(r[1].source_line, 4u);
  EXPECT_EQ(r[2].product_id, "12345");
  EXPECT_EQ(r[2].seller_id, "7.5");
  EXPECT_EQ(r[2].source_line, 5u);
}

TEST(JsonlReaderTest, EscapesAndUnicodeAreDecoded) {
  ScratchDir dir;
  auto path = dir.Write("u.ndjson", R"({"title":"Caf\u00e9 \"mug\"\nline2","brand":"日本"})"
                                    "\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].title, "Caf\xC3\xA9 \"mug\"\nline2");
  EXPECT_EQ(r[0].brand, "日本");
}

TEST(JsonlReaderTest, JsonExtensionIsJsonLines) {
  ScratchDir dir;
  auto path = dir.Write("p.json", "{\"title\":\"A\"}\n{\"title\":\"B\"}\n");
  EXPECT_EQ(ReadOk(path).size(), 2u);
}

TEST(JsonlReaderTest, MappingGroupAndHasFieldFromKeysSeen) {
  ScratchDir dir;
  auto path = dir.Write("m.jsonl", R"({"name":"A","label":"X","shop":"s1"})"
                                   "\n"
                                   R"({"name":"B","label":"Y","shop":"s2","price":3})"
                                   "\n");
  ReadOptions options;
  ASSERT_TRUE(ColumnMapping::Parse("title=name,category=label", &options.columns).ok());
  options.group_column = "shop";
  std::unique_ptr<RecordReader> reader;
  ASSERT_TRUE(OpenRecordReader(path, options, &reader).ok());
  ProductRecord rec;
  bool has = false;
  ASSERT_TRUE(reader->Next(&rec, &has).ok());
  EXPECT_EQ(rec.title, "A");
  EXPECT_EQ(rec.category, "X");
  EXPECT_EQ(rec.group, "s1");
  EXPECT_TRUE(reader->HasField(Field::kTitle));
  EXPECT_FALSE(reader->HasField(Field::kPrice));
  ASSERT_TRUE(reader->Next(&rec, &has).ok());
  EXPECT_EQ(rec.group, "s2");
  EXPECT_TRUE(reader->HasField(Field::kPrice));
  EXPECT_FALSE(reader->HasField(Field::kBrand));
}

TEST(JsonlReaderErrorTest, InvalidJsonNamesTheLine) {
  ScratchDir dir;
  auto path = dir.Write("bad.jsonl", "{\"title\":\"A\"}\n{\"title\": \"B\",}\n");
  Status s = ReadError(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("bad.jsonl:2:"), HasSubstr("expected a JSON object"),
                                 HasSubstr("invalid JSON")));
}

TEST(JsonlReaderErrorTest, TruncatedObjectAndTrailingContentAreInvalid) {
  for (const std::string line : {R"({"title":"A")", R"({"title":"A"} x)", R"({"title":"A"}{})"}) {
    ScratchDir dir;
    auto path = dir.Write("t.jsonl", "{\"title\":\"ok\"}\n" + line + "\n");
    Status s = ReadError(path);
    EXPECT_THAT(s.message(), AllOf(HasSubstr("t.jsonl:2:"), HasSubstr("invalid JSON"))) << line;
  }
}

TEST(JsonlReaderErrorTest, NonObjectLine) {
  ScratchDir dir;
  auto path = dir.Write("arr.jsonl", "[1,2]\n");
  Status s = ReadError(path);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("arr.jsonl:1:"), HasSubstr("expected a JSON object"),
                                 HasSubstr("got an array")));
}

TEST(JsonlReaderErrorTest, NonNumericPriceString) {
  ScratchDir dir;
  auto path = dir.Write("p.jsonl", "{\"title\":\"A\",\"price\":\"abc\"}\n");
  Status s = ReadError(path);
  EXPECT_EQ(s.message(), path.string() + ":1: field 'price': expected a number, got 'abc'");
}

TEST(JsonlReaderErrorTest, WrongJsonTypes) {
  ScratchDir dir;
  auto path = dir.Write("b.jsonl", "{\"title\":\"A\",\"rating\":true}\n");
  EXPECT_THAT(ReadError(path).message(),
              AllOf(HasSubstr("b.jsonl:1:"), HasSubstr("field 'rating'"),
                    HasSubstr("expected a number"), HasSubstr("got a boolean")));
  path = dir.Write("o.jsonl", "{\"title\":{\"en\":\"A\"}}\n");
  EXPECT_THAT(ReadError(path).message(),
              AllOf(HasSubstr("o.jsonl:1:"), HasSubstr("field 'title'"),
                    HasSubstr("expected a string"), HasSubstr("got an object")));
}

TEST(JsonlReaderErrorTest, InvalidUtf8) {
  ScratchDir dir;
  auto path = dir.Write("u.jsonl", "{\"title\":\"A\"}\n{\"title\":\"bad \xFF\"}\n");
  Status s = ReadError(path);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("u.jsonl:2:"), HasSubstr("UTF-8")));
}

TEST(JsonlReaderErrorTest, EmptyFile) {
  ScratchDir dir;
  auto path = dir.Write("e.jsonl", "\n  \n");
  Status s = ReadError(path);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("e.jsonl"), HasSubstr("empty file")));
}

TEST(JsonlReaderErrorTest, FirstObjectMustHaveRequiredKeys) {
  ScratchDir dir;
  auto path = dir.Write("k.jsonl", "{\"name\":\"A\"}\n");
  Status s = ReadError(path);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("k.jsonl:1:"), HasSubstr("missing required column"),
                                 HasSubstr("'title'")));
  // Later objects may lack keys: their values are missing.
  path = dir.Write("later.jsonl", "{\"title\":\"A\"}\n{\"brand\":\"B\"}\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].title, "");
  EXPECT_EQ(r[1].brand, "B");
}

TEST(JsonlReaderErrorTest, LabelRequired) {
  ScratchDir dir;
  ReadOptions options;
  options.require_label = true;
  auto path = dir.Write("l.jsonl", "{\"title\":\"A\"}\n");
  EXPECT_THAT(ReadError(path, options).message(),
              AllOf(HasSubstr("l.jsonl:1:"), HasSubstr("'category'")));
  path = dir.Write("l2.jsonl",
                   "{\"title\":\"A\",\"category\":\"X\"}\n{\"title\":\"B\",\"category\":\"\"}\n");
  EXPECT_THAT(ReadError(path, options).message(),
              AllOf(HasSubstr("l2.jsonl:2:"), HasSubstr("field 'category'"),
                    HasSubstr("expected a non-empty label")));
}

TEST(JsonlReaderSkipTest, BadLinesAreCounted) {
  ScratchDir dir;
  auto path = dir.Write("s.jsonl",
                        "{\"title\":\"A\",\"category\":\"X\"}\n"
                        "not json\n"
                        "{\"title\":\"B\",\"price\":\"x\",\"category\":\"X\"}\n"
                        "{\"title\":\"C\",\"category\":null}\n"
                        "{\"title\":\"D\",\"category\":\"Y\"}\n");
  ReadOptions options;
  options.on_error = OnError::kSkip;
  options.require_label = true;
  ReadStats stats;
  std::vector<ProductRecord> r = ReadOk(path, options, &stats);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].title, "D");
  EXPECT_EQ(r[1].source_line, 5u);
  EXPECT_EQ(stats.rows_read, 2u);
  EXPECT_EQ(stats.rows_skipped, 3u);
  ASSERT_EQ(stats.error_samples.size(), 3u);
  EXPECT_THAT(stats.error_samples[0], HasSubstr("s.jsonl:2:"));
  EXPECT_THAT(stats.error_samples[1], HasSubstr("s.jsonl:3:"));
  EXPECT_THAT(stats.error_samples[2], HasSubstr("s.jsonl:4:"));
}

TEST(JsonlReaderTest, LongLinesSpanningReadBlocks) {
  ScratchDir dir;
  std::string long_title(3 << 20, 'x');  // longer than one 1 MiB read block
  auto path = dir.Write("long.jsonl", "{\"title\":\"" + long_title + "\"}\n{\"title\":\"B\"}\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].title, long_title);
  EXPECT_EQ(r[1].title, "B");
  EXPECT_EQ(r[1].source_line, 2u);
}

}  // namespace
}  // namespace prodcat
