#include "prodcat/features/text_normalizer.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <random>
#include <string>

namespace prodcat {
namespace {

bool IsValidUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

bool HasCleanSpacing(const std::string& s) {
  if (s.empty()) return true;
  return s.front() != ' ' && s.back() != ' ' && s.find("  ") == std::string::npos;
}

TEST(NormalizeTextTest, AppliesNfkcToFullWidthAndLigatures) {
  EXPECT_EQ(NormalizeText("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3\xEF\xBC\x91\xEF\xBC\x92"),
            "abc12");                                     // "ＡＢＣ１２"
  EXPECT_EQ(NormalizeText("\xEF\xAC\x81le"), "file");     // "ﬁle"
  EXPECT_EQ(NormalizeText("10\xE2\x80\x89kg"), "10 kg");  // thin space
  EXPECT_EQ(NormalizeText("x\xC2\xB2"), "x2");            // superscript two
}

TEST(NormalizeTextTest, CaseFoldsIncludingSharpS) {
  EXPECT_EQ(NormalizeText("Straße"), "strasse");
  EXPECT_EQ(NormalizeText("ÉCOLE"), "école");
  EXPECT_EQ(NormalizeText("USB-C Cable"), "usb-c cable");
}

TEST(NormalizeTextTest, CollapsesAndTrimsWhitespace) {
  EXPECT_EQ(NormalizeText("  Hello\t\n  World \r\n"), "hello world");
  EXPECT_EQ(NormalizeText("a\xC2\xA0\xC2\xA0"
                          "b"),
            "a b");  // no-break spaces
  EXPECT_EQ(NormalizeText("a\xE3\x80\x80"
                          "b"),
            "a b");  // ideographic space
  EXPECT_EQ(NormalizeText("a\xE2\x80\xA8"
                          "b"),
            "a b");  // line separator
  EXPECT_EQ(NormalizeText(" \t\n "), "");
  EXPECT_EQ(NormalizeText(""), "");
}

TEST(NormalizeTextTest, DropsControlAndIgnorableCharacters) {
  EXPECT_EQ(NormalizeText(std::string("a\x01"
                                      "b\x7f"
                                      "c",
                                      5)),
            "abc");
  EXPECT_EQ(NormalizeText(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(NormalizeText("co\xC2\xADoperate"), "cooperate");      // soft hyphen
  EXPECT_EQ(NormalizeText("zero\xE2\x80\x8Bwidth"), "zerowidth");  // zero-width space
}

TEST(NormalizeTextTest, LumpsTypographicVariants) {
  EXPECT_EQ(NormalizeText("USB\xE2\x80\x93"
                          "C"),
            "usb-c");                                     // en dash
  EXPECT_EQ(NormalizeText("men\xE2\x80\x99s"), "men's");  // right single quote
}

TEST(CleanTextTest, KeepsCaseButNormalizes) {
  EXPECT_EQ(CleanText("  \xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3  Straße\t"), "ABC Straße");
  EXPECT_EQ(CleanText("Apple iPhone\r\n8"), "Apple iPhone 8");
  EXPECT_EQ(CleanText("\xEF\xAC\x81le"), "file");
}

TEST(NormalizeTextTest, InvalidUtf8IsReplacedNotFatal) {
  const std::string out = NormalizeText("abc\xFF\xFE def \xE2\x82");
  EXPECT_TRUE(IsValidUtf8(out)) << out;
  EXPECT_EQ(out.rfind("abc", 0), 0u);
  EXPECT_NE(out.find("def"), std::string::npos);
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD marks the bad bytes
  EXPECT_EQ(NormalizeText("\xC3\x28"), "\xEF\xBF\xBD(");
}

TEST(NormalizeTextTest, RandomBytesNeverCrashAndGiveValidOutput) {
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    const std::string out = NormalizeText(s);
    ASSERT_TRUE(IsValidUtf8(out));
    ASSERT_TRUE(HasCleanSpacing(out)) << "'" << out << "'";
    const std::string clean = CleanText(s);
    ASSERT_TRUE(IsValidUtf8(clean));
    ASSERT_TRUE(HasCleanSpacing(clean));
  }
}

TEST(NormalizeTextTest, AsciiFastPathMatchesUtf8proc) {
  std::mt19937 rng(11);
  std::string slow;
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 24, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 128);
    for (bool casefold : {true, false}) {
      internal::NormalizeWithUtf8proc(s, casefold, &slow);
      ASSERT_EQ(casefold ? NormalizeText(s) : CleanText(s), slow)
          << "input bytes: " << ::testing::PrintToString(s);
    }
  }
}

TEST(NormalizeTextTest, IsIdempotentAndCleanTextComposes) {
  const std::string samples[] = {"  Ｓｏｎｙ  WH-1000XM4\tHeadphones ", "Straße ﬁle\xC2\xA0x",
                                 "Crème Brûlée — 500 ML",
                                 "abc\xFF"
                                 "def"};
  for (const std::string& s : samples) {
    const std::string once = NormalizeText(s);
    EXPECT_EQ(NormalizeText(once), once);
    EXPECT_EQ(NormalizeText(CleanText(s)), once);
  }
}

TEST(NormalizeTextTest, ToVariantReusesBuffer) {
  std::string out = "previous contents that must vanish";
  NormalizeTextTo("New  Title", &out);
  EXPECT_EQ(out, "new title");
  CleanTextTo("Ａ", &out);
  EXPECT_EQ(out, "A");
}

}  // namespace
}  // namespace prodcat
