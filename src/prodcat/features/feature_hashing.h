// Hashed feature keys: every feature key (a word n-gram, a char n-gram, "brand=sony"...) belongs to
// a namespace, and the namespace is part of the hash so that word "ab" and char gram "ab" land
// in unrelated buckets. The namespace enters as the seed, seed = StableHash(prefix), which is
// equivalent to hashing prefix + key but needs no copy of the key. Changing a prefix, the seed
// derivation or the bucket rule invalidates every stored FeatureSpec.
#pragma once

#include <cstdint>
#include <string_view>

#include "prodcat/common/stable_hash.h"

namespace prodcat {

enum class HashNamespace : uint8_t {
  // Tfidf view.
  kTitleWord,  // word n-grams of the title
  kTitleChar,  // char_wb n-grams of title and brand tokens
  kBrandWord,  // brand tokens
  kDescWord,   // word n-grams of the description
  // Tabular view one-hot columns.
  kBrandValue,
  kSellerValue,
  kSubcategoryValue,
  kBrandPriceRange,
  kTitleWordValue,
};
inline constexpr int kNumHashNamespaces = 9;

// Readable prefix of a namespace; feature names are prefix + key ("title:word:usb c",
// "brand=sony"). No prefix is a prefix of another, so a name parses back unambiguously.
std::string_view NamespacePrefix(HashNamespace ns);
// Finds the namespace whose prefix starts `name`; false if none does.
bool ParseNamespacedName(std::string_view name, HashNamespace* ns, std::string_view* key);

uint64_t NamespaceSeed(HashNamespace ns);

// Bucket of `key` in namespace `ns` among 2^hash_bits buckets.
uint32_t HashBucket(HashNamespace ns, std::string_view key, int hash_bits);

// HashBucket with the seeds and mask looked up once, for the per-key hot loop.
class BucketHasher {
 public:
  explicit BucketHasher(int hash_bits) : mask_((uint64_t{1} << hash_bits) - 1) {
    for (int i = 0; i < kNumHashNamespaces; ++i)
      seeds_[i] = NamespaceSeed(static_cast<HashNamespace>(i));
  }
  uint32_t operator()(HashNamespace ns, std::string_view key) const {
    return static_cast<uint32_t>(StableHash(key, seeds_[static_cast<int>(ns)]) & mask_);
  }

 private:
  uint64_t mask_;                            // 2^hash_bits - 1
  uint64_t seeds_[kNumHashNamespaces] = {};  // NamespaceSeed of each namespace
};

}  // namespace prodcat
