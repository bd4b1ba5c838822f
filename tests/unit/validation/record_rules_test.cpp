#include "prodcat/validation/record_rules.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace prodcat {
namespace {

std::vector<std::string> Codes(const std::vector<RuleViolation>& violations) {
  std::vector<std::string> out;
  for (const auto& v : violations) out.push_back(v.field + ":" + v.code);
  return out;
}

TEST(RecordRules, AcceptsAGoodRecord) {
  ProductRecord r;
  r.title = "Ñandú plush toy";
  r.price = 0;
  r.rating = 5;
  r.reviews_count = 12;
  r.description = std::string(10000, 'd');
  EXPECT_TRUE(RecordRules().Check(r).empty());
}

TEST(RecordRules, ReportsEveryViolation) {
  ProductRecord r;
  r.title = "";
  r.brand = std::string(257, 'b');
  r.seller_id = "bad \xC3";
  r.price = -3;
  r.rating = 5.5;
  r.reviews_count = std::numeric_limits<double>::infinity();
  r.description = std::string(10001, 'd');
  std::vector<RuleViolation> v = RecordRules().Check(r);
  EXPECT_EQ(Codes(v),
            (std::vector<std::string>{"title:required", "seller_id:invalid_utf8", "brand:too_long",
                                      "price:negative", "rating:out_of_range",
                                      "reviews_count:not_finite", "description:too_long"}));
  EXPECT_EQ(v[3].message, "price must be >= 0, got -3");
  EXPECT_EQ(v[2].message, "brand must be at most 256 characters, got 257");
  nlohmann::json json = ViolationsToJson(v);
  ASSERT_EQ(json.size(), 7u);
  EXPECT_EQ(json[4]["field"], "rating");
  EXPECT_EQ(json[4]["code"], "out_of_range");

  ProductRecord nan;
  nan.title = "x";
  nan.rating = std::nan("");
  EXPECT_EQ(Codes(RecordRules().Check(nan)), (std::vector<std::string>{"rating:not_finite"}));
}

TEST(RecordRules, LimitsCountCodePointsAndAreConfigurable) {
  ProductRecord r;
  r.title = std::string(1000 / 2, 'x');
  for (int i = 0; i < 500; ++i) r.title += "é";  // 2 bytes, 1 code point each
  EXPECT_TRUE(RecordRules().Check(r).empty()) << "1000 code points in 1500 bytes";
  r.title += "!";
  EXPECT_EQ(Codes(RecordRules().Check(r)), (std::vector<std::string>{"title:too_long"}));

  RecordRulesOptions options;
  options.max_title_chars = 5000;
  options.require_title = false;
  options.max_rating = 10;
  RecordRules relaxed(options);
  EXPECT_TRUE(relaxed.Check(r).empty());
  ProductRecord empty;
  empty.rating = 9;
  EXPECT_TRUE(relaxed.Check(empty).empty());
  EXPECT_EQ(relaxed.MaxChars(Field::kCategory), 256u);
}

}  // namespace
}  // namespace prodcat
