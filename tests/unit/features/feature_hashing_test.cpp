#include "prodcat/features/feature_hashing.h"

#include <gtest/gtest.h>

#include <string>

#include "prodcat/common/stable_hash.h"

namespace prodcat {
namespace {

// Golden values computed once. If these change, every stored FeatureSpec silently maps tokens
// to different columns: the seed, the hash or the namespace scheme was changed.
TEST(FeatureHashingTest, StableHashGoldenValue) {
  EXPECT_EQ(StableHash("usb-c charger 65w"), 0x01f0276e76891b3eULL);
}

TEST(FeatureHashingTest, BucketGoldenValues) {
  EXPECT_EQ(HashBucket(HashNamespace::kTitleWord, "usb-c", 20), 23687u);
  EXPECT_EQ(HashBucket(HashNamespace::kTitleChar, "usb-c", 20), 386511u);
}

TEST(FeatureHashingTest, NamespacesSeparateEqualKeys) {
  int same = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string key = "k";
    key += std::to_string(i);
    same += HashBucket(HashNamespace::kTitleWord, key, 20) ==
            HashBucket(HashNamespace::kTitleChar, key, 20);
  }
  EXPECT_LT(same, 5);  // only chance collisions (expected ~0.001)
}

TEST(FeatureHashingTest, BucketsStayInRange) {
  for (int bits : {10, 16, 26}) {
    for (int i = 0; i < 200; ++i) {
      EXPECT_LT(HashBucket(HashNamespace::kBrandValue, std::to_string(i), bits), 1u << bits);
    }
  }
}

TEST(FeatureHashingTest, NamesParseBackToTheirNamespace) {
  for (int i = 0; i < kNumHashNamespaces; ++i) {
    const auto ns = static_cast<HashNamespace>(i);
    const std::string name = std::string(NamespacePrefix(ns)) + "some key";
    HashNamespace parsed;
    std::string_view key;
    ASSERT_TRUE(ParseNamespacedName(name, &parsed, &key)) << name;
    EXPECT_EQ(parsed, ns) << name;
    EXPECT_EQ(key, "some key");
  }
  HashNamespace parsed;
  std::string_view key;
  EXPECT_FALSE(ParseNamespacedName("price", &parsed, &key));
}

}  // namespace
}  // namespace prodcat
