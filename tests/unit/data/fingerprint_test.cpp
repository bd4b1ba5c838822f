#include "prodcat/data/fingerprint.h"

#include <gtest/gtest.h>

namespace prodcat {
namespace {

// Strings are moved in rather than assigned from literals: GCC 12 warns falsely (-Wrestrict) on
// short literal assignments into vector elements.
ProductRecord Make(std::string title, std::string brand, std::optional<double> price,
                   std::string category) {
  ProductRecord r;
  r.title = std::move(title);
  r.brand = std::move(brand);
  r.price = price;
  r.category = std::move(category);
  return r;
}

std::vector<ProductRecord> Sample() {
  return {Make("ab", "c", 1.5, "X"), Make("d", "", std::nullopt, "")};
}

TEST(FingerprintTest, IsHexSha256AndStable) {
  std::string fp = FingerprintRecords(Sample());
  EXPECT_EQ(fp.size(), 64u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(FingerprintRecords(Sample()), fp);
  EXPECT_NE(FingerprintRecords({}), fp);
}

TEST(FingerprintTest, IgnoresSourceLineOnly) {
  auto records = Sample();
  std::string base = FingerprintRecords(records);
  records[0].source_line = 99;
  EXPECT_EQ(FingerprintRecords(records), base);
  records[1].group = std::string(1, 'g');
  EXPECT_NE(FingerprintRecords(records), base);
}

TEST(FingerprintTest, EveryFieldMatters) {
  std::string base = FingerprintRecords(Sample());
  for (Field f : kAllFields) {
    auto records = Sample();
    if (std::string* s = records[1].MutableStringField(f)) {
      *s += "!";
    } else {
      *records[1].MutableNumericField(f) = 7;
    }
    EXPECT_NE(FingerprintRecords(records), base) << FieldName(f);
  }
}

TEST(FingerprintTest, UnambiguousBoundaries) {
  auto a = Sample();
  auto b = Sample();
  b[0] = Make("a", "bc", 1.5, "X");  // the same concatenation "abc"
  EXPECT_NE(FingerprintRecords(a), FingerprintRecords(b));
  auto c = Sample();
  c[0].price = 0.0;  // missing vs zero
  auto d = Sample();
  d[0].price.reset();
  EXPECT_NE(FingerprintRecords(c), FingerprintRecords(d));
  auto swapped = Sample();
  std::swap(swapped[0], swapped[1]);
  EXPECT_NE(FingerprintRecords(swapped), FingerprintRecords(a));
}

}  // namespace
}  // namespace prodcat
