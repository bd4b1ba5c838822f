#include "prodcat/features/tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace prodcat {
namespace {

using ::testing::ElementsAre;

TEST(TokenizerTest, KeepsJoinersBetweenWordCharacters) {
  EXPECT_THAT(
      Tokenize("apple mq8n2b/a iphone 8 plus 64gb 5.5\" (gold), usb-c"),
      ElementsAre("apple", "mq8n2b/a", "iphone", "8", "plus", "64gb", "5.5", "gold", "usb-c"));
  EXPECT_THAT(Tokenize("1/2 inch"), ElementsAre("1/2", "inch"));
}

TEST(TokenizerTest, PunctuationElsewhereSeparates) {
  EXPECT_THAT(Tokenize("a--b"), ElementsAre("a", "b"));
  EXPECT_THAT(Tokenize("-x- end. c++"), ElementsAre("x", "end", "c"));
  EXPECT_THAT(Tokenize("men's,women's"), ElementsAre("men", "s", "women", "s"));
  EXPECT_THAT(Tokenize("1,5 kg"), ElementsAre("1", "5", "kg"));
  EXPECT_THAT(Tokenize(" ...  "), ElementsAre());
  EXPECT_THAT(Tokenize(""), ElementsAre());
}

TEST(TokenizerTest, UnicodeLettersAndDigitsAreWordCharacters) {
  EXPECT_THAT(Tokenize("café crème"), ElementsAre("café", "crème"));
  EXPECT_THAT(Tokenize("日本語テキスト"), ElementsAre("日本語テキスト"));
  EXPECT_THAT(Tokenize("naïve—test"), ElementsAre("naïve", "test"));  // em dash separates
  EXPECT_THAT(Tokenize("ok \xFF bad"), ElementsAre("ok", "bad"));     // malformed byte separates
}

TEST(TokenizerTest, CharWbNgramsMatchScikitLearn) {
  // sklearn CountVectorizer(analyzer='char_wb', ngram_range=(2, 3)) on "usb".
  EXPECT_THAT(CharWbNgrams("usb", 2, 3), ElementsAre(" u", "us", "sb", "b ", " us", "usb", "sb "));
  // A padded word shorter than n is emitted once, and larger n are skipped.
  EXPECT_THAT(CharWbNgrams("a", 2, 5), ElementsAre(" a", "a ", " a "));
  EXPECT_THAT(CharWbNgrams("ab", 4, 6), ElementsAre(" ab "));
}

TEST(TokenizerTest, CharNgramsCountCodePointsNotBytes) {
  EXPECT_THAT(CharWbNgrams("éa", 2, 2), ElementsAre(" é", "éa", "a "));
  EXPECT_THAT(CharWbNgrams("日本", 3, 3), ElementsAre(" 日本", "日本 "));
}

TEST(TokenizerTest, LongNonAsciiTokenUsesLargeBuffer) {
  std::string token;
  for (int i = 0; i < 300; ++i) token += "é";
  const auto grams = CharWbNgrams(token, 5, 5);
  ASSERT_EQ(grams.size(), 302u - 5 + 1);
  EXPECT_EQ(grams.front(), " éééé");
  EXPECT_EQ(grams.back(), "éééé ");
}

TEST(TokenizerTest, AppendTokensPaddedBuildsSpaceSeparatedForm) {
  std::string padded = " ";
  EXPECT_EQ(AppendTokensPadded("hello, world!", &padded), 2u);
  EXPECT_EQ(padded, " hello world ");
  EXPECT_EQ(CountCodePoints("crème"), 5u);
}

}  // namespace
}  // namespace prodcat
