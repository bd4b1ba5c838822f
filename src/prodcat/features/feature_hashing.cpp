#include "prodcat/features/feature_hashing.h"

#include <array>

#include "prodcat/common/stable_hash.h"

namespace prodcat {
namespace {

constexpr std::array<std::string_view, kNumHashNamespaces> kPrefixes = {
    "title:word:",  "title:char:",          "brand:", "desc:word:", "brand=", "seller=",
    "subcategory=", "brand_x_price_range=", "word=",
};

// Computed once; StableHash is a pure function so this is the same in every process.
const std::array<uint64_t, kNumHashNamespaces>& Seeds() {
  static const std::array<uint64_t, kNumHashNamespaces> seeds = [] {
    std::array<uint64_t, kNumHashNamespaces> s{};
    for (int i = 0; i < kNumHashNamespaces; ++i) s[i] = StableHash(kPrefixes[i]);
    return s;
  }();
  return seeds;
}

}  // namespace

std::string_view NamespacePrefix(HashNamespace ns) {
  return kPrefixes[static_cast<int>(ns)];
}

bool ParseNamespacedName(std::string_view name, HashNamespace* ns, std::string_view* key) {
  for (int i = 0; i < kNumHashNamespaces; ++i) {
    if (name.starts_with(kPrefixes[i])) {
      *ns = static_cast<HashNamespace>(i);
      *key = name.substr(kPrefixes[i].size());
      return true;
    }
  }
  return false;
}

uint64_t NamespaceSeed(HashNamespace ns) {
  return Seeds()[static_cast<int>(ns)];
}

uint32_t HashBucket(HashNamespace ns, std::string_view key, int hash_bits) {
  const uint64_t mask = (uint64_t{1} << hash_bits) - 1;
  return static_cast<uint32_t>(StableHash(key, NamespaceSeed(ns)) & mask);
}

}  // namespace prodcat
