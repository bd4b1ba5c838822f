#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data_test_util.h"
#include "prodcat/data/csv_parser.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::ReadError;
using testing::ReadOk;
using testing::ScratchDir;

TEST(CsvReaderTest, ReadsAllCanonicalFieldsAndNumbers) {
  ScratchDir dir;
  auto path =
      dir.Write("p.csv",
                "product_id,title,seller_id,brand,subcategory,price,rating,reviews_count,category,"
                "description\n"
                "P1,Wireless Earbuds,S01,Voltix,Audio,19.99,4.5,120,Electronics,Good sound\n"
                "P2,Cotton T-Shirt,,,,,,,Clothing,\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].product_id, "P1");
  EXPECT_EQ(r[0].title, "Wireless Earbuds");
  EXPECT_EQ(r[0].seller_id, "S01");
  EXPECT_EQ(r[0].brand, "Voltix");
  EXPECT_EQ(r[0].subcategory, "Audio");
  EXPECT_DOUBLE_EQ(r[0].price.value(), 19.99);
  EXPECT_DOUBLE_EQ(r[0].rating.value(), 4.5);
  EXPECT_DOUBLE_EQ(r[0].reviews_count.value(), 120);
  EXPECT_EQ(r[0].category, "Electronics");
  EXPECT_EQ(r[0].description, "Good sound");
  EXPECT_EQ(r[0].source_line, 2u);
  EXPECT_TRUE(r[1].brand.empty());
  EXPECT_FALSE(r[1].price.has_value());
  EXPECT_FALSE(r[1].rating.has_value());
  EXPECT_FALSE(r[1].reviews_count.has_value());
  EXPECT_EQ(r[1].category, "Clothing");
  EXPECT_EQ(r[1].source_line, 3u);
}

TEST(CsvReaderTest, QuotedFieldsKeepCommasAndEscapedQuotes) {
  ScratchDir dir;
  auto path = dir.Write("q.csv",
                        "title,brand\n"
                        "\"Pan, 28cm\",\"The \"\"Best\"\" Co\"\n"
                        "\"\",plain\n"
                        "\"\"\"\",\"a,b,c\"\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].title, "Pan, 28cm");
  EXPECT_EQ(r[0].brand, "The \"Best\" Co");
  EXPECT_EQ(r[1].title, "");
  EXPECT_EQ(r[1].brand, "plain");
  EXPECT_EQ(r[2].title, "\"");
  EXPECT_EQ(r[2].brand, "a,b,c");
}

TEST(CsvReaderTest, EmbeddedNewlinesKeepPhysicalLineNumbers) {
  ScratchDir dir;
  auto path = dir.Write("n.csv",
                        "title,price\n"
                        "\"two\nline title\",1\n"
                        "\"three\n\nlines\",2\n"
                        "after,3\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].title, "two\nline title");
  EXPECT_EQ(r[0].source_line, 2u);
  EXPECT_EQ(r[1].title, "three\n\nlines");
  EXPECT_EQ(r[1].source_line, 4u);
  EXPECT_EQ(r[2].title, "after");
  EXPECT_EQ(r[2].source_line, 7u);
}

TEST(CsvReaderTest, CrlfLineEndsAndCrlfInsideQuotes) {
  ScratchDir dir;
  auto path = dir.Write("crlf.csv", "title,price\r\nA,1\r\n\"multi\r\nline\",2\r\nC,3\r\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].title, "A");
  EXPECT_DOUBLE_EQ(r[0].price.value(), 1);
  EXPECT_EQ(r[1].title, "multi\r\nline");
  EXPECT_EQ(r[2].title, "C");
  EXPECT_EQ(r[2].source_line, 5u);
}

TEST(CsvReaderTest, Utf8BomIsSkipped) {
  ScratchDir dir;
  auto path = dir.Write("bom.csv", "\xEF\xBB\xBFtitle,category\nCaf\xC3\xA9 mug,Home\n");
  std::unique_ptr<RecordReader> reader;
  ASSERT_TRUE(OpenRecordReader(path, {}, &reader).ok());
  EXPECT_TRUE(reader->HasField(Field::kTitle));
  EXPECT_TRUE(reader->HasField(Field::kCategory));
  ProductRecord rec;
  bool has = false;
  ASSERT_TRUE(reader->Next(&rec, &has).ok());
  ASSERT_TRUE(has);
  EXPECT_EQ(rec.title, "Caf\xC3\xA9 mug");
}

TEST(CsvReaderTest, TsvUsesTabDelimiter) {
  ScratchDir dir;
  auto path = dir.Write("t.tsv", "title\tbrand\tprice\nA, with comma\tB\t2.5\n\"q\tx\"\tC\t\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].title, "A, with comma");
  EXPECT_DOUBLE_EQ(r[0].price.value(), 2.5);
  EXPECT_EQ(r[1].title, "q\tx");
  EXPECT_FALSE(r[1].price.has_value());
}

TEST(CsvReaderTest, BlankLinesSkippedAndLastLineWithoutNewline) {
  ScratchDir dir;
  auto path = dir.Write("b.csv", "title,brand\n\nA,x\n\r\n\nB,\n\nC,z");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].source_line, 3u);
  EXPECT_EQ(r[1].title, "B");
  EXPECT_EQ(r[1].brand, "");
  EXPECT_EQ(r[1].source_line, 6u);
  EXPECT_EQ(r[2].title, "C");
  EXPECT_EQ(r[2].brand, "z");
  EXPECT_EQ(r[2].source_line, 8u);
}

TEST(CsvReaderTest, ExtraColumnsIgnoredAndAbsentFieldsReported) {
  ScratchDir dir;
  auto path = dir.Write("e.csv", "junk,title,other,price\n1,A,zz,3\n");
  std::unique_ptr<RecordReader> reader;
  ASSERT_TRUE(OpenRecordReader(path, {}, &reader).ok());
  EXPECT_TRUE(reader->HasField(Field::kTitle));
  EXPECT_TRUE(reader->HasField(Field::kPrice));
  EXPECT_FALSE(reader->HasField(Field::kBrand));
  EXPECT_FALSE(reader->HasField(Field::kCategory));
  ProductRecord rec;
  bool has = false;
  ASSERT_TRUE(reader->Next(&rec, &has).ok());
  EXPECT_EQ(rec.title, "A");
  EXPECT_DOUBLE_EQ(rec.price.value(), 3);
  EXPECT_EQ(reader->stats().rows_read, 1u);
}

TEST(CsvReaderTest, NumericCellsAcceptBlanksSignsAndExponents) {
  ScratchDir dir;
  auto path =
      dir.Write("num.csv", "title,price,rating,reviews_count\nA, 12.5 ,+4,1e3\nB,  ,-0.5,7\n");
  std::vector<ProductRecord> r = ReadOk(path);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_DOUBLE_EQ(r[0].price.value(), 12.5);
  EXPECT_DOUBLE_EQ(r[0].rating.value(), 4);
  EXPECT_DOUBLE_EQ(r[0].reviews_count.value(), 1000);
  EXPECT_FALSE(r[1].price.has_value());
  EXPECT_DOUBLE_EQ(r[1].rating.value(), -0.5);
}

TEST(CsvReaderTest, ReusedRecordIsClearedBetweenRows) {
  ScratchDir dir;
  auto path = dir.Write("reuse.csv", "title,brand,price\nA,Brand,5\nB,,\n");
  ReadOptions options;
  options.group_column = "brand";
  std::unique_ptr<RecordReader> reader;
  ASSERT_TRUE(OpenRecordReader(path, options, &reader).ok());
  ProductRecord rec;
  bool has = false;
  ASSERT_TRUE(reader->Next(&rec, &has).ok());
  EXPECT_EQ(rec.group, "Brand");
  ASSERT_TRUE(reader->Next(&rec, &has).ok());
  ASSERT_TRUE(has);
  EXPECT_EQ(rec.title, "B");
  EXPECT_EQ(rec.brand, "");
  EXPECT_EQ(rec.group, "");
  EXPECT_FALSE(rec.price.has_value());
  ASSERT_TRUE(reader->Next(&rec, &has).ok());
  EXPECT_FALSE(has);
}

TEST(CsvReaderTest, ColumnMappingAndGroupColumn) {
  ScratchDir dir;
  auto path = dir.Write("m.csv", "product_name,label,shop,cost\nMug,Home,s1,4\n");
  ReadOptions options;
  ASSERT_TRUE(ColumnMapping::Parse("title=product_name, category=label,seller_id=shop,price=cost",
                                   &options.columns)
                  .ok());
  options.group_column = "shop";
  options.require_label = true;
  std::vector<ProductRecord> r = ReadOk(path, options);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].title, "Mug");
  EXPECT_EQ(r[0].category, "Home");
  EXPECT_EQ(r[0].seller_id, "s1");
  EXPECT_EQ(r[0].group, "s1");
  EXPECT_DOUBLE_EQ(r[0].price.value(), 4);
}

// --- errors -----------------------------------------------------------------------------------

TEST(CsvReaderErrorTest, RaggedRowNamesExpectedAndActualFieldCounts) {
  ScratchDir dir;
  auto path = dir.Write("ragged.csv", "title,brand,price\nA,b,1\nB,c\n");
  Status s = ReadError(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("ragged.csv:3:"), HasSubstr("expected 3 fields"),
                                 HasSubstr("got 2")));
}

TEST(CsvReaderErrorTest, NonNumericPriceNamesFieldLineAndValue) {
  ScratchDir dir;
  auto path = dir.Write("bad_price.csv", "title,price\nA,1\nB,abc\n");
  Status s = ReadError(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), path.string() + ":3: field 'price': expected a number, got 'abc'");
}

TEST(CsvReaderErrorTest, MappedNumericColumnIsNamedToo) {
  ScratchDir dir;
  auto path = dir.Write("mapped.csv", "title,stars\nA,five\n");
  ReadOptions options;
  ASSERT_TRUE(ColumnMapping::Parse("rating=stars", &options.columns).ok());
  Status s = ReadError(path, options);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("mapped.csv:2:"), HasSubstr("field 'rating'"),
                                 HasSubstr("column 'stars'"), HasSubstr("expected a number"),
                                 HasSubstr("'five'")));
}

TEST(CsvReaderErrorTest, NanInfinityAndTrailingGarbageAreNotNumbers) {
  for (const std::string bad : {"NaN", "nan", "inf", "-Infinity", "1.5x", "1,5", "0x10"}) {
    ScratchDir dir;
    auto path = dir.Write("n.csv", "title,reviews_count\nA,\"" + bad + "\"\n");
    Status s = ReadError(path);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), AllOf(HasSubstr("n.csv:2:"), HasSubstr("field 'reviews_count'"),
                                   HasSubstr("expected a number"), HasSubstr(bad)));
  }
}

TEST(CsvReaderErrorTest, InvalidUtf8IsRejectedWithFieldAndLine) {
  ScratchDir dir;
  auto path = dir.Write("utf.csv", "title,brand\nok,fine\nok,bad\xC3\x28\n");
  Status s = ReadError(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("utf.csv:3:"), HasSubstr("field 'brand'"),
                                 HasSubstr("expected UTF-8"), HasSubstr("byte 3")));
}

TEST(CsvReaderErrorTest, OverlongAndSurrogateEncodingsAreInvalid) {
  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF8\x88\x80\x80\x80", "ab\xE2\x82"}) {
    ScratchDir dir;
    auto path = dir.Write("u.csv", "title\nx" + bad + "\n");
    Status s = ReadError(path);
    EXPECT_THAT(s.message(), AllOf(HasSubstr("u.csv:2:"), HasSubstr("field 'title'"),
                                   HasSubstr("expected UTF-8")));
  }
}

TEST(CsvReaderErrorTest, UnterminatedQuoteReportsWhereItStarts) {
  ScratchDir dir;
  auto path = dir.Write("open.csv", "title,brand\nA,b\n\"never closed,b\nC,d\n");
  Status s = ReadError(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("open.csv:3:"), HasSubstr("unterminated quoted field"),
                                 HasSubstr("expected a closing")));
}

TEST(CsvReaderErrorTest, TextAfterClosingQuoteIsAnError) {
  ScratchDir dir;
  auto path = dir.Write("junk.csv", "title,brand\n\"A\"x,b\n");
  Status s = ReadError(path);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr("junk.csv:2:"), HasSubstr("field 1"),
                    HasSubstr("expected a delimiter or end of line"), HasSubstr("got 'x'")));
}

TEST(CsvReaderErrorTest, EmptyFileHasNoHeader) {
  ScratchDir dir;
  for (const std::string contents : {"", "\xEF\xBB\xBF", "\n\n"}) {
    auto path = dir.Write("empty.csv", contents);
    Status s = ReadError(path);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), AllOf(HasSubstr("empty.csv"), HasSubstr("empty file"),
                                   HasSubstr("expected a header row")));
  }
}

TEST(CsvReaderErrorTest, HeaderOnlyFileHasNoRecords) {
  ScratchDir dir;
  auto path = dir.Write("h.csv", "title,category\n");
  EXPECT_TRUE(ReadOk(path).empty());
}

TEST(CsvReaderErrorTest, MissingTitleColumnListsTheHeader) {
  ScratchDir dir;
  auto path = dir.Write("notitle.csv", "name,price\nA,1\n");
  Status s = ReadError(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("notitle.csv:1:"), HasSubstr("'title'"),
                                 HasSubstr("missing required column"), HasSubstr("'name'")));
}

TEST(CsvReaderErrorTest, MissingMappedTitleColumnNamesBothNames) {
  ScratchDir dir;
  auto path = dir.Write("m.csv", "title,price\nA,1\n");
  ReadOptions options;
  ASSERT_TRUE(ColumnMapping::Parse("title=product_name", &options.columns).ok());
  Status s = ReadError(path, options);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'product_name'"), HasSubstr("mapped from 'title'")));
}

TEST(CsvReaderErrorTest, MissingLabelColumnOnlyWhenRequired) {
  ScratchDir dir;
  auto path = dir.Write("nolabel.csv", "title\nA\n");
  EXPECT_EQ(ReadOk(path).size(), 1u);
  ReadOptions options;
  options.require_label = true;
  Status s = ReadError(path, options);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("nolabel.csv:1:"), HasSubstr("'category'"),
                                 HasSubstr("missing required column")));
}

TEST(CsvReaderErrorTest, EmptyLabelWhenRequired) {
  ScratchDir dir;
  auto path = dir.Write("emptylabel.csv", "title,category\nA,Books\nB,\n");
  EXPECT_EQ(ReadOk(path).size(), 2u);
  ReadOptions options;
  options.require_label = true;
  Status s = ReadError(path, options);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("emptylabel.csv:3:"), HasSubstr("field 'category'"),
                                 HasSubstr("expected a non-empty label")));
}

TEST(CsvReaderErrorTest, MissingGroupColumn) {
  ScratchDir dir;
  auto path = dir.Write("g.csv", "title\nA\n");
  ReadOptions options;
  options.group_column = "shop";
  Status s = ReadError(path, options);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("g.csv:1:"), HasSubstr("group column 'shop'")));
}

TEST(CsvReaderErrorTest, DuplicateUsedColumnIsAmbiguous) {
  ScratchDir dir;
  auto path = dir.Write("dup.csv", "title,x,title,x\nA,1,B,2\n");
  Status s = ReadError(path);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr("dup.csv:1:"), HasSubstr("'title'"), HasSubstr("more than once")));
}

TEST(CsvReaderErrorTest, FileNotFoundAndUnknownExtension) {
  ScratchDir dir;
  Status s = ReadError(dir.Path("missing.csv"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("missing.csv"));
  auto txt = dir.Write("data.txt", "title\nA\n");
  s = ReadError(txt);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("data.txt"), HasSubstr("'.txt'"), HasSubstr(".csv")));
}

// --- skip mode ----------------------------------------------------------------------------------

TEST(CsvReaderSkipTest, RowLevelErrorsAreCountedAndSampled) {
  ScratchDir dir;
  auto path = dir.Write("skip.csv",
                        "title,price,category\n"
                        "good1,1,A\n"
                        "ragged,1\n"
                        "bad price,x,A\n"
                        "bad utf8 \xFF,1,A\n"
                        "no label,1,\n"
                        "\"junk\"after,1,A\n"
                        "good2,2,B\n");
  ReadOptions options;
  options.on_error = OnError::kSkip;
  options.require_label = true;
  options.max_error_samples = 3;
  ReadStats stats;
  std::vector<ProductRecord> r = ReadOk(path, options, &stats);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].title, "good1");
  EXPECT_EQ(r[1].title, "good2");
  EXPECT_EQ(r[1].source_line, 8u);
  EXPECT_EQ(stats.rows_read, 2u);
  EXPECT_EQ(stats.rows_skipped, 5u);
  ASSERT_EQ(stats.error_samples.size(), 3u);
  EXPECT_THAT(stats.error_samples[0], HasSubstr("skip.csv:3:"));
  EXPECT_THAT(stats.error_samples[1], AllOf(HasSubstr("skip.csv:4:"), HasSubstr("field 'price'")));
  EXPECT_THAT(stats.error_samples[2], AllOf(HasSubstr("skip.csv:5:"), HasSubstr("UTF-8")));
}

TEST(CsvReaderSkipTest, FileLevelErrorsStillFail) {
  ScratchDir dir;
  ReadOptions options;
  options.on_error = OnError::kSkip;
  EXPECT_EQ(ReadError(dir.Write("a.csv", ""), options).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadError(dir.Write("b.csv", "name\nx\n"), options).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadError(dir.Path("none.csv"), options).code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadError(dir.Write("c.csv", "title\nA\n\"open\n"), options).code(),
            StatusCode::kInvalidArgument);
}

// --- parser block boundaries ---------------------------------------------------------------------

std::vector<std::vector<std::string>> ParseAll(const std::filesystem::path& path,
                                               size_t block_size) {
  CsvParser parser(',', block_size);
  EXPECT_TRUE(parser.Open(path, path.string()).ok());
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    bool has_row = false;
    bool recoverable = false;
    Status s = parser.ReadRow(&has_row, &recoverable);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || !has_row) break;
    std::vector<std::string> row;
    for (size_t i = 0; i < parser.field_count(); ++i) row.emplace_back(parser.field(i));
    row.push_back(std::to_string(parser.row_line()));
    rows.push_back(row);
  }
  return rows;
}

TEST(CsvParserTest, TinyBlocksGiveTheSameRows) {
  ScratchDir dir;
  auto path = dir.Write("blocks.csv",
                        "\xEF\xBB\xBFh1,h2,h3\r\n"
                        "\"a \"\"quoted\"\"\",\"line\r\nbreak\",plain\r\n"
                        "\r\n"
                        "x,,\"\"\n"
                        "last,\"\"\"\",end");
  auto expected = ParseAll(path, InputBuffer::kDefaultBlockSize);
  ASSERT_EQ(expected.size(), 4u);
  EXPECT_EQ(expected[0], (std::vector<std::string>{"h1", "h2", "h3", "1"}));
  EXPECT_EQ(expected[1], (std::vector<std::string>{"a \"quoted\"", "line\r\nbreak", "plain", "2"}));
  EXPECT_EQ(expected[2], (std::vector<std::string>{"x", "", "", "5"}));
  EXPECT_EQ(expected[3], (std::vector<std::string>{"last", "\"", "end", "6"}));
  for (size_t block = InputBuffer::kMinBlockSize; block <= 16; ++block) {
    EXPECT_EQ(ParseAll(path, block), expected) << "block size " << block;
  }
}

}  // namespace
}  // namespace prodcat
