#include "prodcat/evaluation/label_text.h"

#include <gtest/gtest.h>

namespace prodcat::evaluation_internal {
namespace {

TEST(LabelTextTest, CountsAndShortensByCodePoint) {
  EXPECT_EQ(CodePointCount("Café"), 4u);  // é is two bytes
  EXPECT_EQ(ShortenToCodePoints("Café au lait", 20), "Café au lait");
  EXPECT_EQ(ShortenToCodePoints("Café au lait", 7), "Café...");
  EXPECT_EQ(ShortenToCodePoints("ééééééé", 5), "éé...");
}

TEST(LabelTextTest, EscapesXmlSpecialCharacters) {
  EXPECT_EQ(EscapeXml("A&B <c> \"d\" 'e'"), "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;");
  EXPECT_EQ(EscapeXml("Café"), "Café");
}

TEST(LabelTextTest, DropsControlCharactersAndReplacesMalformedUtf8) {
  EXPECT_EQ(EscapeXml(std::string("a\x01"
                                  "b\tc",
                                  5)),
            "ab\tc");
  EXPECT_EQ(EscapeXml("x\xC3"), "x\xEF\xBF\xBD");                // truncated sequence
  EXPECT_EQ(EscapeXml("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(EscapeXml("\xED\xA0\x80"),                           // UTF-16 surrogate
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace prodcat::evaluation_internal
