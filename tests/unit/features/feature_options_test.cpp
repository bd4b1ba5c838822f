#include "prodcat/features/feature_options.h"

#include <gtest/gtest.h>

#include "prodcat/features/feature_spec.h"

namespace prodcat {
namespace {

TEST(FeatureOptionsTest, JsonRoundTripKeepsEveryField) {
  FeatureSpecOptions o;
  o.hash_bits = 18;
  o.word_ngram_max = 3;
  o.char_ngram_min = 3;
  o.char_ngram_max = 4;
  o.tfidf_min_df = 7;
  o.sublinear_tf = false;
  o.use_description = false;
  o.tabular_min_count = 9;
  o.price_bins = 8;
  o.tabular_title_words = false;
  FeatureSpecOptions back;
  ASSERT_TRUE(FeatureSpecOptions::FromJson(o.ToJson(), &back).ok());
  EXPECT_EQ(back.ToJson(), o.ToJson());
  EXPECT_EQ(back.hash_bits, 18);
  EXPECT_FALSE(back.sublinear_tf);
}

TEST(FeatureOptionsTest, MissingKeysKeepDefaults) {
  FeatureSpecOptions back;
  ASSERT_TRUE(FeatureSpecOptions::FromJson({{"price_bins", 3}}, &back).ok());
  EXPECT_EQ(back.price_bins, 3);
  EXPECT_EQ(back.hash_bits, FeatureSpecOptions().hash_bits);
}

TEST(FeatureOptionsTest, UnknownKeyIsNamed) {
  FeatureSpecOptions back;
  Status s = FeatureSpecOptions::FromJson({{"hash_bitz", 20}}, &back);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'hash_bitz'"), std::string::npos) << s.message();
}

TEST(FeatureOptionsTest, WrongTypeNamesKeyAndExpectedType) {
  FeatureSpecOptions back;
  Status s = FeatureSpecOptions::FromJson({{"hash_bits", "20"}}, &back);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'hash_bits'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("integer"), std::string::npos) << s.message();

  s = FeatureSpecOptions::FromJson({{"sublinear_tf", 1}}, &back);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'sublinear_tf'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("boolean"), std::string::npos) << s.message();

  s = FeatureSpecOptions::FromJson({{"price_bins", 2.5}}, &back);
  EXPECT_NE(s.message().find("'price_bins'"), std::string::npos) << s.message();

  EXPECT_FALSE(FeatureSpecOptions::FromJson(nlohmann::json::array(), &back).ok());
}

TEST(FeatureOptionsTest, OutOfRangeValuesAreRejected) {
  FeatureSpecOptions back;
  Status s = FeatureSpecOptions::FromJson({{"hash_bits", 40}}, &back);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("hash_bits"), std::string::npos);
  s = FeatureSpecOptions::FromJson({{"char_ngram_min", 4}, {"char_ngram_max", 2}}, &back);
  EXPECT_NE(s.message().find("char_ngram_max"), std::string::npos) << s.message();
  EXPECT_FALSE(FeatureSpecOptions::FromJson({{"tfidf_min_df", 0}}, &back).ok());
  // A failed parse leaves the output untouched.
  EXPECT_EQ(back.hash_bits, FeatureSpecOptions().hash_bits);
}

}  // namespace
}  // namespace prodcat
