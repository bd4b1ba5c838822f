#include "prodcat/serving/request_parser.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "prodcat/serving/record_rules.h"

namespace prodcat::serving {
namespace {

struct SingleResult {
  bool ok;
  ProductRecord record;
  ApiError error;
};

SingleResult ParseOne(std::string body, RequestLimits limits = {}) {
  SingleResult r;
  r.ok = ParsePredictRequest(&body, limits, &r.record, &r.error);
  return r;
}

TEST(ParsePredictRequestTest, ReadsEveryKnownField) {
  auto r = ParseOne(R"({"title": "USB-C cable \u00e9", "brand": "Anker", "seller_id": 42,
      "product_id": "p-1", "subcategory": "cables", "description": "braided",
      "price": 12.5, "rating": 4, "reviews_count": 1200, "unknown": {"x": [1, 2]},
      "category": "ignored"})");
  ASSERT_TRUE(r.ok) << r.error.message;
  EXPECT_EQ(r.record.title, "USB-C cable \xc3\xa9");
  EXPECT_EQ(r.record.brand, "Anker");
  EXPECT_EQ(r.record.seller_id, "42");  // numeric ids keep their JSON spelling
  EXPECT_EQ(r.record.product_id, "p-1");
  EXPECT_EQ(r.record.subcategory, "cables");
  EXPECT_EQ(r.record.description, "braided");
  EXPECT_DOUBLE_EQ(*r.record.price, 12.5);
  EXPECT_DOUBLE_EQ(*r.record.rating, 4.0);
  EXPECT_DOUBLE_EQ(*r.record.reviews_count, 1200.0);
  EXPECT_TRUE(r.record.category.empty());  // the label is not an input
}

TEST(ParsePredictRequestTest, NullMeansMissing) {
  auto r = ParseOne(R"({"title": "mug", "price": null, "brand": null})");
  ASSERT_TRUE(r.ok) << r.error.message;
  EXPECT_FALSE(r.record.price.has_value());
  EXPECT_TRUE(r.record.brand.empty());
}

TEST(ParsePredictRequestTest, MalformedJsonIs400) {
  for (const char* body : {"{", "{\"title\": \"x\",}", "{\"a\": [1, 2}", "{\"title\": NaN}",
                           "{\"title\": \"x\"} trailing", "\"unterminated", "{\"title\" \"x\"}"}) {
    auto r = ParseOne(body);
    EXPECT_FALSE(r.ok) << body;
    EXPECT_EQ(r.error.status, 400) << body;
    EXPECT_EQ(r.error.code, "invalid_json") << body;
  }
}

TEST(ParsePredictRequestTest, EmptyBodyIs400) {
  auto r = ParseOne("  \n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.status, 400);
}

TEST(ParsePredictRequestTest, NonObjectIs422) {
  for (const char* body : {"[]", "42", "\"title\"", "null"}) {
    auto r = ParseOne(body);
    EXPECT_FALSE(r.ok) << body;
    EXPECT_EQ(r.error.status, 422) << body;
  }
}

TEST(ParsePredictRequestTest, MissingOrBlankTitle) {
  for (const char* body :
       {R"({"brand": "x"})", R"({"title": ""})", R"({"title": "  \t"})", R"({"title": null})"}) {
    auto r = ParseOne(body);
    EXPECT_FALSE(r.ok) << body;
    EXPECT_EQ(r.error.status, 422) << body;
    EXPECT_EQ(r.error.code, "required") << body;
    EXPECT_EQ(r.error.field, "title") << body;
  }
}

TEST(ParsePredictRequestTest, WrongTypesNameTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {Case{R"({"title": 5})", "title"}, Case{R"({"title": ["a"]})", "title"},
                        Case{R"({"title": "x", "price": "12"})", "price"},
                        Case{R"({"title": "x", "price": true})", "price"},
                        Case{R"({"title": "x", "rating": {}})", "rating"},
                        Case{R"({"title": "x", "brand": 7})", "brand"},
                        Case{R"({"title": "x", "seller_id": [1]})", "seller_id"}}) {
    auto r = ParseOne(c.body);
    EXPECT_FALSE(r.ok) << c.body;
    EXPECT_EQ(r.error.status, 422) << c.body;
    EXPECT_EQ(r.error.code, "wrong_type") << c.body;
    EXPECT_EQ(r.error.field, c.field) << c.body;
  }
}

TEST(ParsePredictRequestTest, NonFiniteAndOutOfRangeNumbers) {
  auto nan = ParseOne(R"({"title": "x", "price": "NaN"})");
  EXPECT_FALSE(nan.ok);
  EXPECT_EQ(nan.error.field, "price");
  EXPECT_NE(nan.error.message.find("finite"), std::string::npos) << nan.error.message;

  auto huge = ParseOne(R"({"title": "x", "price": 1e999})");
  EXPECT_FALSE(huge.ok);
  EXPECT_EQ(huge.error.field, "price");
  EXPECT_EQ(huge.error.status, 422);

  auto negative = ParseOne(R"({"title": "x", "price": -0.01})");
  EXPECT_FALSE(negative.ok);
  EXPECT_EQ(negative.error.code, "negative");
  EXPECT_EQ(negative.error.field, "price");

  auto rating = ParseOne(R"({"title": "x", "rating": 5.5})");
  EXPECT_FALSE(rating.ok);
  EXPECT_EQ(rating.error.field, "rating");
  EXPECT_EQ(rating.error.code, "out_of_range");

  auto reviews = ParseOne(R"({"title": "x", "reviews_count": -1})");
  EXPECT_FALSE(reviews.ok);
  EXPECT_EQ(reviews.error.field, "reviews_count");

  EXPECT_TRUE(ParseOne(R"({"title": "x", "price": 0, "rating": 5, "reviews_count": 0})").ok);
}

TEST(ParsePredictRequestTest, OversizeStrings) {
  RequestLimits limits;
  limits.rules.max_title_chars = 10;
  limits.rules.max_other_chars = 4;
  auto title = ParseOne(R"({"title": "01234567890"})", limits);
  EXPECT_FALSE(title.ok);
  EXPECT_EQ(title.error.code, "too_long");
  EXPECT_EQ(title.error.field, "title");
  EXPECT_TRUE(ParseOne(R"({"title": "0123456789"})", limits).ok);
  // Limits count characters, not bytes.
  EXPECT_TRUE(
      ParseOne(R"({"title": "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"})",
               limits)
          .ok);
  auto brand = ParseOne(R"({"title": "x", "brand": "abcde"})", limits);
  EXPECT_FALSE(brand.ok);
  EXPECT_EQ(brand.error.field, "brand");
}

TEST(ParsePredictRequestTest, InvalidUtf8IsMalformed) {
  auto r = ParseOne("{\"title\": \"caf\xc3\"}");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.status, 400);
}

TEST(ParsePredictRequestTest, BodyIsNotChanged) {
  std::string body = R"({"title": "lamp"})";
  std::string copy = body;
  ProductRecord record;
  ApiError error;
  ASSERT_TRUE(ParsePredictRequest(&body, {}, &record, &error));
  EXPECT_EQ(body, copy);
}

std::vector<BatchItem> ParseBatchOk(std::string body, RequestLimits limits = {}) {
  std::vector<BatchItem> items;
  ApiError error;
  EXPECT_TRUE(ParseBatchRequest(&body, limits, &items, &error)) << error.message;
  return items;
}

TEST(ParseBatchRequestTest, ArrayAndItemsObject) {
  auto a = ParseBatchOk(R"([{"title": "a"}, {"title": "b", "price": 2}])");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].record.title, "a");
  EXPECT_EQ(a[1].record.title, "b");
  EXPECT_DOUBLE_EQ(*a[1].record.price, 2.0);
  auto o = ParseBatchOk(R"({"model": "x", "items": [{"title": "c"}], "extra": [1, {"a": 2}]})");
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].record.title, "c");
}

TEST(ParseBatchRequestTest, InvalidItemsGetTheirOwnErrors) {
  auto items = ParseBatchOk(
      R"([{"title": "ok"}, {"brand": "no title"}, 42, {"title": "x", "price": -3},
          {"title": "y", "price": "NaN"}, {"title": "last"}])");
  ASSERT_EQ(items.size(), 6u);
  EXPECT_TRUE(items[0].ok);
  EXPECT_FALSE(items[1].ok);
  EXPECT_EQ(items[1].error.field, "title");
  EXPECT_FALSE(items[2].ok);
  EXPECT_EQ(items[2].error.code, "invalid_item");
  EXPECT_FALSE(items[3].ok);
  EXPECT_EQ(items[3].error.field, "price");
  EXPECT_FALSE(items[4].ok);
  EXPECT_EQ(items[4].error.field, "price");
  EXPECT_TRUE(items[5].ok);
  EXPECT_EQ(items[5].record.title, "last");
}

TEST(ParseBatchRequestTest, WholeRequestErrors) {
  struct Case {
    const char* body;
    int status;
    const char* code;
  };
  RequestLimits limits;
  limits.max_batch_items = 3;
  for (const Case& c :
       {Case{"[{\"title\": \"a\"}, {\"title\": ", 400, "invalid_json"},
        Case{"[{\"title\": \"a\"}] x", 400, "invalid_json"}, Case{"[]", 422, "empty_batch"},
        Case{"{\"items\": []}", 422, "empty_batch"},
        Case{"{\"products\": []}", 422, "missing_field"}, Case{"{\"items\": 3}", 422, "wrong_type"},
        Case{"\"x\"", 422, "invalid_request"},
        Case{"[{\"title\":\"a\"},{\"title\":\"b\"},{\"title\":\"c\"},{\"title\":\"d\"}]", 413,
             "batch_too_large"}}) {
    std::string body = c.body;
    std::vector<BatchItem> items;
    ApiError error;
    EXPECT_FALSE(ParseBatchRequest(&body, limits, &items, &error)) << c.body;
    EXPECT_EQ(error.status, c.status) << c.body;
    EXPECT_EQ(error.code, c.code) << c.body;
  }
}

TEST(ParseBatchRequestTest, ExactlyTheLimitIsAccepted) {
  RequestLimits limits;
  limits.max_batch_items = 3;
  EXPECT_EQ(ParseBatchOk(R"([{"title":"a"},{"title":"b"},{"title":"c"}])", limits).size(), 3u);
}

TEST(RecordRulesTest, ReportsEveryViolationWithTheFirstAsTheError) {
  std::string body = R"({"title": "x", "price": -1, "rating": 9})";
  ProductRecord record;
  ApiError error;
  ASSERT_FALSE(ParsePredictRequest(&body, {}, &record, &error));
  EXPECT_EQ(error.field, "price");
  ASSERT_EQ(error.violations.size(), 2u);
  EXPECT_EQ(error.violations[1].field, "rating");
  http::Response response;
  SetErrorResponse(error, &response);
  auto j = nlohmann::json::parse(response.body);
  EXPECT_EQ(j["error"]["violations"].size(), 2u);
  EXPECT_EQ(j["error"]["violations"][1]["code"], "out_of_range");
}

TEST(RecordRulesTest, AcceptsAPlainRecordAndRejectsNonFinite) {
  ProductRecord r;
  r.title = "desk lamp";
  ApiError error;
  EXPECT_TRUE(CheckRecordRules(r, {}, &error));
  r.rating = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(CheckRecordRules(r, {}, &error));
  EXPECT_EQ(error.field, "rating");
  EXPECT_EQ(error.code, "not_finite");
}

}  // namespace
}  // namespace prodcat::serving
