#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "prodcat/data/record_reader.h"

namespace prodcat {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ColumnMappingTest, ParsesPairsAndTrimsSpaces) {
  ColumnMapping m;
  ASSERT_TRUE(ColumnMapping::Parse(" title = product name ,category=label,", &m).ok());
  EXPECT_EQ(m.canonical_to_source.size(), 2u);
  EXPECT_EQ(m.SourceName(Field::kTitle), "product name");
  EXPECT_EQ(m.SourceName(Field::kCategory), "label");
  EXPECT_EQ(m.SourceName(Field::kPrice), "price");
}

TEST(ColumnMappingTest, EmptySpecIsIdentity) {
  ColumnMapping m;
  m.canonical_to_source.emplace("title", "stale");
  ASSERT_TRUE(ColumnMapping::Parse("", &m).ok());
  EXPECT_TRUE(m.canonical_to_source.empty());
  EXPECT_EQ(m.SourceName(Field::kReviewsCount), "reviews_count");
}

TEST(ColumnMappingTest, UnknownCanonicalNameIsNamed) {
  ColumnMapping m;
  Status s = ColumnMapping::Parse("title=a,titel=b", &m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("'titel'"), HasSubstr("product_id")));
}

TEST(ColumnMappingTest, MalformedEntries) {
  ColumnMapping m;
  EXPECT_THAT(ColumnMapping::Parse("title", &m).message(), HasSubstr("expected canonical=source"));
  EXPECT_THAT(ColumnMapping::Parse("title=", &m).message(),
              AllOf(HasSubstr("'title'"), HasSubstr("expected a source column name")));
  EXPECT_THAT(ColumnMapping::Parse("title=a,title=b", &m).message(),
              HasSubstr("mapped more than once"));
}

TEST(ColumnMappingTest, ReaderRejectsUnknownKeysSetDirectly) {
  ReadOptions options;
  options.columns.canonical_to_source.emplace("labels", "x");
  std::unique_ptr<RecordReader> reader;
  Status s = OpenRecordReader("whatever.csv", options, &reader);
  EXPECT_THAT(s.message(), HasSubstr("'labels'"));
}

}  // namespace
}  // namespace prodcat
