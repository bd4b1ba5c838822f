#include "prodcat/tracking/search_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "prodcat/tracking/page_token.h"

namespace prodcat::tracking {
namespace {

using ::testing::HasSubstr;

TEST(SearchFilterTest, ParsesTheMlflowExample) {
  std::vector<FilterClause> c;
  ASSERT_TRUE(ParseFilter("metrics.f1 > 0.8 and params.model = 'x' and tags.`k` = 'v' and "
                          "attributes.status = 'FINISHED'",
                          &c)
                  .ok());
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].entity, FilterEntity::kMetric);
  EXPECT_EQ(c[0].key, "f1");
  EXPECT_EQ(c[0].op, Comparator::kGt);
  ASSERT_EQ(c[0].values.size(), 1u);
  EXPECT_TRUE(c[0].values[0].is_number);
  EXPECT_DOUBLE_EQ(c[0].values[0].number, 0.8);
  EXPECT_EQ(c[1].entity, FilterEntity::kParam);
  EXPECT_EQ(c[1].values[0].text, "x");
  EXPECT_FALSE(c[1].values[0].is_number);
  EXPECT_EQ(c[2].entity, FilterEntity::kTag);
  EXPECT_EQ(c[2].key, "k");
  EXPECT_EQ(c[3].entity, FilterEntity::kAttribute);
  EXPECT_EQ(c[3].key, "status");
}

TEST(SearchFilterTest, QuotingOperatorsListsAndNulls) {
  std::vector<FilterClause> c;
  ASSERT_TRUE(ParseFilter("tags.\"release date\" != 'it''s' AND metric.`val loss`<=-1.5e-3 "
                          "AND run_name IN ('a', \"b\") AND params.p NOT IN ('x') AND "
                          "tags.t IS NOT NULL AND tags.u is null AND params.m ILIKE '%LIN%' "
                          "AND params.dotted.key = 'v' AND start_time >= 10 AND x <> 'y'",
                          &c)
                  .ok());
  ASSERT_EQ(c.size(), 10u);
  EXPECT_EQ(c[0].key, "release date");
  EXPECT_EQ(c[0].op, Comparator::kNe);
  EXPECT_EQ(c[0].values[0].text, "it's");
  EXPECT_EQ(c[1].key, "val loss");
  EXPECT_EQ(c[1].op, Comparator::kLe);
  EXPECT_DOUBLE_EQ(c[1].values[0].number, -1.5e-3);
  EXPECT_EQ(c[2].op, Comparator::kIn);
  ASSERT_EQ(c[2].values.size(), 2u);
  EXPECT_EQ(c[2].values[1].text, "b");
  EXPECT_EQ(c[3].op, Comparator::kNotIn);
  EXPECT_EQ(c[4].op, Comparator::kIsNotNull);
  EXPECT_TRUE(c[4].values.empty());
  EXPECT_EQ(c[5].op, Comparator::kIsNull);
  EXPECT_EQ(c[6].op, Comparator::kILike);
  EXPECT_EQ(c[7].key, "dotted.key");
  EXPECT_EQ(c[8].entity, FilterEntity::kAttribute);
  EXPECT_TRUE(c[8].values[0].is_number);
  EXPECT_EQ(c[9].op, Comparator::kNe);
}

TEST(SearchFilterTest, EmptyFilterHasNoClauses) {
  std::vector<FilterClause> c = {FilterClause{}};
  ASSERT_TRUE(ParseFilter("   ", &c).ok());
  EXPECT_TRUE(c.empty());
}

TEST(SearchFilterTest, ErrorsSayWhatWasExpectedAndWhere) {
  struct Case {
    const char* filter;
    const char* expected;
  };
  for (const Case& k : {
           Case{"metrics.f1 >", "expected a value"},
           Case{"metrics.f1 0.3", "expected a comparison operator"},
           Case{"metrics.f1 > 'x'", "must be compared with a number"},
           Case{"metrics.f1 LIKE '1'", "is not valid for metric"},
           Case{"params.p > 'a'", "is not valid for 'params.p'"},
           Case{"params.p = 3", "quote the value"},
           Case{"a = 'x' or b = 'y'", "OR is not supported"},
           Case{"params.p = 'open", "unterminated quote"},
           Case{"bogus.k = 'v'", "invalid entity type 'bogus'"},
           Case{"params.p IN 'a'", "expected '('"},
           Case{"params.p IN ('a' 'b')", "expected ',' or ')'"},
           Case{"params.p IS 'a'", "expected NULL"},
           Case{"params.p = 'a' params.q = 'b'", "expected AND"},
           Case{"= 'a'", "expected an identifier"},
           Case{"tags. = 'a'", "expected a key"},
           Case{"params.p ! 'a'", "unknown operator"},
       }) {
    std::vector<FilterClause> c;
    Status s = ParseFilter(k.filter, &c);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << k.filter;
    EXPECT_THAT(s.message(), HasSubstr(k.expected)) << k.filter;
    EXPECT_THAT(s.message(), HasSubstr("position")) << k.filter;
  }
}

TEST(SearchFilterTest, OrderBy) {
  OrderByClause o;
  ASSERT_TRUE(ParseOrderBy("metrics.f1 DESC", &o).ok());
  EXPECT_EQ(o.entity, FilterEntity::kMetric);
  EXPECT_EQ(o.key, "f1");
  EXPECT_FALSE(o.ascending);
  ASSERT_TRUE(ParseOrderBy("attributes.start_time", &o).ok());
  EXPECT_TRUE(o.ascending);
  EXPECT_EQ(o.key, "start_time");
  ASSERT_TRUE(ParseOrderBy("tags.`release date` asc", &o).ok());
  EXPECT_EQ(o.key, "release date");
  EXPECT_EQ(ParseOrderBy("metrics.f1 DESC extra", &o).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseOrderBy("", &o).code(), StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, RoundTripsAndRejectsGarbage) {
  int64_t offset = -1;
  ASSERT_TRUE(DecodePageToken(EncodePageToken(1234), &offset).ok());
  EXPECT_EQ(offset, 1234);
  ASSERT_TRUE(DecodePageToken("", &offset).ok());
  EXPECT_EQ(offset, 0);
  EXPECT_EQ(DecodePageToken("!!!", &offset).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken(Base64Encode("{\"offset\": -5}"), &offset).code(),
            StatusCode::kInvalidArgument);
  std::string decoded;
  ASSERT_TRUE(Base64Decode(Base64Encode("ab"), &decoded).ok());
  EXPECT_EQ(decoded, "ab");
}

}  // namespace
}  // namespace prodcat::tracking
